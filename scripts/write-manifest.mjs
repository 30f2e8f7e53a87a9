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
// ASCII only (non-ASCII characters as \uXXXX escapes, the same JSON), as the bundles are (scripts/bundle.mjs):
// oclif reads and parses this file at every start, --version included, and one "γ" or "−" in it makes Node
// read the whole file as a two-byte string. Measured (paired runs of --version): the escaped manifest
// saves ~3 % of its CPU time and ~0.5 MB of peak memory.
const json = JSON.stringify(root.manifest, null, 2).replace(
  /[^\0-\x7f]/g,
  (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
)
writeFileSync('oclif.manifest.json', json + '\n')
