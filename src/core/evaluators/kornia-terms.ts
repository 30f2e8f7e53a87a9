/**
 * The extra sums kornia's printed loss needs (--preset kornia on a multi-class or multi-label input); no
 * other run creates this evaluator, so the default paths do no extra work.
 *
 * - Multi-class, `focal_loss`: kornia's one_hot(…, eps=1e-6) (kornia/utils/one_hot.py, 0.8.3:
 *   `one_hot * (1 − eps) + eps`) gives every class but the target the weight eps, so its sum adds
 *   eps · α_j · (1 − p_j)^γ · (−log p_j) for every class j but the label: kept per γ and class at g · K + j.
 *   (kornia 0.7.0 to 0.8.1 returned `one_hot + eps`: 1 + eps on the target too, ~1e-6 relative above.)
 * - Sigmoid, `binary_focal_loss_with_logits`: per element −α(1 − p)^γ·y·log p − (1 − α)·p^γ·(1 − y)·log(1 − p),
 *   which equals α_t · (1 − p_t)^γ · BCE for targets 0 and 1 but not for soft ones: Σ y·(1 − p)^γ·(−log p)
 *   and Σ (1 − y)·p^γ·(−log(1 − p)) per γ and bucket (α applies at evaluation).
 * Both recompute what they need from the chunk's scores for the elements the preparer kept.
 */
import type {PredictionChunk} from '../chunk.js'
import type {ClassWeights} from '../class-weights.js'
import type {EvaluationConfig} from '../config.js'
import {compileFocalRowKernel, type FocalRowKernel} from '../losses/focal-row-kernel.js'
import {addCompensated, compensatedSum, type PowerKind, powerKindOf, powerOf} from '../losses/numerics.js'
import {tableExp} from '../losses/table-exp.js'
import {probabilityRowScale, type SigmoidTerms, sigmoidTerms} from '../rows/prepare-rows.js'
import type {PreparedRows} from '../rows/prepared-rows.js'
import {
  COMPENSATED,
  type CompensatedSums,
  compensatedSums,
  compensatedValue,
  type MergeRule,
} from '../state/merge-rules.js'
import type {Evaluator} from './evaluator.js'
import {bucketsPerClass} from './loss-breakdown.js'

export const KORNIA_ONE_HOT_EPS = 1e-6

export interface KorniaSums {
  /** Multi-class (else empty): Σ (1 − p_j)^γ · (−log p_j) over the rows whose label is not j, at g · K + j. */
  offTarget: CompensatedSums
  /** Sigmoid (else empty): Σ y·(1 − p)^γ·(−log p) and Σ (1 − y)·p^γ·(−log(1 − p)), at g · buckets + bucket. */
  positiveTerm: CompensatedSums
  negativeTerm: CompensatedSums
}

export const KORNIA_RULES: Record<keyof KorniaSums, MergeRule> = {
  offTarget: COMPENSATED,
  positiveTerm: COMPENSATED,
  negativeTerm: COMPENSATED,
}

/** The loss sums kornia prints before its mean, one per γ, given α as applied and focalscope's Σ FL. */
export type KorniaTotals = (weights: ClassWeights, focalTotals: number[]) => number[]

export class KorniaTermsEvaluator implements Evaluator<KorniaSums, KorniaTotals> {
  readonly rules = KORNIA_RULES
  private readonly config: EvaluationConfig
  private readonly multiclass: boolean
  private readonly buckets: number
  private readonly kinds: PowerKind[]
  private readonly kernel: FocalRowKernel
  private sums: KorniaSums
  /** Multi-class: the open block's plain off-target sums. */
  private readonly blockOffTarget: Float64Array
  /** Sigmoid: p, 1 − p, y·(−log p) and (1 − y)·(−log(1 − p)) of each element of the block. */
  private readonly p: Float64Array
  private readonly p1: Float64Array
  private readonly positiveLoss: Float64Array
  private readonly negativeLoss: Float64Array
  private readonly blockPositive: Float64Array
  private readonly blockNegative: Float64Array
  private readonly blockBase: Float64Array
  private readonly blockCount: Float64Array
  private readonly terms: SigmoidTerms = {p: 0, p1: 0, lossPos: 0, lossNeg: 0}

  constructor(config: EvaluationConfig, capacity: number) {
    this.config = config
    this.multiclass = config.task === 'multiclass'
    this.buckets = bucketsPerClass(config) * config.numClasses
    this.kinds = config.gammas.map(powerKindOf)
    this.kernel = compileFocalRowKernel(config.gammas)
    const G = config.gammas.length
    const sigmoid = this.multiclass ? 0 : capacity
    this.blockOffTarget = new Float64Array(this.multiclass ? G * config.numClasses : 0)
    this.p = new Float64Array(sigmoid)
    this.p1 = new Float64Array(sigmoid)
    this.positiveLoss = new Float64Array(sigmoid)
    this.negativeLoss = new Float64Array(sigmoid)
    this.blockPositive = new Float64Array(this.multiclass ? 0 : G * this.buckets)
    this.blockNegative = new Float64Array(this.multiclass ? 0 : G * this.buckets)
    this.blockBase = new Float64Array(this.buckets)
    this.blockCount = new Float64Array(this.buckets)
    this.sums = this.empty()
  }

  empty(): KorniaSums {
    const G = this.config.gammas.length
    return {
      offTarget: compensatedSums(this.multiclass ? G * this.config.numClasses : 0),
      positiveTerm: compensatedSums(this.multiclass ? 0 : G * this.buckets),
      negativeTerm: compensatedSums(this.multiclass ? 0 : G * this.buckets),
    }
  }

  update(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void {
    if (this.multiclass) this.addOffTarget(rows, from, to, chunk)
    else this.keepSigmoidTerms(rows, from, to, chunk)
  }

  endBlock(rows: PreparedRows): void {
    if (this.multiclass) {
      foldInto(this.sums.offTarget, this.blockOffTarget)
      this.blockOffTarget.fill(0)
      return
    }
    const n = rows.count
    if (n === 0) return
    const {kernel, blockBase, blockCount, buckets} = this
    // kornia's terms: the focal row kernel over q = 1 − p with w = y·(−log p), and over q = p with
    // w = (1 − y)·(−log(1 − p)).
    this.blockPositive.fill(0)
    blockBase.fill(0)
    kernel(this.p1, this.positiveLoss, rows.bucket, n, blockCount, blockBase, this.blockPositive, buckets)
    this.blockNegative.fill(0)
    blockBase.fill(0)
    kernel(this.p, this.negativeLoss, rows.bucket, n, blockCount, blockBase, this.blockNegative, buckets)
    foldInto(this.sums.positiveTerm, this.blockPositive)
    foldInto(this.sums.negativeTerm, this.blockNegative)
  }

  state(): KorniaSums {
    const out = this.sums
    this.sums = this.empty()
    return out
  }

  /**
   * (1 − p_j)^γ · (−log p_j) of every class j but the label, for the rows kept. From logits, log p_j =
   * (x_j − x_y) − CE, kept ≤ 0 as torch's log_softmax is (a class that dominates the row can round to a hair
   * above 0, and 1 − p_j below 0 would make a fractional power NaN). These terms carry the weight 1e-6, so
   * 1 − p_j by plain subtraction is ample. From probabilities, the row as the target saw it (rescaled under
   * --row-sum renormalize) and clamped to [eps, 1 − eps].
   */
  private addOffTarget(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void {
    const {labels, scores, width} = chunk
    const sums = this.blockOffTarget
    const {eps} = this.config
    const logits = this.config.scores === 'logits'
    for (let k = from; k < to; k++) {
      const i = rows.row[k]
      const base = i * width
      const label = labels[i]
      const scale = logits ? 1 : (probabilityRowScale(this.config, chunk, i, undefined, () => undefined) ?? 1)
      for (let j = 0; j < width; j++) {
        if (j === label) continue
        if (logits) {
          const logP = Math.min(scores[base + j] - scores[base + label] - rows.ce[k], 0)
          this.addTerm(sums, j, width, Math.max(1 - tableExp(logP), 0), -logP)
        } else {
          const p = Math.min(Math.max(scores[base + j] * scale, eps), 1 - eps)
          this.addTerm(sums, j, width, 1 - p, -Math.log(p))
        }
      }
    }
  }

  /** Adds q^γ · loss for every γ at g · K + j. */
  private addTerm(sums: Float64Array, j: number, K: number, q: number, loss: number): void {
    const {gammas} = this.config
    for (let g = 0; g < gammas.length; g++) sums[g * K + j] += powerOf(q, gammas[g], this.kinds[g]) * loss
  }

  /** Sigmoid elements: p, 1 − p and the two target-weighted losses, for endBlock's kernel calls. */
  private keepSigmoidTerms(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void {
    const {scores, width} = chunk
    const long = this.config.elementLayout === 'long'
    const K = long ? 1 : this.config.numClasses
    const logits = this.config.scores === 'logits'
    for (let k = from; k < to; k++) {
      const j = long ? 0 : rows.bucket[k] >> 2
      const base = rows.row[k] * width
      const y = scores[base + K + j]
      const t = sigmoidTerms(scores[base + j], logits, this.config.eps, this.terms)
      this.p[k] = t.p
      this.p1[k] = t.p1
      this.positiveLoss[k] = y * t.lossPos
      this.negativeLoss[k] = (1 - y) * t.lossNeg
    }
  }

  evaluate(state: KorniaSums): KorniaTotals {
    return evaluateKornia(this.config, state)
  }
}

/**
 * kornia's sums from the state: multi-class Σ FL + eps · Σ_j α_j · offTarget_j; sigmoid, with α as the
 * report applies it (weight a + ay·y, class-weights.ts), the positive term weighs a + ay and the negative
 * one a. Example: one row, logits [0, 0], label 0, γ = 0, no α: p = [½, ½], log 2 + 1e-6 · log 2.
 */
export function evaluateKornia(config: EvaluationConfig, state: KorniaSums): KorniaTotals {
  const K = config.numClasses
  const perClass = bucketsPerClass(config)
  const B = perClass * K
  return (weights, focalTotals) => {
    const classWeight = (c: number): number => weights.coefficients[c][0] + weights.coefficients[c][1]
    if (config.task === 'multiclass') {
      return focalTotals.map((total, g) => {
        const offTarget = Array.from(
          {length: K},
          (_, j) => classWeight(j) * compensatedValue(state.offTarget, g * K + j),
        )
        return total + KORNIA_ONE_HOT_EPS * compensatedSum(offTarget)
      })
    }
    return focalTotals.map((_, g) => {
      const terms = Array.from({length: B}, (_, b) => {
        const [a, ay] = weights.coefficients[Math.floor(b / perClass)]
        const positive = compensatedValue(state.positiveTerm, g * B + b)
        return (a + ay) * positive + a * compensatedValue(state.negativeTerm, g * B + b)
      })
      return compensatedSum(terms)
    })
  }
}

function foldInto(into: CompensatedSums, block: Float64Array): void {
  for (let i = 0; i < block.length; i++) addCompensated(into.sum, into.comp, i, block[i])
}
