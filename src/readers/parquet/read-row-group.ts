/**
 * A Parquet row group as PredictionChunks: only the layout's columns are read, page by page, into chunks of
 * at most `chunkRows` rows (so a row group of any size is read in bounded memory). Labels become class
 * indices as in the Arrow reader, and nulls, bad labels and lists of the wrong length are refused — or,
 * with a SkipLog, logged and left out — naming the file, row group (1-based), row (1-based within the row
 * group) and column.
 */
import type {PredictionChunk} from '../../core/chunk.js'
import {InputError, type InputLocation, type SkipReason} from '../../core/errors.js'
import type {SkipLog} from '../../core/skip-log.js'
import {expectedLabel, type Layout, makeLabelLookup} from '../layout.js'
import {ColumnCursor, LIST_NULL} from './column-cursor.js'
import {LabelCoder} from './label-coder.js'
import {isReadableCodec, READABLE_CODECS} from './codecs.js'
import {codecName} from './metadata.js'
import {checkedChunk, type ParquetSource} from './open-parquet.js'
import type {ChunkScratch} from './buffers.js'
import {BudgetError, ColumnPages, PAGE_BUDGET_BYTES, PageBudget, PageError, type PageValues} from './pages.js'
import type {Leaf, TopColumn} from './schema.js'
import {isIdLeaf, ParquetIdReader, parquetRowIds} from './parquet-row-ids.js'

export interface RowGroupReadOptions {
  /** Most rows in one chunk (default: 65,536, fewer for wide rows so a chunk stays near 16 MB). */
  chunkRows?: number
  /** Memory budget for the pages held at once (default 256 MiB); shared by the columns read. */
  budgetBytes?: number
  /** The 0-based data row (`dataRow` of locations) of the row group's first row, within the read. */
  rowBase?: number
}

const DEFAULT_CHUNK_ROWS = 65_536
/** Scores a chunk holds at most (× 8 bytes): wide rows get fewer rows per chunk. */
const CHUNK_VALUES = 1 << 17
/** Scores copied from the wide columns' pages a tile of rows at a time (128 KiB of doubles, in L2). */
const TILE_VALUES = 1 << 14

/** A column the layout needs, checked against the schema once per row group. */
interface Needed {
  name: string
  top: TopColumn
  leaf: Leaf
}

function isFloat(leaf: Leaf): boolean {
  return leaf.kind === 'double' || leaf.kind === 'float'
}

function isNumeric(leaf: Leaf): boolean {
  return (
    isFloat(leaf) || leaf.kind === 'int32' || leaf.kind === 'uint32' || leaf.kind === 'int64' || leaf.kind === 'uint64'
  )
}

function shapeName(top: TopColumn): string {
  if (top.shape === 'nested') return top.description ?? 'a nested column'
  const leaf = top.leaf as Leaf
  return top.shape === 'list' ? `a list of ${leaf.typeName}` : leaf.typeName
}

/**
 * Reads row group `g` (0-based) of an open file as PredictionChunks. Each chunk is valid until the next
 * is asked for (arrays are reused). Throws InputError for anything wrong in the file or a row (unless
 * `skip` takes the row).
 */
export function* readParquetRowGroup(
  source: ParquetSource,
  g: number,
  layout: Layout,
  skip?: SkipLog,
  options: RowGroupReadOptions = {},
): Generator<PredictionChunk> {
  const path = source.path
  const rowGroup = g + 1
  const rows = source.rowGroups[g].rows
  const k = layout.classes.length
  const targetList = layout.targetListColumn
  const width = targetList !== undefined ? 2 * k : layout.listColumn ? k : layout.scoreColumns.length
  const firstTarget = layout.task === 'multilabel' ? layout.scoreColumns.length / 2 : layout.scoreColumns.length
  const columnError = (column: string, message: string): InputError =>
    new InputError(message, {file: path, rowGroup, column})

  const find = (name: string): Needed => {
    const top = source.internal.top.find((c) => c.name === name)
    if (!top) throw new InputError(`expected a column "${name}", the file has none`, {file: path, rowGroup})
    if (top.shape === 'nested' || !top.leaf) {
      throw columnError(name, `expected a column of numbers or a list of numbers, got ${shapeName(top)}`)
    }
    return {name, top, leaf: top.leaf}
  }
  const label = layout.labelColumn === '' ? null : find(layout.labelColumn)
  const wide = layout.listColumn ? [] : layout.scoreColumns.map(find)
  const list = layout.listColumn ? find(layout.listColumn) : null
  const targets = targetList !== undefined ? find(targetList) : null
  const idColumn = layout.idColumn === undefined ? null : find(layout.idColumn)
  if (idColumn && (idColumn.top.shape !== 'primitive' || !isIdLeaf(idColumn.leaf))) {
    throw columnError(
      idColumn.name,
      `--id-col: expected a column of strings or numbers, got ${shapeName(idColumn.top)}`,
    )
  }

  // Column types, checked before any page is read (messages as the Arrow reader's, in Parquet's names).
  if (label) {
    const leaf = label.leaf
    if (label.top.shape !== 'primitive')
      throw columnError(label.name, `expected a column of labels, got ${shapeName(label.top)}`)
    if (leaf.kind === 'boolean' && layout.task !== 'binary') {
      throw columnError(label.name, `${expectedLabel(layout)}, got a boolean label column`)
    }
    if (leaf.kind === 'other') {
      throw columnError(label.name, `expected an integer, boolean or string label column, got ${leaf.typeName}`)
    }
  }
  wide.forEach((column, j) => {
    const leaf = column.leaf
    if (column.top.shape !== 'primitive') {
      throw columnError(column.name, `expected a column of numbers, got ${shapeName(column.top)}`)
    }
    if (j < firstTarget && !isFloat(leaf)) {
      throw columnError(column.name, `expected scores as FLOAT or DOUBLE, got ${leaf.typeName}`)
    }
    if (j >= firstTarget && !isNumeric(leaf) && leaf.kind !== 'boolean') {
      throw columnError(column.name, `expected targets as floats, integers or booleans, got ${leaf.typeName}`)
    }
  })
  if (list && (list.top.shape !== 'list' || !isFloat(list.leaf))) {
    throw columnError(list.name, `expected a list of FLOAT or DOUBLE scores, got ${shapeName(list.top)}`)
  }
  if (targets && (targets.top.shape !== 'list' || !(isNumeric(targets.leaf) || targets.leaf.kind === 'boolean'))) {
    throw columnError(
      targets.name,
      `expected a list of float, integer or boolean targets, got ${shapeName(targets.top)}`,
    )
  }

  if (rows === 0) return
  const budget = new PageBudget(options.budgetBytes ?? PAGE_BUDGET_BYTES)
  const buffers = source.internal.buffers
  const open = (column: Needed): ColumnCursor => {
    const {meta, start, end} = checkedChunk(source, g, column.leaf, column.name)
    if (!isReadableCodec(meta.codec)) {
      throw columnError(
        column.name,
        `expected a codec focalscope reads (${READABLE_CODECS}), got ${codecName(meta.codec)}`,
      )
    }
    const pages = new ColumnPages(
      source.internal.fd,
      column.leaf,
      meta,
      start,
      end,
      budget,
      buffers.read,
      buffers.column(column.leaf.index),
    )
    return new ColumnCursor(pages, column.leaf, column.top.listDefinition ?? -1)
  }
  const cursors: {column: Needed; cursor: ColumnCursor}[] = []
  const cursorOf = (column: Needed): ColumnCursor => {
    const cursor = open(column)
    cursors.push({column, cursor})
    return cursor
  }
  // Which column a page problem belongs to: set before each read.
  let reading = ''
  try {
    const labelCursor = label ? cursorOf(label) : null
    const wideCursors = wide.map(cursorOf)
    const listCursor = list ? cursorOf(list) : null
    const targetCursor = targets ? cursorOf(targets) : null
    const idReader = idColumn ? new ParquetIdReader(cursorOf(idColumn), idColumn.leaf) : null
    const lookup = makeLabelLookup(layout)
    const labelCodes = label ? new LabelCoder(layout, lookup) : null
    const chunkRows = Math.max(
      1,
      options.chunkRows ?? Math.min(DEFAULT_CHUNK_ROWS, Math.floor(CHUNK_VALUES / Math.max(1, width))),
    )
    const scratch = buffers.chunk
    // One score column (binary, or soft labels' score then label): chunks follow its pages, so its values
    // can be handed over as they are (a view of the page) when nothing needs copying.
    const single = wide.length === 1 ? wideCursors[0] : null

    let done = 0
    while (done < rows) {
      let n = Math.min(chunkRows, rows - done)
      if (single) {
        reading = wide[0].name
        const inPage = single.rowsInPage()
        if (inPage > 0) n = Math.min(n, inPage)
      }
      const chunkStart = done
      const where = (row: number, column: string): InputLocation => ({
        file: path,
        rowGroup,
        row: chunkStart + row + 1,
        column,
        dataRow: (options.rowBase ?? 0) + chunkStart + row,
      })
      const labels = scratch.labelsFor(n)
      const rejected = scratch.rejectedFor(n)
      // A bad row stops the run, or with --on-invalid skip is logged once (for its first bad column),
      // marked with label -1 and left out.
      const invalid = (row: number, column: string, message: string, reason: SkipReason): void => {
        if (rejected[row] === 1) return
        const error = new InputError(message, where(row, column), reason)
        if (!skip) throw error
        skip.add(error)
        rejected[row] = 1
        labels[row] = -1
      }
      if (labelCursor && label && labelCodes) {
        reading = label.name
        labelCodes.read(labelCursor, n, labels, (row, message, reason) => invalid(row, label.name, message, reason))
      } else {
        labels.fill(0)
      }
      let scores: Float64Array | Float32Array
      if (list && listCursor) {
        const out = scratch.scoresFor(n * width)
        reading = list.name
        listCursor.readList(n, k, out, width, 0, (row, length) =>
          invalid(row, list.name, listProblem('scores', k, length), length === LIST_NULL ? 'null' : 'field-count'),
        )
        if (targets && targetCursor) {
          reading = targets.name
          targetCursor.readList(n, k, out, width, k, (row, length) =>
            invalid(
              row,
              targets.name,
              listProblem('targets', k, length),
              length === LIST_NULL ? 'null' : 'field-count',
            ),
          )
        }
        scores = out
      } else {
        const view = single ? single.viewFloats(n) : null
        if (view) {
          scores = view
        } else {
          const out = scratch.scoresFor(n * width)
          // A tile of rows at a time, every column into it: the strided writes then stay in cache (column by
          // column over a whole chunk of 20 columns × 65,536 rows they missed it at every value, a fifth of
          // the 20-class run).
          const tile = Math.max(1, Math.floor(TILE_VALUES / width))
          for (let first = 0; first < n; first += tile) {
            const m = Math.min(tile, n - first)
            wideCursors.forEach((cursor, j) => {
              const name = wide[j].name
              reading = name
              const what = j < firstTarget ? 'expected a score, got null' : 'expected a target, got null'
              cursor.readFlat(
                m,
                (values, from, row, count) => copyNumbers(values, from, count, out, (first + row) * width + j, width),
                (row) => invalid(first + row, name, what, 'null'),
              )
            })
          }
          scores = out
        }
      }
      let ids: (string | null)[] | null = null
      if (idReader && idColumn) {
        reading = idColumn.name
        const name = idColumn.name
        ids = idReader.read(n, (row, message) => {
          throw new InputError(message, where(row, name))
        })
      }
      done += n
      const kept = skip ? compactValidRows(labels, scores, width, scratch) : null
      const rowOf = kept ? (row: number): number => kept.rowMap[row] : (row: number): number => row
      const scoreNames = list ? [list.name] : wide.map((c) => c.name)
      const columnOf = (score: number | undefined): string =>
        targets && list
          ? (score ?? 0) < k
            ? list.name
            : targets.name
          : (scoreNames[list ? 0 : (score ?? 0)] ?? layout.labelColumn)
      yield {
        rows: kept ? kept.rows : n,
        width,
        labels: kept ? kept.labels : labels,
        scores: kept ? kept.scores : scores,
        locate: (row, score) => where(rowOf(row), columnOf(score)),
        ...(ids === null ? {} : {ids: parquetRowIds(ids, rowOf)}),
      }
    }
    // Every column chunk must end with the row group: more values would be rows nobody counted.
    for (const {column, cursor} of cursors) {
      reading = column.name
      if (!cursor.atEnd()) throw new PageError(`the column chunk holds more than the row group's ${rows} rows`)
    }
  } catch (error) {
    if (error instanceof BudgetError)
      throw new InputError(error.message, {file: path, rowGroup, column: reading || undefined})
    if (error instanceof PageError) {
      throw new InputError(`expected valid Parquet pages (corrupt file?): ${error.message}`, {
        file: path,
        rowGroup,
        column: reading || undefined,
      })
    }
    throw error
  } finally {
    for (const {cursor} of cursors) cursor.release()
  }
}

function listProblem(what: 'scores' | 'targets', k: number, length: number): string {
  if (length === LIST_NULL) return `expected a list of ${what}, got null`
  return `expected a list of ${k} ${what} (as in the first row), got ${length}`
}

/** Copies `count` numbers (a dictionary's entries for indices) to out[at + i · stride]. */
function copyNumbers(
  values: PageValues,
  from: number,
  count: number,
  out: Float64Array,
  at: number,
  stride: number,
): void {
  if (values.kind === 'number') {
    const data = values.data
    if (stride === 1) {
      out.set(data.subarray(from, from + count), at)
      return
    }
    for (let i = 0; i < count; i++) out[at + i * stride] = data[from + i]
    return
  }
  if (values.kind === 'dict' && values.dictionary.kind === 'number') {
    const data = values.dictionary.data
    const indices = values.indices
    for (let i = 0; i < count; i++) out[at + i * stride] = data[indices[from + i]]
    return
  }
  // Column types are checked before reading: text never reaches here.
  throw new PageError('text where numbers were expected')
}

/** Copies the rows whose label is not -1, with the original row of each; null when every row is kept. */
function compactValidRows(
  labels: Int32Array,
  scores: Float64Array | Float32Array,
  width: number,
  scratch: ChunkScratch,
): {rows: number; labels: Int32Array; scores: Float64Array; rowMap: Int32Array} | null {
  let valid = 0
  for (let i = 0; i < labels.length; i++) if (labels[i] !== -1) valid++
  if (valid === labels.length) return null
  const out = scratch.kept(valid, width)
  for (let i = 0, r = 0; i < labels.length; i++) {
    if (labels[i] === -1) continue
    out.labels[r] = labels[i]
    out.rowMap[r] = i
    for (let j = 0; j < width; j++) out.scores[r * width + j] = scores[i * width + j]
    r++
  }
  return {rows: valid, ...out}
}
