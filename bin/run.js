#!/usr/bin/env node
// Ctrl-C: stop at once with the conventional 128 + SIGINT code, leaving no partial stdout document.
process.once('SIGINT', () => process.exit(130))
process.once('SIGTERM', () => process.exit(143))

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
