/**
 * The partial state is the one merge path for threads, files and shards: its merge must be associative and
 * commutative with the empty state as identity, in every input mode and for every field, and it must survive
 * a JSON round trip exactly. States of different settings are refused, naming the difference.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import type {EvaluationConfig} from '../../../src/core/config.js'
import {emptyPartialState} from '../../../src/core/evaluation.js'
import {lossOptions} from '../../../src/core/loss-options.js'
import {deepEqual} from '../../../src/core/state/merge-rules.js'
import {
  decodePartialState,
  encodePartialState,
  mergeStates,
  type PartialState,
  SettingsMismatch,
} from '../../../src/core/state/partial-state.js'
import {breakdownValues, evaluateRows} from '../../helpers/evaluate.js'
import {evaluationConfig} from '../../helpers/evaluation-config.js'

interface Mode {
  name: string
  config: EvaluationConfig
  width: number
  /** A row's label and scores from a seeded random number in [0, 1). */
  row: (random: () => number) => {label: number; scores: number[]}
  options?: {softLabels?: boolean; skip?: boolean}
}

const K = 3
const softmax = (x: number[]): number[] => {
  const m = Math.max(...x)
  const e = x.map((v) => Math.exp(v - m))
  const t = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / t)
}

const MODES: Mode[] = [
  {
    name: 'binary logits (fused kernel)',
    config: evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2}),
    width: 1,
    row: (r) => ({label: r() < 0.2 ? 1 : 0, scores: [(r() - 0.6) * 16]}),
  },
  {
    name: 'binary probabilities',
    config: evaluationConfig({task: 'binary', scores: 'probs', numClasses: 2}),
    width: 1,
    row: (r) => ({label: r() < 0.2 ? 1 : 0, scores: [r()]}),
  },
  {
    name: 'multi-class logits, α inverse-frequency',
    config: evaluationConfig({
      task: 'multiclass',
      scores: 'logits',
      numClasses: K,
      alphaSpec: {kind: 'inverse-frequency'},
    }),
    width: K,
    row: (r) => ({label: Math.floor(r() * K), scores: Array.from({length: K}, () => (r() - 0.5) * 10)}),
  },
  {
    name: 'multi-class probabilities, rows renormalized',
    config: evaluationConfig({task: 'multiclass', scores: 'probs', numClasses: K, rowSumPolicy: 'renormalize'}),
    width: K,
    row: (r) => ({
      label: Math.floor(r() * K),
      scores: softmax(Array.from({length: K}, () => (r() - 0.5) * 6)).map((p) => p * (r() < 0.1 ? 0.99 : 1)),
    }),
  },
  {
    name: 'multi-label logits, soft targets',
    config: evaluationConfig({task: 'multilabel', scores: 'logits', numClasses: K, elementLayout: 'wide'}),
    width: 2 * K,
    row: (r) => ({
      label: 0,
      scores: [
        ...Array.from({length: K}, () => (r() - 0.7) * 12),
        ...Array.from({length: K}, () => (r() < 0.3 ? Math.round(r() * 10) / 10 : 0)),
      ],
    }),
  },
  {
    name: 'soft binary labels (--soft-labels)',
    config: evaluationConfig({task: 'multilabel', scores: 'logits', numClasses: 1, elementLayout: 'wide'}),
    width: 2,
    row: (r) => ({label: 0, scores: [(r() - 0.5) * 8, r() < 0.5 ? 0.05 : 0.95]}),
    options: {softLabels: true},
  },
  {
    name: 'poly1, binary logits',
    config: evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2, loss: 'poly1', polyEpsilon: 2}),
    width: 1,
    row: (r) => ({label: r() < 0.3 ? 1 : 0, scores: [(r() - 0.5) * 10]}),
  },
  {
    name: 'concentration, binary logits (histograms per class over CE, squares in the breakdown)',
    config: evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2, concentration: true, loss: 'poly1'}),
    width: 1,
    row: (r) => ({label: r() < 0.2 ? 1 : 0, scores: [(r() - 0.6) * 16]}),
  },
  {
    name: 'concentration, multi-label soft targets, class-balanced α (histograms per γ and class)',
    config: evaluationConfig({
      task: 'multilabel',
      scores: 'logits',
      numClasses: K,
      elementLayout: 'wide',
      concentration: true,
      alphaSpec: {kind: 'effective-number', beta: 0.99},
    }),
    width: 2 * K,
    row: (r) => ({
      label: 0,
      scores: [
        ...Array.from({length: K}, () => (r() - 0.7) * 12),
        ...Array.from({length: K}, () => (r() < 0.3 ? Math.round(r() * 10) / 10 : 0)),
      ],
    }),
  },
  {
    name: 'kornia preset, multi-class (extra sums), with skipped rows',
    config: evaluationConfig({
      task: 'multiclass',
      scores: 'logits',
      numClasses: K,
      ...lossOptions(
        {gammas: [0, 2], alphaSpec: {kind: 'none'}, preset: 'kornia', explicit: {gammas: true, alpha: false}},
        'multiclass',
        K,
      ),
    }),
    width: K,
    row: (r) => ({
      label: Math.floor(r() * K),
      scores: Array.from({length: K}, () => (r() < 0.02 ? NaN : (r() - 0.5) * 10)),
    }),
    options: {skip: true},
  },
]

/** `n` rows of a mode from `seed`, as one file's state. */
function stateOf(mode: Mode, seed: number, n: number): PartialState {
  let x = (seed % 2147483646) + 1
  const random = (): number => ((x = (x * 48271) % 2147483647) - 1) / 2147483646
  const rows = Array.from({length: n}, () => mode.row(random))
  return evaluateRows(
    mode.config,
    rows.map((row) => row.label),
    rows.flatMap((row) => row.scores),
    mode.width,
    [],
    mode.options,
  )
}

/** Every field of a state as numbers and plain values: sums compared to 1e-12 relative, the rest exactly. */
function assertSameState(a: PartialState, b: PartialState, what: string): void {
  const [x, y] = [breakdownValues(a), breakdownValues(b)]
  x.forEach((v, i) =>
    assert.ok(Math.abs(v - y[i]) <= 1e-12 * Math.abs(v) + 1e-300, `${what}: sum ${i}: ${v} vs ${y[i]}`),
  )
  const kornia = (s: PartialState): number[] => {
    const sums = s.sections.kornia
    return sums === undefined
      ? []
      : [sums.offTarget, sums.positiveTerm, sums.negativeTerm].flatMap((c) =>
          Array.from(c.sum, (v, i) => v + c.comp[i]),
        )
  }
  const [kx, ky] = [kornia(a), kornia(b)]
  kx.forEach((v, i) => assert.ok(Math.abs(v - ky[i]) <= 1e-12 * Math.abs(v) + 1e-300, `${what}: kornia ${i}`))
  assert.ok(
    deepEqual(a.input, b.input),
    `${what}: input facts ${JSON.stringify(a.input)} vs ${JSON.stringify(b.input)}`,
  )
  assert.ok(deepEqual(a.settings, b.settings), `${what}: settings`)
}

describe('PartialState merge', () => {
  for (const mode of MODES) {
    it(`${mode.name}: associative, commutative, the empty state its identity`, () => {
      fc.assert(
        fc.property(fc.nat(), fc.nat(300), fc.nat(300), fc.nat(300), (seed, na, nb, nc) => {
          const [a, b, c] = [stateOf(mode, seed, na), stateOf(mode, seed + 1, nb), stateOf(mode, seed + 2, nc)]
          const empty = emptyPartialState(a.settings)
          const left = mergeStates(mergeStates(a, b), c)
          assertSameState(left, mergeStates(a, mergeStates(b, c)), 'associative')
          assertSameState(left, mergeStates(c, mergeStates(b, a)), 'commutative')
          assertSameState(mergeStates(empty, a), a, 'identity (left)')
          assertSameState(mergeStates(a, empty), a, 'identity (right)')
        }),
        {numRuns: 15},
      )
    })
  }

  it('two files merge into one input: files listed in command-line order, rows and skipped rows per file', () => {
    const mode = MODES[MODES.length - 1]
    const a = stateOf(mode, 1, 500)
    const b = stateOf(mode, 2, 500)
    b.input.files = [{path: 'b.csv', order: 1, rows: b.input.rows}]
    for (const entry of b.input.skipped) entry.first = {...entry.first, order: 1, location: {file: 'b.csv', line: 3}}
    const merged = mergeStates(b, a)
    assert.deepEqual(
      merged.input.files.map((f) => [f.path, f.rows]),
      [
        ['test', a.input.rows],
        ['b.csv', b.input.rows],
      ],
    )
    const [skipped] = merged.input.skipped
    assert.equal(skipped.count, a.input.skipped[0].count + b.input.skipped[0].count)
    // The first skipped row in file order is the first file's, whichever state came first.
    assert.equal(skipped.first.location.file, 'test')
  })

  it('refuses states of different settings, naming the first difference', () => {
    const a = stateOf(MODES[0], 1, 10)
    const b = evaluateRows({...MODES[0].config, gammas: [0, 2]}, [0], [1], 1)
    assert.throws(
      () => mergeStates(a, b),
      (error: unknown) =>
        error instanceof SettingsMismatch &&
        error.key === 'gammas' &&
        error.message === 'computed with different settings: gammas [0,0.5,1,2,5] vs [0,2]',
    )
    const c = evaluateRows({...MODES[0].config, alphaSpec: {kind: 'scalar', value: 0.25}}, [0], [1], 1)
    assert.throws(() => mergeStates(a, c), /alphaSpec \{"kind":"none"\} vs \{"kind":"scalar","value":0.25\}/)
  })
})

describe('PartialState JSON', () => {
  for (const mode of MODES) {
    it(`${mode.name}: survives a round trip through JSON text exactly`, () => {
      fc.assert(
        fc.property(fc.nat(), fc.nat(300), (seed, n) => {
          const state = stateOf(mode, seed, n)
          const text = JSON.stringify(encodePartialState(state))
          const back = decodePartialState(JSON.parse(text), emptyPartialState)
          assert.ok(deepEqual(back, state), text.slice(0, 200))
        }),
        {numRuns: 10},
      )
    })
  }

  it('refuses a state of another version, a missing field or an array of the wrong length, naming it', () => {
    const json = encodePartialState(stateOf(MODES[0], 1, 20)) as Record<string, Record<string, unknown>>
    assert.throws(() => decodePartialState({...json, version: 2}, emptyPartialState), /version 1, got 2/)
    const noCount = JSON.parse(JSON.stringify({...json, breakdown: {...json.breakdown, count: undefined}})) as unknown
    assert.throws(() => decodePartialState(noCount, emptyPartialState), /breakdown\.count: missing/)
    const short = {...json, breakdown: {...json.breakdown, count: [1, 2]}}
    assert.throws(() => decodePartialState(short, emptyPartialState), /breakdown\.count: expected 4 numbers, got 2/)
  })
})
