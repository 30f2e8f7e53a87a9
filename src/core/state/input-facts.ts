/**
 * What a run learns about its input besides the loss sums — rows per file, rows left out per reason,
 * clamped values, row-sum deviations, the score range — as a mergeable part of the partial state, so a
 * file read by several threads, several files, or shards read on several machines merge like the sums do.
 */
import {compareLocations, type InputLocation, rebaseLocation, type SkipReason} from '../errors.js'
import {MAX, type MergeRule, MIN, SUM} from './merge-rules.js'

/**
 * One input file. `order` is its position on the command line; files merge by (order, path), so the
 * units of one file add up into one entry, and shards of separate runs (order 0 each) sort by path.
 */
export interface FileRows {
  path: string
  order: number
  /** Rows used (skipped ones left out). */
  rows: number
}

/** Rows of one reason left out under --on-invalid skip, and the first of them in file order. */
export interface SkippedRows {
  reason: SkipReason
  count: number
  first: {order: number; location: InputLocation; problem: string}
}

export interface InputFacts {
  files: FileRows[]
  /** Rows used. */
  rows: number
  /** Multi-label wide: rows whose targets are all 0 (pure background). */
  backgroundRows: number
  /** Probabilities moved into [eps, 1 − eps]. */
  clampedValues: number
  /** Multi-class probabilities: the largest |Σ_j p_j − 1| seen, and the rows rescaled. */
  rowSumMaxDeviation: number
  rowSumRenormalized: number
  /**
   * Logits only: the range of the scores and, multi-class, of the row sums Σ_j x_j — scores read as logits
   * that all lie in [0, 1] are probabilities by mistake (score-range.ts). Exact only while inside [0, 1].
   */
  scoreMin: number
  scoreMax: number
  rowSumMin: number
  rowSumMax: number
  skipped: SkippedRows[]
}

function fileKey(a: FileRows, b: FileRows): number {
  return a.order - b.order || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
}

/** Files of both sides, by (order, path); one file's rows added up. */
export function mergeFiles(a: FileRows[], b: FileRows[]): FileRows[] {
  const out = [...a, ...b].map((f) => ({...f})).sort(fileKey)
  const merged: FileRows[] = []
  for (const file of out) {
    const last = merged[merged.length - 1]
    if (last !== undefined && fileKey(last, file) === 0) last.rows += file.rows
    else merged.push(file)
  }
  return merged
}

function firstInFileOrder(x: SkippedRows['first'], y: SkippedRows['first']): SkippedRows['first'] {
  const byFile =
    x.order - y.order || (x.location.file < y.location.file ? -1 : x.location.file > y.location.file ? 1 : 0)
  if (byFile !== 0) return byFile < 0 ? x : y
  // Ties (two shards of the same file name) are broken by column and problem: a total order, so the merge
  // is commutative.
  const byPlace = compareLocations(x.location, y.location) || compareText(x.location.column, y.location.column)
  if (byPlace !== 0) return byPlace < 0 ? x : y
  return compareText(x.problem, y.problem) <= 0 ? x : y
}

function compareText(a: string | undefined, b: string | undefined): number {
  return (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0
}

/** Per reason: counts added, the first row in file order kept. Reasons in a fixed (alphabetical) order. */
export function mergeSkipped(a: SkippedRows[], b: SkippedRows[]): SkippedRows[] {
  const byReason = new Map<SkipReason, SkippedRows>()
  for (const entry of [...a, ...b]) {
    const seen = byReason.get(entry.reason)
    byReason.set(
      entry.reason,
      seen === undefined
        ? structuredClone(entry)
        : {reason: entry.reason, count: seen.count + entry.count, first: firstInFileOrder(seen.first, entry.first)},
    )
  }
  return [...byReason.values()].sort((x, y) => (x.reason < y.reason ? -1 : x.reason > y.reason ? 1 : 0))
}

const FILES: MergeRule = {kind: 'custom', merge: (a, b) => mergeFiles(a as FileRows[], b as FileRows[])}
const SKIPPED: MergeRule = {kind: 'custom', merge: (a, b) => mergeSkipped(a as SkippedRows[], b as SkippedRows[])}

/** The merge rule of every field (the record type makes a field without a rule fail to compile). */
export const INPUT_FACT_RULES: Record<keyof InputFacts, MergeRule> = {
  files: FILES,
  rows: SUM,
  backgroundRows: SUM,
  clampedValues: SUM,
  rowSumMaxDeviation: MAX,
  rowSumRenormalized: SUM,
  scoreMin: MIN,
  scoreMax: MAX,
  rowSumMin: MIN,
  rowSumMax: MAX,
  skipped: SKIPPED,
}

export function emptyInputFacts(): InputFacts {
  return {
    files: [],
    rows: 0,
    backgroundRows: 0,
    clampedValues: 0,
    rowSumMaxDeviation: 0,
    rowSumRenormalized: 0,
    scoreMin: Infinity,
    scoreMax: -Infinity,
    rowSumMin: Infinity,
    rowSumMax: -Infinity,
    skipped: [],
  }
}

/** The facts of a part of a file (see rebaseLocation), moved to the whole file's line and row numbers. */
export function rebaseInputFacts(facts: InputFacts, base: {rows: number; lines: number}): void {
  for (const entry of facts.skipped)
    entry.first = {...entry.first, location: rebaseLocation(entry.first.location, base)}
}
