#!/usr/bin/env node
// CommonJS: Node reaches a CommonJS entry ~8 ms sooner than an ES module one.

// Ctrl-C or SIGTERM: stop at once with exit 130 (interrupted, 128 + SIGINT), the one code the docs promise;
// output files are written atomically, so an interrupted run leaves none half-written. Once the CLI has
// loaded it decides (src/cli/write-result.ts): a result already draining to stdout is finished first.
let bundle
const interrupt = () => (bundle ? bundle.exports.interrupt() : process.exit(130))
process.on('SIGINT', interrupt)
process.on('SIGTERM', interrupt)

const {join} = require('node:path')
const {pathToFileURL} = require('node:url')

// Worker threads a big input will need start first, and boot while the CLI loads (src/cli/prestart.ts).
require('../dist/bundle/prestart.js').prestartForArgv(process.argv.slice(2))

// The CLI bundle, loaded with its V8 code cache (src/cli/load-bundle.ts).
const {loadBundle} = require('../dist/bundle/load-bundle.js')
bundle = loadBundle(join(__dirname, '..', 'dist', 'bundle', 'focalscope.js'))
// The build (scripts/write-code-cache.mjs) runs one command with this set, to cache what it compiled.
const cacheOut = process.env.FOCALSCOPE_WRITE_CODE_CACHE
if (cacheOut) process.once('exit', () => bundle.writeCodeCache(cacheOut))
void bundle.exports.run(pathToFileURL(__filename).href)
