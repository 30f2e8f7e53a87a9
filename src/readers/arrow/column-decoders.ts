/**
 * An Arrow batch's columns as the arrays a PredictionChunk holds: labels as class indices (integers,
 * booleans, strings, dictionaries), scores as doubles (Float64 in place; Float32, integers and booleans
 * converted), FixedSizeLists as row-major K scores. Nulls and bad labels go to `invalid`.
 */
import type {Data} from 'apache-arrow'

import {quoteValue, type SkipReason, UsageError} from '../../core/errors.js'
import {badLabelMessage, expectedLabel, type Layout} from '../layout.js'
import {TYPE_BOOL, TYPE_DICTIONARY, TYPE_FLOAT, TYPE_INT, TYPE_LARGE_UTF8, TYPE_UTF8} from './type-ids.js'

/**
 * Scratch arrays reused from batch to batch (a chunk is consumed before the next is read), so a long file
 * does not leave a trail of per-batch garbage that inflates peak memory.
 */
export class Scratch {
  private labels = new Int32Array(0)
  private scores = new Float64Array(0)
  labelsFor(n: number): Int32Array {
    if (this.labels.length < n) this.labels = new Int32Array(n)
    return this.labels.subarray(0, n)
  }
  scoresFor(n: number): Float64Array {
    if (this.scores.length < n) this.scores = new Float64Array(n)
    return this.scores.subarray(0, n)
  }
}

type Invalid = (row: number, message: string, reason: SkipReason) => void

/** Copies the rows whose label is not -1 into scratch arrays, with the original row of each. */
export function compactValidRows(
  labels: Int32Array,
  scores: Float64Array | Float32Array,
  width: number,
): {rows: number; labels: Int32Array; scores: Float64Array; rowMap: Int32Array} | null {
  let valid = 0
  for (let i = 0; i < labels.length; i++) if (labels[i] !== -1) valid++
  if (valid === labels.length) return null
  const outLabels = new Int32Array(valid)
  const outScores = new Float64Array(valid * width)
  const rowMap = new Int32Array(valid)
  for (let i = 0, k = 0; i < labels.length; i++) {
    if (labels[i] === -1) continue
    outLabels[k] = labels[i]
    rowMap[k] = i
    for (let j = 0; j < width; j++) outScores[k * width + j] = scores[i * width + j]
    k++
  }
  return {rows: valid, labels: outLabels, scores: outScores, rowMap}
}

/** Whether every value is a class index in [0, classes). */
function allClassIndices(values: Int32Array, classes: number): boolean {
  // Each value is at most the OR of all of them (unsigned; a negative one sets the top bit), so an OR
  // below `classes` settles it. Four values per step: ~0.5 ns a value here, one per step ~2.6 ns.
  const n = values.length
  const whole = n - (n % 4)
  let or = 0
  let i = 0
  for (; i < whole; i += 4) or |= values[i] | values[i + 1] | values[i + 2] | values[i + 3]
  for (; i < n; i++) or |= values[i]
  if (or >>> 0 < classes) return true
  for (i = 0; i < n; i++) if (values[i] >>> 0 >= classes) return false
  return true
}

// Every line run before V8 optimises it: it compiles a long loop's first call for on-stack replacement,
// and the compares after the loop, never run, then left it through a deoptimisation at every batch (~80
// a run of the 10 M-row Arrow bench file). Several calls: V8 keeps no type feedback for a function's
// first few (lazy feedback allocation).
for (let call = 0; call < 16; call++) {
  allClassIndices(Int32Array.of(0, 1, 0, 1, 1), 2)
  allClassIndices(Int32Array.of(0, 1, 5, 1, 1), 2)
}

/**
 * Labels as class indices; a bad row gets -1 after `invalid` was told (which throws unless skipping).
 * `inPlace`: the column itself may be returned (nothing marks rows in it: a bad row stops the run).
 */
export function readLabels(
  data: Data,
  layout: Layout,
  lookup: (text: string) => number,
  scratch: Scratch,
  invalid: Invalid,
  inPlace: boolean,
): Int32Array {
  const n = data.length
  const k = layout.classes.length
  const typeId = data.type.typeId
  const hasNulls = data.nullCount > 0
  // The usual column, int32 without nulls, is used in place once every label is checked (no copy).
  if (inPlace && typeId === TYPE_INT && !hasNulls && data.values instanceof Int32Array) {
    const labels = data.values.subarray(data.offset, data.offset + n)
    if (allClassIndices(labels, k)) return labels
  }
  const out = scratch.labelsFor(n)
  const bad = (i: number, message: string, reason: SkipReason): void => {
    invalid(i, message, reason)
    out[i] = -1
  }
  if (typeId === TYPE_INT || typeId === TYPE_FLOAT) {
    const values = data.values as ArrayLike<number | bigint>
    for (let i = 0; i < n; i++) {
      if (hasNulls && !data.getValid(i)) {
        bad(i, 'expected a label, got null', 'null')
        continue
      }
      const v = Number(values[data.offset + i])
      if (Number.isInteger(v) && v >= 0 && v < k) out[i] = v
      else bad(i, badLabelMessage(layout, v, String(v)), 'label')
    }
    return out
  }
  if (typeId === TYPE_BOOL) {
    if (layout.task !== 'binary') throw new UsageError(`${expectedLabel(layout)}, got a boolean label column`)
    for (let i = 0; i < n; i++) {
      if (hasNulls && !data.getValid(i)) {
        bad(i, 'expected a label, got null', 'null')
        continue
      }
      const bit = data.offset + i
      out[i] = (data.values[bit >> 3] >> (bit & 7)) & 1
    }
    return out
  }
  if (typeId === TYPE_DICTIONARY || typeId === TYPE_UTF8 || typeId === TYPE_LARGE_UTF8) {
    // Decode each distinct dictionary entry once; plain strings one by one (the slow, rare case).
    const dictionary = data.dictionary
    const codes = dictionary
      ? Int32Array.from({length: dictionary.length}, (_, d) => lookup(String(dictionary.get(d))))
      : null
    const decoder = new TextDecoder()
    for (let i = 0; i < n; i++) {
      if (hasNulls && !data.getValid(i)) {
        bad(i, 'expected a label, got null', 'null')
        continue
      }
      let code: number
      let text: () => string
      if (dictionary && codes) {
        const index = Number((data.values as ArrayLike<number>)[data.offset + i])
        code = codes[index]
        text = () => String(dictionary.get(index))
      } else {
        const offsets = data.valueOffsets as ArrayLike<number | bigint>
        const from = Number(offsets[data.offset + i])
        const to = Number(offsets[data.offset + i + 1])
        const decoded = decoder.decode((data.values as Uint8Array).subarray(from, to))
        code = lookup(decoded)
        text = () => decoded
      }
      if (code >= 0) out[i] = code
      else bad(i, `${expectedLabel(layout)}, got ${quoteValue(text())}`, 'label')
    }
    return out
  }
  throw new UsageError(`expected an integer, boolean or string label column, got ${typeName(data.type)}`)
}

function isFloatData(data: Data): boolean {
  return data.type.typeId === TYPE_FLOAT && (data.values instanceof Float64Array || data.values instanceof Float32Array)
}

/**
 * Rows whose list, or any value in it, is null: `onNull` is told (it throws unless skipping) and the row's
 * label becomes -1. Element (i, j) sits at child position (list offset + i) · width + j.
 */
function markNullLists(data: Data, width: number, labels: Int32Array, onNull: (row: number) => void): void {
  const child = data.children[0]
  if (data.nullCount === 0 && child.nullCount === 0) return
  for (let i = 0; i < data.length; i++) {
    if (labels[i] === -1) continue
    let isNull = !data.getValid(i)
    for (let j = 0; j < width && !isNull; j++) isNull = !child.getValid((data.offset + i) * width + j)
    if (isNull) {
      onNull(i)
      labels[i] = -1
    }
  }
}

export function readListScores(
  data: Data,
  width: number,
  labels: Int32Array,
  invalid: (row: number, message: string) => void,
): Float64Array | Float32Array {
  const child = data.children[0]
  if (!child || !isFloatData(child)) {
    throw new UsageError(`expected a FixedSizeList of Float32 or Float64, got ${typeName(data.type)}`)
  }
  markNullLists(data, width, labels, (i) => invalid(i, 'expected a list of scores, got null'))
  // The child's own offset counts values, the list's counts lists.
  const from = child.offset + data.offset * width
  return (child.values as Float64Array | Float32Array).subarray(from, from + data.length * width)
}

/** Integer and boolean columns hold targets (0/1, multi-hot) well; they are read as floats. */
function isTargetData(data: Data): boolean {
  return isFloatData(data) || data.type.typeId === TYPE_INT || data.type.typeId === TYPE_BOOL
}

/**
 * Copies `rows` runs of `run` consecutive values of a float, integer or boolean column, starting `from`
 * values past `data`'s own offset, to out[at + i · stride + j]: one branch per column, then plain loops.
 */
function copyAsFloat(
  data: Data,
  from: number,
  rows: number,
  run: number,
  out: Float64Array,
  at: number,
  stride: number,
): void {
  const start = data.offset + from
  if (data.type.typeId === TYPE_BOOL) {
    const bits = data.values as Uint8Array
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < run; j++) {
        const bit = start + i * run + j
        out[at + i * stride + j] = (bits[bit >> 3] >> (bit & 7)) & 1
      }
    }
    return
  }
  const values = data.values as ArrayLike<number | bigint>
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < run; j++) out[at + i * stride + j] = Number(values[start + i * run + j])
    }
    return
  }
  const numbers = values as ArrayLike<number>
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < run; j++) out[at + i * stride + j] = numbers[start + i * run + j]
  }
}

/**
 * Binary: the one score column in place. Multi-class wide: K columns interleaved into rows × K.
 * Multi-label: the columns from `firstTarget` on are targets, which may also be integers or booleans.
 */
export function readWideScores(
  columns: Data[],
  n: number,
  firstTarget: number,
  labels: Int32Array,
  scratch: Scratch,
  invalid: (row: number, column: number, message: string) => void,
): Float64Array | Float32Array {
  columns.forEach((data, j) => {
    if (j < firstTarget && !isFloatData(data)) {
      throw new UsageError(`column ${j + 1} of the scores: expected Float32 or Float64, got ${typeName(data.type)}`)
    }
    if (j >= firstTarget && !isTargetData(data)) {
      throw new UsageError(
        `column ${j + 1} of the scores and targets: expected a target column of floats, integers or booleans, got ${typeName(data.type)}`,
      )
    }
    if (data.nullCount > 0) {
      for (let i = 0; i < n; i++) {
        if (!data.getValid(i) && labels[i] !== -1) {
          invalid(i, j, j < firstTarget ? 'expected a score, got null' : 'expected a target, got null')
          labels[i] = -1
        }
      }
    }
  })
  if (columns.length === 1) {
    const data = columns[0]
    return (data.values as Float64Array | Float32Array).subarray(data.offset, data.offset + n)
  }
  const k = columns.length
  const out = scratch.scoresFor(n * k)
  for (let j = 0; j < k; j++) copyAsFloat(columns[j], 0, n, 1, out, j, k)
  return out
}

/**
 * Multi-label list form: a FixedSizeList of K scores and one of K targets (floats, integers or booleans)
 * into rows of K scores then K targets, the chunk layout the evaluator reads for every multi-label input.
 * (A copy: the chunk holds one array per row; the two lists are two buffers.)
 */
export function readScoreAndTargetLists(
  scoreData: Data,
  targetData: Data,
  k: number,
  labels: Int32Array,
  scratch: Scratch,
  invalid: (row: number, column: number, message: string) => void,
): Float64Array {
  const scoreChild = scoreData.children[0]
  const targetChild = targetData.children[0]
  if (!scoreChild || !isFloatData(scoreChild)) {
    throw new UsageError(`expected a FixedSizeList of Float32 or Float64 scores, got ${typeName(scoreData.type)}`)
  }
  if (!targetChild || !isTargetData(targetChild)) {
    throw new UsageError(
      `expected a FixedSizeList of float, integer or boolean targets, got ${typeName(targetData.type)}`,
    )
  }
  const n = scoreData.length
  markNullLists(scoreData, k, labels, (i) => invalid(i, 0, 'expected a list of scores, got null'))
  markNullLists(targetData, k, labels, (i) => invalid(i, 1, 'expected a list of targets, got null'))
  const out = scratch.scoresFor(n * 2 * k)
  copyAsFloat(scoreChild, scoreData.offset * k, n, k, out, 0, 2 * k)
  copyAsFloat(targetChild, targetData.offset * k, n, k, out, k, 2 * k)
  return out
}

export function typeName(type: Data['type']): string {
  return String(type)
}
