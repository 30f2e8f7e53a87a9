/**
 * Each element's values as `--rows-out` writes them (and `--top` keeps them): data row, class, label,
 * predicted class, p_t, CE and (1 − p_t)^γ · CE per γ of the sweep, computed from a block of prepared
 * elements and the chunk they came from. Pure; one block of typed arrays reused from call to call.
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

export class RowValuesMaker {
  readonly values: RowValues
  private readonly config: EvaluationConfig
  private readonly shift: number
  private readonly kinds: PowerKind[]

  constructor(config: EvaluationConfig, capacity: number) {
    this.config = config
    this.shift = config.task === 'multilabel' ? 2 : 1
    this.kinds = config.gammas.map(powerKindOf)
    this.values = {
      count: 0,
      row: new Float64Array(capacity),
      cls: new Int32Array(capacity),
      label: new Float64Array(capacity),
      predicted: new Int32Array(capacity),
      pt: new Float64Array(capacity),
      ce: new Float64Array(capacity),
      focal: config.gammas.map(() => new Float64Array(capacity)),
      id: new Array<string | null>(capacity).fill(null),
    }
  }

  /** The values of prepared elements [from, to) of `rows`, which came from `chunk`. */
  fill(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): RowValues {
    const {config, shift, kinds, values} = this
    const {gammas} = config
    const multilabel = config.task === 'multilabel'
    const dataRow = dataRowsOf(chunk)
    const ids = chunk.ids
    const n = to - from
    for (let k = from, o = 0; k < to; k++, o++) {
      const i = rows.row[k]
      const cls = rows.bucket[k] >> shift
      const c = rows.ce[k]
      const q = rows.q[k]
      let label: number
      let soft = false
      if (multilabel) {
        label = targetOf(config, chunk, i, cls)
        soft = label !== 0 && label !== 1
      } else {
        label = chunk.labels[i]
      }
      values.row[o] = dataRow(i)
      values.cls[o] = cls
      values.label[o] = label
      values.predicted[o] = predictedOf(config, chunk, i, cls)
      values.pt[o] = ptOf(c, q, soft)
      values.ce[o] = c
      for (let g = 0; g < gammas.length; g++) values.focal[g][o] = powerOf(q, gammas[g], kinds[g]) * c
      if (ids !== undefined) values.id[o] = ids.text(i)
    }
    values.count = n
    return values
  }
}
