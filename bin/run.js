#!/usr/bin/env node
// Ctrl-C or SIGTERM: stop at once with exit 130 (interrupted, 128 + SIGINT), the one code the docs promise;
// output files are written atomically, so an interrupted run leaves none half-written.
process.once('SIGINT', () => process.exit(130))
process.once('SIGTERM', () => process.exit(130))

const {run} = await import('../dist/bundle/focalscope.js')
await run(import.meta.url)
