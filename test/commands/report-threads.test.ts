/**
 * The built CLI splits a large CSV across worker threads (the worker is its own file in dist/bundle/):
 * `--threads 2` must give the figures of `--threads 1`, to 1e-12 relative, and the same row counts.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {MIN_PARALLEL_BYTES} from '../../src/parallel/evaluate-parallel.js'
import {runReportJson} from '../helpers/run-cli.js'
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

/** Every number in a JSON value, in document order. */
function numbers(value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value)
  else if (Array.isArray(value)) value.forEach((v) => numbers(v, out))
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => numbers(v, out))
  return out
}

describe('report --threads', () => {
  it('2 threads give the single-threaded figures on a file large enough to be split', () => {
    const path = file('large.csv', largeCsv())
    const one = runReportJson([path, '--threads', '1', '--gammas', '0,0.5,2,5']).json
    const two = runReportJson([path, '--threads', '2', '--gammas', '0,0.5,2,5']).json
    assert.equal((two.input as {rows: number}).rows, (one.input as {rows: number}).rows)
    const a = numbers(one)
    const b = numbers(two)
    assert.equal(b.length, a.length)
    a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= 1e-12 * Math.abs(x), `number ${i}: ${x} vs ${b[i]}`))
  })
})
