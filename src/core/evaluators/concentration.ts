/**
 * Loss concentration (the focal loss paper's Figure 4): which share of a group's loss its hardest samples
 * carry, in one pass and bounded memory, from a histogram sketch of the per-element losses (sketch/
 * loss-histogram.ts) — no sort, no list of rows.
 *
 * Two ways of keying the sketch, chosen by the settings:
 * - `ce` (binary and multi-class, hard labels; not varifocal): one histogram per class over the element's
 *   CE. Within a class the weight A (α_t, class-balanced α) is constant, so the loss A·(1 − p_t)^γ·CE
 *   (+ ε·(1 − p_t)^(γ+1) for Poly-1, ε ≥ 0) grows with CE for every γ: one histogram serves the whole sweep.
 *   The effective number of samples comes from the breakdown's squares (BreakdownSums.squares).
 * - `loss` (multi-label, soft targets, varifocal): with soft targets p_t and CE are not one-to-one, so each
 *   γ gets its own histogram keyed on the element's loss u (the weights known before the pass included;
 *   a class-balanced weight, known only at the end, is one per class: cells per class then). The sums of u
 *   and u² and the p_t table are kept here.
 *
 * The histograms are counts: they merge exactly in any order, so they are taken once per thread (`state`
 * with `threadParts`), not per unit. The sums are folded a block at a time, as the breakdown's are.
 */
import type {PredictionChunk} from '../chunk.js'
import {resolveClassWeights} from '../class-weights.js'
import type {EvaluationConfig} from '../config.js'
import {addCompensated, type PowerKind, powerKindOf, powerOf} from '../losses/numerics.js'
import type {PreparedRows} from '../rows/prepared-rows.js'
import {
  emptySparseHistogram,
  histogramBits,
  LossHistograms,
  mergeSparseHistograms,
  type SparseHistogram,
} from '../sketch/loss-histogram.js'
import {
  COMPENSATED,
  type CompensatedSums,
  compensatedSums,
  decodeNumbers,
  encodeNumbers,
  type MergeRule,
  SUM,
} from '../state/merge-rules.js'
import type {Evaluator} from './evaluator.js'

/** The largest share error the sketch's resolution is chosen for (the issue allows 0.005). */
export const SHARE_ERROR_TARGET = 0.0045
/** p_t bins of the loss-vs-p_t table (the paper's Figure 1, on the data). */
export const PT_BINS = 20

export interface ConcentrationState {
  /** `ce`: one per class, over CE; `loss`: one per (cell, γ), over the element's loss u. Thread-scoped. */
  histograms: SparseHistogram[]
  /** `loss` only (else empty): Σ u and Σ u² at (cell · G + g) · 2 + 0 | 1. */
  sums: CompensatedSums
  /** `loss` only: elements per (cell, p_t bin), and Σ u per ((cell · G + g) · PT_BINS + bin). */
  ptCount: Float64Array
  ptSums: CompensatedSums
}

const HISTOGRAMS: MergeRule = {
  kind: 'custom',
  merge: (a, b) => {
    const x = a as SparseHistogram[]
    const y = b as SparseHistogram[]
    if (x.length !== y.length) throw new Error(`concentration histograms: ${x.length} vs ${y.length}`)
    return x.map((h, i) => mergeSparseHistograms(h, y[i]))
  },
  encode: (value, name) =>
    (value as SparseHistogram[]).map((h, i) => ({
      index: encodeNumbers(h.index, `${name}[${i}].index`),
      count: encodeNumbers(h.count, `${name}[${i}].count`),
      zero: h.zero,
    })),
  decode: (json, name) => {
    if (!Array.isArray(json)) throw new Error(`${name}: expected a list of histograms`)
    return json.map((h: {index?: unknown; count?: unknown; zero?: unknown}, i) => {
      const index = decodeNumbers(h?.index, `${name}[${i}].index`)
      const count = decodeNumbers(h?.count, `${name}[${i}].count`)
      if (count.length !== index.length)
        throw new Error(`${name}[${i}]: ${index.length} indices, ${count.length} counts`)
      for (let k = 1; k < index.length; k++) {
        if (!(index[k] > index[k - 1])) throw new Error(`${name}[${i}].index: expected increasing bucket indices`)
      }
      if (typeof h.zero !== 'number' || !(h.zero >= 0)) throw new Error(`${name}[${i}].zero: expected a count`)
      return {index, count, zero: h.zero}
    })
  },
}

export const CONCENTRATION_RULES: Record<keyof ConcentrationState, MergeRule> = {
  histograms: HISTOGRAMS,
  sums: COMPENSATED,
  ptCount: SUM,
  ptSums: COMPENSATED,
}

/** How a run's concentration is computed, from its settings alone. */
export interface ConcentrationPlan {
  mode: 'ce' | 'loss'
  /** Why it is not computed (then null: every other field is unused), e.g. Poly-1 with ε < 0. */
  unavailable: string | null
  /** Mantissa bits of the histograms. */
  bits: number
  /** How fast the loss grows with the key, at most: e in ρ = (1 + 2^-bits)^(e/2), per γ index. */
  exponents: number[]
  /** Weight cells: `ce` → classes; `loss` → sign (0 positive, 1 negative) × (classes if class-balanced, else 1). */
  cells: number
  /** `loss`: cells per sign. */
  cellsPerSign: number
  histograms: number
}

export function concentrationPlan(config: EvaluationConfig): ConcentrationPlan {
  const loss = config.loss ?? 'focal'
  const G = config.gammas.length
  const K = config.numClasses
  const balanced = config.alphaSpec.kind === 'inverse-frequency' || config.alphaSpec.kind === 'effective-number'
  const mode = config.task !== 'multilabel' && loss !== 'varifocal' ? 'ce' : 'loss'
  let unavailable: string | null = null
  if (loss === 'poly1' && (config.polyEpsilon ?? 1) < 0) {
    unavailable = 'Poly-1 with ε < 0 can make an element’s loss negative, and shares of a loss are then undefined'
  } else if (mode === 'loss' && loss === 'poly1' && balanced) {
    unavailable =
      'Poly-1 with class-balanced α on sigmoid elements: the loss is not one weight times a known value before the weights are known'
  }
  // The loss grows like the key to the power e: (1 − p_t)^γ · CE ~ CE^(γ+1) for small CE; Poly-1's ε term
  // (1 − p_t)^(γ+1) too, and their difference at most one power more. Keyed on the loss itself, e = 1.
  const exponents = config.gammas.map((g) => (mode === 'loss' ? 1 : loss === 'poly1' ? g + 2 : g + 1))
  const bits = histogramBits(Math.max(1, ...exponents), SHARE_ERROR_TARGET)
  const cellsPerSign = mode === 'loss' && balanced ? K : 1
  const cells = mode === 'ce' ? K : 2 * cellsPerSign
  return {mode, unavailable, bits, exponents, cells, cellsPerSign, histograms: mode === 'ce' ? K : cells * G}
}

export class ConcentrationEvaluator implements Evaluator<ConcentrationState, ConcentrationPlan> {
  readonly rules = CONCENTRATION_RULES
  private readonly config: EvaluationConfig
  private readonly plan: ConcentrationPlan
  private readonly histograms: LossHistograms
  private readonly kinds: PowerKind[]
  /** `loss`: the weight known before the pass, a + ay·y, per class (class-balanced: 1, applied at the end). */
  private readonly coefficients: [number, number][]
  private readonly negativeAlpha: number[]
  private sums: CompensatedSums
  private ptCount: Float64Array
  private ptSums: CompensatedSums
  private readonly blockSums: Float64Array
  private readonly blockPt: Float64Array

  constructor(config: EvaluationConfig) {
    this.config = config
    this.plan = concentrationPlan(config)
    const {plan} = this
    this.histograms = new LossHistograms(plan.unavailable ? 0 : plan.histograms, plan.bits)
    this.kinds = config.gammas.map(powerKindOf)
    const known = resolveClassWeights(config, new Array<number>(config.numClasses).fill(1))
    const balanced = plan.cellsPerSign > 1
    this.coefficients = known.coefficients.map((c) => (balanced ? [1, 0] : c))
    this.negativeAlpha = known.negativeAlpha
    const empty = this.empty()
    this.sums = empty.sums
    this.ptCount = empty.ptCount
    this.ptSums = empty.ptSums
    this.blockSums = new Float64Array(empty.sums.sum.length)
    this.blockPt = new Float64Array(empty.ptSums.sum.length)
  }

  empty(): ConcentrationState {
    const {plan} = this
    const loss = plan.mode === 'loss' && plan.unavailable === null
    const G = this.config.gammas.length
    return {
      histograms: Array.from({length: plan.unavailable ? 0 : plan.histograms}, emptySparseHistogram),
      sums: compensatedSums(loss ? plan.cells * G * 2 : 0),
      ptCount: new Float64Array(loss ? plan.cells * PT_BINS : 0),
      ptSums: compensatedSums(loss ? plan.cells * G * PT_BINS : 0),
    }
  }

  update(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void {
    if (this.plan.unavailable !== null) return
    if (this.plan.mode === 'ce') {
      // One histogram per class, over CE: classes are bucket >> 1 (counted a batch at a time).
      this.histograms.stageAll(rows.ce, rows.bucket, 1, from, to)
      return
    }
    this.updateByLoss(rows, from, to, chunk)
  }

  /** Sigmoid elements: each γ's loss u, its histogram, sums and p_t bin. */
  private updateByLoss(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void {
    const {config, plan, kinds, histograms, blockSums, blockPt} = this
    const {gammas} = config
    const G = gammas.length
    const multilabel = config.task === 'multilabel'
    const long = config.elementLayout === 'long'
    const K = long ? 1 : config.numClasses
    const varifocal = config.loss === 'varifocal'
    const poly = config.loss === 'poly1'
    const epsilon = config.polyEpsilon ?? 1
    const {scores, width} = chunk
    for (let k = from; k < to; k++) {
      const b = rows.bucket[k]
      const c = rows.ce[k]
      const q = rows.q[k]
      // Multi-label: class = b >> 2, sign = (b >> 1) & 1; binary (varifocal): class = b >> 1 = the target.
      const cls = multilabel ? b >> 2 : b >> 1
      const negative = multilabel ? (b >> 1) & 1 : 1 - cls
      const y = multilabel ? scores[rows.row[k] * width + K + (long ? 0 : cls)] : cls
      const cell = negative * plan.cellsPerSign + (plan.cellsPerSign > 1 ? cls : 0)
      const bin = Math.min(PT_BINS - 1, Math.floor((1 - q) * PT_BINS))
      this.ptCount[cell * PT_BINS + bin]++
      const [a, ay] = this.coefficients[cls]
      const weight = a + ay * y
      for (let g = 0; g < G; g++) {
        const power = powerOf(q, gammas[g], kinds[g])
        let u: number
        if (varifocal) u = negative ? this.negativeAlpha[cls] * power * c : y * c
        else u = weight * power * c + (poly ? epsilon * power * q : 0)
        const at = cell * G + g
        histograms.add(at, u)
        blockSums[at * 2] += u
        blockSums[at * 2 + 1] += u * u
        blockPt[at * PT_BINS + bin] += u
      }
    }
  }

  endBlock(): void {
    if (this.plan.mode !== 'loss' || this.plan.unavailable !== null) return
    for (let i = 0; i < this.blockSums.length; i++) {
      if (this.blockSums[i] !== 0) addCompensated(this.sums.sum, this.sums.comp, i, this.blockSums[i])
    }
    for (let i = 0; i < this.blockPt.length; i++) {
      if (this.blockPt[i] !== 0) addCompensated(this.ptSums.sum, this.ptSums.comp, i, this.blockPt[i])
    }
    this.blockSums.fill(0)
    this.blockPt.fill(0)
  }

  /**
   * The sums so far, and the histograms only with `threadParts` (they merge exactly in any order: a thread
   * hands them over once, not per unit); the evaluator starts empty again (histograms kept otherwise).
   */
  state(threadParts = true): ConcentrationState {
    const out = this.empty()
    out.sums = this.sums
    out.ptCount = this.ptCount
    out.ptSums = this.ptSums
    if (threadParts) out.histograms = this.histograms.take()
    const next = this.empty()
    this.sums = next.sums
    this.ptCount = next.ptCount
    this.ptSums = next.ptSums
    return out
  }

  /**
   * `ce` mode: the per-class histograms of CE, for the fused binary-logits kernel to count into as it reads
   * (the evaluation then does not call `update` with the rows it counted).
   */
  ceHistograms(): LossHistograms | undefined {
    return this.plan.mode === 'ce' && this.plan.unavailable === null ? this.histograms : undefined
  }

  evaluate(): ConcentrationPlan {
    return this.plan
  }
}
