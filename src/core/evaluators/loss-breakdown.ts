import type {PredictionChunk} from '../chunk.js'
import type {EvaluationConfig} from '../config.js'
import {InputError} from '../errors.js'
import {addCompensated, PowerKind, powerKindOf} from '../losses/numerics.js'

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
  private readonly kinds: Uint8Array
  private readonly mode: Mode
  // Per-block plain partial sums, reused across chunks (no allocation in update).
  private readonly blockCount: Float64Array
  private readonly blockCe: Float64Array
  private readonly blockFocal: Float64Array

  constructor(config: EvaluationConfig) {
    this.config = config
    this.buckets = 2 * config.numClasses
    this.kinds = Uint8Array.from(config.gammas, powerKindOf)
    const binary = config.task === 'binary'
    const logits = config.scores === 'logits'
    this.mode = binary
      ? logits
        ? Mode.BinaryLogits
        : Mode.BinaryProbs
      : logits
        ? Mode.MulticlassLogits
        : Mode.MulticlassProbs
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
   * The hot loop. Per row: CE and 1 − p_t from the scores (stable forms), the bucket, then one add per γ.
   * Returns how many probabilities were clamped. Throws InputError on a non-finite score or a probability
   * outside [0, 1].
   */
  private accumulateBlock(chunk: PredictionChunk, start: number, end: number): number {
    const {labels, scores, width} = chunk
    const {easyThreshold, eps, probTolerance} = this.config
    const gammas = this.config.gammas
    const kinds = this.kinds
    const numGammas = gammas.length
    const buckets = this.buckets
    const count = this.blockCount
    const ceAcc = this.blockCe
    const focalAcc = this.blockFocal
    const mode = this.mode
    const hiClamp = 1 - eps
    let clamped = 0

    for (let i = start; i < end; i++) {
      const label = labels[i]
      let ce: number // −log p_t
      let q: number // 1 − p_t
      let pt: number
      if (mode === Mode.BinaryLogits) {
        const x = scores[i]
        if (x - x !== 0) throw nonFinite(chunk, i, 0, x)
        // m is the margin towards the true class; CE = softplus(−m) = max(−m, 0) + log1p(e^−|m|).
        const m = label === 1 ? x : -x
        const e = Math.exp(-Math.abs(m))
        const l = Math.log1p(e)
        if (m >= 0) {
          ce = l
          pt = 1 / (1 + e)
          q = e / (1 + e)
        } else {
          ce = l - m
          pt = e / (1 + e)
          q = 1 / (1 + e)
        }
      } else if (mode === Mode.MulticlassLogits) {
        const base = i * width
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
        ce = Math.log(total) - (scores[base + label] - max)
        pt = own / total
        q = others / total
      } else {
        // Probabilities: the positive class's (binary) or the true class's (multi-class).
        const j = mode === Mode.BinaryProbs ? 0 : label
        let p = scores[i * width + j]
        if (!(p >= -probTolerance && p <= 1 + probTolerance)) throw badProbability(chunk, i, j, p, probTolerance)
        if (p < eps) {
          p = eps
          clamped++
        } else if (p > hiClamp) {
          p = hiClamp
          clamped++
        }
        if (mode === Mode.BinaryProbs && label === 0) {
          pt = 1 - p
          q = p
        } else {
          pt = p
          q = 1 - p
        }
        ce = -Math.log(pt)
      }

      const b = 2 * label + (pt > easyThreshold ? 0 : 1)
      count[b]++
      ceAcc[b] += ce
      for (let g = 0; g < numGammas; g++) {
        let w: number
        switch (kinds[g]) {
          case PowerKind.One:
            w = 1
            break
          case PowerKind.Identity:
            w = q
            break
          case PowerKind.Square:
            w = q * q
            break
          case PowerKind.Sqrt:
            w = Math.sqrt(q)
            break
          case PowerKind.SqrtCube:
            w = q * Math.sqrt(q)
            break
          case PowerKind.Integer: {
            w = q
            for (let k = 1; k < gammas[g]; k++) w *= q
            break
          }
          default:
            w = Math.pow(q, gammas[g])
        }
        focalAcc[g * buckets + b] += w * ce
      }
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
