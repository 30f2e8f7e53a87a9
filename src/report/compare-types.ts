/**
 * The result of `focalscope compare A B`: the two runs' reports, their differences and, for two prediction
 * files of the same rows, how A's hard rows fare in B. The public contract of `compare --json` (documented
 * in docs/compare.md, checked against `schema/compare.schema.json`).
 */
import type {Report} from './types.js'

export const COMPARE_SCHEMA_VERSION = 1

/**
 * B − A, in the shape of a report: every numeric figure the two reports share, under the report's own
 * field names. A figure that is null in either report is null here. Fields that name a row rather than
 * measure something (`gamma`, `class`, `threshold`, bin edges, …) are copied, not subtracted; text,
 * flags and the settings (`config`, equal in both) are left out, and so is a list whose length differs
 * between the two (the files of each run, the skipped-row reasons).
 */
export type DeltaOf<T> = [T] extends [number | null | undefined]
  ? number | null
  : T extends readonly (infer E)[]
    ? DeltaOf<E>[]
    : T extends object
      ? {[K in keyof T]?: DeltaOf<T[K]>}
      : T

/** The report fields a delta holds (and those of sections other issues add, when both reports have them). */
export type ReportDelta = DeltaOf<Pick<Report, 'input' | 'totals' | 'sweep' | 'split' | 'splitByTarget' | 'classes'>> &
  Record<string, unknown>

/**
 * How A's hard elements (p_t ≤ the easy threshold) fare in B, element by element: only for two prediction
 * files of the same rows, paired by order (the n-th data row of A with the n-th of B) and checked to hold
 * the same labels (multi-label: the same targets). Counts are of elements: rows for binary and
 * multi-class, one per class and row for multi-label wide.
 */
export interface HardRowComparison {
  /** Whether the rows were paired; when not, `reason` says why and every count is null. */
  compared: boolean
  reason: string | null
  /** How rows were paired: "order" (the n-th data row of A with the n-th of B). */
  pairedBy: 'order'
  /** What the counts count: "rows", or "elements" for multi-label (one per class and row). */
  unit: 'rows' | 'elements'
  /** Hard means p_t ≤ this (the runs' shared --easy-threshold). */
  threshold: number
  /** Rows read in both runs. */
  pairedRows: number | null
  /** Rows read in one run only (left out of the other under --on-invalid skip); not counted below. */
  unpairedRows: number | null
  /** Elements of the paired rows. */
  paired: number | null
  /** Hard in A. */
  hardInA: number | null
  /** Hard in B. */
  hardInB: number | null
  /** Hard in A and still hard in B. */
  stillHard: number | null
  /** Hard in A, easy in B. */
  nowEasy: number | null
  /** Easy in A, hard in B. */
  newlyHard: number | null
  /** stillHard / hardInA; null when A has no hard element. */
  stillHardShare: number | null
}

/** One of the two files compare was given, and what it held. */
export interface CompareInput {
  /** The path as given on the command line. */
  path: string
  /** "predictions" (read and evaluated), or "report" (a saved `report --json` output, read as it is). */
  kind: 'predictions' | 'report'
}

export interface Comparison {
  kind: 'focalscope-compare'
  schemaVersion: typeof COMPARE_SCHEMA_VERSION
  inputs: {a: CompareInput; b: CompareInput}
  /** The run named first: a report as `report --json` writes it. */
  a: Report
  /** The run named second. */
  b: Report
  delta: ReportDelta
  hardRows: HardRowComparison
}
