/**
 * The report: a plain, JSON-safe object that every renderer and `--json` consumer reads.
 * This is the public contract (documented in the README, checked against `schema/report.schema.json`).
 * Bump `schemaVersion` only when a field changes meaning; adding fields is not a change of meaning.
 * Numbers that cannot be defined (a share of a zero total) are `null`, never NaN or Infinity.
 */
import type {SkipReason} from './errors.js'

export const SCHEMA_VERSION = 1

export type Task = 'binary' | 'multiclass'
export type ScoreKind = 'logits' | 'probs'
export type FileFormat = 'csv' | 'arrow'

export interface ReportInput {
  files: string[]
  format: FileFormat
  task: Task
  scores: ScoreKind
  rows: number
  /** Rows left out of every figure (only with --on-invalid skip; otherwise a bad row stops the run). */
  skippedRows: number
  /** The skipped rows per reason, with the first one's location and problem. */
  skipped: SkippedRows[]
  /** Rows used from each file, in the order of `files`. */
  fileRows: number[]
  /** Probabilities moved into [eps, 1 − eps] before the log (scores = probs only). */
  clampedValues: number
  /** Multi-class probabilities: how far rows strayed from summing to 1, and what was done. Null otherwise. */
  probabilityRowSums: {
    tolerance: number
    policy: 'refuse' | 'renormalize'
    /** The largest |Σ_j p_j − 1| over the rows used. */
    maxDeviation: number
    /** Rows rescaled to sum to 1 (policy renormalize). */
    renormalized: number
  } | null
  /** Class names, in class-index order. Binary: ["0", "1"]. */
  classes: string[]
  /** Rows per class, in class-index order. */
  classCounts: number[]
  /** Largest class count over smallest; null when a class has no rows. */
  imbalanceRatio: number | null
  /** Which published definition the figures follow. */
  semantics: string
}

export interface SkippedRows {
  reason: SkipReason
  count: number
  /** The first skipped row of this reason: file, line or batch/row, column, what was expected. */
  first: string
}

export interface ReportConfig {
  gammas: number[]
  alpha: number | null
  easyThreshold: number
  eps: number
}

export interface SumAndMean {
  sum: number
  mean: number | null
}

export interface SweepRow {
  gamma: number
  sum: number
  mean: number | null
  /** Focal sum over CE sum. */
  ratioToCe: number | null
  /** Share of this γ's focal loss carried by easy rows (p_t > threshold). */
  easyShare: number | null
  hardShare: number | null
}

export interface SplitSide {
  count: number
  countShare: number | null
  ceShare: number | null
  ce: number
  /** Focal sum of this side at each γ of the sweep, in sweep order. */
  focal: {gamma: number; sum: number; share: number | null}[]
}

export interface ReportSplit {
  threshold: number
  easy: SplitSide
  hard: SplitSide
}

export interface ClassRow {
  class: string
  count: number
  countShare: number | null
  ce: {sum: number; share: number | null}
  focal: {gamma: number; sum: number; share: number | null}[]
  /** CE share at least twice the count share: this class carries far more loss than data. */
  overweight: boolean
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION
  input: ReportInput
  config: ReportConfig
  totals: {ce: SumAndMean}
  sweep: SweepRow[]
  split: ReportSplit
  classes: ClassRow[]
}
