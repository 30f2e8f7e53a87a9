/**
 * An independent, deliberately naive float64 reference for the report's figures.
 *
 * It shares no code with src/: one row at a time, the textbook formulas in their numerically stable
 * forms, every per-row term kept and summed at the end with Shewchuk's exact summation (the algorithm
 * behind Python's math.fsum), so each sum is the correctly rounded value of the float64 terms. Shares
 * and means are plain quotients of those sums. Use it to check src/ to ~1e-12, not to be fast.
 */
import {parse} from 'csv-parse/sync'

import type {Report} from '../../src/report/types.js'

export interface ReferenceRow {
  /** Class index: 0 or 1 for binary, 0 … K − 1 for multiclass. */
  label: number
  /** Binary: one score. Multiclass: K scores, in class-index order. */
  scores: number[]
}

export interface ReferenceOptions {
  task: 'binary' | 'multiclass'
  scores: 'logits' | 'probs'
  gammas: number[]
  alpha: number | null
  easyThreshold: number
  eps: number
  /** Class names in index order (binary: ["0", "1"]). */
  classes: string[]
}

export type ReferenceReport = Pick<Report, 'totals' | 'sweep' | 'split' | 'classes'> & {
  clampedValues: number
  rows: number
}

/** Per-row quantities, before any summing. */
export interface RowTerms {
  logPt: number
  /** p_t itself (only used for the easy/hard test). */
  pt: number
  /** 1 − p_t, computed without cancellation where the input allows it. */
  oneMinusPt: number
  ce: number
  alphaT: number
  /** FL_γ for each γ of the sweep, in order. */
  focal: number[]
  clamped: boolean
}

/**
 * Correctly rounded sum of float64 values (Shewchuk 1997; the same steps as CPython's math.fsum,
 * without its inf/nan/overflow special cases, which the reference never produces).
 */
export function exactSum(values: readonly number[]): number {
  const partials: number[] = []
  for (let x of values) {
    if (!Number.isFinite(x)) throw new Error(`exactSum: non-finite term ${x}`)
    let i = 0
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x]
      const hi = x + y
      const lo = y - (hi - x)
      if (lo !== 0) partials[i++] = lo
      x = hi
    }
    partials.length = i
    partials.push(x)
  }
  let n = partials.length
  if (n === 0) return 0
  let hi = partials[--n]
  let lo = 0
  while (n > 0) {
    const x = hi
    const y = partials[--n]
    hi = x + y
    const yr = hi - x
    lo = y - yr
    if (lo !== 0) break
  }
  // Round half to even across the remaining partials (fsum's final correction).
  if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
    const y = lo * 2
    const x = hi + y
    const yr = x - hi
    if (y === yr) hi = x
  }
  return hi === 0 ? 0 : hi // +0, never −0: the report is JSON
}

/** log(1 + e^z) without overflow or cancellation. */
function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))
}

/** 1 / (1 + e^−z), evaluated on the side where exp cannot overflow. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z))
  const e = Math.exp(z)
  return e / (1 + e)
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi)
}

/** Every per-row quantity of one row, straight from the definitions. */
export function rowTerms(row: ReferenceRow, opts: ReferenceOptions): RowTerms {
  const {label: y, scores} = row
  const k = opts.classes.length
  if (!Number.isInteger(y) || y < 0 || y >= k) throw new Error(`label ${y} is not a class index in [0, ${k})`)
  for (const s of scores) if (!Number.isFinite(s)) throw new Error(`score ${s} is not finite`)

  let logPt: number
  let pt: number
  let oneMinusPt: number
  let clamped = false

  if (opts.task === 'binary') {
    if (scores.length !== 1) throw new Error(`binary rows have one score, got ${scores.length}`)
    if (y !== 0 && y !== 1) throw new Error(`binary label ${y}`)
    const s = scores[0]
    if (opts.scores === 'logits') {
      // p_t = σ(m) with m the logit signed towards the true class.
      const m = y === 1 ? s : -s
      logPt = -softplus(-m)
      pt = sigmoid(m)
      oneMinusPt = sigmoid(-m)
    } else {
      clamped = s < opts.eps || s > 1 - opts.eps
      const p = clamp(s, opts.eps, 1 - opts.eps)
      pt = y === 1 ? p : 1 - p
      logPt = Math.log(pt)
      oneMinusPt = y === 1 ? 1 - p : p
    }
  } else {
    if (scores.length !== k) throw new Error(`multiclass rows have ${k} scores, got ${scores.length}`)
    if (opts.scores === 'logits') {
      const max = Math.max(...scores)
      const logSumExp = max + Math.log(exactSum(scores.map((s) => Math.exp(s - max))))
      logPt = scores[y] - logSumExp
      pt = Math.exp(logPt)
      oneMinusPt = -Math.expm1(logPt)
    } else {
      const raw = scores[y]
      clamped = raw < opts.eps || raw > 1 - opts.eps
      pt = clamp(raw, opts.eps, 1 - opts.eps)
      logPt = Math.log(pt)
      oneMinusPt = 1 - pt
    }
  }

  const ce = -logPt
  const alphaT = opts.alpha === null ? 1 : opts.task === 'binary' ? (y === 1 ? opts.alpha : 1 - opts.alpha) : opts.alpha
  const focal = opts.gammas.map((gamma) => alphaT * (gamma === 0 ? 1 : Math.pow(oneMinusPt, gamma)) * ce)
  return {logPt, pt, oneMinusPt, ce, alphaT, focal, clamped}
}

/** a / b, or null when b is 0. */
function share(a: number, b: number): number | null {
  return b === 0 ? null : a / b
}

/** The report's figures (totals, sweep, split, classes) plus rows and clampedValues. */
export function referenceReport(rows: ReferenceRow[], opts: ReferenceOptions): ReferenceReport {
  const terms = rows.map((row) => rowTerms(row, opts))
  const n = rows.length
  const isEasy = terms.map((t) => t.pt > opts.easyThreshold)

  const sumWhere = (value: (t: RowTerms) => number, keep: (i: number) => boolean): number =>
    exactSum(terms.filter((_, i) => keep(i)).map(value))
  const all = (): boolean => true
  const easy = (i: number): boolean => isEasy[i]
  const hard = (i: number): boolean => !isEasy[i]

  const ceSum = sumWhere((t) => t.ce, all)
  const focalSum = opts.gammas.map((_, g) => sumWhere((t) => t.focal[g], all))

  const side = (keep: (i: number) => boolean) => {
    const count = terms.filter((_, i) => keep(i)).length
    const ce = sumWhere((t) => t.ce, keep)
    return {
      count,
      countShare: share(count, n),
      ceShare: share(ce, ceSum),
      ce,
      focal: opts.gammas.map((gamma, g) => {
        const sum = sumWhere((t) => t.focal[g], keep)
        return {gamma, sum, share: share(sum, focalSum[g])}
      }),
    }
  }

  const sweep = opts.gammas.map((gamma, g) => {
    const sum = focalSum[g]
    return {
      gamma,
      sum,
      mean: n === 0 ? null : sum / n,
      ratioToCe: share(sum, ceSum),
      easyShare: share(
        sumWhere((t) => t.focal[g], easy),
        sum,
      ),
      hardShare: share(
        sumWhere((t) => t.focal[g], hard),
        sum,
      ),
    }
  })

  const classes = opts.classes.map((name, c) => {
    const inClass = (i: number): boolean => rows[i].label === c
    const count = rows.filter((r) => r.label === c).length
    const countShare = share(count, n)
    const ce = sumWhere((t) => t.ce, inClass)
    const ceShare = share(ce, ceSum)
    return {
      class: name,
      count,
      countShare,
      ce: {sum: ce, share: ceShare},
      focal: opts.gammas.map((gamma, g) => {
        const sum = sumWhere((t) => t.focal[g], inClass)
        return {gamma, sum, share: share(sum, focalSum[g])}
      }),
      overweight: countShare !== null && ceShare !== null && ceShare >= 2 * countShare,
    }
  })

  return {
    rows: n,
    clampedValues: terms.filter((t) => t.clamped).length,
    totals: {ce: {sum: ceSum, mean: n === 0 ? null : ceSum / n}},
    sweep,
    split: {threshold: opts.easyThreshold, easy: side(easy), hard: side(hard)},
    classes,
  }
}

/**
 * Reads a CSV with csv-parse (not src/'s scanner) into reference rows. Labels are integer class indexes,
 * or class names when `classNames` is given (an integer index is then accepted only when no name is numeric,
 * as the README's input rules say). Scores are parsed with Number(): shortest round-trip decimals map to
 * the exact doubles that were written.
 */
export function parseCsvRows(
  text: string,
  labelCol: string,
  scoreCols: string[],
  classNames?: string[],
): ReferenceRow[] {
  const records = parse(text, {columns: true, bom: true, skip_empty_lines: true}) as Record<string, string>[]
  const anyNumericName = classNames?.some((name) => /^-?\d+$/.test(name.trim())) ?? false
  return records.map((record, i) => {
    const where = `data row ${i + 1}`
    const labelText = record[labelCol]
    if (labelText === undefined) throw new Error(`${where}: no column ${labelCol}`)
    let label: number
    if (classNames && classNames.includes(labelText)) {
      label = classNames.indexOf(labelText)
    } else if (/^\s*\d+\s*$/.test(labelText) && !anyNumericName) {
      label = Number(labelText)
    } else {
      throw new Error(`${where}: label ${JSON.stringify(labelText)} is not a class`)
    }
    const scores = scoreCols.map((col) => {
      const text = record[col]
      if (text === undefined) throw new Error(`${where}: no column ${col}`)
      const value = Number(text)
      if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`${where}: ${col} = ${JSON.stringify(text)}`)
      return value
    })
    return {label, scores}
  })
}

/** One sigmoid element of a multi-label input: its class column, score and target y in [0, 1]. */
export interface ReferenceElement {
  cls: number
  score: number
  target: number
}

export interface MultilabelReferenceOptions {
  scores: 'logits' | 'probs'
  gammas: number[]
  /** Scalar α: α_t = y·α + (1 − y)(1 − α); null: α_t = 1. */
  alpha: number | null
  easyThreshold: number
  eps: number
  classes: string[]
}

export type MultilabelReferenceReport = Pick<Report, 'classes'> & {
  totals: {ce: {sum: number}}
  sweep: {gamma: number; sum: number}[]
  elements: number
  positiveElements: number
}

/**
 * Multi-label figures from the textbook per-element definitions (soft targets as ultralytics and
 * torchvision): BCE = −[y·log p + (1 − y)·log(1 − p)], p_t = y·p + (1 − y)(1 − p),
 * FL_γ = α_t · (1 − p_t)^γ · BCE. An element is positive when y > 0. Shares are of the dataset's totals,
 * counts are elements; `mean` is per element (the report's is per row: compare sums and shares).
 */
export function referenceMultilabel(
  elements: ReferenceElement[],
  opts: MultilabelReferenceOptions,
): MultilabelReferenceReport {
  const terms = elements.map(({cls, score, target: y}) => {
    if (!Number.isInteger(cls) || cls < 0 || cls >= opts.classes.length) throw new Error(`class ${cls}`)
    if (!(y >= 0 && y <= 1)) throw new Error(`target ${y}`)
    let logP: number
    let log1mP: number
    let p: number
    let oneMinusP: number
    if (opts.scores === 'logits') {
      logP = -softplus(-score)
      log1mP = -softplus(score)
      p = sigmoid(score)
      oneMinusP = sigmoid(-score)
    } else {
      p = clamp(score, opts.eps, 1 - opts.eps)
      oneMinusP = 1 - p
      logP = Math.log(p)
      log1mP = Math.log(oneMinusP)
    }
    const ce = -(y * logP + (1 - y) * log1mP)
    const pt = y * p + (1 - y) * oneMinusP
    const q = y * oneMinusP + (1 - y) * p
    const alphaT = opts.alpha === null ? 1 : y * opts.alpha + (1 - y) * (1 - opts.alpha)
    const focal = opts.gammas.map((gamma) => alphaT * (gamma === 0 ? 1 : Math.pow(q, gamma)) * ce)
    return {cls, positive: y > 0, easy: pt > opts.easyThreshold, ce, focal}
  })
  type Term = (typeof terms)[number]
  const sumOf = (keep: (t: Term) => boolean, value: (t: Term) => number): number =>
    exactSum(terms.filter(keep).map(value))
  const ceTotal = sumOf(
    () => true,
    (t) => t.ce,
  )
  const focalTotal = opts.gammas.map((_, g) =>
    sumOf(
      () => true,
      (t) => t.focal[g],
    ),
  )
  const part = (keep: (t: Term) => boolean) => {
    const ce = sumOf(keep, (t) => t.ce)
    return {
      count: terms.filter(keep).length,
      ce: {sum: ce, share: share(ce, ceTotal)},
      focal: opts.gammas.map((gamma, g) => {
        const sum = sumOf(keep, (t) => t.focal[g])
        return {gamma, sum, share: share(sum, focalTotal[g])}
      }),
    }
  }
  const n = terms.length
  const classes = opts.classes.map((name, c) => {
    const whole = part((t) => t.cls === c)
    const countShare = share(whole.count, n)
    return {
      class: name,
      count: whole.count,
      countShare,
      ce: whole.ce,
      focal: whole.focal,
      overweight: countShare !== null && whole.ce.share !== null && whole.ce.share >= 2 * countShare,
      byTarget: {positive: part((t) => t.cls === c && t.positive), negative: part((t) => t.cls === c && !t.positive)},
    }
  })
  return {
    elements: n,
    positiveElements: terms.filter((t) => t.positive).length,
    totals: {ce: {sum: ceTotal}},
    sweep: opts.gammas.map((gamma, g) => ({gamma, sum: focalTotal[g]})),
    classes,
  }
}

/**
 * Asserts that `actual` has `expected`'s shape and values: numbers equal within `tolerance` relative to
 * their size (absolute below 1), everything else exactly. Keys missing from `expected` are not checked.
 */
export function assertNear(actual: unknown, expected: unknown, tolerance: number, path = '$'): void {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number' || !(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)))) {
      throw new Error(`${path}: expected ${expected}, got ${String(actual)}`)
    }
    return
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object')
      throw new Error(`${path}: expected an object, got ${String(actual)}`)
    if (Array.isArray(expected) && (!Array.isArray(actual) || actual.length !== expected.length)) {
      throw new Error(`${path}: expected ${expected.length} items, got ${JSON.stringify(actual)}`)
    }
    for (const [key, value] of Object.entries(expected)) {
      assertNear((actual as Record<string, unknown>)[key], value, tolerance, `${path}.${key}`)
    }
    return
  }
  if (actual !== expected) throw new Error(`${path}: expected ${String(expected)}, got ${String(actual)}`)
}
