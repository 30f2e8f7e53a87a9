/**
 * The shape every evaluator has — DataFusion's `Accumulator` verbs (update, state, merge, evaluate), with the
 * merge rule of each state field declared once, as torchmetrics' `add_state(…, dist_reduce_fx)` does.
 *
 * Lifecycle, for one unit of work (a file, a byte range, a group of batches) on one thread:
 *   1. `update(rows, from, to, chunk)` after each prepare call, with the elements it appended to the block;
 *      the chunk (and so `chunk.locate`) is valid during the call only.
 *   2. `endBlock(rows)` before the block's elements are dropped (it is full, or the unit ends): an evaluator
 *      that sums a block at a time (the loss breakdown) folds it here.
 *   3. `state()` takes the sums of the unit as a plain, structured-cloneable, serialisable object (typed
 *      arrays and plain values only) and leaves the evaluator empty for the next unit.
 * States of units, files, threads and shards are combined with `mergeSection(evaluator.rules, a, b)`
 * (associative and commutative, `empty()` its identity), and `evaluate(state)` says what they mean.
 *
 * Invariant: a state holds only what merges — sums, counts, extremes, bounded lists — never working
 * buffers, never anything that grows with the number of rows.
 */
import type {PredictionChunk} from '../chunk.js'
import type {PreparedRows} from '../rows/prepared-rows.js'
import type {LossHistograms} from '../sketch/loss-histogram.js'
import type {MergeRule} from '../state/merge-rules.js'

export interface Evaluator<S extends object, R> {
  /** How each field of the state merges. */
  readonly rules: Record<keyof S & string, MergeRule>
  /** The empty state: merge's identity, and the shape a decoded state is checked against. */
  empty(): S
  update(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void
  endBlock(rows: PreparedRows): void
  /**
   * `threadParts` false: fields that merge exactly in any order (counts) may stay with the evaluator, to be
   * handed over once per thread with the last state — per unit they would only be merged back together.
   * `file`: the unit's file and its position on the command line (for states that name rows: --top).
   */
  state(threadParts?: boolean, file?: {path: string; order: number}): S
  evaluate(state: S): R
  /**
   * Optional: histograms of each element's CE by class that this evaluator keeps and nothing else of the
   * rows. The fused binary-logits kernel then counts into them as it reads, and `update` is not called for
   * the rows it counted (loss-breakdown.ts, updateFused).
   */
  ceHistograms?(): LossHistograms | undefined
  /**
   * Optional: block sums the fused binary-logits kernel adds each row's figures to (the metrics', laid out
   * as BINARY_METRICS_LAYOUT), with `fold` to call when the kernel's block ends; `update` is then not
   * called for the rows it counted.
   */
  kernelSums?(): {sums: Float64Array; fold: () => void} | undefined
  /**
   * Optional: a CE at or below which no element can change this evaluator's state (the hardest rows' entry
   * threshold; −∞ while a list is not full). When every evaluator that reads rows has one, the fused
   * binary-logits kernel writes only the rows above the smallest, read before each call of ≤ 1024 rows.
   */
  candidateThreshold?(): number
}
