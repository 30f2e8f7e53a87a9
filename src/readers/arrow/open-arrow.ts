/**
 * Opens Arrow IPC files and streams: checks the framing and metadata before apache-arrow reads a byte of it
 * (ipc-check.ts), decodes plain batches itself (native-batch.ts) and hands out record batches numbered as the
 * file numbers them. Chunks are made from the batches by read-arrow-chunks.ts.
 *
 * One file of ~460 lines: files and streams share the block reading, the checks and the batch numbering
 * their error messages use.
 */
import {type FileHandle, open} from 'node:fs/promises'
import {createReadStream, readSync} from 'node:fs'

import type {RecordBatch} from 'apache-arrow'

import {InputError, UsageError} from '../../core/errors.js'
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
} from './ipc-check.js'
import {BodyCodecError, decompressBody, loadBodyCodec, registerBodyCodec} from './body-compression.js'
import {decodeNativeBatch, decodesNatively, type NativeBatch} from './native-batch.js'
import {TYPE_FIXED_SIZE_LIST} from './type-ids.js'
import type {ColumnInfo} from '../layout.js'

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
  /** An IPC file only: batches [from, to) (0-based), read by random access; may be called again. */
  batchesIn?(from: number, to: number): AsyncIterable<NumberedBatch>
  close(): Promise<void>
}

/** Which batch to read next: an index past the last batch ends the reading. */
type BatchPicker = () => number

/**
 * Opens an Arrow IPC file (file format by file handle: random access, flat memory) or stream
 * (by Node stream). A file-format file handed over as a stream would be loaded whole first. `name` is
 * the file messages name (standard input's `-` for a spooled copy).
 */
export async function openArrow(path: string, name = path): Promise<ArrowSource> {
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
      footer = await checkFileMetadata(fh, size)
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
    return fileSource(name, columns, checked.recordBatches.length, {
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
    return await wrapReader(reader, name, readBatch, release)
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
  // A compressed batch's buffers, decompressed (body-compression.ts); reused like `body`.
  let plain: Uint8Array = new Uint8Array(0)
  return async (b) => {
    // Reads are synchronous: an async read's hand-off to libuv's thread pool took 1.4–1.8× the CPU of the
    // copy itself (150 reads of 786 KB: 25–40 ms against 18–22 ms), on a machine whose cores are all
    // summing. One turn of the event loop per batch keeps Ctrl-C and the progress bar responsive.
    await new Promise<void>((resolve) => setImmediate(resolve))
    const block = footer.recordBatches[b]
    const {layout} = checkFileBlock(fh.fd, block, footer, b)
    if (layout?.codec && !native) await ensureCodec(layout.codec)
    if (!native || !layout) return null
    if (body.length < block.bodyLength) body = Buffer.allocUnsafeSlow(block.bodyLength)
    const bytesRead = readSync(fh.fd, body, 0, block.bodyLength, block.offset + block.metadataLength)
    if (bytesRead !== block.bodyLength) {
      throw new CorruptMetadata(`the batch's body is cut short (${bytesRead} of ${block.bodyLength} bytes)`, b + 1)
    }
    if (!layout.codec) return decodeNativeBatch(footer.shape, layout, body)
    try {
      const decompressed = decompressBody(layout, body, await loadBodyCodec(layout.codec), plain)
      plain = decompressed.body
      return decodeNativeBatch(footer.shape, decompressed.layout, decompressed.body)
    } catch (error) {
      throw codecError(error, path, b + 1)
    }
  }
}

/**
 * Reads and checks an IPC file's footer and its dictionary messages (apache-arrow reads both on open), and
 * registers the codecs of compressed dictionaries with apache-arrow, which decodes them.
 */
async function checkFileMetadata(fh: FileHandle, size: number): Promise<CheckedFooter> {
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
    if (codec) await ensureCodec(codec)
  }
  const first = footer.recordBatches[0]
  if (first) checkFileBlock(fh.fd, first, footer, 0)
  return footer
}

/**
 * Makes apache-arrow able to decode `codec`'s compressed messages (registered once per thread): for the
 * batches it decodes — streams, dictionaries, schemas focalscope does not decode itself.
 */
async function ensureCodec(codec: CompressionCodec): Promise<void> {
  await registerBodyCodec(codec)
}

/** A buffer that does not decompress, as the one-line input error users see; anything else unchanged. */
function codecError(error: unknown, file: string, batch: number | undefined): unknown {
  if (!(error instanceof BodyCodecError)) return error
  return new InputError(`expected compressed buffers that decompress (corrupt file?), got ${error.message}`, {
    file,
    batch,
  })
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
  const registered = new Set<CompressionCodec>()
  for await (const chunk of chunks) {
    try {
      checker.push(chunk)
    } catch (error) {
      throw corruptMetadataError(error, name)
    }
    for (const codec of checker.codecs) {
      if (registered.has(codec)) continue
      await ensureCodec(codec)
      registered.add(codec)
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
  return wrapReader(reader, name, undefined, async () => undefined)
}

// The async readers apache-arrow gives for a file handle or a Node stream.
type AnyReader = import('apache-arrow').AsyncRecordBatchFileReader | import('apache-arrow').AsyncRecordBatchStreamReader

async function wrapReader(
  reader: AnyReader,
  path: string,
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
  if (reader.isFile()) return fileSource(path, columns, reader.numRecordBatches, parts)
  return {
    columns,
    numBatches: undefined,
    native: false,
    batches: (async function* () {
      let number = 0
      try {
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
        // A batch that fails to decode is the one after the last yielded.
        throw readError(error, path, number + 1)
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
  parts: {
    native: boolean
    readBatch: ((b: number) => Promise<NativeBatch | null>) | undefined
    reader: () => Promise<AnyReader>
    release: () => Promise<void>
  },
): ArrowSource {
  const readAt = async (b: number): Promise<NumberedBatch> => {
    const native = await parts.readBatch?.(b)
    // A NativeBatch has the parts of a RecordBatch that readArrowChunks uses (see its module).
    if (native) return {batch: native as unknown as RecordBatch, number: b + 1}
    const batch = await (await parts.reader()).readRecordBatch(b)
    if (!batch) {
      throw new InputError(`expected a record batch, got an unreadable message (corrupt file?)`, {
        file: path,
        batch: b + 1,
      })
    }
    return {batch: batch as RecordBatch, number: b + 1}
  }
  async function* batchesPicked(next: BatchPicker): AsyncGenerator<NumberedBatch> {
    let b = next()
    try {
      for (; b < numBatches; b = next()) yield await readAt(b)
    } catch (error) {
      throw readError(error, path, b + 1)
    }
  }
  let counter = 0
  return {
    columns,
    numBatches,
    native: parts.native,
    batches: batchesPicked(() => counter++),
    batchesIn: (from, to) => {
      let b = from
      return batchesPicked(() => (b < Math.min(to, numBatches) ? b++ : numBatches))
    },
    close: parts.release,
  }
}

/** What a failure while reading batches becomes: ours as they are, anything else one input error. */
function readError(error: unknown, path: string, batch?: number): unknown {
  if (error instanceof InputError || error instanceof UsageError) return error
  if (error instanceof BodyCodecError) return codecError(error, path, batch)
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
