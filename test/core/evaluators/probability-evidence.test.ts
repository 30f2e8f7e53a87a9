/**
 * Probabilities read as logits (issue 14, item 1): the evaluator keeps the range of the scores (and,
 * multi-class, of the row sums) as it reads, and probabilityEvidence says, at the end, whether every
 * score lies in [0, 1] (every row summing to 1). The inputs are chosen so the answer is known by
 * construction: softmax / sigmoid outputs, logits with values outside [0, 1], rows that do not sum to 1.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import type {EvaluationConfig} from '../../../src/core/config.js'
import {emptyPartialState} from '../../../src/core/evaluation.js'
import {MIN_ROWS_FOR_SCORE_KIND_CHECK, probabilityEvidence} from '../../../src/core/rows/score-range.js'
import type {InputFacts} from '../../../src/core/state/input-facts.js'
import {mergeStates} from '../../../src/core/state/partial-state.js'
import {evaluateRows} from '../../helpers/evaluate.js'
import {evaluationConfig} from '../../helpers/evaluation-config.js'

const binary = evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2})
const multiclass = evaluationConfig({task: 'multiclass', scores: 'logits', numClasses: 3})
const multilabel = evaluationConfig({task: 'multilabel', scores: 'logits', numClasses: 2, elementLayout: 'wide'})

/** Rows fed in chunks cut at `cuts`: the input facts of the state. */
function run(
  config: EvaluationConfig,
  labels: number[],
  scores: number[],
  width: number,
  cuts: number[] = [],
  skip = false,
): InputFacts {
  return evaluateRows(config, labels, scores, width, cuts, {skip}).input
}

/** n binary rows whose score is a probability (of label 1, as a sigmoid model would give). */
function binaryProbabilities(n: number): {labels: number[]; scores: number[]} {
  const labels = Array.from({length: n}, (_, i) => (i % 3 === 0 ? 1 : 0))
  return {labels, scores: labels.map((y, i) => (y ? 0.9 : 0.05) + (i % 5) * 0.01)}
}

/** n rows of softmax outputs over 3 classes (each row sums to 1 up to rounding). */
function softmaxRows(n: number): {labels: number[]; scores: number[]} {
  const labels = Array.from({length: n}, (_, i) => i % 3)
  const scores = labels.flatMap((y, i) => {
    const logits = [0, 1, 2].map((c) => (c === y ? 3 : 0) + Math.sin(i + c))
    const total = logits.reduce((a, x) => a + Math.exp(x), 0)
    return logits.map((x) => Math.exp(x) / total)
  })
  return {labels, scores}
}

describe('probabilityEvidence (scores read as logits that look like probabilities)', () => {
  it('binary: every score in [0, 1] over at least MIN_ROWS_FOR_SCORE_KIND_CHECK rows', () => {
    const {labels, scores} = binaryProbabilities(12)
    assert.equal(probabilityEvidence(run(binary, labels, scores, 1), binary), 'every score of the 12 rows is in [0, 1]')
    // Exactly 0 and 1 are probabilities too.
    const edges = [0, 1, ...scores.slice(2)]
    assert.notEqual(probabilityEvidence(run(binary, labels, edges, 1), binary), null)
  })

  it('binary: no evidence from fewer rows, one score outside [0, 1], or scores read as probabilities', () => {
    const few = binaryProbabilities(MIN_ROWS_FOR_SCORE_KIND_CHECK - 1)
    assert.equal(probabilityEvidence(run(binary, few.labels, few.scores, 1), binary), null)
    const {labels, scores} = binaryProbabilities(40)
    for (const [at, value] of [
      [0, -0.5],
      [39, 1.25],
      [17, -3],
    ]) {
      const logits = scores.map((s, i) => (i === at ? value : s))
      assert.equal(probabilityEvidence(run(binary, labels, logits, 1), binary), null, `${value} at ${at}`)
    }
    const probs = {...binary, scores: 'probs' as const}
    assert.equal(probabilityEvidence(run(probs, labels, scores, 1), probs), null)
  })

  it('allows float32 rounding past 1 (probTolerance), as the probability reader does', () => {
    const {labels, scores} = binaryProbabilities(12)
    const rounded = scores.map((s, i) => (i === 3 ? 1.0000012 : s))
    assert.notEqual(probabilityEvidence(run(binary, labels, rounded, 1), binary), null)
  })

  it('multi-class: every score in [0, 1] and every row summing to 1 ± rowSumTolerance', () => {
    const {labels, scores} = softmaxRows(30)
    assert.equal(
      probabilityEvidence(run(multiclass, labels, scores, 3), multiclass),
      'every score of the 30 rows is in [0, 1] and every row sums to 1 ± 0.001',
    )
    // One row off by more than the tolerance, still in [0, 1]: not the evidence.
    const off = scores.map((s, i) => (i === 31 ? s + 0.01 : s))
    assert.equal(probabilityEvidence(run(multiclass, labels, off, 3), multiclass), null)
    // Scores in [0, 1] that are not a distribution (uniform noise): not the evidence either.
    const noise = scores.map((_, i) => ((i * 7) % 10) / 10)
    assert.equal(probabilityEvidence(run(multiclass, labels, noise, 3), multiclass), null)
    // A looser tolerance takes the off row.
    const loose = {...multiclass, rowSumTolerance: 0.05}
    assert.notEqual(probabilityEvidence(run(loose, labels, off, 3), loose), null)
  })

  it('multi-label: every score in [0, 1] (the targets do not count)', () => {
    // Rows of 2 scores then 2 targets.
    const rows = Array.from({length: 12}, (_, i) => [0.2 + i / 100, 0.7, i % 2, 1])
    const labels = rows.map(() => 0)
    assert.equal(
      probabilityEvidence(run(multilabel, labels, rows.flat(), 4), multilabel),
      'every score of the 12 rows is in [0, 1]',
    )
    const logits = rows.map((r, i) => (i === 5 ? [-2, ...r.slice(1)] : r))
    assert.equal(probabilityEvidence(run(multilabel, labels, logits.flat(), 4), multilabel), null)
  })

  it('is the same whatever the chunking, and after merging parts read apart', () => {
    const cases: [EvaluationConfig, {labels: number[]; scores: number[]}, number][] = [
      [binary, binaryProbabilities(3000), 1],
      [multiclass, softmaxRows(3000), 3],
      [binary, {labels: [0, 1, 0, 1], scores: [0.2, 0.4, 5, 0.1]}, 1],
    ]
    for (const [config, {labels, scores}, width] of cases) {
      const whole = probabilityEvidence(run(config, labels, scores, width), config)
      fc.assert(
        fc.property(fc.array(fc.nat(labels.length), {maxLength: 6}), fc.nat(labels.length), (cuts, half) => {
          assert.equal(probabilityEvidence(run(config, labels, scores, width, cuts), config), whole)
          const part = (from: number, to: number) =>
            evaluateRows(config, labels.slice(from, to), scores.slice(from * width, to * width), width)
          const empty = emptyPartialState(part(0, 0).settings)
          const merged = mergeStates(mergeStates(empty, part(half, labels.length)), part(0, half))
          assert.equal(probabilityEvidence(merged.input, config), whole)
        }),
        {numRuns: 40},
      )
    }
  })

  it('ignores rows left out as invalid (--on-invalid skip) but counts only the rows used', () => {
    const {labels, scores} = binaryProbabilities(12)
    const withNaN = scores.map((s, i) => (i === 4 ? NaN : s))
    const state = run(binary, labels, withNaN, 1, [], true)
    assert.deepEqual(
      state.skipped.map((s) => s.count),
      [1],
    )
    assert.equal(probabilityEvidence(state, binary), 'every score of the 11 rows is in [0, 1]')
  })
})
