/**
 * A block of prepared elements: what the per-element maths (prepare-rows.ts) makes of a chunk's rows, for
 * every evaluator that needs per-element values (the loss breakdown, and next the concentration sketch and
 * the hardest-rows heap). One element is one row, except for multi-label wide rows, which hold K.
 *
 * The block is reused: elements [0, count) are valid until the block is folded and its count reset. A block
 * holds at most `capacity` elements, cut at absolute row numbers of the unit being read (not at chunk ends),
 * so any chunking of the same rows gives the same blocks and the same doubles.
 */
export interface PreparedRows {
  /** Elements held. */
  count: number
  /** Set by a binary-logits kernel writing only some rows (`emitAbove`): how many its last call wrote. */
  emitted: number
  readonly capacity: number
  /** CE = −log p_t (BCE with soft targets). */
  readonly ce: Float64Array
  /** 1 − p_t, computed without cancellation. */
  readonly q: Float64Array
  /** Bucket: 2 · class + hard (binary, multi-class), 4 · class + 2 · negative + hard (multi-label). */
  readonly bucket: Int32Array
  /** Multi-label only (else empty): y · CE. */
  readonly targetCe: Float64Array
  /** The chunk row each element came from (valid for the elements of the latest prepare call). */
  readonly row: Int32Array
  /**
   * With the metrics (else empty), as read before any clamping: binary and multi-label, p of the positive
   * class (of the element); multi-class, the largest class probability (the top-label confidence).
   */
  readonly conf: Float64Array
  /** Multi-class with the metrics (else empty): the predicted class, the first largest score (numpy's argmax). */
  readonly argmax: Int32Array
  /** Multi-class with the metrics (else empty): the row's Brier term Σ_c (p_c − y_c)². */
  readonly brier: Float64Array
}

/** Rows summed plainly before being folded into a compensated state: bounds the rounding error. */
export const FOLD_ROWS = 8192

export function preparedRows(capacity: number, multilabel: boolean, metrics = false): PreparedRows {
  return {
    count: 0,
    emitted: 0,
    capacity,
    ce: new Float64Array(capacity),
    q: new Float64Array(capacity),
    bucket: new Int32Array(capacity),
    targetCe: new Float64Array(multilabel ? capacity : 0),
    row: new Int32Array(capacity),
    conf: new Float64Array(metrics ? capacity : 0),
    argmax: new Int32Array(metrics ? capacity : 0),
    brier: new Float64Array(metrics ? capacity : 0),
  }
}
