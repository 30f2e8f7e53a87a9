/**
 * Opening a Parquet file: the `PAR1` magic at both ends, the footer's FileMetaData (Thrift compact), the
 * schema as focalscope's columns, and each row group's rows and byte range — everything checked against
 * the file's size before it is used, so a truncated or corrupt file gives one clear error.
 */
import {type FileHandle, open} from 'node:fs/promises'

import {InputError} from '../../core/errors.js'
import type {ColumnInfo} from '../layout.js'
import {ColumnCursor} from './column-cursor.js'
import {ReaderBuffers} from './buffers.js'
import {loadCodecs} from './codecs.js'
import {type ColumnMetaData, decodeFileMetaData, type FileMetaData, UNCOMPRESSED} from './metadata.js'
import {BudgetError, ColumnPages, PAGE_BUDGET_BYTES, PageBudget, PageError} from './pages.js'
import {type Leaf, readSchema, SchemaError, type TopColumn} from './schema.js'
import {ThriftError} from './thrift-compact.js'

/** The four bytes a Parquet file starts and ends with. */
export const PARQUET_MAGIC = 'PAR1'

/** A row group as the reader (and a scheduler spreading row groups over threads) sees it. */
export interface ParquetRowGroupInfo {
  rows: number
  /** First and one-past-last byte of its column chunks in the file. */
  start: number
  end: number
}

/** An open Parquet file. Holds a file handle until `close`. */
export interface ParquetSource {
  path: string
  /** Top-level columns in schema order; a list of numbers has `listSize` K (the first row's length). */
  columns: ColumnInfo[]
  numRowGroups: number
  rowGroups: ParquetRowGroupInfo[]
  numRows: number
  /** The file's size in bytes. */
  size: number
  /** The writer, as the footer names it (`created_by`), for messages. */
  createdBy: string | undefined
  close(): Promise<void>
  /** For the row group reader. */
  readonly internal: {
    fd: number
    meta: FileMetaData
    top: TopColumn[]
    leaves: Leaf[]
    footerStart: number
    /** Reused by the row group reader: read one row group at a time from a source. */
    buffers: ReaderBuffers
  }
}

/**
 * The footer decoded last on this thread, and its bytes: a run opens its file twice on the main thread (to
 * plan, then to read its share), and decoding a footer of a few tens of KB took 15–30 ms there each time
 * (code that runs once, mostly unoptimised). Equal bytes decode to the same metadata, which nothing changes.
 */
let lastFooter: {bytes: Buffer; meta: FileMetaData; top: TopColumn[]; leaves: Leaf[]} | null = null

/** The message for metadata that cannot be decoded. */
function corrupt(path: string, why: string, rowGroup?: number, column?: string): InputError {
  return new InputError(`expected valid Parquet metadata (corrupt file?): ${why}`, {file: path, rowGroup, column})
}

/**
 * Opens a Parquet file and reads its footer. The file handle stays open for the row group readers;
 * `close()` releases it (readParquetChunks does when it ends).
 */
export async function openParquet(path: string, name = path): Promise<ParquetSource> {
  const fh = await open(path, 'r')
  try {
    // Messages name `name`: standard input's `-` for a spooled copy.
    return await readFooter(name, fh)
  } catch (error) {
    await fh.close().catch(() => undefined)
    throw error
  }
}

async function readFooter(path: string, fh: FileHandle): Promise<ParquetSource> {
  const {size} = await fh.stat()
  const head = Buffer.alloc(4)
  const {bytesRead} = await fh.read(head, 0, 4, 0)
  if (bytesRead === 0) throw new InputError('expected a Parquet file, got an empty file', {file: path})
  if (bytesRead < 4 || head.toString('latin1') !== PARQUET_MAGIC) {
    const text = head.subarray(0, bytesRead).every((b) => b === 0x09 || b === 0x0a || b === 0x0d || b >= 0x20)
    throw new InputError(
      `expected a Parquet file (it starts with "PAR1"), got ${text ? 'text (a CSV file? pass --input-format csv)' : 'other binary data'}`,
      {file: path},
    )
  }
  const tail = Buffer.alloc(8)
  if (size >= 12) await fh.read(tail, 0, 8, size - 8)
  const tailMagic = tail.toString('latin1', 4, 8)
  if (size >= 12 && tailMagic === 'PARE') {
    throw new InputError('expected a Parquet file with a plain footer, got an encrypted one (not supported)', {
      file: path,
    })
  }
  if (size < 12 || tailMagic !== PARQUET_MAGIC) {
    throw new InputError(
      'expected a complete Parquet file, got one that does not end with the closing "PAR1" magic (truncated?)',
      {file: path},
    )
  }
  const footerLength = tail.readUInt32LE(0)
  const footerStart = size - 8 - footerLength
  if (footerLength === 0 || footerStart < 4) {
    throw corrupt(path, `the footer says it is ${footerLength} bytes long, the file is ${size}`)
  }
  const footer = Buffer.alloc(footerLength)
  await fh.read(footer, 0, footerLength, footerStart)
  let meta: FileMetaData
  let top: TopColumn[]
  let leaves: Leaf[]
  if (lastFooter !== null && lastFooter.bytes.equals(footer)) {
    ;({meta, top, leaves} = lastFooter)
  } else {
    try {
      meta = decodeFileMetaData(footer)
      ;({columns: top, leaves} = readSchema(meta.schema))
    } catch (error) {
      if (error instanceof ThriftError || error instanceof SchemaError) throw corrupt(path, error.message)
      throw error
    }
    lastFooter = {bytes: footer, meta, top, leaves}
  }
  if (meta.encrypted) {
    throw new InputError('expected a Parquet file without encryption, got an encrypted one (not supported)', {
      file: path,
    })
  }
  if (!(meta.numRows >= 0)) throw corrupt(path, `the file says it holds ${meta.numRows} rows`)
  const rowGroups = meta.rowGroups.map((rg, g) => checkRowGroup(path, rg, g, leaves, footerStart))
  const total = rowGroups.reduce((sum, rg) => sum + rg.rows, 0)
  if (total !== meta.numRows) {
    throw corrupt(path, `the row groups hold ${total} rows, the file says ${meta.numRows}`)
  }
  const source: ParquetSource = {
    path,
    columns: [],
    numRowGroups: rowGroups.length,
    rowGroups,
    numRows: meta.numRows,
    size,
    createdBy: meta.createdBy,
    close: async () => {
      await fh.close().catch(() => undefined)
    },
    internal: {fd: fh.fd, meta, top, leaves, footerStart, buffers: new ReaderBuffers()},
  }
  // The decompressors this file needs, loaded once per thread (decoding is synchronous from here on).
  await loadCodecs(meta.rowGroups.flatMap((rg) => rg.columns.map((c) => c.meta?.codec ?? UNCOMPRESSED)))
  source.columns = top.map((column) => ({name: column.name, listSize: listSizeOf(source, column)}))
  return source
}

function checkRowGroup(
  path: string,
  rg: FileMetaData['rowGroups'][number],
  g: number,
  leaves: Leaf[],
  footerStart: number,
): ParquetRowGroupInfo {
  if (rg.columns.length !== leaves.length) {
    throw corrupt(path, `${rg.columns.length} column chunks where the schema has ${leaves.length} columns`, g + 1)
  }
  if (!(rg.numRows >= 0)) throw corrupt(path, `the row group says it holds ${rg.numRows} rows`, g + 1)
  let start = Infinity
  let end = 0
  rg.columns.forEach((chunk) => {
    const range = chunk.meta ? chunkRange(chunk.meta) : null
    if (range && range.start >= 4 && range.end <= footerStart && range.start <= range.end) {
      start = Math.min(start, range.start)
      end = Math.max(end, range.end)
    }
  })
  return {rows: rg.numRows, start: start === Infinity ? 4 : start, end: Math.max(end, start === Infinity ? 4 : start)}
}

/** Where a column chunk's pages are: from its dictionary page (when it has one) to its last data page. */
export function chunkRange(meta: ColumnMetaData): {start: number; end: number} {
  // Some writers set dictionary_page_offset to 0 (or past the data) for a chunk without a dictionary.
  const dictionary = meta.dictionaryPageOffset
  const start =
    dictionary !== undefined && dictionary >= 4 && dictionary < meta.dataPageOffset ? dictionary : meta.dataPageOffset
  return {start, end: start + meta.totalCompressedSize}
}

/**
 * Checks row group g's chunk for `leaf` against the schema and the file and returns it with its range.
 * Throws an InputError naming the row group and column.
 */
export function checkedChunk(
  source: ParquetSource,
  g: number,
  leaf: Leaf,
  column: string,
): {meta: ColumnMetaData; start: number; end: number} {
  const {meta: file, footerStart} = source.internal
  const chunk = file.rowGroups[g].columns[leaf.index]
  const bad = (why: string): InputError => corrupt(source.path, why, g + 1, column)
  if (chunk.filePath !== undefined) {
    throw new InputError(
      `expected the column's data in this file, got a reference to "${chunk.filePath}" (not supported)`,
      {
        file: source.path,
        rowGroup: g + 1,
        column,
      },
    )
  }
  const meta = chunk.meta
  if (!meta) throw bad('the column chunk has no metadata')
  if (meta.path.join('.') !== leaf.path.join('.')) {
    throw bad(`the column chunk is for "${meta.path.join('.')}", the schema says "${leaf.path.join('.')}"`)
  }
  if (meta.type !== leaf.physicalType)
    throw bad(`the column chunk's type ${meta.type} is not the schema's ${leaf.physicalType}`)
  if (!(meta.numValues >= 0)) throw bad(`the column chunk says it holds ${meta.numValues} values`)
  const rows = file.rowGroups[g].numRows
  if (leaf.maxRepetition === 0 && meta.numValues !== rows) {
    throw bad(`the column chunk holds ${meta.numValues} values, the row group ${rows} rows`)
  }
  const {start, end} = chunkRange(meta)
  if (!(meta.totalCompressedSize >= 0) || start < 4 || end > footerStart) {
    throw bad(`the column chunk's bytes ${start}–${end} are not inside the file's data (4–${footerStart}) (truncated?)`)
  }
  return {meta, start, end}
}

/**
 * K for a list of numbers: the length of the first non-null list (every other row is checked against it as
 * it is read). Undefined for anything that is not a list of numbers.
 */
function listSizeOf(source: ParquetSource, column: TopColumn): number | undefined {
  if (column.shape !== 'list' || !column.leaf) return undefined
  const leaf = column.leaf
  if (leaf.kind === 'string' || leaf.kind === 'other') return undefined
  for (let g = 0; g < source.numRowGroups; g++) {
    if (source.rowGroups[g].rows === 0) continue
    const {meta, start, end} = checkedChunk(source, g, leaf, column.name)
    const pages = new ColumnPages(source.internal.fd, leaf, meta, start, end, new PageBudget(PAGE_BUDGET_BYTES))
    try {
      const length = new ColumnCursor(pages, leaf, column.listDefinition).firstListLength()
      if (length >= 0) return length
    } catch (error) {
      if (error instanceof BudgetError) {
        throw new InputError(error.message, {file: source.path, rowGroup: g + 1, column: column.name})
      }
      if (error instanceof PageError) {
        throw new InputError(`expected valid Parquet pages (corrupt file?): ${error.message}`, {
          file: source.path,
          rowGroup: g + 1,
          column: column.name,
        })
      }
      throw error
    } finally {
      pages.release()
    }
  }
  return 0
}
