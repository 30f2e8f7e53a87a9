import type {Data, RecordBatch} from 'apache-arrow'

import type {PredictionChunk} from '../../core/chunk.js'
import {InputError, type InputLocation, type SkipReason, UsageError} from '../../core/errors.js'
import type {SkipLog} from '../../core/skip-log.js'
import {type ColumnInfo, type Layout, makeLabelLookup} from '../layout.js'
import {
  compactValidRows,
  readLabels,
  readListScores,
  readScoreAndTargetLists,
  readWideScores,
  Scratch,
} from './column-decoders.js'
import type {NumberedBatch} from './open-arrow.js'
import {arrowRowIds, type MakeVector} from './arrow-row-ids.js'
import {TYPE_BOOL, TYPE_FIXED_SIZE_LIST, TYPE_LARGE_UTF8, TYPE_UTF8} from './type-ids.js'

export interface ArrowReadOptions {
  /** With --on-invalid skip: where bad rows are logged instead of stopping the run. */
  skip?: SkipLog
  /** Told once per batch read (progress). */
  onBatch?: () => void
  /** Told the rows read so far (a part of a file: its rows' indices are relative to it, see CsvReadOptions). */
  extent?: {rows: number; lines: number}
}

/**
 * Streams record batches as PredictionChunks. Float64/Float32 scores are used in place, not copied. The
 * caller closes the source.
 */
export async function* readArrowChunks(
  path: string,
  columns: ColumnInfo[],
  batches: AsyncIterable<NumberedBatch>,
  layout: Layout,
  options: ArrowReadOptions = {},
): AsyncGenerator<PredictionChunk> {
  const {skip, onBatch, extent} = options
  const fieldIndex = (name: string): number => columns.findIndex((c) => c.name === name)
  const labelIndex = fieldIndex(layout.labelColumn)
  const scoreIndices = layout.listColumn ? [fieldIndex(layout.listColumn)] : layout.scoreColumns.map(fieldIndex)
  const scoreNames = layout.listColumn ? [layout.listColumn] : layout.scoreColumns
  const targetList = layout.targetListColumn
  const k = layout.classes.length
  // Multi-label list form: a row is K scores then K targets, as in the wide layout.
  const width = targetList !== undefined ? 2 * k : layout.listColumn ? k : layout.scoreColumns.length
  // Multi-label: the second half of the wide columns are targets (0/1 integers and booleans are read too).
  const firstTarget = layout.task === 'multilabel' ? layout.scoreColumns.length / 2 : layout.scoreColumns.length
  const lookupLabel = makeLabelLookup(layout)
  const columnOf = (score: number | undefined): string =>
    targetList !== undefined
      ? (score ?? 0) < k
        ? (layout.listColumn as string)
        : targetList
      : (layout.listColumn ?? scoreNames[score ?? 0] ?? layout.labelColumn)

  const idColumn = layout.idColumn
  const idIndex = idColumn === undefined ? -1 : fieldIndex(idColumn)
  // Loaded only for --id-col: importing apache-arrow costs start-up (see type-ids.ts).
  const makeVector = idColumn === undefined ? null : ((await import('apache-arrow')).makeVector as MakeVector)

  let batchNumber: number | undefined
  const scratch = new Scratch()
  // Rows of the batches before this one (of this read).
  let rowsBefore = 0
  try {
    for await (const {batch, number: b} of batches) {
      batchNumber = b
      const firstRow = rowsBefore
      rowsBefore += batch.numRows
      if (extent) extent.rows = rowsBefore
      if (batch.numRows === 0) continue
      const where = (row: number, column: string): InputLocation & {row: number} => ({
        file: path,
        batch: b,
        row: row + 1,
        column,
        dataRow: firstRow + row,
      })
      // A bad row stops the run, or with --on-invalid skip is logged, marked with label -1 and left out.
      const invalid = (row: number, column: string, message: string, reason: SkipReason): void => {
        const error = new InputError(message, where(row, column), reason)
        if (!skip) throw error
        skip.add(error)
      }
      // A multi-label wide layout has no label column: every row's labels are 0 (unused).
      const labels =
        layout.labelColumn === ''
          ? scratch.labelsFor(batch.numRows).fill(0)
          : readLabels(
              columnData(batch, labelIndex, layout.labelColumn, path, b),
              layout,
              lookupLabel,
              scratch,
              (row, message, reason) => invalid(row, layout.labelColumn, message, reason),
              skip === undefined,
            )
      const scores =
        targetList !== undefined
          ? readScoreAndTargetLists(
              columnData(batch, scoreIndices[0], scoreNames[0], path, b),
              columnData(batch, fieldIndex(targetList), targetList, path, b),
              k,
              labels,
              scratch,
              (row, column, message) => invalid(row, column === 0 ? scoreNames[0] : targetList, message, 'null'),
            )
          : layout.listColumn
            ? readListScores(
                columnData(batch, scoreIndices[0], scoreNames[0], path, b),
                width,
                labels,
                (row, message) => invalid(row, scoreNames[0], message, 'null'),
              )
            : readWideScores(
                scoreIndices.map((index, j) => columnData(batch, index, scoreNames[j], path, b)),
                batch.numRows,
                firstTarget,
                labels,
                scratch,
                (row, j, message) => invalid(row, scoreNames[j], message, 'null'),
              )
      const kept = skip ? compactValidRows(labels, scores, width) : null
      const rowOf = (row: number): number => (kept ? kept.rowMap[row] : row)
      onBatch?.()
      yield {
        rows: kept ? kept.rows : batch.numRows,
        width,
        labels: kept ? kept.labels : labels,
        scores: kept ? kept.scores : scores,
        locate: (row, score) => where(rowOf(row), columnOf(score)),
        ...(idColumn === undefined || makeVector === null
          ? {}
          : {ids: arrowRowIds(columnData(batch, idIndex, idColumn, path, b), idColumn, makeVector, rowOf)}),
      }
    }
  } catch (error) {
    // Column-level problems (a label column of strings for an index task, a score column of ints) carry
    // no location of their own: name the file and batch here.
    if (error instanceof UsageError) throw new InputError(error.message, {file: path, batch: batchNumber})
    throw error
  }
}

/** A column of one batch as a single Data (IPC batches hold one Data per column). */
function columnData(batch: RecordBatch, index: number, name: string, path: string, b: number): Data {
  const vector = batch.getChildAt(index)
  if (!vector) throw new InputError(`expected column "${name}" in every batch`, {file: path, batch: b})
  if (vector.data.length !== 1) {
    throw new InputError(`expected one data block per column, got ${vector.data.length}`, {file: path, batch: b})
  }
  const data = vector.data[0]
  // A corrupt file can say one row count in the batch header and another in a column, or hold buffers
  // shorter than either: reading past them would give zeros or garbage, never an error of their own.
  const corrupt = (what: string): InputError =>
    new InputError(`expected a consistent record batch, got ${what} (corrupt file?)`, {
      file: path,
      batch: b,
      column: name,
    })
  if (data.length !== batch.numRows)
    throw corrupt(`${data.length} rows in the column and ${batch.numRows} in the batch`)
  const isList = data.children[0] && data.type.typeId === TYPE_FIXED_SIZE_LIST
  const width = isList ? (data.type as unknown as {listSize: number}).listSize : 1
  const values = isList ? data.children[0].values : data.values
  // Booleans are bits, 8 to a byte (a list of booleans too: multi-hot targets).
  const isBits = (isList ? data.children[0].type.typeId : data.type.typeId) === TYPE_BOOL
  const isOffsets = data.type.typeId === TYPE_UTF8 || data.type.typeId === TYPE_LARGE_UTF8
  if (values && !isBits && !isOffsets && values.length < (data.offset + data.length) * width) {
    throw corrupt(`buffers for ${Math.floor(values.length / width)} rows where ${data.length} are declared`)
  }
  return data
}
