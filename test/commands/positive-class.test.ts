/**
 * --positive-class C against converting the file by hand: a multi-class file read as "C vs the rest"
 * gives the figures of the binary file whose label is (label == C) and whose score is C's probability
 * (probabilities) or its binary logit x_C − log Σ_{j≠C} e^(x_j) (logits, computed here independently).
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {runCli, runReportJson} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

/** A seeded uniform random number in (0, 1). */
function random(seed: number): () => number {
  let x = (seed % 2147483646) + 1
  return () => (x = (x * 48271) % 2147483647) / 2147483647
}

const K = 4
const C = 2

/** Rows of K logits (label, logits) with a rare class C. */
function rows(): {label: number; logits: number[]}[] {
  const r = random(17)
  return Array.from({length: 3000}, () => {
    const label = r() < 0.08 ? C : Math.floor(r() * K) === C ? 0 : Math.floor(r() * K) % K === C ? 1 : 3
    const logits = Array.from({length: K}, (_, j) => (r() - 0.5) * 5 + (j === label ? 2 : 0))
    return {label, logits}
  })
}

function softmax(x: number[]): number[] {
  const max = Math.max(...x)
  const e = x.map((v) => Math.exp(v - max))
  const total = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / total)
}

/** Every number of two reports' shared figures, to 1e-12 relative (CE and shares). */
function assertClose(a: unknown, b: unknown, path: string): void {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${path}: ${a} vs ${b}`)
  } else if (Array.isArray(a) && Array.isArray(b)) {
    assert.equal(a.length, b.length, path)
    a.forEach((x, i) => assertClose(x, b[i], `${path}[${i}]`))
  } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    // Class names differ ("not 2" vs "0"): the numbers must not.
    for (const key of Object.keys(b).filter((k) => k !== 'class')) {
      assertClose((a as never)[key], (b as never)[key], `${path}.${key}`)
    }
  } else {
    assert.deepEqual(a, b, path)
  }
}

const FIGURES = [
  'totals',
  'sweep',
  'split',
  'splitByTarget',
  'concentration',
  'accuracy',
  'confusion',
  'calibration',
  'brier',
]

describe('--positive-class', () => {
  it('logits: the figures of the binary file converted by hand', () => {
    const data = rows()
    const header = `label,${Array.from({length: K}, (_, j) => `logit_${j}`).join(',')}\n`
    const multi = file('multi.csv', header + data.map((r) => [r.label, ...r.logits].join(',')).join('\n') + '\n')
    const binary = file(
      'binary.csv',
      'label,logit\n' +
        data
          .map((r) => {
            const others = r.logits.filter((_, j) => j !== C)
            const m = Math.max(...others)
            const z = r.logits[C] - m - Math.log(others.reduce((s, x) => s + Math.exp(x - m), 0))
            return `${r.label === C ? 1 : 0},${z}`
          })
          .join('\n') +
        '\n',
    )
    const a = runReportJson([multi, '--positive-class', String(C), '--threads', '2', '--metrics']).json
    const b = runReportJson([binary, '--metrics']).json
    for (const key of FIGURES) assertClose(a[key], b[key], key)
    assert.deepEqual(
      (a.classes as {class: string}[]).map((c) => c.class),
      [`not ${C}`, String(C)],
    )
  })

  it('probabilities, by class name: the figures of p_C against label == C', () => {
    const data = rows()
    const names = ['cat', 'dog', 'fox', 'owl']
    const header = `label,${names.map((n) => `prob_${n}`).join(',')}\n`
    const probs = data.map((r) => softmax(r.logits))
    const multi = file(
      'multi-probs.csv',
      header + data.map((r, i) => [names[r.label], ...probs[i]].join(',')).join('\n') + '\n',
    )
    const binary = file(
      'binary-probs.csv',
      'label,prob\n' + data.map((r, i) => `${r.label === C ? 1 : 0},${probs[i][C]}`).join('\n') + '\n',
    )
    const a = runReportJson([multi, '--positive-class', 'fox', '--metrics']).json
    const b = runReportJson([binary, '--metrics']).json
    for (const key of FIGURES) assertClose(a[key], b[key], key)
  })

  it('exit 2 for a class the file does not have, and for a binary file', () => {
    const multi = file('small.csv', 'label,logit_0,logit_1,logit_2\n0,1,2,3\n1,0,0,1\n')
    const unknown = runCli(['report', multi, '--positive-class', 'zebra'])
    assert.equal(unknown.status, 2)
    assert.match(unknown.stderr, /--positive-class: expected a class name .* got "zebra"/)
    const bin = file('bin.csv', 'label,logit\n0,1\n1,2\n')
    const binary = runCli(['report', bin, '--positive-class', '1'])
    assert.equal(binary.status, 2)
    assert.match(binary.stderr, /expected a multi-class input, got a binary one/)
  })
})
