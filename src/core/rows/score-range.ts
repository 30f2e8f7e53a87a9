/**
 * Probabilities read as logits give a wrong number with no error (CIFAR-10's softmax outputs: a CE mean of
 * 1.54 instead of 0.249). The range of the scores, kept as they stream by, tells: logits practically never
 * all lie in [0, 1], and multi-class rows that also each sum to 1 within 1e-3 are a coincidence row after row.
 */
import type {PredictionChunk} from '../chunk.js'
import type {EvaluationConfig} from '../config.js'
import type {InputFacts} from '../state/input-facts.js'

/**
 * Widens `facts`' score range (multi-class: and row-sum range) by the chunk's rows. A loop of its own, so
 * the hot loops stay as they are: inline, two compares per logit cost 12 % of a multi-class run (a separate
 * full scan ~10 % of the binary kernel's time). It stops at the first score or row sum outside [0, 1], and
 * from then on no chunk is scanned: genuine logits cost next to nothing, probabilities read as logits one
 * pass (and they stop the run).
 */
export function scanScoreRange(config: EvaluationConfig, facts: InputFacts, chunk: PredictionChunk): void {
  const low = -config.probTolerance
  const high = 1 + config.probTolerance
  const sumLow = 1 - config.rowSumTolerance
  const sumHigh = 1 + config.rowSumTolerance
  let lo = facts.scoreMin
  let hi = facts.scoreMax
  let sumLo = facts.rowSumMin
  let sumHi = facts.rowSumMax
  // Out of range already (the initial ±Infinity are in range: nothing seen yet).
  if (!(lo >= low && hi <= high && sumLo >= sumLow && sumHi <= sumHigh)) return
  const {scores, width} = chunk
  // Multi-label rows hold K scores then K targets.
  const K = config.task === 'multilabel' ? width / 2 : width
  const rowSums = config.task === 'multiclass'
  rows: for (let i = 0; i < chunk.rows; i++) {
    const base = i * width
    let sum = 0
    for (let j = 0; j < K; j++) {
      const v = scores[base + j]
      sum += v
      // NaN compares false: a row the evaluator rejects anyway.
      if (v < lo) {
        lo = v
        if (v < low) break rows
      }
      if (v > hi) {
        hi = v
        if (v > high) break rows
      }
    }
    if (rowSums) {
      if (sum < sumLo) {
        sumLo = sum
        if (sum < sumLow) break
      }
      if (sum > sumHi) {
        sumHi = sum
        if (sum > sumHigh) break
      }
    }
  }
  facts.scoreMin = lo
  facts.scoreMax = hi
  facts.rowSumMin = sumLo
  facts.rowSumMax = sumHi
}

/**
 * Scores read as logits need at least this many rows before their range says "probabilities". A hand-made
 * example or a tiny test file may hold genuine logits that all lie in [0, 1]; a model's logits of ten rows
 * or more practically never do (every row would predict p between 0.5 and 0.73).
 */
export const MIN_ROWS_FOR_SCORE_KIND_CHECK = 10

/**
 * Why scores read as logits look like probabilities, or null: over at least MIN_ROWS_FOR_SCORE_KIND_CHECK
 * rows, every score lies in [0, 1] (within probTolerance) and, multi-class, every row sums to 1 within
 * rowSumTolerance. Decided once, from the ranges the pass kept.
 *
 * Example: 10 binary rows of scores 0.02 … 0.97 read as logits → "every score of the 10 rows is in [0, 1]".
 */
export function probabilityEvidence(facts: InputFacts, config: EvaluationConfig): string | null {
  if (config.scores !== 'logits' || facts.rows < MIN_ROWS_FOR_SCORE_KIND_CHECK) return null
  const tolerance = config.probTolerance
  if (!(facts.scoreMin >= -tolerance && facts.scoreMax <= 1 + tolerance)) return null
  const inUnit = `every score of the ${facts.rows} rows is in [0, 1]`
  if (config.task !== 'multiclass') return inUnit
  const t = config.rowSumTolerance
  return facts.rowSumMin >= 1 - t && facts.rowSumMax <= 1 + t ? `${inUnit} and every row sums to 1 ± ${t}` : null
}
