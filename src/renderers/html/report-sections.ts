/**
 * The report sections the HTML page shows when they are present, typed as the issues that add them define
 * them (issue 17: `concentration`, `grid`, `lossByPt`; issue 18: `accuracy`, per-class metrics,
 * `confusion`, `topConfusions`, `calibration`, `hardest`). They are not in `Report` yet
 * (src/core/result.ts): when a section lands there, its type here should become an import of that one, so
 * a change of shape fails to compile here rather than rendering an empty chart.
 *
 * Every field is optional: the page renders a section only when its field is present (and not null).
 */
import type {ClassRow, Report} from '../../report/types.js'

/** Issue 17: cumulative loss share carried by the hardest fraction of a group's samples, per γ. */
export interface ConcentrationGroup {
  /** "positive", "negative", "all" or "class:<name>". */
  group: string
  gamma: number
  count: number
  loss: number
  /** [fraction of samples (hardest first), share of the group's loss they carry]. */
  curve: [number, number][]
  /** Share carried by the hardest 1 %, 5 %, 10 %, 20 %: keys "0.01", "0.05", "0.1", "0.2". */
  topShare: Record<string, number | null>
  /** Smallest fraction carrying 50 %, 80 %, 90 %, 99 % of the loss: keys "0.5", "0.8", "0.9", "0.99". */
  fractionCarrying: Record<string, number | null>
  gini: number | null
  effectiveSamples: number | null
}

export interface Concentration {
  method: string
  /** Bound on every share figure's absolute error, in share units. */
  maxShareError: number
  groups: ConcentrationGroup[]
}

/** Issue 17: one cell of the γ × α grid. */
export interface GridCell {
  gamma: number
  alpha: number
  sum: number
  ratioToCe: number | null
  /** Sigmoid tasks: the positives' share of the loss; null for multi-class. */
  positiveShare: number | null
  /** Multi-class: the minority classes' share of the loss; null for sigmoid tasks. */
  minorityShare: number | null
  hardShare: number | null
}

/**
 * Issue 17 item 4 (the data's own Figure 1): mean loss of the rows whose p_t falls in each bin
 * (lower, upper], for each γ of the sweep (γ = 0 is cross-entropy). The issue names the chart, not the JSON
 * field: this is the shape the page reads, proposed here (docs/html-report.md).
 */
export interface LossByPt {
  bins: {lower: number; upper: number; count: number; focal: {gamma: number; mean: number | null}[]}[]
}

/** Issue 18: the most frequent off-diagonal cells of the confusion matrix. */
export interface TopConfusion {
  actual: string
  predicted: string
  count: number
  /** Those rows' share of the total CE. */
  ceShare: number | null
}

/** Issue 18: top-label calibration with a reliability diagram's bins (lower, upper]. */
export interface Calibration {
  bins: number
  ece: number | null
  mce: number | null
  /** Brier score, when the report gives it here (issue 18 puts it "beside" calibration). */
  brier?: number | null
  perClass: {class: string; ece: number | null}[]
  reliability: {lower: number; upper: number; count: number; confidence: number | null; accuracy: number | null}[]
}

/** Issue 18: one of the hardest rows. Arrow/Parquet give batch and batchRow instead of line. */
export interface HardRow {
  file: string
  row: number
  line?: number | null
  batch?: number | null
  batchRow?: number | null
  id?: string | null
  label: string | number
  predicted: string | number
  pt: number
  ce: number
  loss: number
}

export interface Hardest {
  /** What the rows are ranked by, e.g. "ce" or "focal γ=2". */
  by: string
  rows: HardRow[]
}

/** Issue 18: per-class metrics added to each `classes[i]`. */
export interface ClassMetrics {
  precision?: number | null
  recall?: number | null
  f1?: number | null
  support?: number | null
}

/** A report as the HTML page reads it: today's `Report` plus the sections other issues add. */
export type HtmlReportInput = Omit<Report, 'classes'> & {
  classes: (ClassRow & ClassMetrics)[]
  concentration?: Concentration | null
  grid?: GridCell[] | null
  lossByPt?: LossByPt | null
  accuracy?: number | null
  /**
   * Rows = true class, columns = predicted class (K × K; binary 2 × 2); multi-label: one 2 × 2 per class,
   * [[tn, fp], [fn, tp]] as sklearn's multilabel_confusion_matrix.
   */
  confusion?: number[][] | number[][][] | null
  topConfusions?: TopConfusion[] | null
  calibration?: Calibration | null
  brier?: number | null
  hardest?: Hardest | null
}
