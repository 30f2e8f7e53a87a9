import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import zlib, {gzipSync} from 'node:zlib'

import type {Report} from '../../src/report/types.js'
import {arrowMessages, ARROW_RECORD_BATCH} from '../helpers/mutate.js'
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

describe('an Arrow file on stdin (spooled to a temp file)', () => {
  const BIN = fileURLToPath(new URL('../../bin/run.cjs', import.meta.url))
  const arrowFile = readFileSync(`${FIXTURES}binary.arrow`)
  let dirs = 0
  /** An empty directory for TMPDIR, so that the spool copy can be seen (and must be gone afterwards). */
  const spoolRoot = (): string => {
    const dir = file(`tmp-${dirs++}`)
    mkdirSync(dir)
    return dir
  }

  it('names `-`, not the temp copy, when the file is truncated or corrupt, and removes the copy', () => {
    const badFooter = Buffer.from(arrowFile)
    badFooter.writeInt32LE(99_999_999, badFooter.length - 10)
    const notABatch = Buffer.from(arrowFile)
    notABatch[arrowMessages(arrowFile).filter((m) => m.headerType === ARROW_RECORD_BATCH)[0].headerTypeAt] = 1
    const cases: [string, Uint8Array, string][] = [
      [
        'truncated',
        arrowFile.subarray(0, arrowFile.length - 100),
        '-: expected a complete Arrow IPC file, got one that does not end with the closing "ARROW1" magic (truncated?)',
      ],
      [
        'a corrupt footer',
        badFooter,
        `-: expected valid Arrow IPC metadata (corrupt file?): the footer says it is 99999999 bytes long, the file is ${arrowFile.length}`,
      ],
      [
        'a message that is not a record batch',
        notABatch,
        '- (batch 1): expected valid Arrow IPC metadata (corrupt file?): expected a record batch message, got header type 1',
      ],
    ]
    for (const [what, bytes, message] of cases) {
      const tmp = spoolRoot()
      const result = runCli(['report', '-'], {TMPDIR: tmp}, bytes)
      assert.equal(result.status, 2, what)
      assert.equal(result.stderr, `focalscope: error: ${message}\n`, what)
      assert.deepEqual(readdirSync(tmp), [], `${what}: the temp copy is removed`)
    }
  })

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} while the file is still arriving: exit 130 and the temp copy removed`, async () => {
      const tmp = spoolRoot()
      const child = spawn(process.execPath, [BIN, 'report', '-'], {
        env: {...process.env, TMPDIR: tmp},
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      let gone = false
      void exited.then(() => (gone = true))
      // Half the file, and stdin stays open: the spooling cannot finish, whatever the machine's speed.
      child.stdin.write(arrowFile.subarray(0, arrowFile.length >> 1))
      // Ready when the copy exists (a condition polled for, not a fixed wait).
      const spooled = (): boolean =>
        readdirSync(tmp).some((d) => d.startsWith('focalscope-') && existsSync(join(tmp, d, 'input.arrow')))
      while (!spooled()) {
        assert.ok(!gone, `the CLI exited before spooling: ${stderr}`)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      child.kill(signal)
      assert.equal(await exited, 130, stderr)
      assert.deepEqual(readdirSync(tmp), [], 'the temp directory is removed')
      child.stdin.destroy()
    })
  }
})
