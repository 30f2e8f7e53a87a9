import type {InputLocation} from './errors.js'

/**
 * A block of prediction rows as a reader hands it to the evaluators.
 *
 * Invariants: `labels[i]` is a valid class index in [0, numClasses) for i < rows (readers check this,
 * because only they know the line to blame); `scores` holds `rows × width` values row-major, where width
 * is 1 for a binary task (the positive class's logit or probability), K for a multi-class task, and for
 * multi-label 2K (wide and Arrow list layouts: K scores, then K targets) or 2 (long layout: score, target,
 * with the class in `labels`).
 * Scores are not yet checked for finiteness: the evaluator does that in its hot loop and asks
 * `locate` for the row to blame.
 *
 * A chunk is valid until the next one is requested: readers reuse their arrays (copy what you keep).
 */
export interface PredictionChunk {
  rows: number
  width: number
  labels: Int32Array
  scores: Float64Array | Float32Array
  /** Where row i (0-based within this chunk) came from, for error messages; `score` picks a score column. */
  locate(row: number, score?: number): InputLocation
  /** With --id-col: each row's id, as text. */
  ids?: RowIds
}

/**
 * The --id-col value of each chunk row, kept as text (an image path, a sample id: any column); null where
 * the file holds a null. Read only for rows that are reported (`--top`) or written (`--rows-out`).
 */
export interface RowIds {
  text(row: number): string | null
}
