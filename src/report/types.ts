/**
 * The report: a plain, JSON-safe object that every renderer and `--json` consumer reads.
 * This is the public contract (documented in the README, checked against `schema/report.schema.json`).
 * Bump `schemaVersion` only when a field changes meaning; adding fields is not a change of meaning.
 * Numbers that cannot be defined (a share of a zero total) are `null`, never NaN or Infinity.
 */
import type {SkipReason} from '../core/errors.js'
import type {FileFormat, LossVariant, ScoreKind, Task} from '../core/kinds.js'

export const SCHEMA_VERSION = 1

export type {FileFormat, LossVariant, ScoreKind, Task} from '../core/kinds.js'

/*
 * Fields marked optional were added after schemaVersion 1 was first published: `focalscope report`
 * always writes them, but a baseline report written by an older version may lack them.
 */

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
  /** Largest class count over smallest (multi-label: of positive targets); null when one is 0. */
  imbalanceRatio: number | null
  /** Which published definition the figures follow. */
  semantics: string
  /**
   * --soft-labels: a binary file's labels read as soft targets in [0, 1], one sigmoid element per row
   * (then `task` is "multilabel" with the one class "1"). Absent in reports from before the flag existed.
   */
  softLabels?: boolean
  /** Loss elements: rows, or rows × K for multi-label wide (one sigmoid per class and row). */
  elements?: number
  /** Elements with a positive target (binary: label-1 rows; multi-label: target > 0). Null for multi-class. */
  positiveElements?: number | null
  /** Multi-label wide: rows whose targets are all 0 (pure background). Null otherwise. */
  backgroundRows?: number | null
  /** Multi-label: positive-target elements per class (what class-balanced α counts). Null otherwise. */
  positiveCounts?: number[] | null
  /**
   * What the user should know about the input, one line each (also printed on stderr): e.g. scores read
   * as logits, as --scores logits said, that look like probabilities. Empty when none.
   */
  warnings?: string[]
}

export interface SkippedRows {
  reason: SkipReason
  count: number
  /** The first skipped row of this reason: file, line or batch/row, column, what was expected. */
  first: string
}

export interface ReportConfig {
  gammas: number[]
  /** A scalar α, or null (no α, or α given per class: see `alphaSpec`). */
  alpha: number | null
  easyThreshold: number
  eps: number
  /** `--alpha` as given or set by the preset: "none", "0.25", "0.25,0.5,…", "inverse-frequency", "effective-number". */
  alphaSpec?: string
  /** β of effective-number α; null otherwise. */
  beta?: number | null
  /** The α (or class-balanced weight) applied to each class, in class order; null without α. */
  alphaByClass?: number[] | null
  /** The loss the sweep, split and class figures report ("focal" unless --loss). */
  loss?: LossVariant
  /** Poly-1's ε; null for other losses. */
  polyEpsilon?: number | null
  /** The reference whose defaults were used (--preset), or null. */
  preset?: string | null
  /** How `sweep[i].reduced` is computed from the sum (the reference's reduction), or null. */
  reduction?: {name: string; divisor: number; source: string | null} | null
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
  /**
   * The value the reference library prints: sum / config.reduction.divisor, except that --preset kornia divides
   * kornia's own sum (core/kornia-totals.ts); null without a reduction.
   */
  reduced?: number | null
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
  /** CE share at least twice the count share (multi-label: its share of the positive elements): far more loss than data. */
  overweight: boolean
  /** Multi-label: this class's elements with a positive / negative target. Null otherwise. */
  byTarget?: {positive: ClassPart; negative: ClassPart} | null
  /** With the metrics (issue 18): sklearn's precision_recall_fscore_support for this class, zero_division=0. */
  precision?: number
  recall?: number
  f1?: number
  /** Rows of this class (multi-label: elements with a positive target). */
  support?: number
}

/** Issue 18: one class's precision, recall, F1 and support. */
export interface ClassMetrics {
  precision: number
  recall: number
  f1: number
  support: number
}

/** Issue 18: an off-diagonal cell of the confusion matrix. */
export interface TopConfusion {
  actual: string
  predicted: string
  count: number
  /** Those rows' share of the total CE (totals.ce.sum); null when it is 0. */
  ceShare: number | null
}

/** One calibration bin [lower, upper) (a confidence of exactly 1: lower = upper = 1). */
export interface ReliabilityBin {
  lower: number
  upper: number
  count: number
  /** Mean confidence of the bin's elements; null when empty. */
  confidence: number | null
  /** Fraction predicted right (sigmoid tasks: mean target); null when empty. */
  accuracy: number | null
}

/**
 * Calibration as torchmetrics computes it (MulticlassCalibrationError / BinaryCalibrationError, n_bins = 15,
 * its bucketize(right=True) bins [i/15, (i+1)/15) of float32 edges, exactly 1 in a slot of its own).
 */
export interface Calibration {
  bins: number
  /** Σ_b (n_b / N) · |accuracy_b − confidence_b|; null without elements. */
  ece: number | null
  /** Largest |accuracy_b − confidence_b| of a non-empty bin. */
  mce: number | null
  /** Classwise ECE (Kull et al. 2019) per class; empty for multi-class without --class-ece. */
  perClass: {class: string; ece: number | null}[]
  reliability: ReliabilityBin[]
}

/** Part of a class's loss; shares are of the whole dataset's totals. */
export interface ClassPart {
  count: number
  ce: {sum: number; share: number | null}
  focal: {gamma: number; sum: number; share: number | null}[]
}

/**
 * The paper's four-way picture (binary and multi-label): easy/hard × positive/negative target.
 * A positive element has target > 0 (binary: label 1).
 */
export interface TargetSplit {
  threshold: number
  easyPositive: SplitSide
  hardPositive: SplitSide
  easyNegative: SplitSide
  hardNegative: SplitSide
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION
  input: ReportInput
  config: ReportConfig
  totals: {ce: SumAndMean}
  sweep: SweepRow[]
  split: ReportSplit
  /** Binary and multi-label: easy/hard × positive/negative. Null for multi-class. */
  splitByTarget?: TargetSplit | null
  classes: ClassRow[]
  /**
   * Loss concentration (on unless --no-concentration): for every γ and group (binary, sigmoid: "positive" and
   * "negative" elements; multi-class: "all" rows and "class:<name>"), the share of the group's loss its
   * hardest samples carry. Absent in reports from before it existed, and with --no-concentration.
   */
  concentration?: Concentration | null
  /** The data's own Figure 1: mean loss per p_t bin, for every γ (with the concentration). */
  lossByPt?: LossByPt | null
  /** The γ × α grid (--alphas): one cell per pair. Absent without --alphas. */
  grid?: GridCell[] | null
  /** --top N: the N elements with the largest loss, hardest first. Absent without --top. */
  hardest?: Hardest | null
  /** --top-per-class N: per class name, its N hardest elements. Absent without --top-per-class. */
  hardestByClass?: Record<string, HardRow[]> | null
  /**
   * Issue 18 (absent without --metrics): the share of rows predicted right (multi-label: of elements),
   * the confusion matrix (rows = true class, columns = predicted; multi-label one [[tn, fp], [fn, tp]] per
   * class), its largest off-diagonal cells, calibration and the Brier score.
   */
  accuracy?: number | null
  confusion?: number[][] | number[][][] | null
  topConfusions?: TopConfusion[] | null
  calibration?: Calibration | null
  /** Mean over rows of Σ_c (p_c − y_c)² (binary: (p − y)², as sklearn's brier_score_loss). */
  brier?: number | null
}

/**
 * One of the hardest elements (a row; multi-label: a row and class). `row` is the 0-based data row within
 * `file` (the path as given); CSV gives `line` (1-based physical line where the record starts, header =
 * line 1), Arrow `batch` and `batchRow` and Parquet its row group as `batch` (1-based, as error messages).
 */
export interface HardRow {
  file: string
  row: number
  line: number | null
  batch: number | null
  batchRow: number | null
  /** The --id-col value as text; null without --id-col. */
  id: string | null
  /** Multi-label only: the element's class. */
  class?: string
  /** The label's class name; multi-label: the target y. */
  label: string | number
  /** The argmax class's name (the first on ties); multi-label: 1 when p > 0.5, else 0. */
  predicted: string | number
  /** p_t as the loss used it (after clamping). */
  pt: number
  ce: number
  /** The loss ranked by: CE, or (1 − p_t)^γ · CE (α not applied). */
  loss: number
}

export interface Hardest {
  /** "ce", or "focal" at `gamma`. */
  by: 'ce' | 'focal'
  gamma: number | null
  rows: HardRow[]
}

/** Cumulative loss share carried by the hardest fraction of a group's samples, at one γ. */
export interface ConcentrationGroup {
  /** "positive", "negative", "all" or "class:<name>". */
  group: string
  gamma: number
  /** Elements in the group. */
  count: number
  /** The group's loss at this γ, as the sweep sums it (α included). */
  loss: number
  /** [fraction x of the group (hardest first), share of the group's loss the hardest ⌈x·n⌉ carry]. */
  curve: [number, number][]
  /** The curve at 1 %, 5 %, 10 %, 20 %: keys "0.01", "0.05", "0.1", "0.2". Null when the group has no loss. */
  topShare: Record<string, number | null>
  /** Smallest fraction (hardest first) carrying 50 %, 80 %, 90 %, 99 % of the loss: keys "0.5", "0.8", … */
  fractionCarrying: Record<string, number | null>
  /** Gini coefficient of the per-sample losses (Σ_i Σ_j |ℓ_i − ℓ_j| / (2 n² mean ℓ)). */
  gini: number | null
  /** (Σ ℓ)² / Σ ℓ², Kish's effective number of samples of the loss (exact, not from the sketch). */
  effectiveSamples: number | null
}

export interface Concentration {
  /** How the figures were computed (the sketch and its resolution). */
  method: string
  /** Bound on the absolute error of every share and curve figure (gini: twice it; fractionCarrying: exact for a share within it). */
  maxShareError: number
  /** Why the concentration was not computed (then `groups` is empty), e.g. Poly-1 with ε < 0. */
  unavailable?: string
  groups: ConcentrationGroup[]
}

/** Mean loss of the elements whose p_t falls in each bin [lower, upper) (the last bin includes 1), per γ. */
export interface LossByPt {
  bins: {lower: number; upper: number; count: number; focal: {gamma: number; mean: number | null}[]}[]
}

/** One cell of the γ × α grid: the sweep's figures with this α as --alpha A would apply it. */
export interface GridCell {
  gamma: number
  alpha: number
  sum: number
  ratioToCe: number | null
  /** Sigmoid tasks: the positive elements' share of the loss; null for multi-class. */
  positiveShare: number | null
  /** Multi-class: the share of the classes with fewer rows than the mean per class; null for sigmoid tasks. */
  minorityShare: number | null
  hardShare: number | null
}

/** A report's top-level fields (gate rules are checked against them before any prediction is read). */
export const REPORT_FIELDS = [
  'schemaVersion',
  'input',
  'config',
  'totals',
  'sweep',
  'split',
  'splitByTarget',
  'classes',
  'concentration',
  'lossByPt',
  'grid',
  'hardest',
  'hardestByClass',
  'accuracy',
  'confusion',
  'topConfusions',
  'calibration',
  'brier',
] as const satisfies readonly (keyof Report)[]

// Fails to compile when Report gains a field REPORT_FIELDS does not list.
true satisfies Exclude<keyof Report, (typeof REPORT_FIELDS)[number]> extends never ? true : never
