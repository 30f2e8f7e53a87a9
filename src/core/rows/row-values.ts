/**
 * Each element's values as `--rows-out` writes them (and `--top` keeps them): data row, class, label,
 * predicted class, p_t, CE and (1 − p_t)^γ · CE per γ of the sweep, computed from a block of prepared
 * elements and the chunk they came from, into the block of typed arrays the caller gives. Pure.
 */
import type {PredictionChunk} from '../chunk.js'
import type {EvaluationConfig} from '../config.js'
import {type PowerKind, powerKindOf, powerOf} from '../losses/numerics.js'
import type {PreparedRows} from './prepared-rows.js'

/**
 * p_t from the prepared values: 1 − q where that loses nothing (q ≤ 0.5), else exp(−CE), which keeps the
 * relative precision of a tiny p_t (hard targets: CE = −log p_t after clamping). Soft targets: 1 − q.
 */
export function ptOf(ce: number, q: number, soft: boolean): number {
  return q > 0.5 && !soft ? Math.exp(-ce) : 1 - q
}

/**
 * The predicted class of chunk row i: argmax of the scores (the first on ties, as numpy's argmax;
 * logits and probabilities alike); binary: 1 when p > 0.5 (logit > 0). Multi-label: element `cls` of the
 * row, 1 when its p > 0.5.
 */
export function predictedOf(config: EvaluationConfig, chunk: PredictionChunk, i: number, cls: number): number {
  const {scores, width} = chunk
  const cut = config.scores === 'logits' ? 0 : 0.5
  if (config.task === 'multilabel') {
    const j = config.elementLayout === 'long' ? 0 : cls
    return scores[i * width + j] > cut ? 1 : 0
  }
  if (config.task === 'binary') return scores[i] > cut ? 1 : 0
  const base = i * width
  let best = 0
  for (let j = 1; j < width; j++) if (scores[base + j] > scores[base + best]) best = j
  return best
}

/** Multi-label: element `cls`'s target y in chunk row i. */
export function targetOf(config: EvaluationConfig, chunk: PredictionChunk, i: number, cls: number): number {
  const long = config.elementLayout === 'long'
  const K = long ? 1 : config.numClasses
  return chunk.scores[i * chunk.width + K + (long ? 0 : cls)]
}

/**
 * Chunk row → 0-based data row of the file (relative to the part being read). A chunk's rows are usually
 * consecutive data rows (one look-up serves them all); a reader that left rows out inside the chunk
 * (--on-invalid skip) is asked row by row.
 */
export function dataRowsOf(chunk: PredictionChunk): (row: number) => number {
  if (chunk.rows === 0) return () => 0
  const first = chunk.locate(0).dataRow ?? 0
  const last = chunk.locate(chunk.rows - 1).dataRow ?? 0
  if (last - first === chunk.rows - 1) return (row) => first + row
  return (row) => chunk.locate(row).dataRow ?? 0
}

/** A block of element values: elements [0, count) valid after `fill`. */
export interface RowValues {
  count: number
  row: Float64Array
  /** Multi-label: the element's class; else the label. */
  cls: Int32Array
  /** Binary, multi-class: the label's class index; multi-label: the target y. */
  label: Float64Array
  predicted: Int32Array
  pt: Float64Array
  ce: Float64Array
  /** (1 − p_t)^γ · CE, one array per γ of the sweep. */
  focal: Float64Array[]
  /** --id-col: the element's row id (null where the file has none, and without --id-col). */
  id: (string | null)[]
}

/** A RowValues of `capacity` elements, in new arrays. */
export function newRowValues(gammas: number, capacity: number): RowValues {
  return {
    count: 0,
    row: new Float64Array(capacity),
    cls: new Int32Array(capacity),
    label: new Float64Array(capacity),
    predicted: new Int32Array(capacity),
    pt: new Float64Array(capacity),
    ce: new Float64Array(capacity),
    focal: Array.from({length: gammas}, () => new Float64Array(capacity)),
    id: new Array<string | null>(capacity).fill(null),
  }
}

export class RowValuesMaker {
  private readonly config: EvaluationConfig
  private readonly shift: number
  private readonly kinds: PowerKind[]

  constructor(config: EvaluationConfig) {
    this.config = config
    this.shift = config.task === 'multilabel' ? 2 : 1
    this.kinds = config.gammas.map(powerKindOf)
  }

  /**
   * The values of prepared elements [from, to) of `rows`, which came from `chunk`, into elements [0, to −
   * from) of `into` (a writer passes views of its output batch, so the values are stored once). Column by column, each a loop without a call or a branch on the task per
   * element; element by element, it is:
   *   row = dataRow(i); cls = bucket >> shift; label = labels[i] (multi-label: the target);
   *   predicted = predictedOf(…); pt = ptOf(ce, q, soft); ce; focal[g] = powerOf(q, γ_g) · ce; id.
   */
  fill(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk, into: RowValues): RowValues {
    const {config, shift, kinds} = this
    const n = to - from
    const rowOf = rows.row
    const bucket = rows.bucket
    const ceOf = rows.ce
    const qOf = rows.q
    const {row, cls, label, predicted, pt, ce, focal} = into
    const dataRow = dataRowsOf(chunk)
    for (let o = 0; o < n; o++) row[o] = dataRow(rowOf[from + o])
    for (let o = 0; o < n; o++) cls[o] = bucket[from + o] >> shift
    for (let o = 0; o < n; o++) ce[o] = ceOf[from + o]
    if (config.task === 'multilabel') {
      for (let o = 0; o < n; o++) {
        const i = rowOf[from + o]
        const y = targetOf(config, chunk, i, cls[o])
        label[o] = y
        predicted[o] = predictedOf(config, chunk, i, cls[o])
        pt[o] = ptOf(ceOf[from + o], qOf[from + o], y !== 0 && y !== 1)
      }
    } else {
      const labels = chunk.labels
      for (let o = 0; o < n; o++) label[o] = labels[rowOf[from + o]]
      for (let o = 0; o < n; o++) pt[o] = ptOf(ceOf[from + o], qOf[from + o], false)
      fillPredicted(config, chunk, rowOf, from, n, predicted)
    }
    const {gammas} = config
    for (let g = 0; g < gammas.length; g++) {
      const out = focal[g]
      const gamma = gammas[g]
      const kind = kinds[g]
      for (let o = 0; o < n; o++) out[o] = powerOf(qOf[from + o], gamma, kind) * ceOf[from + o]
    }
    const ids = chunk.ids
    if (ids !== undefined) for (let o = 0; o < n; o++) into.id[o] = ids.text(rowOf[from + o])
    into.count = n
    return into
  }
}

/** predictedOf for chunk rows rowOf[from …], binary and multi-class, a loop per task. */
function fillPredicted(
  config: EvaluationConfig,
  chunk: PredictionChunk,
  rowOf: Int32Array,
  from: number,
  n: number,
  predicted: Int32Array,
): void {
  const {scores, width} = chunk
  if (config.task === 'binary') {
    const cut = config.scores === 'logits' ? 0 : 0.5
    for (let o = 0; o < n; o++) predicted[o] = scores[rowOf[from + o]] > cut ? 1 : 0
    return
  }
  for (let o = 0; o < n; o++) {
    const base = rowOf[from + o] * width
    let best = 0
    for (let j = 1; j < width; j++) if (scores[base + j] > scores[base + best]) best = j
    predicted[o] = best
  }
}
