/**
 * Classification metrics beside the loss (issue 18): the confusion matrix with the CE of each cell (for
 * the top confusions' share of the loss), calibration bins, and the Brier score — counts and sums only, so
 * they merge like the breakdown, and one pass gives them all.
 *
 * What a row contributes, by task (the prepared rows carry each element's confidence, and for multi-class
 * its argmax and Brier term, computed in the loss's own pass: prepare-rows.ts):
 * - multi-class: confusion cell (label, argmax); top-label calibration (confidence = the largest p,
 *   accuracy = argmax equals the label), as torchmetrics' MulticlassCalibrationError; with --class-ece the
 *   classwise bins of every class's p_c (Kull et al. 2019).
 * - binary: predicted positive when p > 0.5 (sklearn's default threshold; p = 0.5 is negative); calibration
 *   as torchmetrics' BinaryCalibrationError (confidence = p, accuracy = the label); classwise over p and 1 − p.
 * - multi-label: per class a 2 × 2 [[tn, fp], [fn, tp]] (positive target: y > 0, predicted: p > 0.5);
 *   calibration over every element as BinaryCalibrationError on the flattened elements (accuracy = the
 *   target y, soft targets included), classwise per class.
 *
 * The confusion cells' CE is added per element into compensated sums (K × K cells are too many to fold a
 * block at a time); the bins and the Brier sum are summed plainly per block and folded, as the breakdown's.
 */
import type {PredictionChunk} from '../chunk.js'
import type {EvaluationConfig} from '../config.js'
import {BINARY_METRICS_LAYOUT} from '../losses/binary-logits-kernel.js'
import {addCompensated} from '../losses/numerics.js'
import type {PreparedRows} from '../rows/prepared-rows.js'
import {
  COMPENSATED,
  type CompensatedSums,
  compensatedSums,
  compensatedValue,
  type MergeRule,
  SUM,
} from '../state/merge-rules.js'
import {CALIBRATION_SLOTS, calibrationSlot} from './calibration-bins.js'
import type {Evaluator} from './evaluator.js'

export interface MetricsState {
  /**
   * Elements per confusion cell: binary and multi-class K × K at true · K + predicted; multi-label 4 per
   * class at 4 · class + 2 · (target positive) + (predicted positive).
   */
  confusion: Float64Array
  /** Σ CE of each confusion cell's elements. */
  cellCe: CompensatedSums
  /** Top-label (sigmoid: every element's) calibration: elements per slot (calibration-bins.ts), Σ confidence, Σ accuracy. */
  binCount: Float64Array
  binConf: CompensatedSums
  binAcc: CompensatedSums
  /** Classwise calibration, per class × slot (class · SLOTS + slot); empty for multi-class without --class-ece. */
  classBinCount: Float64Array
  classBinP: CompensatedSums
  classBinY: CompensatedSums
  /** Σ over elements of the Brier term (multi-class: Σ_c (p_c − y_c)² per row; sigmoid: (p − y)² per element). */
  brier: CompensatedSums
}

export const METRICS_RULES: Record<keyof MetricsState, MergeRule> = {
  confusion: SUM,
  cellCe: COMPENSATED,
  binCount: SUM,
  binConf: COMPENSATED,
  binAcc: COMPENSATED,
  classBinCount: SUM,
  classBinP: COMPENSATED,
  classBinY: COMPENSATED,
  brier: COMPENSATED,
}

/** Whether the settings keep the classwise bins. */
export function keepsClassBins(config: EvaluationConfig): boolean {
  return config.task !== 'multiclass' || config.classEce === true
}

/**
 * MetricsEvaluator's multi-class rows [from, to): confusion cells, their CE and the calibration bins;
 * returns the rows' Brier sum. A function ending at its loop: V8 compiles a long loop's first call for
 * on-stack replacement before the code after it has run, and the evaluator's field updates after the loop
 * then left it through a deoptimisation at every block (~290 a run on the 20-class bench file).
 */
function countMulticlassRows(
  K: number,
  state: MetricsState,
  blockConf: Float64Array,
  blockAcc: Float64Array,
  rows: PreparedRows,
  from: number,
  to: number,
): number {
  const {confusion, cellCe, binCount} = state
  const {conf, argmax, bucket, ce, brier} = rows
  let brierSum = 0
  for (let k = from; k < to; k++) {
    const label = bucket[k] >> 1
    const predicted = argmax[k]
    const cell = label * K + predicted
    confusion[cell]++
    addCompensated(cellCe.sum, cellCe.comp, cell, ce[k])
    const c = conf[k]
    const slot = calibrationSlot(c)
    binCount[slot]++
    blockConf[slot] += c
    if (predicted === label) blockAcc[slot]++
    brierSum += brier[k]
  }
  return brierSum
}

export class MetricsEvaluator implements Evaluator<MetricsState, MetricsState> {
  readonly rules = METRICS_RULES
  private readonly config: EvaluationConfig
  private readonly K: number
  private readonly classBins: boolean
  private state_: MetricsState
  // Per-block plain sums, folded into the compensated state at the block's end.
  private readonly blockConf = new Float64Array(CALIBRATION_SLOTS)
  private readonly blockAcc = new Float64Array(CALIBRATION_SLOTS)
  private readonly blockClassP: Float64Array
  private readonly blockClassY: Float64Array
  private blockBrier = 0
  /** Binary logits: the fused kernel's block sums (BINARY_METRICS_LAYOUT). */
  private readonly kernelBlock: {sums: Float64Array; fold: () => void} | undefined

  constructor(config: EvaluationConfig) {
    this.config = config
    this.K = config.numClasses
    this.classBins = keepsClassBins(config)
    this.state_ = this.empty()
    this.blockClassP = new Float64Array(this.state_.classBinCount.length)
    this.blockClassY = new Float64Array(this.state_.classBinCount.length)
    this.kernelBlock =
      config.task === 'binary' && config.scores === 'logits'
        ? {sums: new Float64Array(BINARY_METRICS_LAYOUT.length), fold: () => this.foldKernel()}
        : undefined
  }

  /**
   * Binary logits: the fused kernel counts each row's metrics as it reads (binary-logits-kernel.ts), into
   * these block sums, which are folded here when its block ends: no row is written out for `update`.
   */
  kernelSums(): {sums: Float64Array; fold: () => void} | undefined {
    return this.kernelBlock
  }

  /** The kernel's block sums into the state, as updateBinary would have added them; the block is cleared. */
  private foldKernel(): void {
    const m = (this.kernelBlock as {sums: Float64Array}).sums
    const L = BINARY_METRICS_LAYOUT
    const s = this.state_
    const S = CALIBRATION_SLOTS
    for (let cell = 0; cell < 4; cell++) {
      s.confusion[cell] += m[L.cellCount + cell]
      if (m[L.cellCe + cell] !== 0) addCompensated(s.cellCe.sum, s.cellCe.comp, cell, m[L.cellCe + cell])
    }
    for (let j = 0; j < S; j++) {
      s.binCount[j] += m[L.count1 + j]
      s.classBinCount[S + j] += m[L.count1 + j]
      s.classBinCount[j] += m[L.count0 + j]
      this.blockConf[j] += m[L.p1 + j]
      this.blockAcc[j] += m[L.y1 + j]
      this.blockClassP[S + j] += m[L.p1 + j]
      this.blockClassY[S + j] += m[L.y1 + j]
      this.blockClassP[j] += m[L.p0 + j]
      this.blockClassY[j] += m[L.y0 + j]
    }
    this.blockBrier += m[L.brier]
    m.fill(0)
    this.endBlock()
  }

  empty(): MetricsState {
    const K = this.config.numClasses
    const cells = this.config.task === 'multilabel' ? 4 * K : K * K
    const classSlots = keepsClassBins(this.config) ? K * CALIBRATION_SLOTS : 0
    return {
      confusion: new Float64Array(cells),
      cellCe: compensatedSums(cells),
      binCount: new Float64Array(CALIBRATION_SLOTS),
      binConf: compensatedSums(CALIBRATION_SLOTS),
      binAcc: compensatedSums(CALIBRATION_SLOTS),
      classBinCount: new Float64Array(classSlots),
      classBinP: compensatedSums(classSlots),
      classBinY: compensatedSums(classSlots),
      brier: compensatedSums(1),
    }
  }

  update(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void {
    if (this.config.task === 'multiclass') this.updateMulticlass(rows, from, to, chunk)
    else if (this.config.task === 'binary') this.updateBinary(rows, from, to)
    else this.updateMultilabel(rows, from, to, chunk)
  }

  /** Binary: p = conf; label = bucket >> 1. */
  private updateBinary(rows: PreparedRows, from: number, to: number): void {
    const {confusion, cellCe, binCount, classBinCount} = this.state_
    const {blockConf, blockAcc, blockClassP, blockClassY} = this
    const {conf, bucket, ce} = rows
    let brier = 0
    for (let k = from; k < to; k++) {
      const label = bucket[k] >> 1
      const p = conf[k]
      const cell = 2 * label + (p > 0.5 ? 1 : 0)
      confusion[cell]++
      addCompensated(cellCe.sum, cellCe.comp, cell, ce[k])
      const d = p - label
      brier += d * d
      // Class 1 (and the top level, as BinaryCalibrationError): p against the label.
      const s1 = calibrationSlot(p)
      binCount[s1]++
      blockConf[s1] += p
      blockAcc[s1] += label
      classBinCount[CALIBRATION_SLOTS + s1]++
      blockClassP[CALIBRATION_SLOTS + s1] += p
      blockClassY[CALIBRATION_SLOTS + s1] += label
      // Class 0: 1 − p against 1 − label.
      const p0 = 1 - p
      const s0 = calibrationSlot(p0)
      classBinCount[s0]++
      blockClassP[s0] += p0
      blockClassY[s0] += 1 - label
    }
    this.blockBrier += brier
  }

  private updateMulticlass(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void {
    this.blockBrier += countMulticlassRows(this.K, this.state_, this.blockConf, this.blockAcc, rows, from, to)
    if (this.classBins) this.updateClassBins(rows, from, to, chunk)
  }

  /**
   * --class-ece: every class's probability of every row, binned. Logits: p_c = e^(x_c − x_y) · p_t with
   * p_t = e^(−CE); probabilities: p_c as read (divided by the row's sum when --row-sum renormalize
   * rescaled it).
   */
  private updateClassBins(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void {
    const {K} = this
    const {classBinCount} = this.state_
    const {blockClassP, blockClassY} = this
    const {scores, width} = chunk
    const logits = this.config.scores === 'logits'
    const {rowSumTolerance, rowSumPolicy} = this.config
    for (let k = from; k < to; k++) {
      const label = rows.bucket[k] >> 1
      const base = rows.row[k] * width
      let scale = 1
      let own = 0
      if (logits) {
        own = scores[base + label]
        scale = Math.exp(-rows.ce[k])
      } else if (rowSumPolicy === 'renormalize') {
        let sum = 0
        for (let j = 0; j < K; j++) sum += scores[base + j]
        if (Math.abs(sum - 1) > rowSumTolerance) scale = 1 / sum
      }
      for (let c = 0; c < K; c++) {
        const p = logits ? Math.exp(scores[base + c] - own) * scale : scores[base + c] * scale
        const at = c * CALIBRATION_SLOTS + calibrationSlot(p)
        classBinCount[at]++
        blockClassP[at] += p
        if (c === label) blockClassY[at]++
      }
    }
  }

  /** Multi-label: the element's class is bucket >> 2, its target read from the chunk. */
  private updateMultilabel(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void {
    const {confusion, cellCe, binCount, classBinCount} = this.state_
    const {blockConf, blockAcc, blockClassP, blockClassY} = this
    const {conf, bucket, ce, row} = rows
    const {scores, width} = chunk
    const long = this.config.elementLayout === 'long'
    const K = long ? 1 : this.K
    let brier = 0
    for (let k = from; k < to; k++) {
      const b = bucket[k]
      const cls = b >> 2
      const y = scores[row[k] * width + K + (long ? 0 : cls)]
      const p = conf[k]
      const cell = 4 * cls + ((b & 2) === 0 ? 2 : 0) + (p > 0.5 ? 1 : 0)
      confusion[cell]++
      addCompensated(cellCe.sum, cellCe.comp, cell, ce[k])
      const d = p - y
      brier += d * d
      const slot = calibrationSlot(p)
      binCount[slot]++
      blockConf[slot] += p
      blockAcc[slot] += y
      const at = cls * CALIBRATION_SLOTS + slot
      classBinCount[at]++
      blockClassP[at] += p
      blockClassY[at] += y
    }
    this.blockBrier += brier
  }

  endBlock(): void {
    const s = this.state_
    foldInto(s.binConf, this.blockConf)
    foldInto(s.binAcc, this.blockAcc)
    foldInto(s.classBinP, this.blockClassP)
    foldInto(s.classBinY, this.blockClassY)
    if (this.blockBrier !== 0) addCompensated(s.brier.sum, s.brier.comp, 0, this.blockBrier)
    this.blockBrier = 0
  }

  state(): MetricsState {
    this.endBlock()
    const out = this.state_
    this.state_ = this.empty()
    return out
  }

  evaluate(state: MetricsState): MetricsState {
    return state
  }
}

/** Adds a block's non-zero plain sums into compensated sums and clears the block. */
function foldInto(into: CompensatedSums, block: Float64Array): void {
  for (let i = 0; i < block.length; i++) {
    if (block[i] !== 0) {
      addCompensated(into.sum, into.comp, i, block[i])
      block[i] = 0
    }
  }
}

/** The value of a state's compensated field at i (for the report). */
export function metricsValue(sums: CompensatedSums, i: number): number {
  return compensatedValue(sums, i)
}
