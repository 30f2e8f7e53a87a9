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

export type {Concentration, ConcentrationGroup, GridCell, Hardest, HardRow, LossByPt} from '../../report/types.js'

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
  accuracy?: number | null
  /**
   * Rows = true class, columns = predicted class (K × K; binary 2 × 2); multi-label: one 2 × 2 per class,
   * [[tn, fp], [fn, tp]] as sklearn's multilabel_confusion_matrix.
   */
  confusion?: number[][] | number[][][] | null
  topConfusions?: TopConfusion[] | null
  calibration?: Calibration | null
  brier?: number | null
}
