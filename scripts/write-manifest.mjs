// Writes oclif.manifest.json (the command list and flags, so oclif need not import every command at
// start-up: ~20 ms saved). Same content as `oclif manifest`, without that package's large dependency tree.
import {rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'

import {Config} from '@oclif/core'

// oclif reads the command list from the bundle's COMMANDS, which the bundle fills in on demand.
await createRequire(import.meta.url)('../dist/bundle/focalscope.js').loadCommands()

rmSync('oclif.manifest.json', {force: true})
const config = await Config.load({root: process.cwd(), devPlugins: false, userPlugins: false})
const root = config.getPluginsList().find((plugin) => plugin.isRoot)
if (!root) throw new Error('no root plugin')
writeFileSync('oclif.manifest.json', JSON.stringify(root.manifest, null, 2) + '\n')
