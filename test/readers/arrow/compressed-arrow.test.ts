/**
 * Compressed Arrow IPC (LZ4_FRAME, ZSTD bodies, as pyarrow writes them): every copy in
 * fixtures/arrow-compressed/ (scripts/make-compressed-arrow-fixtures.ts: the real lz4 and zstd tools) reads
 * to exactly the report of the plain fixture it was made from, through focalscope's own decoder (files)
 * and apache-arrow's (streams, with the codecs registered by focalscope). The fixtures are checked to be
 * what the script writes, and really compressed.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {analyzePredictions, type AnalyzeOptions} from '../../../src/pipeline/analyze-predictions.js'
import {IpcStreamChecker} from '../../../src/readers/arrow/ipc-check.js'
import {tempDir} from '../../helpers/temp-files.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const PLAIN = `${ROOT}fixtures/`
const COMPRESSED = `${ROOT}fixtures/arrow-compressed/`
const SCRIPT = `${ROOT}scripts/make-compressed-arrow-fixtures.ts`

const OPTIONS: AnalyzeOptions = {
  onInvalid: 'fail',
  rowSumTolerance: 1e-3,
  rowSumPolicy: 'refuse',
  labelCol: 'label',
  gammas: [0, 0.5, 2, 5],
  alphaSpec: {kind: 'none'},
  easyThreshold: 0.5,
  eps: 1e-7,
  threads: 1,
  concentration: true,
}

const hasTools = ['lz4', 'zstd'].every((tool) => spawnSync(tool, ['--version']).status === 0)

/** The plain fixture a compressed copy was made from: binary-lz4-checked.arrow → binary.arrow. */
function original(name: string): string {
  const [base, ext] = name.split('.')
  return `${base.replace(/-(lz4|lz4-checked|zstd)$/, '')}.${ext}`
}

/** A report as JSON with the input's path replaced, so two files' reports compare. */
function scrubbed(report: unknown, path: string): unknown {
  return JSON.parse(JSON.stringify(report).split(JSON.stringify(path).slice(1, -1)).join('FILE'))
}

const names = readdirSync(COMPRESSED).sort()

describe('compressed Arrow fixtures', () => {
  it('are what scripts/make-compressed-arrow-fixtures.ts writes', {skip: !hasTools && 'needs lz4 and zstd'}, () => {
    const out = tempDir()('regenerated')
    const result = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, out], {cwd: ROOT, encoding: 'utf8'})
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(readdirSync(out).sort(), names)
    for (const name of names) {
      assert.ok(readFileSync(`${out}/${name}`).equals(readFileSync(`${COMPRESSED}${name}`)), `${name} differs`)
    }
  })

  it('say their codec in every batch, hold frames of it, and are smaller than the plain files', () => {
    assert.ok(names.length >= 10)
    for (const name of names) {
      const bytes = readFileSync(`${COMPRESSED}${name}`)
      const codec = name.includes('zstd') ? 'ZSTD' : 'LZ4_FRAME'
      const magic = Buffer.from(codec === 'ZSTD' ? [0x28, 0xb5, 0x2f, 0xfd] : [0x04, 0x22, 0x4d, 0x18])
      assert.ok(bytes.indexOf(magic) > 0, `${name}: a ${codec} frame`)
      assert.ok(bytes.length < readFileSync(`${PLAIN}${original(name)}`).length, `${name} is smaller`)
      // The messages (a file's start after its 8-byte magic like a stream) name the codec.
      const checker = new IpcStreamChecker()
      const start = name.endsWith('.arrow') ? 8 : 0
      try {
        checker.push(bytes.subarray(start))
      } catch {
        // A file's footer follows its messages and is not a message.
      }
      assert.deepEqual([...checker.codecs], [codec], name)
      assert.ok(checker.batches >= 2, name)
    }
  })

  for (const name of names) {
    it(`${name} gives exactly the report of ${original(name)}`, async () => {
      const path = `${COMPRESSED}${name}`
      const plainPath = `${PLAIN}${original(name)}`
      const compressed = await analyzePredictions([path], OPTIONS)
      const plain = await analyzePredictions([plainPath], OPTIONS)
      assert.ok(compressed.input.rows > 0)
      assert.deepEqual(scrubbed(compressed, path), scrubbed(plain, plainPath))
    })
  }
})
