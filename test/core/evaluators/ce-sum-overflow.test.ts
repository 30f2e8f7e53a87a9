/**
 * CE sums that overflow (issue 14, item 8): finite logits whose CEs add up past the largest double
 * (1.8e308) must stop the run naming the row that took the sum there, never leave NaN in the state. A
 * logit x of label 0 has CE = softplus(x) = x (to the last digit) for x ≥ 40, so two rows of 1e308 overflow,
 * one does not. makeChunk's rows are on lines row + 2 (a header line, then 1-based lines).
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {EvaluationConfig} from '../../../src/core/config.js'
import {InputError} from '../../../src/core/errors.js'
import {Evaluation} from '../../../src/core/evaluation.js'
import {buildReport} from '../../../src/report/build-report.js'
import {evaluateRows, settingsFor} from '../../helpers/evaluate.js'
import {evaluationConfig} from '../../helpers/evaluation-config.js'
import {makeChunk} from '../../helpers/make-chunk.js'

const HUGE = 1e308

/** Feeds the chunks (labels, scores) to a fresh evaluation and takes its state. */
function run(config: EvaluationConfig, chunks: [number[], number[]][], width: number, skip?: Evaluation): void {
  const evaluation = skip ?? new Evaluation(settingsFor(config))
  for (const [labels, scores] of chunks) evaluation.update(makeChunk(labels, scores, width))
  evaluation.take({path: 'test', order: 0})
}

/** Rows skipped so far by an evaluation (--on-invalid skip). */
const skipped = (evaluation: Evaluation): number => evaluation.skip?.total ?? 0

/** Asserts that `fn` throws an InputError whose message starts with `where` and says why. */
function throwsOverflow(fn: () => void, where: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InputError, String(error))
    assert.ok(error.message.startsWith(`${where}: expected logits whose CE keeps the sum finite`), error.message)
    assert.match(error.message, /past the largest double \(1\.8e308\)$/)
    return true
  })
}

describe('a CE sum that overflows stops the run at the row that made it non-finite', () => {
  const binary = evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2})

  it('binary logits (the fused kernel): the second row of 1e308', () => {
    throwsOverflow(
      () =>
        run(
          binary,
          [
            [
              [0, 0, 1],
              [HUGE, HUGE, 0],
            ],
          ],
          1,
        ),
      'test:3: column "s0"',
    )
    // One such row is a finite sum.
    run(
      binary,
      [
        [
          [0, 1],
          [HUGE, 0],
        ],
      ],
      1,
    )
  })

  it('binary logits: the row in a later chunk, a later kernel call and a later block', () => {
    throwsOverflow(
      () =>
        run(
          binary,
          [
            [[0], [HUGE]],
            [
              [1, 0],
              [0, HUGE],
            ],
          ],
          1,
        ),
      'test:3: column "s0"',
    )
    // 10 000 rows: the first huge one in block 1 (rows 0–8191), the second in kernel call 2 of block 2.
    // Row 100: label 0, logit 1e308; row 9500: label 1, logit −1e308 (CE = softplus(−x) = 1e308 too).
    const labels = Array.from({length: 10_000}, (_, i) => (i === 9500 ? 1 : 0))
    const scores = labels.map((_, i) => (i === 100 ? HUGE : i === 9500 ? -HUGE : 0.5))
    throwsOverflow(() => run(binary, [[labels, scores]], 1), 'test:9502: column "s0"')
  })

  it('multi-class logits: a row whose own CE is infinite, and the second of two rows of CE 1e308', () => {
    const multiclass = evaluationConfig({task: 'multiclass', scores: 'logits', numClasses: 2})
    // x_0 − x_1 = 2e308 overflows: log-softmax of class 1 is −∞.
    throwsOverflow(
      () =>
        run(
          multiclass,
          [
            [
              [0, 1],
              [1, 2, HUGE, -HUGE],
            ],
          ],
          2,
        ),
      'test:3',
    )
    throwsOverflow(
      () =>
        run(
          multiclass,
          [
            [[1], [HUGE, 0]],
            [
              [0, 1],
              [0, 1, HUGE, 0],
            ],
          ],
          2,
        ),
      'test:3',
    )
    run(
      multiclass,
      [
        [
          [1, 0],
          [HUGE, 0, 0, 1],
        ],
      ],
      2,
    )
  })

  it('multi-class logits with rows skipped as invalid before the culprit: still its own line', () => {
    const multiclass = evaluationConfig({task: 'multiclass', scores: 'logits', numClasses: 2})
    const skip = new Evaluation(settingsFor(multiclass), {skip: true})
    const scores = [HUGE, 0, NaN, 0, 0, Infinity, HUGE, 0]
    throwsOverflow(() => run(multiclass, [[[1, 0, 0, 1], scores]], 2, skip), 'test:5')
    assert.equal(skipped(skip), 2)
  })

  it('multi-label logits: names the element’s column', () => {
    const multilabel = evaluationConfig({task: 'multilabel', scores: 'logits', numClasses: 2, elementLayout: 'wide'})
    // Rows of 2 logits then 2 targets: CE of a logit 1e308 with target 0 is 1e308.
    const rows = [
      [0, HUGE, 1, 0],
      [0.5, 0.5, 1, 1],
      [HUGE, 0, 0, 0],
    ]
    throwsOverflow(() => run(multilabel, [[[0, 0, 0], rows.flat()]], 4), 'test:4: column "s0"')
    const skip = new Evaluation(settingsFor(multilabel), {skip: true})
    const bad = [[0, 0, 2, 0], ...rows]
    throwsOverflow(() => run(multilabel, [[[0, 0, 0, 0], bad.flat()]], 4, skip), 'test:5: column "s0"')
    assert.equal(skipped(skip), 1)
  })

  it('probabilities cannot overflow: their CE is at most −log eps', () => {
    const probs = evaluationConfig({task: 'binary', scores: 'probs', numClasses: 2, eps: 2 ** -53})
    run(
      probs,
      [
        [
          [0, 1, 0],
          [1, 0, 1],
        ],
      ],
      1,
    )
  })

  it('buildReport refuses a state whose sums are not finite (a bug upstream), never returns NaN', () => {
    const state = evaluateRows(binary, [0, 1], [0.5, 0.5], 1)
    assert.ok(Number.isFinite(buildReport(state, {format: 'csv'}).totals.ce.sum))
    state.breakdown.ce.sum[1] = Infinity
    state.breakdown.ce.comp[1] = NaN
    assert.throws(
      () => buildReport(state, {format: 'csv'}),
      (error: unknown) =>
        !(error instanceof InputError) &&
        /^report field totals\.ce\.sum is NaN, expected a finite number$/.test((error as Error).message),
    )
  })
})
