/**
 * The loss breakdown: sums of CE and of (1 − p_t)^γ · CE per bucket, where a bucket is one (class,
 * easy|hard) pair, bucket = 2 · class + (easy ? 0 : 1). Every figure of the report's totals, per-class
 * shares, easy/hard split and γ sweep is a sum over buckets, so one add per γ and element feeds all of them.
 * α is a constant per bucket (it depends only on the label), so it is applied in `evaluate`, not per row.
 *
 * Multi-label (one sigmoid per element): a bucket is (class column, positive|negative target, easy|hard):
 * bucket = 4 · class + (target > 0 ? 0 : 2) + (easy ? 0 : 1). With soft targets α_t = y·α + (1 − y)(1 − α)
 * varies inside a bucket, but linearly in y, so Σ α_t·w = (1 − α)·Σ w + (2α − 1)·Σ y·w: the state also keeps
 * the target-weighted sums Σ y·CE and Σ y·(1 − p_t)^γ·CE, and α (scalar, per class, or class-balanced from the
 * final counts) is still applied after one pass.
 *
 * Elements are summed plainly a block (FOLD_ROWS elements, cut at absolute row numbers) at a time and each
 * block's sums folded into Neumaier-compensated sums: the same doubles for any chunking, and ~1e-15
 * relative for 10 M-term sums. Binary logits are summed as they are read (updateFused: the row maths and
 * the sums in one generated loop, binary-logits-kernel.ts), which gives the same doubles as preparing them.
 *
 * One file of ~560 lines: the blocks, their folding and the fused path all write the same per-bucket sums,
 * and their order of additions must stay the same across them (the figures are equal to the last digit).
 */
import type {PredictionChunk} from '../chunk.js'
import {type ClassWeights, resolveClassWeights} from '../class-weights.js'
import type {EvaluationConfig} from '../config.js'
import type {InputError} from '../errors.js'
import {binaryKernelLayout, type BinaryLogitsKernel, compileBinaryLogitsKernel} from '../losses/binary-logits-kernel.js'
import {
  compileFocalRowKernel,
  compileSquareKernel,
  type FocalRowKernel,
  type SquareKernel,
} from '../losses/focal-row-kernel.js'
import {addCompensated} from '../losses/numerics.js'
import type {LossHistograms} from '../sketch/loss-histogram.js'
import {FOLD_ROWS, type PreparedRows} from '../rows/prepared-rows.js'
import {nonFinite, sumOverflow} from '../rows/row-errors.js'
import {
  COMPENSATED,
  type CompensatedSums,
  compensatedSums,
  compensatedValue,
  type MergeRule,
  SUM,
} from '../state/merge-rules.js'
import type {Evaluator} from './evaluator.js'

/** The breakdown's partial state: sums only. Arrays of γ × buckets are laid out at g · buckets + bucket. */
export interface BreakdownSums {
  /** Elements per bucket. */
  count: Float64Array
  /** Σ CE per bucket. */
  ce: CompensatedSums
  /** Σ (1 − p_t)^γ · CE. */
  focal: CompensatedSums
  /** Multi-label only (else empty): Σ y·CE per bucket and Σ y·(1 − p_t)^γ·CE. */
  targetCe: CompensatedSums
  targetFocal: CompensatedSums
  /** Poly-1 only (else empty): Σ (1 − p_t)^(γ+1). */
  poly: CompensatedSums
  /**
   * With the loss concentration on a binary or multi-class input (keepsSquares; else empty), for its
   * effective number of samples: Σ f² with f = (1 − p_t)^γ · CE, and for Poly-1 Σ f·h and Σ h² with
   * h = (1 − p_t)^(γ+1), at g · buckets + bucket, every γ (γ = 0 included).
   */
  squares: CompensatedSums
  cross: CompensatedSums
  hsq: CompensatedSums
}

/** Whether a run keeps the squares (see BreakdownSums.squares); multi-label and varifocal are the concentration evaluator's. */
export function keepsSquares(config: EvaluationConfig): boolean {
  return config.concentration === true && config.task !== 'multilabel' && (config.loss ?? 'focal') !== 'varifocal'
}

export const BREAKDOWN_RULES: Record<keyof BreakdownSums, MergeRule> = {
  count: SUM,
  ce: COMPENSATED,
  focal: COMPENSATED,
  targetCe: COMPENSATED,
  targetFocal: COMPENSATED,
  poly: COMPENSATED,
  squares: COMPENSATED,
  cross: COMPENSATED,
  hsq: COMPENSATED,
}

/**
 * Rows per call of the binary-logits kernel. V8 puts its optimised code to use at the next call (stack
 * replacement inside a running call came late): with calls of 8192 rows a thread ran the first ~57 000 rows
 * in the interpreter at ~300 ns a row, with calls of 1024 the first ~21 000 (27 ms → 17 ms for 196 608
 * rows). A call costs a few tens of ns, nothing next to 1024 rows.
 */
export const KERNEL_CALL_ROWS = 1024

/** Buckets per class: 2 (easy|hard), or 4 for multi-label (positive|negative × easy|hard). */
export function bucketsPerClass(config: EvaluationConfig): number {
  return config.task === 'multilabel' ? 4 : 2
}

/** What the sums mean, bucket by bucket, with α applied: what the report's sections are built from. */
export interface BreakdownFigures {
  buckets: number
  bucketsPerClass: number
  /** Elements per bucket. */
  count: number[]
  /** Σ CE per bucket (no α: CE is reported as it is). */
  ce: number[]
  /** The reported loss (focal, poly1, varifocal, ce) per γ index and bucket, with α applied. */
  loss: number[][]
  /** Elements per class; positive elements per class (multi-label; else null). */
  classCounts: number[]
  positiveCounts: number[] | null
  /** α as applied (class-balanced weights are computed from the counts above). */
  weights: ClassWeights
  classOf(bucket: number): number
  /** The element's target is positive: binary label 1, multi-label target > 0; multi-class: always. */
  isPositive(bucket: number): boolean
  isEasy(bucket: number): boolean
}

export class LossBreakdownEvaluator implements Evaluator<BreakdownSums, BreakdownFigures> {
  readonly rules = BREAKDOWN_RULES
  private readonly config: EvaluationConfig
  private readonly buckets: number
  private readonly multilabel: boolean
  private readonly poly: boolean
  private readonly kernel: FocalRowKernel
  /** Binary logits: the fused kernel, and where its block sums sit. */
  private readonly binaryKernel: BinaryLogitsKernel | undefined
  private readonly binaryLayout: ReturnType<typeof binaryKernelLayout>
  /**
   * Prepared logits (multi-class, multi-label): a row's CE grows with its logits without bound, so the CE
   * sum can overflow and is checked as rows are prepared. Probabilities are clamped to [eps, 1 − eps], so
   * their CE is at most −log eps ≤ 53 · ln 2 ≈ 36.7 (parseEps) and no count of rows overflows the sum.
   */
  private readonly unboundedCe: boolean
  /** Keep the squares (keepsSquares); the prepared path sums them with this kernel. */
  private readonly squares: boolean
  private readonly squareKernel: SquareKernel
  private readonly blockSquares: Float64Array
  private readonly blockCross: Float64Array
  private readonly blockHsq: Float64Array
  private sums: BreakdownSums
  // Per-block plain sums, reused (no allocation per block).
  private readonly blockCount: Float64Array
  private readonly blockCe: Float64Array
  private readonly blockFocal: Float64Array
  private readonly blockTargetCe: Float64Array
  private readonly blockTargetFocal: Float64Array
  private readonly blockPoly: Float64Array
  /** Poly-1's Σ (1 − p_t) per bucket, which the report does not need (the kernel writes it somewhere). */
  private readonly blockPolyBase: Float64Array
  /** Where the second and third kernel calls of a block count its rows again (blockCount has them). */
  private readonly blockRecount: Float64Array
  /** Σ CE of the open block's elements, plainly, to check that the CE sum stays finite. */
  private blockCeTotal = 0
  /** Fused binary logits: the open block's sums (binaryLayout), and its rows. */
  private readonly fusedSums: Float64Array
  private fusedRows = 0
  /**
   * Σ CE of what was read before this evaluator's rows (earlier files of the dataset): the overflow check is
   * of the dataset's sum, so the row that takes it past the largest double is named, whichever file it is in.
   */
  private readonly ceBefore: number

  /** Binary logits: the kernel writes only rows above a threshold (updateFused's `above`), packed. */
  private readonly emitsAbove: boolean
  /** Binary logits: the per-class CE histograms the fused kernel also counts into (the concentration's). */
  private readonly countsCe: LossHistograms | undefined
  /** Binary logits: the metrics' block sums the fused kernel also adds to, folded with the block. */
  private readonly metricsSums: {sums: Float64Array; fold: () => void} | undefined

  /**
   * `ceBefore`: see the field. `emitRows`: binary logits, summed as read, also written row by row to the
   * prepared rows for the evaluators that need each row (updateFused's `rows`). `ceHistograms`: binary
   * logits, each row's CE also counted in these histograms, by label.
   */
  constructor(
    config: EvaluationConfig,
    ceBefore = 0,
    emitRows = false,
    ceHistograms?: LossHistograms,
    emitConf = false,
    metricsSums?: {sums: Float64Array; fold: () => void},
    emitAbove = false,
  ) {
    this.config = config
    this.ceBefore = ceBefore
    this.multilabel = config.task === 'multilabel'
    this.poly = config.loss === 'poly1'
    this.buckets = bucketsPerClass(config) * config.numClasses
    this.kernel = compileFocalRowKernel(config.gammas)
    const binaryLogits = config.task === 'binary' && config.scores === 'logits'
    this.squares = keepsSquares(config)
    this.binaryKernel = binaryLogits
      ? compileBinaryLogitsKernel(
          config.gammas,
          this.poly,
          emitRows,
          this.squares,
          ceHistograms?.bits,
          emitConf,
          metricsSums !== undefined,
          emitRows && emitAbove,
        )
      : undefined
    this.emitsAbove = binaryLogits && emitRows && emitAbove
    this.countsCe = binaryLogits ? ceHistograms : undefined
    this.metricsSums = binaryLogits ? metricsSums : undefined
    this.binaryLayout = binaryKernelLayout(config.gammas, this.poly, this.squares)
    this.squareKernel = compileSquareKernel(config.gammas, this.poly)
    this.fusedSums = new Float64Array(binaryLogits ? this.binaryLayout.length : 0)
    this.unboundedCe = config.scores === 'logits' && !binaryLogits
    const B = this.buckets
    const G = config.gammas.length
    this.blockCount = new Float64Array(B)
    this.blockCe = new Float64Array(B)
    this.blockFocal = new Float64Array(B * G)
    this.blockTargetCe = new Float64Array(this.multilabel ? B : 0)
    this.blockTargetFocal = new Float64Array(this.multilabel ? B * G : 0)
    this.blockPoly = new Float64Array(this.poly ? B * G : 0)
    this.blockPolyBase = new Float64Array(this.poly ? B : 0)
    this.blockRecount = new Float64Array(B)
    this.blockSquares = new Float64Array(this.squares ? B * G : 0)
    this.blockCross = new Float64Array(this.squares && this.poly ? B * G : 0)
    this.blockHsq = new Float64Array(this.squares && this.poly ? B * G : 0)
    this.sums = this.empty()
  }

  empty(): BreakdownSums {
    const B = this.buckets
    const n = B * this.config.gammas.length
    return {
      count: new Float64Array(B),
      ce: compensatedSums(B),
      focal: compensatedSums(n),
      targetCe: compensatedSums(this.multilabel ? B : 0),
      targetFocal: compensatedSums(this.multilabel ? n : 0),
      poly: compensatedSums(this.poly ? n : 0),
      squares: compensatedSums(this.squares ? n : 0),
      cross: compensatedSums(this.squares && this.poly ? n : 0),
      hsq: compensatedSums(this.squares && this.poly ? n : 0),
    }
  }

  /** Binary logits summed as read, with no prepared elements (see the module comment). */
  get fuses(): boolean {
    return this.binaryKernel !== undefined
  }

  /** Prepared elements: the sums wait for the block's end; the CE sum is checked while the chunk is here. */
  update(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void {
    if (this.unboundedCe && to > from) this.checkCeSum(rows, from, to, chunk)
  }

  /**
   * Binary logits: rows go straight into the open block's sums, a block per FOLD_ROWS rows. A non-finite
   * logit is handed to `reject` (which throws, or logs it and the row is left out). Returns the rows used.
   * With `rows` (a kernel compiled to emit), each row used is also written to the prepared rows, in step
   * with the sums' blocks (`rows.count` equals the open block's rows), and `onRows(from, to)` is told after
   * each kernel call; the caller ends the block when it is full.
   */
  updateFused(
    chunk: PredictionChunk,
    reject: (error: InputError) => void,
    rows?: PreparedRows,
    onRows?: (from: number, to: number) => void,
    above?: () => number,
  ): number {
    const kernel = this.binaryKernel as BinaryLogitsKernel
    const {labels, scores} = chunk
    const threshold = this.config.easyThreshold
    let used = 0
    let ceTotal = this.fusedCeTotal()
    for (let start = 0; start < chunk.rows;) {
      // Writing only rows above a threshold, the block is packed: each call needs room for all of its rows.
      const packed = rows !== undefined && this.emitsAbove
      const room = packed ? rows.capacity - rows.count : KERNEL_CALL_ROWS
      const end = Math.min(chunk.rows, start + Math.min(KERNEL_CALL_ROWS, FOLD_ROWS - this.fusedRows, room))
      const from = packed ? rows.count : this.fusedRows
      this.countsCe?.makeRoom(end - start)
      const stop = kernel(
        labels,
        scores,
        start,
        end,
        threshold,
        this.fusedSums,
        rows,
        from,
        this.countsCe,
        this.metricsSums?.sums,
        packed ? (above?.() ?? -Infinity) : -Infinity,
      )
      this.fusedRows += stop - start
      if (this.countsCe) this.countsCe.staged += stop - start
      if (rows) {
        rows.count = packed ? from + rows.emitted : this.fusedRows
        onRows?.(from, rows.count)
      }
      used += stop - start
      // Checked per call of ≤ 1024 rows, while the chunk is here to name the row that overflowed the sum.
      const after = this.fusedCeTotal()
      if (after - after !== 0) throw binaryOverflow(chunk, start, stop, ceTotal)
      ceTotal = after
      if (this.fusedRows === FOLD_ROWS) this.foldFused()
      if (stop < end) {
        reject(nonFinite(chunk, stop, 0, scores[stop]))
        start = stop + 1
      } else {
        start = end
      }
    }
    return used
  }

  /** Sums the block's elements per bucket and folds the block sums into the compensated state. */
  endBlock(rows: PreparedRows): void {
    const n = rows.count
    this.blockCeTotal = 0
    if (n === 0) return
    const {blockCount, blockCe, blockFocal, buckets, kernel} = this
    blockCount.fill(0)
    blockCe.fill(0)
    blockFocal.fill(0)
    kernel(rows.q, rows.ce, rows.bucket, n, blockCount, blockCe, blockFocal, buckets)
    if (this.multilabel) {
      // The same kernel over y·CE gives Σ y·CE and Σ y·(1 − p_t)^γ·CE.
      this.blockTargetCe.fill(0)
      this.blockTargetFocal.fill(0)
      kernel(
        rows.q,
        rows.targetCe,
        rows.bucket,
        n,
        this.blockRecount,
        this.blockTargetCe,
        this.blockTargetFocal,
        buckets,
      )
    }
    if (this.poly) {
      // And over (1 − p_t) itself: Σ (1 − p_t)^γ · (1 − p_t) = Σ (1 − p_t)^(γ+1), Poly-1's extra term.
      this.blockPolyBase.fill(0)
      this.blockPoly.fill(0)
      kernel(rows.q, rows.q, rows.bucket, n, this.blockRecount, this.blockPolyBase, this.blockPoly, buckets)
    }
    if (this.squares) {
      this.blockSquares.fill(0)
      this.blockCross.fill(0)
      this.blockHsq.fill(0)
      this.squareKernel(rows.q, rows.ce, rows.bucket, n, this.blockSquares, this.blockCross, this.blockHsq, buckets)
    }
    this.foldBlock()
  }

  /** Folds an open fused block (and the metrics' block sums the kernel filled with it). */
  flushFused(): void {
    if (this.fusedRows > 0) this.foldFused()
  }

  /** The sums so far (an open fused block folded in); the evaluator starts empty again. */
  state(): BreakdownSums {
    this.flushFused()
    const out = this.sums
    this.sums = this.empty()
    return out
  }

  /**
   * Σ CE of a state, summed plainly: finite for every state update() left behind, but states merged may
   * overflow together (the pipeline checks before merging).
   */
  ceTotal(state: BreakdownSums): number {
    let total = 0
    for (let b = 0; b < state.ce.sum.length; b++) total += state.ce.sum[b]
    return total
  }

  /** The fused kernel's block sums, laid out as the prepared path's, folded. */
  private foldFused(): void {
    const sums = this.fusedSums
    const {gammas} = this.config
    const at = this.binaryLayout
    const B = this.buckets
    for (let b = 0; b < B; b++) {
      this.blockCount[b] = sums[at.count(b)]
      this.blockCe[b] = sums[at.ce(b)]
      // γ = 0's slots are Σ w, as the row kernel copies them.
      for (let g = 0; g < gammas.length; g++) {
        this.blockFocal[g * B + b] = sums[gammas[g] === 0 ? at.ce(b) : at.focal(g, b)]
        if (this.poly) this.blockPoly[g * B + b] = sums[gammas[g] === 0 ? at.q(b) : at.poly(g, b)]
        if (this.squares) {
          this.blockSquares[g * B + b] = sums[at.sq(g, b)]
          if (this.poly) {
            this.blockCross[g * B + b] = sums[at.cross(g, b)]
            this.blockHsq[g * B + b] = sums[at.hsq(g, b)]
          }
        }
      }
    }
    sums.fill(0)
    this.fusedRows = 0
    this.metricsSums?.fold()
    this.foldBlock()
  }

  private foldBlock(): void {
    const s = this.sums
    for (let b = 0; b < this.buckets; b++) {
      s.count[b] += this.blockCount[b]
      addCompensated(s.ce.sum, s.ce.comp, b, this.blockCe[b])
    }
    foldInto(s.focal, this.blockFocal)
    if (this.multilabel) {
      foldInto(s.targetCe, this.blockTargetCe)
      foldInto(s.targetFocal, this.blockTargetFocal)
    }
    if (this.poly) foldInto(s.poly, this.blockPoly)
    if (this.squares) {
      foldInto(s.squares, this.blockSquares)
      if (this.poly) {
        foldInto(s.cross, this.blockCross)
        foldInto(s.hsq, this.blockHsq)
      }
    }
  }

  /** Σ CE of the folded blocks and the open fused one, summed plainly (binary logits: 8 adds). */
  private fusedCeTotal(): number {
    const at = this.binaryLayout
    let total = this.ceBefore
    for (let b = 0; b < this.buckets; b++) total += this.sums.ce.sum[b] + this.fusedSums[at.ce(b)]
    return total
  }

  /**
   * Prepared logits: adds the CE of elements [from, to) to the open block's total, and stops on the row that
   * takes the CE sum past the largest double. One add per element and one per bucket per prepare call, next
   * to the exp and log each element costs. Finite sums of finite CE can only overflow in such a sum, so
   * these rows are the ones to blame, and the chunk is still here to locate them.
   */
  private checkCeSum(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void {
    const ce = rows.ce
    let added = 0
    for (let k = from; k < to; k++) added += ce[k]
    let before = this.ceBefore + this.blockCeTotal
    for (let b = 0; b < this.buckets; b++) before += this.sums.ce.sum[b]
    this.blockCeTotal += added
    const total = before + added
    if (total - total === 0) return
    // Rare: the element at which the running total stops being finite (or, if rounding in another order
    // kept it finite, the largest CE), and the chunk row it came from.
    let culprit = from
    let running = before
    for (let k = from; k < to; k++) {
      running += ce[k]
      if (running - running !== 0) {
        culprit = k
        break
      }
      if (ce[k] > ce[culprit]) culprit = k
    }
    const row = rows.row[culprit]
    if (!this.multilabel) throw sumOverflow(chunk, row, undefined, `a row whose CE is ${ce[culprit]}`)
    // The element's score column: the class of its bucket (wide), or the one score (long).
    const column = this.config.elementLayout === 'long' ? 0 : rows.bucket[culprit] >> 2
    throw sumOverflow(chunk, row, column, `a logit of ${chunk.scores[row * chunk.width + column]}`)
  }

  evaluate(state: BreakdownSums): BreakdownFigures {
    return evaluateBreakdown(this.config, state)
  }
}

/** What a breakdown state means (the evaluator's `evaluate`, usable without one). */
export function evaluateBreakdown(config: EvaluationConfig, state: BreakdownSums): BreakdownFigures {
  const K = config.numClasses
  const perClass = bucketsPerClass(config)
  const B = perClass * K
  const multilabel = config.task === 'multilabel'
  const classOf = (b: number): number => Math.floor(b / perClass)
  const isPositive = (b: number): boolean =>
    multilabel ? (b & 2) === 0 : config.task === 'binary' ? classOf(b) === 1 : true
  const buckets = Array.from({length: B}, (_, b) => b)
  const count = [...state.count]
  const ce = buckets.map((b) => compensatedValue(state.ce, b))
  const plainFocal = config.gammas.map((_, g) => buckets.map((b) => compensatedValue(state.focal, g * B + b)))
  // Σ y·w: kept for multi-label; for hard labels y is 1 in positive buckets and 0 elsewhere.
  const targetCe = buckets.map((b) => (multilabel ? compensatedValue(state.targetCe, b) : isPositive(b) ? ce[b] : 0))
  const targetFocal = config.gammas.map((_, g) =>
    buckets.map((b) =>
      multilabel ? compensatedValue(state.targetFocal, g * B + b) : isPositive(b) ? plainFocal[g][b] : 0,
    ),
  )
  const classCounts = Array.from({length: K}, (_, c) => sumOf(count, (b) => classOf(b) === c))
  // Class-balanced α counts rows per class, or positive elements per class (multi-label).
  const positiveCounts = multilabel
    ? Array.from({length: K}, (_, c) => sumOf(count, (b) => classOf(b) === c && isPositive(b)))
    : null
  const weights = resolveClassWeights(config, positiveCounts ?? classCounts)
  const loss = config.loss ?? 'focal'
  const epsilon = config.polyEpsilon ?? 1
  const lossOf = (g: number, b: number): number => {
    const c = classOf(b)
    const [a, ay] = weights.coefficients[c]
    switch (loss) {
      case 'varifocal':
        // VarifocalNet: positives weighted by their target q (BCE·q), negatives by α·p^γ (p = 1 − p_t there).
        return weights.balance[c] * (isPositive(b) ? targetCe[b] : weights.negativeAlpha[c] * plainFocal[g][b])
      case 'poly1':
        return a * plainFocal[g][b] + ay * targetFocal[g][b] + epsilon * compensatedValue(state.poly, g * B + b)
      default:
        return a * plainFocal[g][b] + ay * targetFocal[g][b]
    }
  }
  return {
    buckets: B,
    bucketsPerClass: perClass,
    count,
    ce,
    loss: config.gammas.map((_, g) => buckets.map((b) => lossOf(g, b))),
    classCounts,
    positiveCounts,
    weights,
    classOf,
    isPositive,
    isEasy: (b) => b % 2 === 0,
  }
}

function foldInto(into: CompensatedSums, block: Float64Array): void {
  for (let i = 0; i < block.length; i++) addCompensated(into.sum, into.comp, i, block[i])
}

function sumOf(values: number[], keep: (b: number) => boolean): number {
  let total = 0
  for (let b = 0; b < values.length; b++) if (keep(b)) total += values[b]
  return total
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
