/**
 * The built CLI splits large CSV and Arrow files across worker threads (the worker is its own file in
 * dist/bundle/): `--threads 2` must give the figures of `--threads 1`, to 1e-12 relative, and the same row
 * counts; `--progress` must reach 100 % with the workers reporting.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {Field, Float64, Int32, makeData, RecordBatch, Schema, Struct, Table, tableToIPC} from 'apache-arrow'

import {MIN_PARALLEL_BYTES} from '../../src/readers/prediction-source.js'
import {runCli, runReportJson} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

/**
 * A binary logits CSV just over the size at which the CLI starts splitting (deterministic); `line(n, text)`
 * may replace data line n (1-based: the header is line 1, the first data row line 2).
 */
function largeCsv(line: (n: number, text: string) => string = (_, text) => text): string {
  let seed = 12345
  const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
  const lines = ['label,logit']
  let bytes = 12
  while (bytes < MIN_PARALLEL_BYTES + (1 << 20)) {
    const label = random() < 0.1 ? 1 : 0
    const text = line(lines.length + 1, `${label},${((random() - 0.5) * 12 + (label ? 2 : -2)).toPrecision(6)}`)
    lines.push(text)
    bytes += text.length + 1
  }
  return lines.join('\n') + '\n'
}

/**
 * A binary Arrow file of 64K-row batches just over 16 MiB (deterministic); `poke(b, logits)` may change
 * batch b's (0-based) logits.
 */
function largeArrow(poke: (b: number, logits: Float64Array) => void = () => undefined): Uint8Array {
  let seed = 777
  const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
  const schema = new Schema([new Field('label', new Int32(), false), new Field('logit', new Float64(), false)])
  const batches: RecordBatch[] = []
  const rows = 1 << 16
  for (let bytes = 0; bytes < 17 << 20; bytes += rows * 12) {
    const labels = Int32Array.from({length: rows}, () => (random() < 0.1 ? 1 : 0))
    const logits = Float64Array.from(labels, (y) => (random() - 0.5) * 12 + (y ? 2 : -2))
    poke(batches.length, logits)
    const children = [makeData({type: new Int32(), data: labels}), makeData({type: new Float64(), data: logits})]
    batches.push(new RecordBatch(schema, makeData({type: new Struct(schema.fields), length: rows, children})))
  }
  return tableToIPC(new Table(batches), 'file')
}

/** Every number in a JSON value, in document order. */
function numbers(value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value)
  else if (Array.isArray(value)) value.forEach((v) => numbers(v, out))
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => numbers(v, out))
  return out
}

function expectSameFigures(one: Record<string, unknown>, two: Record<string, unknown>): void {
  assert.equal((two.input as {rows: number}).rows, (one.input as {rows: number}).rows)
  const a = numbers(one)
  const b = numbers(two)
  assert.equal(b.length, a.length)
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= 1e-12 * Math.abs(x), `number ${i}: ${x} vs ${b[i]}`))
}

describe('report --threads', () => {
  it('2 threads give the single-threaded figures on an Arrow file large enough to be split', () => {
    const path = file('large.arrow', largeArrow())
    const one = runReportJson([path, '--threads', '1', '--gammas', '0,0.5,2,5']).json
    const two = runReportJson([path, '--threads', '2', '--gammas', '0,0.5,2,5']).json
    expectSameFigures(one, two)
    const shown = runCli(['report', path, '--threads', '2', '--json', '--progress'])
    assert.equal(shown.status, 0, shown.stderr)
    assert.match(shown.stderr, /100%/, 'the bar reaches 100 % with the worker reporting its batches')
  })

  it('2 threads give the single-threaded figures on a CSV file large enough to be split', () => {
    const path = file('large.csv', largeCsv())
    const one = runReportJson([path, '--threads', '1', '--gammas', '0,0.5,2,5']).json
    const two = runReportJson([path, '--threads', '2', '--gammas', '0,0.5,2,5']).json
    expectSameFigures(one, two)
  })
})

describe('report --threads, bad values in a file large enough to be split', () => {
  it('Arrow: names the first bad value by its batch and row in the file, with 1 and 2 threads', () => {
    // NaNs in batch 4 (row 100) and batch 20: a thread that reads batch 20 first must not be the one
    // reported, nor number the batches it reads from 1.
    const path = file(
      'nan.arrow',
      largeArrow((b, logits) => {
        if (b === 3) logits[99] = NaN
        if (b === 19) logits[5] = NaN
      }),
    )
    const expected = `focalscope: error: ${path} (batch 4, row 100): column "logit": expected a finite number, got NaN\n`
    for (const threads of ['1', '2']) {
      const result = runCli(['report', path, '--threads', threads])
      assert.equal(result.status, 2, `--threads ${threads}`)
      assert.equal(result.stderr, expected, `--threads ${threads}`)
    }
  })

  it('Arrow: --on-invalid skip leaves the bad rows out and names the first by batch and row', () => {
    const path = file(
      'nan-skip.arrow',
      largeArrow((b, logits) => {
        if (b === 3) logits[99] = NaN
        if (b === 19) logits[5] = Infinity
      }),
    )
    const {json} = runReportJson([path, '--threads', '2', '--on-invalid', 'skip'])
    const input = json.input as {rows: number; skippedRows: number; skipped: {reason: string; first: string}[]}
    assert.equal(input.skippedRows, 2)
    assert.deepEqual(input.skipped, [
      {
        reason: 'non-finite',
        count: 2,
        first: `${path} (batch 4, row 100): column "logit": expected a finite number, got NaN`,
      },
    ])
  })

  it('CSV: names the line of the first bad value in a middle range, with 1 and 2 threads', () => {
    // ~8 MB and ~14 MB into a ~17 MB file: ranges of ~4 MB, so neither is in the first range.
    const placed: number[] = []
    const path = file(
      'bad.csv',
      largeCsv((n, text) => {
        if (n === 800_000 || n === 1_400_000) {
          placed.push(n)
          return `0,oops${n}`
        }
        return text
      }),
    )
    assert.deepEqual(placed, [800_000, 1_400_000], 'the file reaches both bad lines')
    const expected = `focalscope: error: ${path}:800000: column "logit": expected a number, got "oops800000"\n`
    for (const threads of ['1', '2']) {
      const result = runCli(['report', path, '--threads', threads])
      assert.equal(result.status, 2, `--threads ${threads}`)
      assert.equal(result.stderr, expected, `--threads ${threads}`)
    }
  })
})
