/**
 * --positive-class C (issue 18): a multi-class chunk read as the binary task "C vs the rest", so the
 * paper's positive/negative × easy/hard picture and the concentration apply to one (rare) class.
 *
 * Each row becomes one binary row: label 1 when the row's class is C, and as its score
 * - logits: the binary logit z = x_C − log Σ_{j≠C} e^(x_j), whose sigmoid is exactly the softmax
 *   probability of C (computed with the others' maximum subtracted, so it cannot overflow), so the binary
 *   path's CE is −log softmax_C with no clamping;
 * - probabilities: p_C, after the row is checked (and rescaled, under --row-sum renormalize) as a
 *   multi-class row would be.
 * A row that cannot be used (a non-finite logit, a probability row that does not sum to 1) is handed to
 * `reject` with the original column and left out of the converted chunk; `locate` maps converted rows back
 * to the input's. The converted chunk's arrays are reused from call to call, like a reader's.
 */
import type {PredictionChunk, RowIds} from '../chunk.js'
import type {EvaluationConfig} from '../config.js'
import type {InputError} from '../errors.js'
import type {InputFacts} from '../state/input-facts.js'
import {probabilityRowScale} from './prepare-rows.js'
import {nonFinite} from './row-errors.js'

export class OneVsRest {
  private labels = new Int32Array(0)
  private scores = new Float64Array(0)
  private rowOf = new Int32Array(0)

  constructor(
    private readonly config: EvaluationConfig,
    /** The positive class's index among the input's K classes. */
    private readonly positive: number,
  ) {}

  convert(chunk: PredictionChunk, facts: InputFacts, reject: (error: InputError) => void): PredictionChunk {
    if (this.labels.length < chunk.rows) {
      this.labels = new Int32Array(chunk.rows)
      this.scores = new Float64Array(chunk.rows)
      this.rowOf = new Int32Array(chunk.rows)
    }
    const {labels, scores, rowOf} = this
    const C = this.positive
    const K = chunk.width
    const logits = this.config.scores === 'logits'
    let n = 0
    rows: for (let i = 0; i < chunk.rows; i++) {
      const base = i * K
      let score: number
      if (logits) {
        let max = -Infinity
        for (let j = 0; j < K; j++) {
          const x = chunk.scores[base + j]
          if (x - x !== 0) {
            reject(nonFinite(chunk, i, j, x))
            continue rows
          }
          if (j !== C && x > max) max = x
        }
        let others = 0
        for (let j = 0; j < K; j++) if (j !== C) others += Math.exp(chunk.scores[base + j] - max)
        score = chunk.scores[base + C] - max - Math.log(others)
      } else {
        const scale = probabilityRowScale(this.config, chunk, i, facts, reject)
        if (scale === null) continue
        score = chunk.scores[base + C] * scale
      }
      labels[n] = chunk.labels[i] === C ? 1 : 0
      scores[n] = score
      rowOf[n] = i
      n++
    }
    return {
      rows: n,
      width: 1,
      labels,
      scores,
      // Column C of the input row the converted row came from.
      locate: (row, score) => chunk.locate(rowOf[row], score === undefined ? undefined : C),
      ...(chunk.ids === undefined ? {} : {ids: {text: (row: number) => (chunk.ids as RowIds).text(rowOf[row])}}),
    }
  }
}
