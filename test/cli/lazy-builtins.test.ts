/**
 * zlib is imported only for a compressed input (scripts/bundle.mjs turns the source's `import('node:zlib')`
 * into a require() run when the import is): loading it cost every run ~4 ms, on each thread. A preload
 * records the Node built-ins the built CLI loaded.
 */
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {gzipSync} from 'node:zlib'

import {runCli} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

const PRELOAD = `
process.on('exit', () =>
  require('node:fs').writeFileSync(process.env.BUILTINS_LOG, JSON.stringify(process.moduleLoadList)),
)
`

function builtinsLoaded(args: string[]): string[] {
  const preload = file('record-builtins.cjs', PRELOAD)
  const log = file(`builtins-${args.join('-').replace(/\W+/g, '_')}.json`)
  const result = runCli(args, {NODE_OPTIONS: `--require ${preload}`, BUILTINS_LOG: log})
  assert.equal(result.status, 0, result.stderr)
  return (JSON.parse(readFileSync(log, 'utf8')) as string[]).filter((m) => m.startsWith('NativeModule '))
}

describe('Node built-ins loaded when needed', () => {
  it('a plain CSV, Arrow or Parquet report loads no zlib', () => {
    for (const input of ['fixtures/binary.csv', 'fixtures/binary.arrow', 'fixtures/parquet/binary-snappy.parquet']) {
      assert.ok(!builtinsLoaded(['report', input, '--json']).includes('NativeModule zlib'), input)
    }
  })

  it('a gzip-compressed CSV and a GZIP Parquet file load it (and are read)', () => {
    const gz = file('binary.csv.gz')
    writeFileSync(gz, gzipSync(readFileSync('fixtures/binary.csv')))
    assert.ok(builtinsLoaded(['report', gz, '--json']).includes('NativeModule zlib'))
    assert.ok(
      builtinsLoaded(['report', 'fixtures/parquet/binary-gzip.parquet', '--json']).includes('NativeModule zlib'),
    )
  })
})
