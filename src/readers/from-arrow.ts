import {type FileHandle, open} from 'node:fs/promises'
import {createReadStream, readSync} from 'node:fs'

import type {Data, DataType, RecordBatch} from 'apache-arrow'

import type {PredictionChunk} from '../core/chunk.js'
import {InputError, quoteValue, type SkipReason, UsageError} from '../core/errors.js'
import type {SkipLog} from '../core/skip-log.js'
import {
  checkFooter,
  checkMessage,
  type CheckedFooter,
  type CompressionCodec,
  type CheckedMessage,
  CorruptMetadata,
  type FileBlock,
  HEADER_DICTIONARY_BATCH,
  HEADER_RECORD_BATCH,
  IpcStreamChecker,
  messageFlatbuffer,
} from './arrow-ipc-check.js'
import {decodeNativeBatch, decodesNatively, type NativeBatch} from './arrow-native-batch.js'
import {
  TYPE_BOOL,
  TYPE_DICTIONARY,
  TYPE_FIXED_SIZE_LIST,
  TYPE_FLOAT,
  TYPE_INT,
  TYPE_LARGE_UTF8,
  TYPE_UTF8,
} from './arrow-type-ids.js'
import {badLabelMessage, type ColumnInfo, expectedLabel, type Layout, makeLabelLookup} from './layout.js'

/** The first bytes of an Arrow IPC file (the stream format has none). */
export const ARROW_FILE_MAGIC = 'ARROW1'

/** A record batch and its 1-based number in the file or stream, the number error messages give. */
export interface NumberedBatch {
  batch: RecordBatch
  number: number
}

export interface ArrowSource {
  /** The top-level columns, in schema order. */
  columns: ColumnInfo[]
  /** Numbered by position in the file, not by the order read: a thread given batches 5, 9, … names those. */
  batches: AsyncIterable<NumberedBatch>
  /** Record batches in an IPC *file* (random access); undefined for a stream. */
  numBatches: number | undefined
  /** Its batches are decoded by focalscope (arrow-native-batch.ts), not apache-arrow: flat memory per thread. */
  native: boolean
  close(): Promise<void>
}

/**
 * Which batch to read next (file format only): called once the previous batch has been consumed; an index
 * past the last batch ends the reading. Threads sharing a file each read the batches they pick.
 */
export type BatchPicker = () => number

/**
 * Opens an Arrow IPC file (file format by file handle: random access, flat memory) or stream
 * (by Node stream). A file-format file handed over as a stream would be loaded whole first. `name` is
 * the file messages name (standard input's `-` for a spooled copy).
 */
export async function openArrow(path: string, pick?: BatchPicker, name = path): Promise<ArrowSource> {
  const fh = await open(path, 'r')
  const head = Buffer.alloc(8)
  const {bytesRead} = await fh.read(head, 0, 8, 0)
  const isFile = bytesRead >= 6 && head.toString('latin1', 0, 6) === ARROW_FILE_MAGIC
  const isStream = bytesRead >= 4 && head.readUInt32LE(0) === 0xffffffff
  if (!isFile && !isStream) {
    await fh.close()
    if (bytesRead === 0) throw new InputError('expected an Arrow IPC file or stream, got an empty file', {file: name})
    // Neither magic: say what it looks like, and the flag that reads it.
    const text = head
      .subarray(0, bytesRead)
      .every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f) || b >= 0x80)
    throw new InputError(
      `expected an Arrow IPC file or stream (they start with "ARROW1" or 0xFFFFFFFF), got ${
        text ? 'text (a CSV file? pass --input-format csv)' : 'other binary data'
      }`,
      {file: name},
    )
  }
  if (isStream) {
    // Writers end a stream with an end-of-stream marker (0xFFFFFFFF, then a zero length). A stream cut
    // between two batches would otherwise read as a shorter, complete-looking dataset: a wrong number.
    const {size} = await fh.stat()
    const tail = Buffer.alloc(8)
    await fh.read(tail, 0, 8, Math.max(0, size - 8))
    if (size < 8 || tail.readUInt32LE(0) !== 0xffffffff || tail.readUInt32LE(4) !== 0) {
      await fh.close()
      throw new InputError(
        'expected a complete Arrow IPC stream, got one without the end-of-stream marker (truncated?)',
        {file: name},
      )
    }
  }
  let footer: CheckedFooter | undefined
  if (isFile) {
    // The file format ends with the magic too; without it the file was cut short.
    const {size} = await fh.stat()
    const tail = Buffer.alloc(6)
    await fh.read(tail, 0, 6, Math.max(0, size - 6))
    if (size < 12 || tail.toString('latin1') !== ARROW_FILE_MAGIC) {
      await fh.close()
      throw new InputError(
        'expected a complete Arrow IPC file, got one that does not end with the closing "ARROW1" magic (truncated?)',
        {file: name},
      )
    }
    try {
      footer = await checkFileMetadata(fh, size, name)
    } catch (error) {
      await fh.close()
      throw corruptMetadataError(error, name)
    }
  }
  const release = async (): Promise<void> => {
    if (isFile) await fh.close().catch(() => undefined)
  }
  // A file whose batches focalscope decodes itself never needs apache-arrow (~40 ms to load per thread):
  // its schema comes from the checked footer. apache-arrow is still loaded for a batch the native decoder
  // leaves (a compressed one).
  if (footer && decodesNatively(footer.shape)) {
    const checked = footer
    const fileHandle = fh
    let opened: Promise<AnyReader> | undefined
    const reader = (): Promise<AnyReader> =>
      (opened ??= import('apache-arrow').then(async ({RecordBatchReader}) => {
        const r = await RecordBatchReader.from(fileHandle)
        await r.open()
        return r
      }))
    const columns = checked.shape.names.map((name, c) => {
      const field = checked.shape.fields[c]
      return {name, listSize: field.typeId === TYPE_FIXED_SIZE_LIST ? field.listSize : undefined}
    })
    return fileSource(name, columns, checked.recordBatches.length, pick, {
      native: true,
      readBatch: fileBatchReader(fh, checked, name),
      reader,
      release: async () => {
        if (opened) await opened.then((r) => r.cancel()).catch(() => undefined)
        await release()
      },
    })
  }
  try {
    const {RecordBatchReader} = await import('apache-arrow')
    if (!isFile) await fh.close()
    const reader: AnyReader = isFile
      ? await RecordBatchReader.from(fh)
      : await firstOfStreams(
          RecordBatchReader.readAll(checkedStream(name, createReadStream(path))) as AsyncIterableIterator<AnyReader>,
        )
    const readBatch = footer ? fileBatchReader(fh, footer, name) : undefined
    return await wrapReader(reader, name, pick, readBatch, release)
  } catch (error) {
    await release()
    throw error
  }
}

/**
 * Checks record batch b's metadata, then decodes it natively (arrow-native-batch.ts) when the schema and
 * batch allow, into a body buffer reused from batch to batch; null leaves the batch to apache-arrow.
 */
function fileBatchReader(
  fh: FileHandle,
  footer: CheckedFooter,
  path: string,
): (b: number) => Promise<NativeBatch | null> {
  const native = decodesNatively(footer.shape)
  let body = Buffer.alloc(0)
  return async (b) => {
    // Reads are synchronous: an async read's hand-off to libuv's thread pool took 1.4–1.8× the CPU of the
    // copy itself (150 reads of 786 KB: 25–40 ms against 18–22 ms), on a machine whose cores are all
    // summing. One turn of the event loop per batch keeps Ctrl-C and the progress bar responsive.
    await new Promise<void>((resolve) => setImmediate(resolve))
    const block = footer.recordBatches[b]
    const {layout} = checkFileBlock(fh.fd, block, footer, b)
    if (layout?.codec) await assertCodecRegistered(layout.codec, path, 'file', b + 1)
    if (!native || !layout || layout.codec) return null
    if (body.length < block.bodyLength) body = Buffer.allocUnsafeSlow(block.bodyLength)
    const bytesRead = readSync(fh.fd, body, 0, block.bodyLength, block.offset + block.metadataLength)
    if (bytesRead !== block.bodyLength) {
      throw new CorruptMetadata(`the batch's body is cut short (${bytesRead} of ${block.bodyLength} bytes)`, b + 1)
    }
    return decodeNativeBatch(footer.shape, layout, body)
  }
}

/**
 * Reads and checks an IPC file's footer and its dictionary messages (apache-arrow reads both on open), and
 * refuses compression no codec is registered for (so a compressed file is named so before any reading).
 */
async function checkFileMetadata(fh: FileHandle, size: number, path: string): Promise<CheckedFooter> {
  const lengthBytes = Buffer.alloc(4)
  await fh.read(lengthBytes, 0, 4, size - 10)
  const footerLength = lengthBytes.readInt32LE(0)
  const footerStart = size - 10 - footerLength
  if (!(footerLength > 0 && footerStart >= 8)) {
    throw new CorruptMetadata(`the footer says it is ${footerLength} bytes long, the file is ${size}`)
  }
  const bytes = Buffer.alloc(footerLength)
  await fh.read(bytes, 0, footerLength, footerStart)
  const footer = checkFooter(bytes, footerStart)
  for (const block of footer.dictionaries) {
    const {codec} = checkFileBlock(fh.fd, block, footer, -1)
    if (codec) await assertCodecRegistered(codec, path, 'file')
  }
  const first = footer.recordBatches[0]
  if (first) {
    const {codec} = checkFileBlock(fh.fd, first, footer, 0)
    if (codec) await assertCodecRegistered(codec, path, 'file', 1)
  }
  return footer
}

/**
 * Refuses a message compressed with a codec apache-arrow has no decoder for (the CLI registers none),
 * which it would report as an unreadable file. `batch`: the record batch's number; none for a dictionary.
 * A program that registers a codec in apache-arrow's compressionRegistry has such batches decoded.
 */
async function assertCodecRegistered(
  codec: CompressionCodec,
  path: string,
  format: 'file' | 'stream',
  batch?: number,
): Promise<void> {
  const {compressionRegistry, CompressionType} = await import('apache-arrow')
  if (typeof compressionRegistry.get(CompressionType[codec])?.decode === 'function') return
  const what = batch === undefined ? 'dictionary' : 'record'
  throw new InputError(
    `expected an uncompressed Arrow IPC ${format}, got ${codec}-compressed ${what} batches (not supported yet; ` +
      'write it uncompressed, e.g. df.to_feather(path, compression="uncompressed"))',
    {file: path, batch},
  )
}

/** Checks the metadata of the message a footer block points to: record batch `b`, or a dictionary (b < 0). */
function checkFileBlock(fd: number, block: FileBlock, footer: CheckedFooter, b: number): CheckedMessage {
  const bytes = Buffer.alloc(block.metadataLength)
  readSync(fd, bytes, 0, block.metadataLength, block.offset)
  try {
    const expected = b < 0 ? HEADER_DICTIONARY_BATCH : HEADER_RECORD_BATCH
    const message = checkMessage(messageFlatbuffer(bytes), footer.shape, expected)
    if (message.bodyLength !== block.bodyLength) {
      throw new CorruptMetadata(
        `the message's body is ${message.bodyLength} bytes, the footer says ${block.bodyLength}`,
      )
    }
    return message
  } catch (error) {
    if (error instanceof CorruptMetadata) {
      throw new CorruptMetadata(
        b < 0 ? `a dictionary batch: ${error.message}` : error.message,
        b < 0 ? undefined : b + 1,
      )
    }
    throw error
  }
}

/**
 * An IPC stream's bytes, each chunk's message metadata checked before it is passed on, and refused at the
 * end without an end-of-stream marker (a file on disk is checked for it up front; a pipe only here).
 */
async function* checkedStream(name: string, chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const checker = new IpcStreamChecker()
  let codecChecked = false
  for await (const chunk of chunks) {
    try {
      checker.push(chunk)
    } catch (error) {
      throw corruptMetadataError(error, name)
    }
    if (checker.compressed && !codecChecked) {
      await assertCodecRegistered(checker.compressed.codec, name, 'stream', checker.compressed.batch)
      codecChecked = true
    }
    yield chunk
  }
  if (!checker.complete) {
    throw new InputError(
      'expected a complete Arrow IPC stream, got one without the end-of-stream marker (truncated?)',
      {
        file: name,
      },
    )
  }
}

/** A CorruptMetadata as the one-line input error users see; anything else unchanged. */
function corruptMetadataError(error: unknown, file: string): unknown {
  if (!(error instanceof CorruptMetadata)) return error
  return new InputError(`expected valid Arrow IPC metadata (corrupt file?): ${error.message}`, {
    file,
    batch: error.batch,
  })
}

const NEXT_STREAM = Symbol('next stream')

/**
 * The first stream of what may be several concatenated IPC streams; the reader gets a hook that tells,
 * once its batches are read, whether another stream follows.
 */
async function firstOfStreams(streams: AsyncIterableIterator<AnyReader>): Promise<AnyReader> {
  const first = await streams.next()
  if (first.done) throw new Error('no Arrow IPC stream found')
  const reader = first.value as AnyReader & {[NEXT_STREAM]?: () => Promise<boolean>}
  reader[NEXT_STREAM] = async () => {
    const next = await streams.next()
    if (!next.done) await Promise.resolve(next.value.cancel()).catch(() => undefined)
    return !next.done
  }
  return reader
}

/** An Arrow IPC *stream* from a byte stream (stdin, a decompressor). */
export async function openArrowStream(name: string, stream: AsyncIterable<Uint8Array>): Promise<ArrowSource> {
  const {RecordBatchReader} = await import('apache-arrow')
  const reader = await firstOfStreams(
    RecordBatchReader.readAll(checkedStream(name, stream)) as AsyncIterableIterator<AnyReader>,
  )
  return wrapReader(reader, name, undefined, undefined, async () => undefined)
}

// The async readers apache-arrow gives for a file handle or a Node stream.
type AnyReader = import('apache-arrow').AsyncRecordBatchFileReader | import('apache-arrow').AsyncRecordBatchStreamReader

async function wrapReader(
  reader: AnyReader,
  path: string,
  pick: BatchPicker | undefined,
  readBatch: ((b: number) => Promise<NativeBatch | null>) | undefined,
  release: () => Promise<void>,
): Promise<ArrowSource> {
  try {
    await reader.open()
  } catch (error) {
    await release()
    if (error instanceof InputError) throw error
    throw new InputError(
      `expected a complete Arrow IPC file or stream, could not read it — truncated or corrupt? (${describe(error)})`,
      {file: path},
    )
  }
  const schema = reader.schema
  if (!schema) {
    await release()
    throw new InputError('expected an Arrow IPC file or stream, found no schema', {file: path})
  }
  const columns = schema.fields.map((f) => ({
    name: f.name,
    listSize: f.type.typeId === TYPE_FIXED_SIZE_LIST ? (f.type as unknown as {listSize: number}).listSize : undefined,
  }))
  const parts = {
    native: false,
    readBatch,
    reader: () => Promise.resolve(reader),
    release: async () => {
      await Promise.resolve(reader.cancel()).catch(() => undefined)
      await release()
    },
  }
  if (reader.isFile()) return fileSource(path, columns, reader.numRecordBatches, pick, parts)
  return {
    columns,
    numBatches: undefined,
    native: false,
    batches: (async function* () {
      try {
        let number = 0
        for await (const batch of reader) yield {batch: batch as RecordBatch, number: ++number}
        // Bytes after the end-of-stream marker are a second stream (concatenated files, or a schema that
        // changes): reading only the first would silently drop rows.
        const more = (reader as AnyReader & {[NEXT_STREAM]?: () => Promise<boolean>})[NEXT_STREAM]
        if (more && (await more())) {
          throw new InputError(
            'expected one Arrow IPC stream, got another one after its end-of-stream marker ' +
              '(concatenated files? pass them as separate files)',
            {file: path},
          )
        }
      } catch (error) {
        throw readError(error, path)
      }
    })(),
    close: parts.release,
  }
}

/**
 * An IPC file, read batch by batch through its footer's index: a corrupt message (a header type that is
 * not a record batch) then fails here, where iterating apache-arrow's reader loops forever. Each batch is
 * decoded natively when it can be (`readBatch`), else by apache-arrow's reader, opened on first need.
 */
function fileSource(
  path: string,
  columns: ColumnInfo[],
  numBatches: number,
  pick: BatchPicker | undefined,
  parts: {
    native: boolean
    readBatch: ((b: number) => Promise<NativeBatch | null>) | undefined
    reader: () => Promise<AnyReader>
    release: () => Promise<void>
  },
): ArrowSource {
  return {
    columns,
    numBatches,
    native: parts.native,
    batches: (async function* () {
      try {
        let next = 0
        const nextBatch = pick ?? (() => next++)
        for (let b = nextBatch(); b < numBatches; b = nextBatch()) {
          const native = await parts.readBatch?.(b)
          // A NativeBatch has the parts of a RecordBatch that readArrowChunks uses (see its module).
          if (native) {
            yield {batch: native as unknown as RecordBatch, number: b + 1}
            continue
          }
          const batch = await (await parts.reader()).readRecordBatch(b)
          if (!batch) {
            throw new InputError(`expected a record batch, got an unreadable message (corrupt file?)`, {
              file: path,
              batch: b + 1,
            })
          }
          yield {batch: batch as RecordBatch, number: b + 1}
        }
      } catch (error) {
        throw readError(error, path)
      }
    })(),
    close: parts.release,
  }
}

/** What a failure while reading batches becomes: ours as they are, anything else one input error. */
function readError(error: unknown, path: string): unknown {
  if (error instanceof InputError || error instanceof UsageError) return error
  if (error instanceof CorruptMetadata) return corruptMetadataError(error, path)
  return new InputError(`expected a complete Arrow IPC file, reading failed (${describe(error)})`, {file: path})
}

/** apache-arrow's own message for a malformed file; a JavaScript TypeError inside it says nothing useful. */
function describe(error: unknown): string {
  if (error instanceof TypeError || error instanceof RangeError || !(error instanceof Error)) {
    return 'a message could not be decoded'
  }
  return error.message.split('\n')[0]
}

/** Streams record batches as PredictionChunks. Float64/Float32 scores are used in place, not copied. */
export async function* readArrowChunks(
  path: string,
  source: ArrowSource,
  layout: Layout,
  skip?: SkipLog,
  onBatch?: () => void,
): AsyncGenerator<PredictionChunk> {
  const fieldIndex = (name: string): number => source.columns.findIndex((c) => c.name === name)
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

  let batchNumber: number | undefined
  const scratch = new Scratch()
  try {
    for await (const {batch, number: b} of source.batches) {
      batchNumber = b
      if (batch.numRows === 0) continue
      const where = (row: number, column: string): {file: string; batch: number; row: number; column: string} => ({
        file: path,
        batch: b,
        row: row + 1,
        column,
      })
      // A bad row stops the run, or with --on-invalid skip is logged, marked with label -1 and left out.
      const invalid = (row: number, column: string, message: string, reason: SkipReason): void => {
        const error = new InputError(message, where(row, column), reason)
        if (!skip) throw error
        skip.add(reason, error.message)
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
      }
    }
  } catch (error) {
    // Column-level problems (a label column of strings for an index task, a score column of ints) carry
    // no location of their own: name the file and batch here.
    if (error instanceof UsageError) throw new InputError(error.message, {file: path, batch: batchNumber})
    throw error
  } finally {
    await source.close()
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

function typeName(type: DataType): string {
  return String(type)
}

/**
 * Scratch arrays reused from batch to batch (a chunk is consumed before the next is read), so a long file
 * does not leave a trail of per-batch garbage that inflates peak memory.
 */
class Scratch {
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
function compactValidRows(
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

/**
 * Labels as class indices; a bad row gets -1 after `invalid` was told (which throws unless skipping).
 * `inPlace`: the column itself may be returned (nothing marks rows in it: a bad row stops the run).
 */
function readLabels(
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

function readListScores(
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
function readWideScores(
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
function readScoreAndTargetLists(
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
