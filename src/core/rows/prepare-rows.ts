/**
 * The per-element maths: free functions that turn rows [start, end) of a chunk into prepared elements
 * (CE, 1 − p_t, bucket, y·CE, source row) appended to a PreparedRows block, one function per input mode.
 * Bad rows are handed to `ctx.reject` (which throws, or under --on-invalid skip logs them): a rejected row
 * adds no element. Input facts (clamped values, row sums, background rows) are counted in `ctx.facts`.
 *
 * Binary logits usually skip this: the loss breakdown sums them as they are read, in one generated loop
 * (binary-logits-kernel.ts). prepareBinaryLogits is the same maths for when an evaluator needs each element,
 * and gives the same doubles (tested).
 *
 * One file of ~540 lines: one short function per input mode, side by side so that a change to one form of
 * the maths is seen next to the others it must agree with.
 */
import type {PredictionChunk} from '../chunk.js'
import type {EvaluationConfig} from '../config.js'
import type {InputError} from '../errors.js'
import {tableExp, tableLog1pUnit, tableLogAtLeastOne} from '../losses/table-exp.js'
import type {InputFacts} from '../state/input-facts.js'
import type {PreparedRows} from './prepared-rows.js'
import {badProbability, badRowSum, badTarget, nonFinite} from './row-errors.js'

export interface PrepareContext {
  readonly config: EvaluationConfig
  readonly facts: InputFacts
  /** A row that cannot be used: throws, or under --on-invalid skip logs it (the row then adds nothing). */
  reject(error: InputError): void
}

export type PrepareRows = (
  ctx: PrepareContext,
  chunk: PredictionChunk,
  start: number,
  end: number,
  rows: PreparedRows,
) => void

/** The prepare function of a run's task and score kind. */
export function rowPreparer(config: EvaluationConfig): PrepareRows {
  if (config.task === 'multilabel') return prepareMultilabel
  if (config.task === 'binary') return config.scores === 'logits' ? prepareBinaryLogits : prepareProbabilities
  return config.scores === 'logits' ? prepareMulticlassLogits : prepareProbabilities
}

/** Elements a row adds: K for multi-label wide, else 1. */
export function elementsPerRow(config: EvaluationConfig): number {
  return config.task === 'multilabel' && config.elementLayout !== 'long' ? config.numClasses : 1
}

/**
 * Binary logits: margin m = x for label 1, −x for label 0; CE = softplus(−m) = max(−m, 0) + log1p(e^−|m|);
 * 1 − p_t = σ(−m). The fused kernel's row maths, line for line.
 */
export function prepareBinaryLogits(
  ctx: PrepareContext,
  chunk: PredictionChunk,
  start: number,
  end: number,
  rows: PreparedRows,
): void {
  const {labels, scores} = chunk
  const {ce, q, bucket, row, conf} = rows
  const threshold = ctx.config.easyThreshold
  const metrics = conf.length > 0
  let k = rows.count
  for (let i = start; i < end; i++) {
    const v = scores[i]
    if (v - v !== 0) {
      ctx.reject(nonFinite(chunk, i, 0, v))
      continue
    }
    const label = labels[i]
    const m = label === 1 ? v : -v
    const e = tableExp(-Math.abs(m))
    const r = 1 / (1 + e)
    const sp = tableLog1pUnit(e)
    let pt: number
    if (m >= 0) {
      ce[k] = sp
      pt = r
      q[k] = e * r
    } else {
      ce[k] = sp - m
      pt = e * r
      q[k] = r
    }
    // p of the positive class, as the fused kernel emits it: p_t for label 1, 1 − p_t for label 0.
    if (metrics) conf[k] = label === 1 ? pt : q[k]
    bucket[k] = 2 * label + (pt > threshold ? 0 : 1)
    row[k] = i
    k++
  }
  rows.count = k
}

/**
 * K logits, relative to the target's own logit x_y: with S = Σ_{j≠y} e^(x_j − x_y) (the other classes'
 * mass over the target's), CE = −log p_t = log1p(S) and 1 − p_t = S / (1 + S). One pass over the row,
 * with no maximum to find first (that pass was a third of the row's time), and log1p keeps CE's relative
 * precision for well-classified rows (log of the row total minus x_y − max lost it to cancellation).
 * A row with a non-finite logit, or one more than ~709 above x_y (its e^(x_j − x_y) overflows), goes
 * to multiclassRowByMax.
 */
export function prepareMulticlassLogits(
  ctx: PrepareContext,
  chunk: PredictionChunk,
  start: number,
  end: number,
  rows: PreparedRows,
): void {
  if (rows.conf.length > 0) {
    rows.count = multiclassLogitsRowsWithMetrics(ctx, chunk, start, end, rows)
    return
  }
  rows.count = multiclassLogitsRows(ctx, chunk, start, end, rows)
}

/**
 * prepareMulticlassLogits' loop: the rows' index in `rows` after the last one written. Its own function,
 * ending at the loop, because V8 compiles a long loop's first call for on-stack replacement before the
 * code after the loop has run once: with `rows.count = k` after it, that code left the loop through a
 * deoptimisation at every call (256 a run on the 20-class bench file), and the next call entered the loop
 * unoptimised again.
 */
function multiclassLogitsRows(
  ctx: PrepareContext,
  chunk: PredictionChunk,
  start: number,
  end: number,
  rows: PreparedRows,
): number {
  const {labels, scores, width} = chunk
  const {ce, q, bucket, row} = rows
  const threshold = ctx.config.easyThreshold
  let k = rows.count
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
      rows.count = k
      multiclassRowByMax(ctx, chunk, i, rows)
      k = rows.count
      continue
    }
    const pt = 1 / (1 + others)
    ce[k] = others <= 1 ? tableLog1pUnit(others) : tableLogAtLeastOne(1 + others)
    q[k] = others * pt
    bucket[k] = 2 * label + (pt > threshold ? 0 : 1)
    row[k] = i
    k++
  }
  return k
}

/**
 * multiclassLogitsRows (the same doubles for CE, 1 − p_t and the bucket) that also keeps what the
 * metrics need, from the same pass: the first largest logit (argmax, numpy's on ties), the top-label
 * confidence p_max = e^(x_max − x_y) · p_t, and the Brier term Σ_c (p_c − y_c)² = (1 − p_t)² + p_t² · S2
 * with S2 = Σ_{j≠y} e^(2(x_j − x_y)) (the other classes' squared mass, one multiply-add per class; the form
 * 1 − 2p_t + Σ p_c² would cancel for a confident row). A separate loop, so the default path without the
 * metrics pays nothing for them.
 */
function multiclassLogitsRowsWithMetrics(
  ctx: PrepareContext,
  chunk: PredictionChunk,
  start: number,
  end: number,
  rows: PreparedRows,
): number {
  const {labels, scores, width} = chunk
  const {ce, q, bucket, row, conf, argmax, brier} = rows
  const threshold = ctx.config.easyThreshold
  let k = rows.count
  for (let i = start; i < end; i++) {
    const base = i * width
    const label = labels[i]
    const own = scores[base + label]
    let others = 0
    let squares = 0
    let sum = own
    // The first largest logit: strictly larger replaces, so a tie keeps the earlier class.
    let max = -Infinity
    let arg = 0
    for (let j = 0; j < label; j++) {
      const x = scores[base + j]
      const e = tableExp(x - own)
      others += e
      squares += e * e
      sum += x
      if (x > max) {
        max = x
        arg = j
      }
    }
    if (own > max) {
      max = own
      arg = label
    }
    for (let j = label + 1; j < width; j++) {
      const x = scores[base + j]
      const e = tableExp(x - own)
      others += e
      squares += e * e
      sum += x
      if (x > max) {
        max = x
        arg = j
      }
    }
    if (sum - sum !== 0 || others === Infinity || squares === Infinity) {
      rows.count = k
      multiclassRowByMax(ctx, chunk, i, rows)
      k = rows.count
      continue
    }
    const pt = 1 / (1 + others)
    const qk = others * pt
    ce[k] = others <= 1 ? tableLog1pUnit(others) : tableLogAtLeastOne(1 + others)
    q[k] = qk
    bucket[k] = 2 * label + (pt > threshold ? 0 : 1)
    row[k] = i
    argmax[k] = arg
    conf[k] = arg === label ? pt : tableExp(max - own) * pt
    brier[k] = qk * qk + pt * pt * squares
    k++
  }
  // The rows' index after the last one written, as multiclassLogitsRows (why it ends at its loop).
  return k
}

/**
 * One row of K logits the one-pass form cannot take: rejects a non-finite logit; else log-softmax with
 * the row maximum subtracted, which cannot overflow.
 */
function multiclassRowByMax(ctx: PrepareContext, chunk: PredictionChunk, i: number, rows: PreparedRows): void {
  const {labels, scores, width} = chunk
  const base = i * width
  const label = labels[i]
  let max = -Infinity
  for (let j = 0; j < width; j++) {
    const x = scores[base + j]
    if (x - x !== 0) {
      ctx.reject(nonFinite(chunk, i, j, x))
      return
    }
    if (x > max) max = x
  }
  // The other classes' mass, in class order, without a test per class.
  let others = 0
  for (let j = 0; j < label; j++) others += tableExp(scores[base + j] - max)
  for (let j = label + 1; j < width; j++) others += tableExp(scores[base + j] - max)
  const own = tableExp(scores[base + label] - max)
  const total = own + others
  const k = rows.count
  rows.ce[k] = tableLogAtLeastOne(total) - (scores[base + label] - max)
  rows.q[k] = others / total
  rows.bucket[k] = 2 * label + (own / total > ctx.config.easyThreshold ? 0 : 1)
  rows.row[k] = i
  if (rows.conf.length > 0) {
    // The first largest logit's e^(x − max) is 1: p_max = 1 / total.
    let arg = 0
    let squares = 0
    for (let j = 0; j < width; j++) {
      const x = scores[base + j]
      if (x > scores[base + arg]) arg = j
      if (j !== label) squares += (tableExp(x - max) / total) ** 2
    }
    const q = others / total
    rows.argmax[k] = arg
    rows.conf[k] = 1 / total
    rows.brier[k] = q * q + squares
  }
  rows.count = k + 1
}

/**
 * The factor a multi-class probability row is multiplied by: 1, or 1 / Σ p under --row-sum renormalize
 * when the row strays from 1 by more than the tolerance. Null: the row is refused (rejected already).
 * Counts the row-sum facts. Also what kornia's off-target terms use (kornia-terms.ts), so they see the
 * same row the target did.
 */
export function probabilityRowScale(
  config: EvaluationConfig,
  chunk: PredictionChunk,
  i: number,
  facts: InputFacts | undefined,
  reject: (error: InputError) => void,
): number | null {
  const {scores, width} = chunk
  const {probTolerance, rowSumTolerance, rowSumPolicy} = config
  const base = i * width
  let sum = 0
  for (let j = 0; j < width; j++) {
    const v = scores[base + j]
    if (!(v >= -probTolerance && v <= 1 + probTolerance)) {
      reject(v - v !== 0 ? nonFinite(chunk, i, j, v) : badProbability(chunk, i, j, v, probTolerance))
      return null
    }
    sum += v
  }
  const deviation = Math.abs(sum - 1)
  if (facts && deviation > facts.rowSumMaxDeviation) facts.rowSumMaxDeviation = deviation
  if (deviation <= rowSumTolerance) return 1
  if (rowSumPolicy === 'refuse') {
    reject(badRowSum(chunk, i, sum, rowSumTolerance))
    return null
  }
  if (facts) facts.rowSumRenormalized++
  return 1 / sum
}

/**
 * Probabilities of the positive class (binary) or of each class (multi-class), clamped to [eps, 1 − eps].
 * Multi-class rows must sum to 1 within rowSumTolerance: beyond it they are refused, or renormalised.
 */
export function prepareProbabilities(
  ctx: PrepareContext,
  chunk: PredictionChunk,
  start: number,
  end: number,
  rows: PreparedRows,
): void {
  const {labels, scores, width} = chunk
  const {ce, q, bucket, row, conf} = rows
  const {config, facts} = ctx
  const {easyThreshold, eps, probTolerance} = config
  const binary = config.task === 'binary'
  const metrics = conf.length > 0
  const reject = (error: InputError): void => ctx.reject(error)
  const hiClamp = 1 - eps
  let k = rows.count
  for (let i = start; i < end; i++) {
    const label = labels[i]
    const base = i * width
    let scale = 1
    if (!binary) {
      const s = probabilityRowScale(config, chunk, i, facts, reject)
      if (s === null) continue
      scale = s
    }
    if (metrics) {
      if (binary) {
        // p of the positive class, unclamped (as torchmetrics and sklearn read it); checked below.
        conf[k] = scores[base]
      } else {
        probabilityMetrics(scores, base, width, label, scale, rows, k)
      }
    }
    const j = binary ? 0 : label
    let p = scores[base + j] * scale
    if (!(p >= -probTolerance && p <= 1 + probTolerance)) {
      ctx.reject(p - p !== 0 ? nonFinite(chunk, i, j, p) : badProbability(chunk, i, j, p, probTolerance))
      continue
    }
    if (p < eps) {
      p = eps
      facts.clampedValues++
    } else if (p > hiClamp) {
      p = hiClamp
      facts.clampedValues++
    }
    // p is now the probability of the true class, except for a binary label 0 where it is 1 − p_t.
    const pt = binary && label === 0 ? 1 - p : p
    ce[k] = -Math.log(pt)
    q[k] = binary && label === 0 ? p : 1 - p
    bucket[k] = 2 * label + (pt > easyThreshold ? 0 : 1)
    row[k] = i
    k++
  }
  rows.count = k
}

/**
 * A multi-class probability row's metrics (times `scale`, the row-sum rescale): the first largest p
 * (argmax), the largest p (confidence), and the Brier term Σ_c (p_c − y_c)².
 */
function probabilityMetrics(
  scores: Float64Array | Float32Array,
  base: number,
  width: number,
  label: number,
  scale: number,
  rows: PreparedRows,
  k: number,
): void {
  let arg = 0
  let max = scores[base]
  let squares = 0
  for (let j = 0; j < width; j++) {
    const v = scores[base + j]
    if (v > max) {
      max = v
      arg = j
    }
    const d = j === label ? v * scale - 1 : v * scale
    squares += d * d
  }
  rows.argmax[k] = arg
  rows.conf[k] = max * scale
  rows.brier[k] = squares
}

/** One sigmoid element: p = σ(x) (or the clamped probability), 1 − p, −log p and −log(1 − p). */
export interface SigmoidTerms {
  p: number
  p1: number
  lossPos: number
  lossNeg: number
}

/**
 * σ(x) and its logs for a logit, without cancellation or overflow (the binary path's exact doubles), or
 * for a probability clamped to [eps, 1 − eps]; `onClamp` counts a clamp. Fills and returns `out`.
 */
export function sigmoidTerms(
  x: number,
  logits: boolean,
  eps: number,
  out: SigmoidTerms,
  onClamp?: () => void,
): SigmoidTerms {
  if (logits) {
    const e = tableExp(-Math.abs(x))
    const r = 1 / (1 + e)
    const sp = tableLog1pUnit(e)
    if (x >= 0) {
      out.p = r
      out.p1 = e * r
      out.lossPos = sp
      out.lossNeg = sp + x
    } else {
      out.p = e * r
      out.p1 = r
      out.lossPos = sp - x
      out.lossNeg = sp
    }
    return out
  }
  let p = x
  if (p < eps) {
    p = eps
    onClamp?.()
  } else if (p > 1 - eps) {
    p = 1 - eps
    onClamp?.()
  }
  out.p = p
  out.p1 = 1 - p
  out.lossPos = -Math.log(p)
  out.lossNeg = -Math.log(out.p1)
  return out
}

/**
 * Multi-label elements, one sigmoid each, target y in [0, 1] (soft targets as ultralytics / torchvision):
 *   BCE = y · softplus(−x) + (1 − y) · softplus(x),  p_t = y·p + (1 − y)(1 − p),  1 − p_t = y(1 − p) + (1 − y)p.
 * For y = 1 or 0 these are the binary path's exact doubles (a column is then a binary task).
 * Wide: row i holds K scores then K targets. Long: one element per row, class in labels[i], score, target.
 */
export function prepareMultilabel(
  ctx: PrepareContext,
  chunk: PredictionChunk,
  start: number,
  end: number,
  rows: PreparedRows,
): void {
  const {labels, scores, width} = chunk
  const {ce, q, bucket, row, targetCe, conf} = rows
  const metrics = conf.length > 0
  const {config, facts} = ctx
  const {easyThreshold, eps, probTolerance} = config
  const logits = config.scores === 'logits'
  // The layout, not the row width: a wide row of one column (--soft-labels) is one element per row too.
  const long = config.elementLayout === 'long'
  const K = long ? 1 : config.numClasses
  const terms: SigmoidTerms = {p: 0, p1: 0, lossPos: 0, lossNeg: 0}
  const clamped = (): void => {
    facts.clampedValues++
  }
  let k = rows.count
  rows: for (let i = start; i < end; i++) {
    const base = i * width
    // Check the whole row first: a bad value leaves the row out whole.
    for (let j = 0; j < K; j++) {
      const x = scores[base + j]
      if (x - x !== 0) {
        ctx.reject(nonFinite(chunk, i, j, x))
        continue rows
      }
      if (!logits && !(x >= -probTolerance && x <= 1 + probTolerance)) {
        ctx.reject(badProbability(chunk, i, j, x, probTolerance))
        continue rows
      }
      const y = scores[base + K + j]
      if (!(y >= 0 && y <= 1)) {
        ctx.reject(badTarget(chunk, i, K + j, y))
        continue rows
      }
    }
    let positives = 0
    for (let j = 0; j < K; j++) {
      const y = scores[base + K + j]
      const {p, p1, lossPos, lossNeg} = sigmoidTerms(scores[base + j], logits, eps, terms, clamped)
      let c: number
      let pt: number
      if (y === 1) {
        c = lossPos
        q[k] = p1
        pt = p
      } else if (y === 0) {
        c = lossNeg
        q[k] = p
        pt = p1
      } else {
        c = y * lossPos + (1 - y) * lossNeg
        q[k] = y * p1 + (1 - y) * p
        pt = y * p + (1 - y) * p1
      }
      const positive = y > 0
      if (positive) positives++
      if (metrics) conf[k] = logits ? p : scores[base + j]
      ce[k] = c
      targetCe[k] = y * c
      bucket[k] = 4 * (long ? labels[i] : j) + (positive ? 0 : 2) + (pt > easyThreshold ? 0 : 1)
      row[k] = i
      k++
    }
    if (positives === 0 && !long) facts.backgroundRows++
  }
  rows.count = k
}
