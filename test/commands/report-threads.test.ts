/**
 * The built CLI splits large CSV and Arrow files across worker threads (the worker is its own file in
 * dist/bundle/): `--threads 2` must give the figures of `--threads 1`, to 1e-12 relative, and the same row
 * counts; `--progress` must reach 100 % with the workers reporting.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {Field, Float64, Int32, makeData, RecordBatch, Schema, Struct, Table, tableToIPC} from 'apache-arrow'

import {MIN_PARALLEL_BYTES} from '../../src/parallel/evaluate-parallel.js'
import {runCli, runReportJson} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

/** A binary logits CSV just over the size at which the CLI starts splitting (deterministic). */
function largeCsv(): string {
  let seed = 12345
  const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
  const lines = ['label,logit']
  let bytes = 12
  while (bytes < MIN_PARALLEL_BYTES + (1 << 20)) {
    const label = random() < 0.1 ? 1 : 0
    const line = `${label},${((random() - 0.5) * 12 + (label ? 2 : -2)).toPrecision(6)}`
    lines.push(line)
    bytes += line.length + 1
  }
  return lines.join('\n') + '\n'
}

/** A binary Arrow file of 64K-row batches just over 16 MiB (deterministic). */
function largeArrow(): Uint8Array {
  let seed = 777
  const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
  const schema = new Schema([new Field('label', new Int32(), false), new Field('logit', new Float64(), false)])
  const batches: RecordBatch[] = []
  const rows = 1 << 16
  for (let bytes = 0; bytes < 17 << 20; bytes += rows * 12) {
    const labels = Int32Array.from({length: rows}, () => (random() < 0.1 ? 1 : 0))
    const logits = Float64Array.from(labels, (y) => (random() - 0.5) * 12 + (y ? 2 : -2))
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
