import type {PredictionChunk} from '../chunk.js'
import type {EvaluationConfig} from '../config.js'
import {InputError} from '../errors.js'
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
  // Per-row values of the block being summed: CE, 1 − p_t and the bucket.
  private readonly rowCe = new Float64Array(FOLD_ROWS)
  private readonly rowQ = new Float64Array(FOLD_ROWS)
  private readonly rowBucket = new Int32Array(FOLD_ROWS)
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
    }
  }

  update(state: LossBreakdownState, chunk: PredictionChunk): void {
    for (let start = 0; start < chunk.rows; start += FOLD_ROWS) {
      const end = Math.min(chunk.rows, start + FOLD_ROWS)
      this.blockCount.fill(0)
      this.blockCe.fill(0)
      this.blockFocal.fill(0)
      state.clampedValues += this.accumulateBlock(chunk, start, end)
      this.foldBlock(state)
    }
  }

  merge(into: LossBreakdownState, from: LossBreakdownState): void {
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
  }

  private foldBlock(state: LossBreakdownState): void {
    for (let b = 0; b < this.buckets; b++) {
      state.count[b] += this.blockCount[b]
      addCompensated(state.ceSum, state.ceComp, b, this.blockCe[b])
    }
    for (let i = 0; i < this.blockFocal.length; i++) {
      addCompensated(state.focalSum, state.focalComp, i, this.blockFocal[i])
    }
  }

  /**
   * One block of rows: first prepared once into per-row CE, 1 − p_t and bucket (one loop per input kind,
   * no per-row branching on the mode), then summed per bucket, then one tight loop per γ.
   * Returns how many probabilities were clamped. Throws InputError on a non-finite score or a
   * probability outside [0, 1] (± probTolerance).
   */
  private accumulateBlock(chunk: PredictionChunk, start: number, end: number): number {
    const n = end - start
    let clamped = 0
    switch (this.mode) {
      case Mode.BinaryLogits:
        this.prepareBinaryLogits(chunk, start, end)
        break
      case Mode.MulticlassLogits:
        this.prepareMulticlassLogits(chunk, start, end)
        break
      default:
        clamped = this.prepareProbabilities(chunk, start, end)
    }
    // Group the block's rows by bucket (a counting sort), so each sum below runs over a contiguous
    // run with its accumulator in a register instead of a read-modify-write through memory.
    const {rowCe, rowQ, rowBucket, sortedCe, sortedQ, bucketStart, blockCount, blockCe, blockFocal, buckets, kernel} =
      this
    bucketStart.fill(0)
    for (let k = 0; k < n; k++) bucketStart[rowBucket[k] + 1]++
    for (let b = 0; b < buckets; b++) {
      blockCount[b] = bucketStart[b + 1]
      bucketStart[b + 1] += bucketStart[b]
    }
    const next = this.bucketNext
    next.set(bucketStart)
    for (let k = 0; k < n; k++) {
      const at = next[rowBucket[k]]++
      sortedCe[at] = rowCe[k]
      sortedQ[at] = rowQ[k]
    }
    for (let b = 0; b < buckets; b++) {
      const from = bucketStart[b]
      const to = bucketStart[b + 1]
      if (from !== to) blockCe[b] = kernel(sortedQ, sortedCe, from, to, blockFocal, b, buckets)
    }
    return clamped
  }

  /** Binary logits: margin m = x for label 1, −x for label 0; CE = softplus(−m) = max(−m, 0) + log1p(e^−|m|). */
  private prepareBinaryLogits(chunk: PredictionChunk, start: number, end: number): void {
    const {labels, scores} = chunk
    const {rowCe, rowQ, rowBucket} = this
    const threshold = this.config.easyThreshold
    for (let i = start, k = 0; i < end; i++, k++) {
      const x = scores[i]
      if (x - x !== 0) throw nonFinite(chunk, i, 0, x)
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
    }
  }

  /** K logits: log-softmax with the row maximum subtracted; 1 − p_t as the other classes' mass (no cancellation). */
  private prepareMulticlassLogits(chunk: PredictionChunk, start: number, end: number): void {
    const {labels, scores, width} = chunk
    const {rowCe, rowQ, rowBucket} = this
    const threshold = this.config.easyThreshold
    for (let i = start, k = 0; i < end; i++, k++) {
      const base = i * width
      const label = labels[i]
      let max = -Infinity
      for (let j = 0; j < width; j++) {
        const x = scores[base + j]
        if (x - x !== 0) throw nonFinite(chunk, i, j, x)
        if (x > max) max = x
      }
      let others = 0
      for (let j = 0; j < width; j++) if (j !== label) others += Math.exp(scores[base + j] - max)
      const own = Math.exp(scores[base + label] - max)
      const total = own + others
      rowCe[k] = Math.log(total) - (scores[base + label] - max)
      rowQ[k] = others / total
      rowBucket[k] = 2 * label + (own / total > threshold ? 0 : 1)
    }
  }

  /** Probabilities of the positive class (binary) or of each class (multi-class), clamped to [eps, 1 − eps]. */
  private prepareProbabilities(chunk: PredictionChunk, start: number, end: number): number {
    const {labels, scores, width} = chunk
    const {rowCe, rowQ, rowBucket} = this
    const {easyThreshold, eps, probTolerance} = this.config
    const binary = this.mode === Mode.BinaryProbs
    const hiClamp = 1 - eps
    let clamped = 0
    for (let i = start, k = 0; i < end; i++, k++) {
      const label = labels[i]
      const j = binary ? 0 : label
      let p = scores[i * width + j]
      if (!(p >= -probTolerance && p <= 1 + probTolerance)) throw badProbability(chunk, i, j, p, probTolerance)
      if (p < eps) {
        p = eps
        clamped++
      } else if (p > hiClamp) {
        p = hiClamp
        clamped++
      }
      // p is now the probability of the true class, except for a binary label 0 where it is 1 − p_t.
      const pt = binary && label === 0 ? 1 - p : p
      rowCe[k] = -Math.log(pt)
      rowQ[k] = binary && label === 0 ? p : 1 - p
      rowBucket[k] = 2 * label + (pt > easyThreshold ? 0 : 1)
    }
    return clamped
  }
}

function nonFinite(chunk: PredictionChunk, row: number, score: number, value: number): InputError {
  return new InputError(`expected a finite number, got ${String(value)}`, chunk.locate(row, score))
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
  )
}
