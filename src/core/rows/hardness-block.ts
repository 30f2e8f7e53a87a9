/**
 * Which elements of a chunk are hard (p_t ≤ the easy threshold), row by row, with each row's data-row
 * number and its truth (label, and multi-label targets) — what `compare` needs to pair the rows of two runs
 * on the same data (pipeline/pair-hard-rows.ts). The flags come from the same per-element maths as the
 * report (prepare-rows.ts: `bucket & 1` is the hard bit), so a row is hard here exactly when the report's
 * split counts it hard. Pure: no I/O.
 */
import type {PredictionChunk} from '../chunk.js'
import type {InputError} from '../errors.js'
import {emptyInputFacts} from '../state/input-facts.js'
import type {Settings} from '../state/partial-state.js'
import {elementsPerRow, type PrepareContext, type PrepareRows, rowPreparer} from './prepare-rows.js'
import {FOLD_ROWS, type PreparedRows, preparedRows} from './prepared-rows.js'

/**
 * The usable rows of one chunk: a row the preparer refused (under --on-invalid skip) is absent, as it is
 * from the report. Element e of row i is at i · perRow + e (multi-label wide: one element per class, in
 * class order). Reused from chunk to chunk: valid until the next `HardnessReader.read` into it.
 */
export interface HardnessBlock {
  /** Rows held. */
  rows: number
  /** Elements per row: K for multi-label wide, else 1. */
  readonly perRow: number
  /** Each row's 0-based index among its file's data rows (skipped ones included): the row's identity. */
  dataRow: Float64Array
  /** Each row's label (multi-label long: its class; multi-label wide: 0, the truth being the targets). */
  label: Int32Array
  /** Multi-label: each element's target; empty otherwise. */
  target: Float64Array
  /** Each element: 1 when p_t ≤ the easy threshold, else 0. */
  hard: Uint8Array
}

export function hardnessBlock(settings: Settings): HardnessBlock {
  return {
    rows: 0,
    perRow: elementsPerRow(settings),
    dataRow: new Float64Array(0),
    label: new Int32Array(0),
    target: new Float64Array(0),
    hard: new Uint8Array(0),
  }
}

/** Turns chunks into HardnessBlocks with the settings of a run. */
export class HardnessReader {
  private readonly prepare: PrepareRows
  private readonly prepared: PreparedRows
  private readonly context: PrepareContext
  private readonly perRow: number
  private readonly multilabel: boolean
  /** Multi-label wide (and soft labels): K elements per row, no label. */
  private readonly wide: boolean
  /** Multi-label: elements per row in the chunk's scores (K, or 1 for the long layout). */
  private readonly targetsPerRow: number

  constructor(settings: Settings) {
    this.prepare = rowPreparer(settings)
    this.perRow = elementsPerRow(settings)
    this.multilabel = settings.task === 'multilabel'
    this.wide = this.multilabel && settings.elementLayout !== 'long'
    this.targetsPerRow = settings.elementLayout === 'long' ? 1 : settings.numClasses
    this.prepared = preparedRows(Math.max(FOLD_ROWS, this.perRow), this.multilabel)
    // The report's pass has counted the facts and judged the rows already: a row refused here (only under
    // --on-invalid skip, else that pass would have stopped) is simply left out, as it was there.
    this.context = {config: settings, facts: emptyInputFacts(), reject: (_error: InputError) => undefined}
  }

  /**
   * Fills `block` with the chunk's usable rows. One pass of the report's per-element maths, plus a
   * compare and a copy per element.
   */
  read(chunk: PredictionChunk, block: HardnessBlock): void {
    const {perRow, prepared} = this
    grow(block, chunk.rows, this.multilabel)
    const dataRowOf = dataRows(chunk)
    const K = this.targetsPerRow
    let n = 0
    for (let start = 0; start < chunk.rows;) {
      const end = Math.min(chunk.rows, start + Math.floor(prepared.capacity / perRow))
      prepared.count = 0
      this.prepare(this.context, chunk, start, end, prepared)
      let last = -1
      let element = 0
      for (let k = 0; k < prepared.count; k++) {
        const r = prepared.row[k]
        if (r !== last) {
          // A new row: its elements follow one another, in class order.
          last = r
          element = 0
          block.dataRow[n] = dataRowOf(r)
          // Multi-label wide rows have no label of their own (their truth is the targets).
          block.label[n] = this.wide ? 0 : chunk.labels[r]
          if (this.multilabel) {
            const base = r * chunk.width + K
            for (let e = 0; e < K; e++) block.target[n * perRow + e] = chunk.scores[base + e]
          }
          n++
        }
        block.hard[(n - 1) * perRow + element] = prepared.bucket[k] & 1
        element++
      }
      start = end
    }
    block.rows = n
  }
}

/** Room for `rows` rows in the block (its arrays only ever grow: one allocation per larger chunk). */
function grow(block: HardnessBlock, rows: number, multilabel: boolean): void {
  if (block.dataRow.length >= rows) return
  block.dataRow = new Float64Array(rows)
  block.label = new Int32Array(rows)
  block.target = new Float64Array(multilabel ? rows * block.perRow : 0)
  block.hard = new Uint8Array(rows * block.perRow)
}

/**
 * Chunk row → data row. A chunk's rows are usually consecutive data rows (then one look-up serves them
 * all); a reader that left rows out inside the chunk (--on-invalid skip) is asked row by row.
 */
function dataRows(chunk: PredictionChunk): (row: number) => number {
  if (chunk.rows === 0) return () => 0
  const first = chunk.locate(0).dataRow
  const last = chunk.locate(chunk.rows - 1).dataRow
  if (first === undefined || last === undefined) {
    throw new Error('a reader gave rows without a data-row number: compare cannot pair them')
  }
  if (last - first === chunk.rows - 1) return (row) => first + row
  return (row) => chunk.locate(row).dataRow as number
}
