/**
 * The result of `focalscope sql`'s query, and how it becomes a partial state. The result is a small
 * table in long form, one row per (section, key):
 *
 *   section  k1      k2    n      v0 … v(W−1)
 *   breakdown bucket  —    count  Σ CE, Σ (1 − p_t)^γ·CE per γ, [Σ y·CE, Σ y·(1 − p_t)^γ·CE per γ], [Σ (1 − p_t)^(γ+1) per γ]
 *   input     0       —    rows   background rows, clamped values, max |Σp − 1|, rows renormalized,
 *                                 score min, score max, row-sum min, row-sum max
 *   skipped   reason  —    rows   (SKIP_CODES)
 *
 * A section is a GROUP BY of its own; the columns are the widest section's, padded with NULL. Sections a
 * later query computes (the concentration sketch's buckets as (cell, bucket index) in k1, k2; metric
 * counts; the hardest rows as ORDER BY … LIMIT, rank in k1) are more values of `section`: the meta file
 * lists those the query computes, and a section the settings keep but the query does not compute is left
 * out of the state and named in the report's warnings — never reported as zeros.
 */
import {emptyPartialState} from '../core/evaluation.js'
import {SKIP_REASONS, type SkipReason} from '../core/errors.js'
import type {SectionName} from '../core/evaluators/sections.js'
import type {PartialState, Settings} from '../core/state/partial-state.js'

/** The code of each reason a query counts rows under (its position in SKIP_REASONS, from 1). */
export const SKIP_CODES = Object.fromEntries(SKIP_REASONS.map((reason, i) => [reason, i + 1])) as Record<
  SkipReason,
  number
>

/** The sections of the result and what each value column holds, in order. */
export interface ResultFormat {
  /** Value columns v0 … v(width − 1). */
  width: number
  sections: {breakdown: string[]; input: string[]; skipped: string[]}
  /** The optional state sections (evaluators/sections.ts) this query computes: none yet. */
  computed: SectionName[]
}

export const INPUT_VALUES = [
  'backgroundRows',
  'clampedValues',
  'rowSumMaxDeviation',
  'rowSumRenormalized',
  'scoreMin',
  'scoreMax',
  'rowSumMin',
  'rowSumMax',
] as const

/** The result's shape for these settings. */
export function resultFormat(settings: Settings): ResultFormat {
  const gammas = settings.gammas.map((g) => `[gamma=${g}]`)
  const breakdown = ['ce', ...gammas.map((g) => `focal${g}`)]
  if (settings.task === 'multilabel') breakdown.push('targetCe', ...gammas.map((g) => `targetFocal${g}`))
  if (settings.loss === 'poly1') breakdown.push(...gammas.map((g) => `poly${g}`))
  const input = [...INPUT_VALUES]
  return {
    width: Math.max(breakdown.length, input.length),
    sections: {breakdown, input, skipped: []},
    computed: [],
  }
}

/** One row of the result, its columns by name (lower case), numbers or null. */
export type ResultRow = Record<string, number | string | null>

/**
 * The partial state the result's rows stand for. Every row is checked: the section known, the keys in
 * range, counts whole, sums finite. A problem throws an Error naming the row (1-based, as read).
 * `source` names the result in the state's file list.
 */
export function stateOfResult(
  rows: ResultRow[],
  settings: Settings,
  format: ResultFormat,
  source: string,
): PartialState {
  const state = emptyPartialState(settings)
  const {breakdown, input} = state
  const B = breakdown.count.length
  const G = settings.gammas.length
  const multilabel = settings.task === 'multilabel'
  let sawInput = false
  const at = (i: number): string => `row ${i + 1}`
  const number = (row: ResultRow, column: string, i: number, allowNull: boolean): number | null => {
    const value = row[column]
    if (value === null || value === undefined || value === '') {
      if (allowNull) return null
      throw new Error(
        `${at(i)}: column "${column}": expected a number, got ${value === undefined ? 'no such column' : 'null'}`,
      )
    }
    const x = typeof value === 'number' ? value : Number(value)
    if (!Number.isFinite(x))
      throw new Error(`${at(i)}: column "${column}": expected a finite number, got ${JSON.stringify(value)}`)
    return x
  }
  const whole = (row: ResultRow, column: string, i: number, low: number, high: number): number => {
    const x = number(row, column, i, false) as number
    if (!Number.isInteger(x) || x < low || x > high) {
      throw new Error(`${at(i)}: column "${column}": expected a whole number from ${low} to ${high}, got ${x}`)
    }
    return x
  }
  const add = (sums: {sum: Float64Array}, index: number, x: number | null): void => {
    sums.sum[index] += x ?? 0
  }
  rows.forEach((row, i) => {
    const section = row.section
    const n = whole(row, 'n', i, 0, Number.MAX_SAFE_INTEGER)
    const v = (k: number): number | null => number(row, `v${k}`, i, true)
    switch (section) {
      case 'breakdown': {
        const b = whole(row, 'k1', i, 0, B - 1)
        breakdown.count[b] += n
        add(breakdown.ce, b, v(0))
        let k = 1
        for (let g = 0; g < G; g++) add(breakdown.focal, g * B + b, v(k++))
        if (multilabel) {
          add(breakdown.targetCe, b, v(k++))
          for (let g = 0; g < G; g++) add(breakdown.targetFocal, g * B + b, v(k++))
        }
        if (settings.loss === 'poly1') for (let g = 0; g < G; g++) add(breakdown.poly, g * B + b, v(k++))
        return
      }
      case 'input': {
        if (sawInput) throw new Error(`${at(i)}: expected one row of section "input", got another`)
        sawInput = true
        input.rows = n
        input.backgroundRows = v(0) ?? 0
        input.clampedValues = v(1) ?? 0
        input.rowSumMaxDeviation = v(2) ?? 0
        input.rowSumRenormalized = v(3) ?? 0
        input.scoreMin = v(4) ?? Infinity
        input.scoreMax = v(5) ?? -Infinity
        input.rowSumMin = v(6) ?? Infinity
        input.rowSumMax = v(7) ?? -Infinity
        return
      }
      case 'skipped': {
        const code = whole(row, 'k1', i, 1, SKIP_REASONS.length)
        const reason = SKIP_REASONS[code - 1]
        if (input.skipped.some((s) => s.reason === reason)) {
          throw new Error(`${at(i)}: expected one row of section "skipped" per reason, got two for ${reason}`)
        }
        input.skipped.push({
          reason,
          count: n,
          first: {order: 0, location: {file: source}, problem: `${reason} (the query does not say which rows)`},
        })
        return
      }
      default:
        throw new Error(
          `${at(i)}: column "section": expected one of ${Object.keys(format.sections).join(', ')}, got ${JSON.stringify(section)}`,
        )
    }
  })
  if (!sawInput) throw new Error('expected a row of section "input", got none: is this the whole result of the query?')
  input.skipped.sort((a, b) => (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0))
  input.files = [{path: source, order: 0, rows: input.rows}]
  for (const entry of input.skipped) entry.first.location = {file: source}
  return state
}
