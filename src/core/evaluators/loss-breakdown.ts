import type {PredictionChunk} from '../chunk.js'
import type {EvaluationConfig} from '../config.js'
import {InputError} from '../errors.js'
import type {SkipLog} from '../skip-log.js'
import {compileFocalRunKernel, type FocalRunKernel} from '../losses/focal-run-kernel.js'
import {addCompensated} from '../losses/numerics.js'

/**
 * Sums of CE and of (1 − p_t)^γ · CE per bucket, where a bucket is one (class, easy|hard) pair:
 * bucket = 2 · class + (easy ? 0 : 1). Every reported figure — totals, per-class shares, the easy/hard
 * split, the γ sweep — is a sum over buckets, so one add per γ and row feeds all of them.
 * α is a constant per bucket (it depends only on the label), so it is applied in the report, not here.
 *
 * Merge rule: every field adds element-wise (counts, compensated sums). `init()` is the identity.
 */
export interface LossBreakdownState {
  numClasses: number
  gammas: number[]
  /** Rows per bucket. */
  count: Float64Array
  /** Σ CE per bucket, with Neumaier compensation terms. */
  ceSum: Float64Array
  ceComp: Float64Array
  /** Σ (1 − p_t)^γ · CE at index g · buckets + bucket. */
  focalSum: Float64Array
  focalComp: Float64Array
  /** Probabilities moved into [eps, 1 − eps]. */
  clampedValues: number
  /** Multi-class probabilities: the largest |Σ_j p_j − 1| seen (merge: max), rows rescaled (merge: add). */
  rowSumMaxDeviation: number
  rowSumRenormalized: number
  /**
   * Rows prepared but not yet summed: CE, 1 − p_t and bucket of up to FOLD_ROWS rows. Blocks are cut
   * at absolute row numbers, not at chunk ends, so any chunking of the same rows gives the same doubles.
   */
  pendingCe: Float64Array
  pendingQ: Float64Array
  pendingBucket: Int32Array
  pendingRows: number
}

export function bucketOf(label: number, easy: boolean): number {
  return 2 * label + (easy ? 0 : 1)
}

/** Rows summed plainly before being folded into the compensated state: bounds the rounding error. */
const FOLD_ROWS = 8192

const enum Mode {
  BinaryLogits,
  BinaryProbs,
  MulticlassLogits,
  MulticlassProbs,
}

export class LossBreakdownEvaluator {
  private readonly config: EvaluationConfig
  private readonly buckets: number
  private readonly kernel: FocalRunKernel
  private readonly mode: Mode
  // Per-block plain partial sums, reused across chunks (no allocation in update).
  private readonly blockCount: Float64Array
  private readonly blockCe: Float64Array
  private readonly blockFocal: Float64Array
  // The pending block grouped by bucket, and its per-bucket sums (scratch, reused by every flush).
  private readonly sortedCe = new Float64Array(FOLD_ROWS)
  private readonly sortedQ = new Float64Array(FOLD_ROWS)
  private readonly bucketStart: Int32Array
  private readonly bucketNext: Int32Array

  constructor(config: EvaluationConfig) {
    this.config = config
    this.buckets = 2 * config.numClasses
    this.kernel = compileFocalRunKernel(config.gammas)
    const binary = config.task === 'binary'
    const logits = config.scores === 'logits'
    this.mode = binary
      ? logits
        ? Mode.BinaryLogits
        : Mode.BinaryProbs
      : logits
        ? Mode.MulticlassLogits
        : Mode.MulticlassProbs
    this.bucketStart = new Int32Array(this.buckets + 1)
    this.bucketNext = new Int32Array(this.buckets + 1)
    this.blockCount = new Float64Array(this.buckets)
    this.blockCe = new Float64Array(this.buckets)
    this.blockFocal = new Float64Array(this.buckets * config.gammas.length)
  }

  init(): LossBreakdownState {
    const n = this.buckets * this.config.gammas.length
    return {
      numClasses: this.config.numClasses,
      gammas: [...this.config.gammas],
      count: new Float64Array(this.buckets),
      ceSum: new Float64Array(this.buckets),
      ceComp: new Float64Array(this.buckets),
      focalSum: new Float64Array(n),
      focalComp: new Float64Array(n),
      clampedValues: 0,
      rowSumMaxDeviation: 0,
      rowSumRenormalized: 0,
      pendingCe: new Float64Array(FOLD_ROWS),
      pendingQ: new Float64Array(FOLD_ROWS),
      pendingBucket: new Int32Array(FOLD_ROWS),
      pendingRows: 0,
    }
  }

  /** Adds a chunk. With `skip` (--on-invalid skip), unusable rows are logged there and left out. */
  update(state: LossBreakdownState, chunk: PredictionChunk, skip?: SkipLog): void {
    for (let start = 0; start < chunk.rows;) {
      const end = Math.min(chunk.rows, start + FOLD_ROWS - state.pendingRows)
      state.pendingRows += this.prepare(state, chunk, start, end, skip)
      if (state.pendingRows === FOLD_ROWS) this.flush(state)
      start = end
    }
  }

  /** Adds `from` into `into`. Both states' pending rows are summed first (so `from` is consumed). */
  merge(into: LossBreakdownState, from: LossBreakdownState): void {
    this.flush(into)
    this.flush(from)
    for (let b = 0; b < into.count.length; b++) {
      into.count[b] += from.count[b]
      addCompensated(into.ceSum, into.ceComp, b, from.ceSum[b])
      into.ceComp[b] += from.ceComp[b]
    }
    for (let i = 0; i < into.focalSum.length; i++) {
      addCompensated(into.focalSum, into.focalComp, i, from.focalSum[i])
      into.focalComp[i] += from.focalComp[i]
    }
    into.clampedValues += from.clampedValues
    into.rowSumMaxDeviation = Math.max(into.rowSumMaxDeviation, from.rowSumMaxDeviation)
    into.rowSumRenormalized += from.rowSumRenormalized
  }

  /** Sums the pending rows; after it, the state's sums cover every row seen. Call before reading them. */
  finish(state: LossBreakdownState): LossBreakdownState {
    this.flush(state)
    return state
  }

  /** Prepares rows [start, end) of the chunk into the state's pending block. Returns the rows kept. */
  private prepare(
    state: LossBreakdownState,
    chunk: PredictionChunk,
    start: number,
    end: number,
    skip: SkipLog | undefined,
  ): number {
    switch (this.mode) {
      case Mode.BinaryLogits:
        return this.prepareBinaryLogits(state, chunk, start, end, skip)
      case Mode.MulticlassLogits:
        return this.prepareMulticlassLogits(state, chunk, start, end, skip)
      default:
        return this.prepareProbabilities(state, chunk, start, end, skip)
    }
  }

  /**
   * Sums the pending block per bucket and folds the block sums into the compensated state. The rows are
   * first grouped by bucket (a counting sort), so each bucket's sums run over a contiguous run with
   * register accumulators (the fused kernel) instead of read-modify-writes through memory.
   */
  private flush(state: LossBreakdownState): void {
    const n = state.pendingRows
    if (n === 0) return
    const {pendingCe, pendingQ, pendingBucket} = state
    const {sortedCe, sortedQ, bucketStart, blockCount, blockCe, blockFocal, buckets, kernel} = this
    blockCe.fill(0)
    blockFocal.fill(0)
    bucketStart.fill(0)
    for (let k = 0; k < n; k++) bucketStart[pendingBucket[k] + 1]++
    for (let b = 0; b < buckets; b++) {
      blockCount[b] = bucketStart[b + 1]
      bucketStart[b + 1] += bucketStart[b]
    }
    const next = this.bucketNext
    next.set(bucketStart)
    for (let k = 0; k < n; k++) {
      const at = next[pendingBucket[k]]++
      sortedCe[at] = pendingCe[k]
      sortedQ[at] = pendingQ[k]
    }
    for (let b = 0; b < buckets; b++) {
      const from = bucketStart[b]
      const to = bucketStart[b + 1]
      if (from !== to) blockCe[b] = kernel(sortedQ, sortedCe, from, to, blockFocal, b, buckets)
    }
    for (let b = 0; b < buckets; b++) {
      state.count[b] += blockCount[b]
      addCompensated(state.ceSum, state.ceComp, b, blockCe[b])
    }
    for (let i = 0; i < blockFocal.length; i++) addCompensated(state.focalSum, state.focalComp, i, blockFocal[i])
    state.pendingRows = 0
  }

  /**
   * A row that cannot be used: stop with its location, or with --on-invalid skip log it and leave it
   * out (the prepare loops then do not advance their output index).
   */
  private reject(error: InputError, skip: SkipLog | undefined): void {
    if (!skip || !error.reason) throw error
    skip.add(error.reason, error.message)
  }

  /** Binary logits: margin m = x for label 1, −x for label 0; CE = softplus(−m) = max(−m, 0) + log1p(e^−|m|). */
  private prepareBinaryLogits(
    state: LossBreakdownState,
    chunk: PredictionChunk,
    start: number,
    end: number,
    skip: SkipLog | undefined,
  ): number {
    const {labels, scores} = chunk
    const {pendingCe: rowCe, pendingQ: rowQ, pendingBucket: rowBucket} = state
    const threshold = this.config.easyThreshold
    let k = state.pendingRows
    for (let i = start; i < end; i++) {
      const x = scores[i]
      if (x - x !== 0) {
        this.reject(nonFinite(chunk, i, 0, x), skip)
        continue
      }
      const label = labels[i]
      const m = label === 1 ? x : -x
      const e = Math.exp(-Math.abs(m))
      const r = 1 / (1 + e)
      let pt: number
      if (m >= 0) {
        rowCe[k] = Math.log1p(e)
        pt = r
        rowQ[k] = e * r
      } else {
        rowCe[k] = Math.log1p(e) - m
        pt = e * r
        rowQ[k] = r
      }
      rowBucket[k] = 2 * label + (pt > threshold ? 0 : 1)
      k++
    }
    return k - state.pendingRows
  }

  /** K logits: log-softmax with the row maximum subtracted; 1 − p_t as the other classes' mass (no cancellation). */
  private prepareMulticlassLogits(
    state: LossBreakdownState,
    chunk: PredictionChunk,
    start: number,
    end: number,
    skip: SkipLog | undefined,
  ): number {
    const {labels, scores, width} = chunk
    const {pendingCe: rowCe, pendingQ: rowQ, pendingBucket: rowBucket} = state
    const threshold = this.config.easyThreshold
    let k = state.pendingRows
    rows: for (let i = start; i < end; i++) {
      const base = i * width
      const label = labels[i]
      let max = -Infinity
      for (let j = 0; j < width; j++) {
        const x = scores[base + j]
        if (x - x !== 0) {
          this.reject(nonFinite(chunk, i, j, x), skip)
          continue rows
        }
        if (x > max) max = x
      }
      let others = 0
      for (let j = 0; j < width; j++) if (j !== label) others += Math.exp(scores[base + j] - max)
      const own = Math.exp(scores[base + label] - max)
      const total = own + others
      rowCe[k] = Math.log(total) - (scores[base + label] - max)
      rowQ[k] = others / total
      rowBucket[k] = 2 * label + (own / total > threshold ? 0 : 1)
      k++
    }
    return k - state.pendingRows
  }

  /**
   * Probabilities of the positive class (binary) or of each class (multi-class), clamped to [eps, 1 − eps].
   * Multi-class rows must sum to 1 within rowSumTolerance: beyond it they are refused, or renormalised.
   */
  private prepareProbabilities(
    state: LossBreakdownState,
    chunk: PredictionChunk,
    start: number,
    end: number,
    skip: SkipLog | undefined,
  ): number {
    const {labels, scores, width} = chunk
    const {pendingCe: rowCe, pendingQ: rowQ, pendingBucket: rowBucket} = state
    const {easyThreshold, eps, probTolerance, rowSumTolerance, rowSumPolicy} = this.config
    const binary = this.mode === Mode.BinaryProbs
    const hiClamp = 1 - eps
    let k = state.pendingRows
    rows: for (let i = start; i < end; i++) {
      const label = labels[i]
      const base = i * width
      let scale = 1
      if (!binary) {
        let sum = 0
        for (let j = 0; j < width; j++) {
          const v = scores[base + j]
          if (!(v >= -probTolerance && v <= 1 + probTolerance)) {
            this.reject(v - v !== 0 ? nonFinite(chunk, i, j, v) : badProbability(chunk, i, j, v, probTolerance), skip)
            continue rows
          }
          sum += v
        }
        const deviation = Math.abs(sum - 1)
        if (deviation > state.rowSumMaxDeviation) state.rowSumMaxDeviation = deviation
        if (deviation > rowSumTolerance) {
          if (rowSumPolicy === 'refuse') {
            this.reject(badRowSum(chunk, i, sum, rowSumTolerance), skip)
            continue
          }
          state.rowSumRenormalized++
          scale = 1 / sum
        }
      }
      const j = binary ? 0 : label
      let p = scores[base + j] * scale
      if (!(p >= -probTolerance && p <= 1 + probTolerance)) {
        this.reject(p - p !== 0 ? nonFinite(chunk, i, j, p) : badProbability(chunk, i, j, p, probTolerance), skip)
        continue
      }
      if (p < eps) {
        p = eps
        state.clampedValues++
      } else if (p > hiClamp) {
        p = hiClamp
        state.clampedValues++
      }
      // p is now the probability of the true class, except for a binary label 0 where it is 1 − p_t.
      const pt = binary && label === 0 ? 1 - p : p
      rowCe[k] = -Math.log(pt)
      rowQ[k] = binary && label === 0 ? p : 1 - p
      rowBucket[k] = 2 * label + (pt > easyThreshold ? 0 : 1)
      k++
    }
    return k - state.pendingRows
  }
}

function nonFinite(chunk: PredictionChunk, row: number, score: number, value: number): InputError {
  return new InputError(`expected a finite number, got ${String(value)}`, chunk.locate(row, score), 'non-finite')
}

function badRowSum(chunk: PredictionChunk, row: number, sum: number, tolerance: number): InputError {
  const {column: _column, ...where} = chunk.locate(row)
  return new InputError(
    `expected class probabilities that sum to 1 (± ${tolerance}), got ${sum} ` +
      '(pass --row-sum renormalize to rescale such rows, or --row-sum-tolerance)',
    where,
    'row-sum',
  )
}

function badProbability(
  chunk: PredictionChunk,
  row: number,
  score: number,
  value: number,
  tolerance: number,
): InputError {
  return new InputError(
    `expected a probability in [0, 1] (± ${tolerance}), got ${String(value)} (pass --scores logits if these are logits)`,
    chunk.locate(row, score),
    'probability',
  )
}
