import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import zlib, {gzipSync} from 'node:zlib'

import type {Report} from '../../src/core/result.js'
import {runCli, runReportJson} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url))

function figures(report: Report): unknown {
  return {totals: report.totals, sweep: report.sweep, split: report.split, classes: report.classes}
}

function fromStdin(bytes: Uint8Array, args: string[] = []): Report {
  const result = runCli(['report', '-', '--json', ...args], {}, bytes)
  assert.equal(result.status, 0, result.stderr)
  return JSON.parse(result.stdout) as Report
}

describe('stdin and compressed input', () => {
  const reference = figures(runReportJson([`${FIXTURES}multiclass.csv`]).json as unknown as Report)

  it('reads `-` as CSV, gzip, Arrow file or Arrow stream, told apart by their first bytes', () => {
    const csv = readFileSync(`${FIXTURES}multiclass.csv`)
    assert.deepEqual(figures(fromStdin(csv)), reference)
    assert.deepEqual(figures(fromStdin(gzipSync(csv))), reference)
    const arrowFile = fromStdin(readFileSync(`${FIXTURES}multiclass-list.arrow`))
    assert.equal(arrowFile.input.format, 'arrow')
    assert.deepEqual(figures(arrowFile), reference)
    const binary = figures(runReportJson([`${FIXTURES}binary.csv`]).json as unknown as Report)
    assert.deepEqual(figures(fromStdin(readFileSync(`${FIXTURES}binary.arrows`))), binary)
  })

  it('refuses an Arrow stream on stdin that ends without its end-of-stream marker (cut between batches)', () => {
    // Without the 8-byte marker, a stream cut after a whole batch would read as a shorter dataset.
    const stream = readFileSync(`${FIXTURES}binary.arrows`)
    assert.equal(stream.readUInt32LE(stream.length - 8), 0xffffffff, 'the fixture ends with the marker')
    for (const bytes of [stream.subarray(0, stream.length - 8), gzipSync(stream.subarray(0, stream.length - 8))]) {
      const result = runCli(['report', '-', '--json'], {}, bytes)
      assert.equal(result.status, 2, result.stderr)
      assert.equal(result.stdout, '')
      assert.match(
        result.stderr,
        /^focalscope: error: -: expected a complete Arrow IPC stream, .*end-of-stream marker.*\n$/,
      )
    }
  })

  it('reads .gz files by streaming them through gunzip', () => {
    const path = file('preds.csv.gz', gzipSync(readFileSync(`${FIXTURES}multiclass.csv`)))
    assert.deepEqual(figures(runReportJson([path]).json as unknown as Report), reference)
  })

  it('names the file when gzip data is corrupt, and refuses .zst on Node 20 with a way out', () => {
    const good = gzipSync(readFileSync(`${FIXTURES}multiclass.csv`))
    const corrupt = Buffer.from(good)
    corrupt.fill(0x55, 200, 260)
    const result = runCli(['report', file('bad.csv.gz', corrupt)])
    assert.equal(result.status, 2)
    assert.match(result.stderr, /bad\.csv\.gz/)
    assert.equal(result.stderr.trim().split('\n').length, 1)
    const zst = runCli(['report', file('x.csv.zst', 'not really zstd')])
    assert.equal(zst.status, 2)
    if (!('createZstdDecompress' in zlib)) assert.match(zst.stderr, /zstd needs Node\.js 22\.15 or later/)
  })
})
