import type {PredictionChunk} from '../chunk.js'
import type {EvaluationConfig} from '../config.js'
import {InputError} from '../errors.js'
import {rowSumHint} from '../row-sum-hint.js'
import type {SkipLog} from '../skip-log.js'
import {binaryKernelLayout, type BinaryLogitsKernel, compileBinaryLogitsKernel} from '../losses/binary-logits-kernel.js'
import {compileFocalRowKernel, type FocalRowKernel} from '../losses/focal-row-kernel.js'
import {addCompensated, type PowerKind, powerKindOf, powerOf} from '../losses/numerics.js'
import {tableExp, tableLog1pUnit, tableLogAtLeastOne} from '../losses/table-exp.js'

/**
 * Sums of CE and of (1 − p_t)^γ · CE per bucket, where a bucket is one (class, easy|hard) pair:
 * bucket = 2 · class + (easy ? 0 : 1). Every reported figure — totals, per-class shares, the easy/hard
 * split, the γ sweep — is a sum over buckets, so one add per γ and row feeds all of them.
 * α is a constant per bucket (it depends only on the label), so it is applied in the report, not here.
 *
 * Multi-label (one sigmoid per element): a bucket is (class column, positive|negative target,
 * easy|hard): bucket = 4 · class + (target > 0 ? 0 : 2) + (easy ? 0 : 1). With soft targets α_t =
 * y·α + (1 − y)(1 − α) varies inside a bucket, but linearly in y, so Σ α_t·w = (1 − α)·Σ w + (2α − 1)·Σ y·w:
 * the state also keeps the target-weighted sums Σ y·CE and Σ y·(1 − p_t)^γ·CE, and α (scalar, per class,
 * or class-balanced from the final counts) is still applied in the report, after one pass.
 *
 * Merge rule: every field adds element-wise (counts, compensated sums), but the score ranges, which take
 * the min / max. `init()` is the identity.
 */
export interface LossBreakdownState {
  numClasses: number
  gammas: number[]
  /** Buckets per class: 2 (easy|hard), or 4 for multi-label (positive|negative × easy|hard). */
  bucketsPerClass: number
  /** Rows read (multi-label wide: a row holds K elements). Merge: add. */
  rows: number
  /** Multi-label wide: rows whose targets are all 0 (pure background). Merge: add. */
  backgroundRows: number
  /** Elements per bucket (rows, except for multi-label). */
  count: Float64Array
  /** Σ CE per bucket, with Neumaier compensation terms. */
  ceSum: Float64Array
  ceComp: Float64Array
  /** Σ (1 − p_t)^γ · CE at index g · buckets + bucket. */
  focalSum: Float64Array
  focalComp: Float64Array
  /** Multi-label only (else empty): Σ y·CE per bucket and Σ y·(1 − p_t)^γ·CE at g · buckets + bucket. */
  targetCeSum: Float64Array
  targetCeComp: Float64Array
  targetFocalSum: Float64Array
  targetFocalComp: Float64Array
  /** Poly-1 only (else empty): Σ (1 − p_t)^(γ+1) at g · buckets + bucket. */
  polySum: Float64Array
  polyComp: Float64Array
  /**
   * kornia multi-class only (config.korniaTerms; else empty): Σ (1 − p_j)^γ · (−log p_j) over the rows whose
   * label is not j, at g · K + j. kornia's one-hot gives every such class the weight eps = 1e-6, so its printed
   * loss adds eps · Σ_j α_j · these (report: korniaTotals). Merge: add.
   */
  offTargetSum: Float64Array
  offTargetComp: Float64Array
  /**
   * kornia multi-label only (config.korniaTerms; else empty): the two terms of kornia's
   * binary_focal_loss_with_logits, Σ y·(1 − p)^γ·(−log p) and Σ (1 − y)·p^γ·(−log(1 − p)), at g · buckets +
   * bucket (α applies in the report). Merge: add.
   */
  positiveTermSum: Float64Array
  positiveTermComp: Float64Array
  negativeTermSum: Float64Array
  negativeTermComp: Float64Array
  /** Probabilities moved into [eps, 1 − eps]. */
  clampedValues: number
  /** Multi-class probabilities: the largest |Σ_j p_j − 1| seen (merge: max), rows rescaled (merge: add). */
  rowSumMaxDeviation: number
  rowSumRenormalized: number
  /**
   * Logits only (probabilities leave them at ±Infinity): the smallest and largest score read (merge: min,
   * max) and, multi-class, the smallest and largest row sum Σ_j x_j (merge: min, max). Scores read as
   * logits that all lie in [0, 1] (rows summing to 1) are probabilities by mistake (probabilityEvidence).
   * Scanning stops at the first score (row sum) outside [0, 1] (within the tolerances): the ranges are
   * exact only while inside it, which is all probabilityEvidence asks.
   */
  scoreMin: number
  scoreMax: number
  rowSumMin: number
  rowSumMax: number
  /**
   * Rows prepared but not yet summed: CE, 1 − p_t and bucket of up to FOLD_ROWS rows. Blocks are cut
   * at absolute row numbers, not at chunk ends, so any chunking of the same rows gives the same doubles.
   */
  pendingCe: Float64Array
  pendingQ: Float64Array
  /** Multi-label: y · CE of each pending element (empty otherwise). */
  pendingTargetCe: Float64Array
  pendingBucket: Int32Array
  /**
   * Binary logits (summed as read, binary-logits-kernel.ts) keep no pending rows but the open block's
   * plain sums: count, Σ CE and Σ (1 − p_t)^γ · CE per bucket. Empty in the other modes.
   */
  pendingSums: Float64Array
  /** Pending elements (rows, except for multi-label wide), or rows in the open block. */
  pendingRows: number
  /** kornia multi-class: the open block's plain off-target sums (offTargetSum's layout); else empty. */
  pendingOffTarget: Float64Array
  /** kornia multi-label: p, 1 − p, y·(−log p) and (1 − y)·(−log(1 − p)) of each pending element; else empty. */
  pendingP: Float64Array
  pendingOneMinusP: Float64Array
  pendingPositiveLoss: Float64Array
  pendingNegativeLoss: Float64Array
  /** Logits (but binary): Σ CE of the pending elements, plainly, to check that the CE sum stays finite. */
  pendingCeSum: number
}

/** Rows summed plainly before being folded into the compensated state: bounds the rounding error. */
const FOLD_ROWS = 8192

/**
 * Rows per call of the binary-logits kernel. V8 puts its optimised code to use at the next call (stack
 * replacement inside a running call came late): with calls of 8192 rows a thread ran the first ~57 000 rows
 * in the interpreter at ~300 ns a row, with calls of 1024 the first ~21 000 (27 ms → 17 ms for 196 608
 * rows). A call costs a few tens of ns, nothing next to 1024 rows.
 */
const KERNEL_CALL_ROWS = 1024

const enum Mode {
  BinaryLogits,
  BinaryProbs,
  MulticlassLogits,
  MulticlassProbs,
  Multilabel,
}

export class LossBreakdownEvaluator {
  private readonly config: EvaluationConfig
  private readonly buckets: number
  private readonly kernel: FocalRowKernel
  /** Binary logits: prepare and kernel fused (no pending rows). */
  private readonly binaryKernel: BinaryLogitsKernel | undefined
  private readonly binaryLayout: ReturnType<typeof binaryKernelLayout>
  private readonly mode: Mode
  // Per-block plain partial sums, reused across chunks (no allocation in update).
  private readonly blockCount: Float64Array
  private readonly blockCe: Float64Array
  private readonly blockFocal: Float64Array
  private readonly bucketsPerClass: number
  /** Elements one row adds: K for multi-label wide, else 1. */
  private readonly perRow: number
  /** Pending elements before a flush: FOLD_ROWS, or one row's worth if a row is wider. */
  private readonly capacity: number
  private readonly multilabel: boolean
  private readonly poly: boolean
  private readonly blockTargetCe: Float64Array
  private readonly blockTargetFocal: Float64Array
  private readonly blockPoly: Float64Array
  /** Poly-1's Σ (1 − p_t) per bucket, which the report does not need (the kernel writes it somewhere). */
  private readonly blockPolyBase: Float64Array
  /** Where the second and third kernel calls of a block count its rows again (blockCount has them). */
  private readonly blockRecount: Float64Array
  /** kornia multi-class: sum the off-target terms too (one test per row when off). */
  private readonly offTarget: boolean
  /** How each γ's power is taken (q², √q, … without Math.pow) for the off-target terms. */
  private readonly powerKinds: PowerKind[]
  /** kornia multi-label: sum its two target-weighted terms too (one test per element when off). */
  private readonly softTerms: boolean
  private readonly blockPositiveTerm: Float64Array
  private readonly blockNegativeTerm: Float64Array
  /** The kernel's Σ w of those calls, which the γ = 0 entries already hold. */
  private readonly blockTermBase: Float64Array
  /**
   * Prepared logits (multi-class, multi-label): a row's CE grows with its logits without bound, so the CE
   * sum can overflow and is checked as rows are prepared. Probabilities are clamped to [eps, 1 − eps], so
   * their CE is at most −log eps ≤ 53 · ln 2 ≈ 36.7 (parseEps) and no count of rows overflows the sum.
   */
  private readonly unboundedCe: boolean

  constructor(config: EvaluationConfig) {
    this.config = config
    this.multilabel = config.task === 'multilabel'
    this.poly = config.loss === 'poly1'
    this.bucketsPerClass = this.multilabel ? 4 : 2
    this.buckets = this.bucketsPerClass * config.numClasses
    this.perRow = this.multilabel && config.elementLayout !== 'long' ? config.numClasses : 1
    this.capacity = Math.max(FOLD_ROWS, this.perRow)
    this.kernel = compileFocalRowKernel(config.gammas)
    const binary = config.task === 'binary'
    const logits = config.scores === 'logits'
    this.mode = this.multilabel
      ? Mode.Multilabel
      : binary
        ? logits
          ? Mode.BinaryLogits
          : Mode.BinaryProbs
        : logits
          ? Mode.MulticlassLogits
          : Mode.MulticlassProbs
    this.binaryKernel =
      this.mode === Mode.BinaryLogits ? compileBinaryLogitsKernel(config.gammas, this.poly) : undefined
    this.binaryLayout = binaryKernelLayout(config.gammas, this.poly)
    this.unboundedCe = logits && this.mode !== Mode.BinaryLogits
    const G = config.gammas.length
    this.blockCount = new Float64Array(this.buckets)
    this.blockCe = new Float64Array(this.buckets)
    this.blockFocal = new Float64Array(this.buckets * G)
    this.blockTargetCe = new Float64Array(this.multilabel ? this.buckets : 0)
    this.blockTargetFocal = new Float64Array(this.multilabel ? this.buckets * G : 0)
    this.blockPoly = new Float64Array(this.poly ? this.buckets * G : 0)
    this.blockPolyBase = new Float64Array(this.poly ? this.buckets : 0)
    this.blockRecount = new Float64Array(this.buckets)
    this.offTarget = config.korniaTerms === true && config.task === 'multiclass'
    this.powerKinds = config.gammas.map(powerKindOf)
    this.softTerms = config.korniaTerms === true && this.multilabel
    this.blockPositiveTerm = new Float64Array(this.softTerms ? this.buckets * G : 0)
    this.blockNegativeTerm = new Float64Array(this.softTerms ? this.buckets * G : 0)
    this.blockTermBase = new Float64Array(this.softTerms ? this.buckets : 0)
  }

  init(): LossBreakdownState {
    const rows = this.binaryKernel ? 0 : this.capacity
    return {
      ...this.zeroSums(),
      pendingCe: new Float64Array(rows),
      pendingQ: new Float64Array(rows),
      pendingTargetCe: new Float64Array(this.multilabel ? this.capacity : 0),
      pendingBucket: new Int32Array(rows),
      pendingSums: new Float64Array(this.binaryKernel ? this.binaryLayout.length : 0),
      pendingOffTarget: new Float64Array(this.offTarget ? this.offTargetLength() : 0),
      pendingP: new Float64Array(this.softTerms ? this.capacity : 0),
      pendingOneMinusP: new Float64Array(this.softTerms ? this.capacity : 0),
      pendingPositiveLoss: new Float64Array(this.softTerms ? this.capacity : 0),
      pendingNegativeLoss: new Float64Array(this.softTerms ? this.capacity : 0),
    }
  }

  /** γ values × classes: the length of the off-target sums (kornia multi-class). */
  private offTargetLength(): number {
    return this.config.gammas.length * this.config.numClasses
  }

  /** Every field of an empty state but the pending-row buffers. */
  private zeroSums(): Omit<
    LossBreakdownState,
    | 'pendingCe'
    | 'pendingQ'
    | 'pendingTargetCe'
    | 'pendingBucket'
    | 'pendingSums'
    | 'pendingOffTarget'
    | 'pendingP'
    | 'pendingOneMinusP'
    | 'pendingPositiveLoss'
    | 'pendingNegativeLoss'
  > {
    const n = this.buckets * this.config.gammas.length
    const targets = this.multilabel
    return {
      numClasses: this.config.numClasses,
      gammas: [...this.config.gammas],
      bucketsPerClass: this.bucketsPerClass,
      rows: 0,
      backgroundRows: 0,
      count: new Float64Array(this.buckets),
      ceSum: new Float64Array(this.buckets),
      ceComp: new Float64Array(this.buckets),
      focalSum: new Float64Array(n),
      focalComp: new Float64Array(n),
      targetCeSum: new Float64Array(targets ? this.buckets : 0),
      targetCeComp: new Float64Array(targets ? this.buckets : 0),
      targetFocalSum: new Float64Array(targets ? n : 0),
      targetFocalComp: new Float64Array(targets ? n : 0),
      polySum: new Float64Array(this.poly ? n : 0),
      polyComp: new Float64Array(this.poly ? n : 0),
      offTargetSum: new Float64Array(this.offTarget ? this.offTargetLength() : 0),
      offTargetComp: new Float64Array(this.offTarget ? this.offTargetLength() : 0),
      positiveTermSum: new Float64Array(this.softTerms ? n : 0),
      positiveTermComp: new Float64Array(this.softTerms ? n : 0),
      negativeTermSum: new Float64Array(this.softTerms ? n : 0),
      negativeTermComp: new Float64Array(this.softTerms ? n : 0),
      clampedValues: 0,
      rowSumMaxDeviation: 0,
      rowSumRenormalized: 0,
      scoreMin: Infinity,
      scoreMax: -Infinity,
      rowSumMin: Infinity,
      rowSumMax: -Infinity,
      pendingRows: 0,
      pendingCeSum: 0,
    }
  }

  /** Adds a chunk. With `skip` (--on-invalid skip), unusable rows are logged there and left out. */
  update(state: LossBreakdownState, chunk: PredictionChunk, skip?: SkipLog): void {
    if (this.config.scores === 'logits') this.scanScoreRange(state, chunk)
    if (this.binaryKernel) {
      this.updateBinaryLogits(this.binaryKernel, state, chunk, skip)
      return
    }
    const per = this.perRow
    for (let start = 0; start < chunk.rows;) {
      // Whole rows only, so multi-label blocks are cut at absolute row numbers too.
      const end = Math.min(chunk.rows, start + Math.floor((this.capacity - state.pendingRows) / per))
      const kept = this.prepare(state, chunk, start, end, skip) - state.pendingRows
      if (this.unboundedCe && kept > 0) this.checkCeSum(state, chunk, start, end, kept)
      state.pendingRows += kept
      state.rows += per === 1 ? kept : kept / per
      if (state.pendingRows + per > this.capacity) this.flush(state)
      start = end
    }
  }

  /**
   * Widens the state's score range (multi-class: and row-sum range) by the chunk's rows, for
   * probabilityEvidence. A loop of its own, so the hot loops stay as they are: inline, two compares per
   * logit cost 12 % of a multi-class run (a separate full scan ~10 % of the binary kernel's time). It stops
   * at the first score or row sum outside [0, 1], and from then on no chunk is scanned: genuine logits cost
   * next to nothing, probabilities read as logits one pass (and they stop the run).
   */
  private scanScoreRange(state: LossBreakdownState, chunk: PredictionChunk): void {
    const low = -this.config.probTolerance
    const high = 1 + this.config.probTolerance
    const sumLow = 1 - this.config.rowSumTolerance
    const sumHigh = 1 + this.config.rowSumTolerance
    let lo = state.scoreMin
    let hi = state.scoreMax
    let sumLo = state.rowSumMin
    let sumHi = state.rowSumMax
    // Out of range already (the initial ±Infinity are in range: nothing seen yet).
    if (!(lo >= low && hi <= high && sumLo >= sumLow && sumHi <= sumHigh)) return
    const {scores, width} = chunk
    // Multi-label rows hold K scores then K targets.
    const K = this.multilabel ? width / 2 : width
    const rowSums = this.mode === Mode.MulticlassLogits
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
    state.scoreMin = lo
    state.scoreMax = hi
    state.rowSumMin = sumLo
    state.rowSumMax = sumHi
  }

  /** update() for binary logits: rows go straight into the open block's sums, a block per `capacity` rows. */
  private updateBinaryLogits(
    kernel: BinaryLogitsKernel,
    state: LossBreakdownState,
    chunk: PredictionChunk,
    skip: SkipLog | undefined,
  ): void {
    const {labels, scores} = chunk
    const threshold = this.config.easyThreshold
    let ceTotal = this.binaryCeTotal(state)
    for (let start = 0; start < chunk.rows;) {
      const end = Math.min(chunk.rows, start + Math.min(KERNEL_CALL_ROWS, this.capacity - state.pendingRows))
      const stop = kernel(labels, scores, start, end, threshold, state.pendingSums)
      state.pendingRows += stop - start
      state.rows += stop - start
      // Checked per call of ≤ 1024 rows, while the chunk is here to name the row that overflowed the sum.
      const after = this.binaryCeTotal(state)
      if (after - after !== 0) throw binaryOverflow(chunk, start, stop, ceTotal)
      ceTotal = after
      if (state.pendingRows === this.capacity) this.flush(state)
      if (stop < end) {
        this.reject(nonFinite(chunk, stop, 0, scores[stop]), skip)
        start = stop + 1
      } else {
        start = end
      }
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
    mergeSums(into.focalSum, into.focalComp, from.focalSum, from.focalComp)
    mergeSums(into.targetCeSum, into.targetCeComp, from.targetCeSum, from.targetCeComp)
    mergeSums(into.targetFocalSum, into.targetFocalComp, from.targetFocalSum, from.targetFocalComp)
    mergeSums(into.polySum, into.polyComp, from.polySum, from.polyComp)
    mergeSums(into.offTargetSum, into.offTargetComp, from.offTargetSum, from.offTargetComp)
    mergeSums(into.positiveTermSum, into.positiveTermComp, from.positiveTermSum, from.positiveTermComp)
    mergeSums(into.negativeTermSum, into.negativeTermComp, from.negativeTermSum, from.negativeTermComp)
    into.rows += from.rows
    into.backgroundRows += from.backgroundRows
    into.clampedValues += from.clampedValues
    into.rowSumMaxDeviation = Math.max(into.rowSumMaxDeviation, from.rowSumMaxDeviation)
    into.rowSumRenormalized += from.rowSumRenormalized
    into.scoreMin = Math.min(into.scoreMin, from.scoreMin)
    into.scoreMax = Math.max(into.scoreMax, from.scoreMax)
    into.rowSumMin = Math.min(into.rowSumMin, from.rowSumMin)
    into.rowSumMax = Math.max(into.rowSumMax, from.rowSumMax)
  }

  /**
   * Moves the sums out: returns them as a state of their own, without the working buffers (cheap to keep
   * or to post to another thread, and a valid `merge` source), and leaves `state` at init()'s zeros.
   */
  takePartial(state: LossBreakdownState): LossBreakdownState {
    this.flush(state)
    const none = new Float64Array(0)
    const partial = {
      ...state,
      pendingCe: none,
      pendingQ: none,
      pendingTargetCe: none,
      pendingBucket: new Int32Array(0),
      pendingSums: none,
      pendingOffTarget: none,
      pendingP: none,
      pendingOneMinusP: none,
      pendingPositiveLoss: none,
      pendingNegativeLoss: none,
    }
    Object.assign(state, this.zeroSums())
    return partial
  }

  /**
   * Σ CE of a state's folded blocks, summed plainly: finite for every state update() left behind, but
   * states merged may overflow together (evaluate-parallel.ts checks before merging).
   */
  ceTotal(state: LossBreakdownState): number {
    let total = 0
    for (let b = 0; b < state.ceSum.length; b++) total += state.ceSum[b]
    return total
  }

  /** Sums the pending rows; after it, the state's sums cover every row seen. Call before reading them. */
  finish(state: LossBreakdownState): LossBreakdownState {
    this.flush(state)
    return state
  }

  /** Prepares rows [start, end) of the chunk into the state's pending block. Returns the new pending count. */
  private prepare(
    state: LossBreakdownState,
    chunk: PredictionChunk,
    start: number,
    end: number,
    skip: SkipLog | undefined,
  ): number {
    switch (this.mode) {
      case Mode.MulticlassLogits:
        return this.prepareMulticlassLogits(state, chunk, start, end, skip)
      case Mode.Multilabel:
        return this.prepareMultilabel(state, chunk, start, end, skip)
      default:
        return this.prepareProbabilities(state, chunk, start, end, skip)
    }
  }

  /** Sums the pending block per bucket and folds the block sums into the compensated state. */
  private flush(state: LossBreakdownState): void {
    const n = state.pendingRows
    if (n === 0) return
    const {pendingCe, pendingQ, pendingBucket, pendingTargetCe} = state
    const {blockCount, blockCe, blockFocal, buckets, kernel} = this
    if (this.binaryKernel) {
      // The block was summed as it was read: take its sums (γ = 0's are Σ w, as the row kernel copies them).
      const sums = state.pendingSums
      const {gammas} = this.config
      const at = this.binaryLayout
      for (let b = 0; b < buckets; b++) {
        blockCount[b] = sums[at.count(b)]
        blockCe[b] = sums[at.ce(b)]
        for (let g = 0; g < gammas.length; g++) {
          blockFocal[g * buckets + b] = sums[gammas[g] === 0 ? at.ce(b) : at.focal(g, b)]
          if (this.poly) this.blockPoly[g * buckets + b] = sums[gammas[g] === 0 ? at.q(b) : at.poly(g, b)]
        }
      }
      sums.fill(0)
    } else {
      blockCount.fill(0)
      blockCe.fill(0)
      blockFocal.fill(0)
      kernel(pendingQ, pendingCe, pendingBucket, n, blockCount, blockCe, blockFocal, buckets)
    }
    for (let b = 0; b < buckets; b++) {
      state.count[b] += blockCount[b]
      addCompensated(state.ceSum, state.ceComp, b, blockCe[b])
    }
    for (let i = 0; i < blockFocal.length; i++) addCompensated(state.focalSum, state.focalComp, i, blockFocal[i])
    if (this.multilabel) {
      // The same kernel over y·CE gives Σ y·CE and Σ y·(1 − p_t)^γ·CE.
      const {blockTargetCe, blockTargetFocal} = this
      blockTargetCe.fill(0)
      blockTargetFocal.fill(0)
      kernel(pendingQ, pendingTargetCe, pendingBucket, n, this.blockRecount, blockTargetCe, blockTargetFocal, buckets)
      for (let b = 0; b < buckets; b++) addCompensated(state.targetCeSum, state.targetCeComp, b, blockTargetCe[b])
      for (let i = 0; i < blockTargetFocal.length; i++) {
        addCompensated(state.targetFocalSum, state.targetFocalComp, i, blockTargetFocal[i])
      }
    }
    if (this.poly) {
      // And over (1 − p_t) itself: Σ (1 − p_t)^γ · (1 − p_t) = Σ (1 − p_t)^(γ+1), Poly-1's extra term (binary
      // logits summed it as they were read).
      const {blockPoly, blockPolyBase} = this
      if (!this.binaryKernel) {
        blockPolyBase.fill(0)
        blockPoly.fill(0)
        kernel(pendingQ, pendingQ, pendingBucket, n, this.blockRecount, blockPolyBase, blockPoly, buckets)
      }
      for (let i = 0; i < blockPoly.length; i++) addCompensated(state.polySum, state.polyComp, i, blockPoly[i])
    }
    if (this.softTerms) {
      // kornia's terms: the kernel over q = 1 − p with w = y·(−log p), and over q = p with w = (1 − y)·(−log(1 − p)).
      const {blockPositiveTerm, blockNegativeTerm, blockTermBase, blockRecount} = this
      blockPositiveTerm.fill(0)
      blockTermBase.fill(0)
      kernel(
        state.pendingOneMinusP,
        state.pendingPositiveLoss,
        pendingBucket,
        n,
        blockRecount,
        blockTermBase,
        blockPositiveTerm,
        buckets,
      )
      blockNegativeTerm.fill(0)
      blockTermBase.fill(0)
      kernel(
        state.pendingP,
        state.pendingNegativeLoss,
        pendingBucket,
        n,
        blockRecount,
        blockTermBase,
        blockNegativeTerm,
        buckets,
      )
      for (let i = 0; i < blockPositiveTerm.length; i++) {
        addCompensated(state.positiveTermSum, state.positiveTermComp, i, blockPositiveTerm[i])
        addCompensated(state.negativeTermSum, state.negativeTermComp, i, blockNegativeTerm[i])
      }
    }
    if (this.offTarget) {
      const open = state.pendingOffTarget
      for (let i = 0; i < open.length; i++) addCompensated(state.offTargetSum, state.offTargetComp, i, open[i])
      open.fill(0)
    }
    state.pendingRows = 0
    state.pendingCeSum = 0
  }

  /** Σ CE of the folded blocks and the open one, summed plainly (binary logits: 8 adds). */
  private binaryCeTotal(state: LossBreakdownState): number {
    const sums = state.pendingSums
    const at = this.binaryLayout
    let total = 0
    for (let b = 0; b < this.buckets; b++) total += state.ceSum[b] + sums[at.ce(b)]
    return total
  }

  /**
   * Prepared logits: adds the CE of the `kept` elements just prepared from rows [start, end) of the chunk
   * (pending from state.pendingRows on) to the open block's total, and stops on the row that takes the CE
   * sum past the largest double. Per prepare call: one add per element and one per bucket, next to the
   * exp and log each element costs. Finite sums of finite CE can only overflow in such a sum, so the rows
   * of this chunk are the ones to blame, and the chunk is still here to locate them.
   */
  private checkCeSum(state: LossBreakdownState, chunk: PredictionChunk, start: number, end: number, kept: number) {
    const ce = state.pendingCe
    const from = state.pendingRows
    let added = 0
    for (let k = from; k < from + kept; k++) added += ce[k]
    let before = state.pendingCeSum
    for (let b = 0; b < this.buckets; b++) before += state.ceSum[b]
    state.pendingCeSum += added
    const total = before + added
    if (total - total === 0) return
    // Rare: the element at which the running total stops being finite (or, if rounding in another order
    // kept it finite, the largest CE), and the chunk row it came from.
    let culprit = from
    let running = before
    for (let k = from; k < from + kept; k++) {
      running += ce[k]
      if (running - running !== 0) {
        culprit = k
        break
      }
      if (ce[k] > ce[culprit]) culprit = k
    }
    const {row, element} = this.rowOfPending(chunk, start, end, culprit - from)
    throw this.mode === Mode.Multilabel
      ? sumOverflow(chunk, row, element, `a logit of ${chunk.scores[row * chunk.width + element]}`)
      : sumOverflow(chunk, row, undefined, `a row whose CE is ${ce[culprit]}`)
  }

  /**
   * The row of the chunk (and the element within it) that the `index`-th element prepared from rows
   * [start, end) came from: rows the prepare loop rejected (skipped) gave none.
   */
  private rowOfPending(
    chunk: PredictionChunk,
    start: number,
    end: number,
    index: number,
  ): {row: number; element: number} {
    const {scores, width} = chunk
    const per = this.perRow
    const K = this.mode === Mode.Multilabel ? width / 2 : width
    let seen = 0
    rows: for (let i = start; i < end; i++) {
      for (let j = 0; j < K; j++) {
        const x = scores[i * width + j]
        if (x - x !== 0) continue rows
        if (this.mode === Mode.Multilabel) {
          const y = scores[i * width + K + j]
          if (!(y >= 0 && y <= 1)) continue rows
        }
      }
      if (index < seen + per) return {row: i, element: index - seen}
      seen += per
    }
    return {row: end - 1, element: 0}
  }

  /**
   * A row that cannot be used: stop with its location, or with --on-invalid skip log it and leave it
   * out (the prepare loops then do not advance their output index).
   */
  private reject(error: InputError, skip: SkipLog | undefined): void {
    if (!skip || !error.reason) throw error
    skip.add(error.reason, error.message)
  }

  /**
   * K logits, relative to the target's own logit x_y: with S = Σ_{j≠y} e^(x_j − x_y) (the other classes'
   * mass over the target's), CE = −log p_t = log1p(S) and 1 − p_t = S / (1 + S). One pass over the row,
   * with no maximum to find first (that pass was a third of the row's time), and log1p keeps CE's relative
   * precision for well-classified rows (log of the row total minus x_y − max lost it to cancellation).
   * A row with a non-finite logit, or one more than ~709 above x_y (its e^(x_j − x_y) overflows), goes
   * to multiclassRowByMax.
   */
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
    const offTarget = this.offTarget
    let k = state.pendingRows
    for (let i = start; i < end; i++) {
      const base = i * width
      const label = labels[i]
      const own = scores[base + label]
      let others = 0
      // Finite only if every logit is (or it overflowed: multiclassRowByMax then checks them one by one).
      let sum = own
      for (let j = 0; j < label; j++) {
        const x = scores[base + j]
        others += tableExp(x - own)
        sum += x
      }
      for (let j = label + 1; j < width; j++) {
        const x = scores[base + j]
        others += tableExp(x - own)
        sum += x
      }
      if (sum - sum !== 0 || others === Infinity) {
        k = this.multiclassRowByMax(state, chunk, i, k, skip)
        continue
      }
      const pt = 1 / (1 + others)
      rowCe[k] = others <= 1 ? tableLog1pUnit(others) : tableLogAtLeastOne(1 + others)
      rowQ[k] = others * pt
      rowBucket[k] = 2 * label + (pt > threshold ? 0 : 1)
      // log p_j = (x_j − x_y) − CE
      if (offTarget) this.addOffTargetLogits(state.pendingOffTarget, scores, base, width, label, own, rowCe[k])
      k++
    }
    return k
  }

  /**
   * One row of K logits the one-pass form cannot take: rejects a non-finite logit; else log-softmax with
   * the row maximum subtracted, which cannot overflow. Returns the new pending count.
   */
  private multiclassRowByMax(
    state: LossBreakdownState,
    chunk: PredictionChunk,
    i: number,
    k: number,
    skip: SkipLog | undefined,
  ): number {
    const {labels, scores, width} = chunk
    const base = i * width
    const label = labels[i]
    let max = -Infinity
    for (let j = 0; j < width; j++) {
      const x = scores[base + j]
      if (x - x !== 0) {
        this.reject(nonFinite(chunk, i, j, x), skip)
        return k
      }
      if (x > max) max = x
    }
    // The other classes' mass, in class order, without a test per class.
    let others = 0
    for (let j = 0; j < label; j++) others += tableExp(scores[base + j] - max)
    for (let j = label + 1; j < width; j++) others += tableExp(scores[base + j] - max)
    const own = tableExp(scores[base + label] - max)
    const total = own + others
    const logTotal = tableLogAtLeastOne(total)
    state.pendingCe[k] = logTotal - (scores[base + label] - max)
    state.pendingQ[k] = others / total
    state.pendingBucket[k] = 2 * label + (own / total > this.config.easyThreshold ? 0 : 1)
    // log p_j = (x_j − max) − log Σ e^(x − max)
    if (this.offTarget) this.addOffTargetLogits(state.pendingOffTarget, scores, base, width, label, max, logTotal)
    return k + 1
  }

  /**
   * kornia multi-class: adds (1 − p_j)^γ · (−log p_j) of every class j but the label into the open block's
   * off-target sums (at g · K + j), with log p_j = (x_j − shift) − logNorm. These terms carry kornia's one-hot
   * weight eps = 1e-6, so 1 − p_j by plain subtraction is ample (it loses digits only where p_j ≈ 1, and there
   * the term is ≈ 0).
   */
  private addOffTargetLogits(
    sums: Float64Array,
    scores: Float64Array | Float32Array,
    base: number,
    width: number,
    label: number,
    shift: number,
    logNorm: number,
  ): void {
    for (let j = 0; j < width; j++) {
      if (j === label) continue
      // ≤ 0 as torch's log_softmax is: a class that dominates the row can round to a hair above 0 here, and
      // 1 − p_j below 0 would make a fractional power NaN.
      const logP = Math.min(scores[base + j] - shift - logNorm, 0)
      this.addOffTargetTerm(sums, j, width, Math.max(1 - tableExp(logP), 0), -logP)
    }
  }

  /**
   * kornia multi-class on probabilities (kornia's value on the logits log p): the off-target terms of a row whose
   * values were checked, rescaled by `scale` and clamped to [eps, 1 − eps] as the target's probability is.
   */
  private addOffTargetProbabilities(
    sums: Float64Array,
    scores: Float64Array | Float32Array,
    base: number,
    width: number,
    label: number,
    scale: number,
  ): void {
    const {eps} = this.config
    for (let j = 0; j < width; j++) {
      if (j === label) continue
      const p = Math.min(Math.max(scores[base + j] * scale, eps), 1 - eps)
      this.addOffTargetTerm(sums, j, width, 1 - p, -Math.log(p))
    }
  }

  /** Adds q^γ · loss for every γ at g · K + j. */
  private addOffTargetTerm(sums: Float64Array, j: number, K: number, q: number, loss: number): void {
    const {gammas} = this.config
    const kinds = this.powerKinds
    for (let g = 0; g < gammas.length; g++) sums[g * K + j] += powerOf(q, gammas[g], kinds[g]) * loss
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
    const offTarget = this.offTarget
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
      if (offTarget) this.addOffTargetProbabilities(state.pendingOffTarget, scores, base, width, label, scale)
      k++
    }
    return k
  }

  /**
   * Multi-label elements, one sigmoid each, target y in [0, 1] (soft targets as ultralytics / torchvision):
   *   BCE = y · softplus(−x) + (1 − y) · softplus(x),  p_t = y·p + (1 − y)(1 − p),  1 − p_t = y(1 − p) + (1 − y)p.
   * For y = 1 or 0 these are the binary path's exact doubles (a column is then a binary task).
   * Wide: row i holds K scores then K targets. Long: one element per row, class in labels[i], score, target.
   */
  private prepareMultilabel(
    state: LossBreakdownState,
    chunk: PredictionChunk,
    start: number,
    end: number,
    skip: SkipLog | undefined,
  ): number {
    const {labels, scores, width} = chunk
    const {pendingCe: rowCe, pendingQ: rowQ, pendingBucket: rowBucket, pendingTargetCe: rowTargetCe} = state
    const {easyThreshold, eps, probTolerance} = this.config
    const logits = this.config.scores === 'logits'
    const softTerms = this.softTerms
    // The layout, not the row width: a wide row of one column (--soft-labels) is one element per row too.
    const long = this.config.elementLayout === 'long'
    const K = long ? 1 : this.config.numClasses
    const hiClamp = 1 - eps
    let k = state.pendingRows
    rows: for (let i = start; i < end; i++) {
      const base = i * width
      // Check the whole row first: a bad value leaves the row out whole.
      for (let j = 0; j < K; j++) {
        const x = scores[base + j]
        if (x - x !== 0) {
          this.reject(nonFinite(chunk, i, j, x), skip)
          continue rows
        }
        if (!logits && !(x >= -probTolerance && x <= 1 + probTolerance)) {
          this.reject(badProbability(chunk, i, j, x, probTolerance), skip)
          continue rows
        }
        const y = scores[base + K + j]
        if (!(y >= 0 && y <= 1)) {
          this.reject(badTarget(chunk, i, K + j, y), skip)
          continue rows
        }
      }
      let positives = 0
      for (let j = 0; j < K; j++) {
        const x = scores[base + j]
        const y = scores[base + K + j]
        let p: number // σ(x)
        let p1: number // 1 − σ(x), without cancellation
        let lossPos: number // −log p
        let lossNeg: number // −log (1 − p)
        if (logits) {
          const e = tableExp(-Math.abs(x))
          const r = 1 / (1 + e)
          const sp = tableLog1pUnit(e)
          if (x >= 0) {
            p = r
            p1 = e * r
            lossPos = sp
            lossNeg = sp + x
          } else {
            p = e * r
            p1 = r
            lossPos = sp - x
            lossNeg = sp
          }
        } else {
          p = x
          if (p < eps) {
            p = eps
            state.clampedValues++
          } else if (p > hiClamp) {
            p = hiClamp
            state.clampedValues++
          }
          p1 = 1 - p
          lossPos = -Math.log(p)
          lossNeg = -Math.log(p1)
        }
        let ce: number
        let q: number
        let pt: number
        if (y === 1) {
          ce = lossPos
          q = p1
          pt = p
        } else if (y === 0) {
          ce = lossNeg
          q = p
          pt = p1
        } else {
          ce = y * lossPos + (1 - y) * lossNeg
          q = y * p1 + (1 - y) * p
          pt = y * p + (1 - y) * p1
        }
        const positive = y > 0
        if (positive) positives++
        rowCe[k] = ce
        rowQ[k] = q
        rowTargetCe[k] = y * ce
        if (softTerms) {
          state.pendingP[k] = p
          state.pendingOneMinusP[k] = p1
          state.pendingPositiveLoss[k] = y * lossPos
          state.pendingNegativeLoss[k] = (1 - y) * lossNeg
        }
        rowBucket[k] = 4 * (long ? labels[i] : j) + (positive ? 0 : 2) + (pt > easyThreshold ? 0 : 1)
        k++
      }
      if (positives === 0 && !long) state.backgroundRows++
    }
    return k
  }
}

function mergeSums(sum: Float64Array, comp: Float64Array, fromSum: Float64Array, fromComp: Float64Array): void {
  for (let i = 0; i < sum.length; i++) {
    addCompensated(sum, comp, i, fromSum[i])
    comp[i] += fromComp[i]
  }
}

/**
 * Scores read as logits need at least this many rows before their range says "probabilities". A hand-made
 * example or a tiny test file may hold genuine logits that all lie in [0, 1]; a model's logits of ten rows
 * or more practically never do (every row would predict p between 0.5 and 0.73), and multi-class rows
 * that also each sum to 1 within 1e-3 are a coincidence row after row.
 */
export const MIN_ROWS_FOR_SCORE_KIND_CHECK = 10

/**
 * Why scores read as logits look like probabilities, or null: over at least MIN_ROWS_FOR_SCORE_KIND_CHECK
 * rows, every score lies in [0, 1] (within probTolerance) and, multi-class, every row sums to 1 within
 * rowSumTolerance. Read as logits, probabilities give a wrong number with no error (CIFAR-10's softmax
 * outputs: a CE mean of 1.54 instead of 0.249). Decided once, from the ranges the pass kept.
 *
 * Example: 10 binary rows of scores 0.02 … 0.97 read as logits → "every score of the 10 rows is in [0, 1]".
 */
export function probabilityEvidence(state: LossBreakdownState, config: EvaluationConfig): string | null {
  if (config.scores !== 'logits' || state.rows < MIN_ROWS_FOR_SCORE_KIND_CHECK) return null
  const tolerance = config.probTolerance
  if (!(state.scoreMin >= -tolerance && state.scoreMax <= 1 + tolerance)) return null
  const inUnit = `every score of the ${state.rows} rows is in [0, 1]`
  if (config.task !== 'multiclass') return inUnit
  const t = config.rowSumTolerance
  return state.rowSumMin >= 1 - t && state.rowSumMax <= 1 + t ? `${inUnit} and every row sums to 1 ± ${t}` : null
}

/** The row (and score column) whose CE takes the CE sum past the largest double. */
function sumOverflow(chunk: PredictionChunk, row: number, score: number | undefined, what: string): InputError {
  // A multi-class row's CE comes from all its columns: name the row alone (Arrow readers always add one).
  const {column, ...where} = chunk.locate(row, score)
  return new InputError(
    `expected logits whose CE keeps the sum finite, got ${what}, which takes the CE sum past the largest double (1.8e308)`,
    score === undefined ? where : {...where, column},
  )
}

/**
 * Binary logits: the row of [start, stop) whose CE, added to `before` (the CE sum before them), makes the
 * sum non-finite, recomputed row by row (or, if rounding in another order kept it finite, the largest CE).
 */
function binaryOverflow(chunk: PredictionChunk, start: number, stop: number, before: number): InputError {
  const {labels, scores} = chunk
  let culprit = start
  let largest = -Infinity
  let running = before
  for (let i = start; i < stop; i++) {
    const m = labels[i] === 1 ? scores[i] : -scores[i]
    const ce = Math.max(-m, 0) + Math.log1p(Math.exp(-Math.abs(m)))
    running += ce
    if (running - running !== 0) {
      culprit = i
      break
    }
    if (ce > largest) {
      largest = ce
      culprit = i
    }
  }
  return sumOverflow(chunk, culprit, 0, `a logit of ${scores[culprit]}`)
}

function badTarget(chunk: PredictionChunk, row: number, score: number, value: number): InputError {
  return new InputError(
    `expected a target in [0, 1], got ${String(value)}`,
    chunk.locate(row, score),
    value - value !== 0 ? 'non-finite' : 'target',
  )
}

function nonFinite(chunk: PredictionChunk, row: number, score: number, value: number): InputError {
  return new InputError(`expected a finite number, got ${String(value)}`, chunk.locate(row, score), 'non-finite')
}

function badRowSum(chunk: PredictionChunk, row: number, sum: number, tolerance: number): InputError {
  const {column: _column, ...where} = chunk.locate(row)
  return new InputError(
    `expected class probabilities that sum to 1 (± ${tolerance}), got ${sum} ${rowSumHint()}`,
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
