/**
 * One column chunk read page by page: page headers, decompression, levels and values. A `ColumnPages`
 * holds one decoded data page at a time (plus the chunk's dictionary), so memory is bounded by the largest
 * page, never by the row group; the shared `PageBudget` bounds what all the columns being read hold at once.
 *
 * Sizes read from the file are checked before anything is allocated from them: a page's compressed size
 * against the bytes left in its column chunk (itself inside the file), its uncompressed size and value
 * count against the budget.
 */
import {readSync} from 'node:fs'

import {ColumnBuffers, grown, ReadBuffer} from './buffers.js'
import {CodecError, decompress} from './codecs.js'
import {
  type ByteArrays,
  bitWidthOf,
  decodeByteStreamSplit,
  decodeDeltaBinaryPacked,
  decodeDeltaByteArrays,
  decodeDeltaLengthByteArrays,
  decodeHybrid,
  decodePlainByteArrays,
  EncodingError,
  uniformRun,
} from './encodings.js'
import {
  BOOLEAN,
  BYTE_ARRAY,
  BYTE_STREAM_SPLIT,
  type ColumnMetaData,
  DATA_PAGE,
  DATA_PAGE_V2,
  decodePageHeader,
  DELTA_BINARY_PACKED,
  DELTA_BYTE_ARRAY,
  DELTA_LENGTH_BYTE_ARRAY,
  DICTIONARY_PAGE,
  DOUBLE,
  encodingName,
  FLOAT,
  INDEX_PAGE,
  INT32,
  INT64,
  type PageHeader,
  PLAIN,
  PLAIN_DICTIONARY,
  RLE,
  RLE_DICTIONARY,
  UNCOMPRESSED,
} from './metadata.js'
import type {Leaf} from './schema.js'
import {ThriftError} from './thrift-compact.js'

/** Values of one page (or a dictionary), nulls left out: numbers, text, or indices into a dictionary. */
export type PageValues =
  | {kind: 'number'; count: number; data: Float64Array | Float32Array | Int32Array}
  | {kind: 'text'; count: number; data: ByteArrays}
  | {kind: 'dict'; count: number; indices: Int32Array; dictionary: DictionaryValues}

/** A dictionary page's values. */
export type DictionaryValues = Extract<PageValues, {kind: 'number'} | {kind: 'text'}>

export interface DataPage {
  /** Entries in the page: values and nulls (for a list column, also empty lists). */
  count: number
  /** Definition level of each entry; null when every entry is at the leaf's maximum (no nulls). */
  definitions: Int32Array | null
  /** Repetition level of each entry (0 starts a row); null for a column that is not a list. */
  repetitions: Int32Array | null
  values: PageValues
}

/** Something wrong in the bytes of a page or its header; the reader adds the file, row group and column. */
export class PageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PageError'
  }
}

const MIB = 1024 * 1024

/** A page too big for the memory budget: not corrupt, but not read either. */
export class BudgetError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BudgetError'
  }
}

/** "1.5 MB", "300 KB": sizes in messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= MIB) return `${Number((bytes / MIB).toFixed(1))} MB`
  return `${Math.max(1, Math.round(bytes / 1024))} KB`
}

/**
 * How many bytes the pages being read at once may hold (compressed + decompressed + decoded), over all
 * the columns a reader reads. A file whose pages need more is refused with a clear message instead of
 * running out of memory.
 */
export class PageBudget {
  held = 0
  constructor(readonly limit: number) {}
}

/** The default budget: 256 MiB of pages at once. */
export const PAGE_BUDGET_BYTES = 256 * 1024 * 1024

/**
 * The read buffer is shared by the columns of a reader: a page's compressed bytes are needed only until
 * it is decompressed (an uncompressed page is copied out), so one buffer serves every column — with 20
 * columns that is 1 MB held instead of 20. It reads ahead up to `READ_AHEAD` bytes (a ~1 MB page's header
 * and body in one read); the window belongs to the column that read last.
 */
const READ_AHEAD = 1 << 20

class ChunkBytes {
  constructor(
    private readonly fd: number,
    readonly end: number,
    private readonly shared: ReadBuffer,
  ) {}

  /** File bytes [pos, pos + length) as a view, valid until the next read by any column; `length` ≤ end − pos. */
  view(pos: number, length: number): Uint8Array {
    const w = this.shared
    if (w.owner !== this || pos < w.start || pos + length > w.start + w.length) {
      const want = Math.min(this.end - pos, Math.max(length, READ_AHEAD))
      if (w.buffer.length < want) w.buffer = Buffer.allocUnsafeSlow(want)
      w.owner = this
      w.start = pos
      w.length = 0
      const read = readSync(this.fd, w.buffer, 0, want, pos)
      if (read < length) throw new PageError(`the file ends ${read} bytes into a ${length}-byte read (truncated?)`)
      w.length = read
    }
    // A plain Uint8Array view (a Buffer's `slice` would not copy, which callers must not have to know).
    return new Uint8Array(w.buffer.buffer, w.buffer.byteOffset + pos - w.start, length)
  }
}

/** Bytes a value of a physical type takes at least in PLAIN (to bound a count by a page's size). */
function minPlainBytes(type: number): number {
  if (type === BOOLEAN) return 1 / 8
  if (type === INT32 || type === FLOAT || type === BYTE_ARRAY) return 4
  if (type === INT64 || type === DOUBLE) return 8
  return 1
}

/** A copy of bytes in an ArrayBuffer of their own. */
function copyOf(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length)
  out.set(bytes)
  return out
}

export class ColumnPages {
  private readonly bytes: ChunkBytes
  private pos: number
  private valuesSeen = 0
  private dictionary: DictionaryValues | null = null
  private held = 0
  private dictionaryBytes = 0
  private pageNumber = 0

  constructor(
    fd: number,
    private readonly leaf: Leaf,
    private readonly meta: ColumnMetaData,
    start: number,
    end: number,
    private readonly budget: PageBudget,
    shared: ReadBuffer = new ReadBuffer(),
    private readonly buffers: ColumnBuffers = new ColumnBuffers(),
  ) {
    this.bytes = new ChunkBytes(fd, end, shared)
    this.pos = start
  }

  /** Frees this column's share of the budget (after its last page). */
  release(): void {
    this.budget.held -= this.held
    this.held = 0
  }

  private charge(bytes: number, what: string): void {
    const next = this.budget.held - this.held + bytes
    if (next > this.budget.limit) {
      throw new BudgetError(
        `expected the pages read at once to fit in ${formatBytes(this.budget.limit)}, got ${what} that needs ${formatBytes(bytes)}` +
          (next > bytes ? ` next to ${formatBytes(next - bytes)} for the other columns` : '') +
          ' (rewrite the file with smaller pages or row groups)',
      )
    }
    this.budget.held = next
    this.held = bytes
  }

  /** The next data page, or null when the column chunk has no more values. Dictionary pages are read on the way. */
  next(): DataPage | null {
    while (this.valuesSeen < this.meta.numValues) {
      if (this.pos >= this.bytes.end) {
        throw new PageError(
          `the column chunk ends after ${this.valuesSeen} of its ${this.meta.numValues} values (truncated or corrupt?)`,
        )
      }
      this.pageNumber++
      const header = this.readHeader()
      const bodyStart = this.pos + header.headerLength
      if (header.compressedSize < 0 || header.compressedSize > this.bytes.end - bodyStart) {
        throw new PageError(
          `page ${this.pageNumber}'s header says ${header.compressedSize} bytes, ${this.bytes.end - bodyStart} remain in the column chunk`,
        )
      }
      if (header.uncompressedSize < 0)
        throw new PageError(`page ${this.pageNumber} says it holds ${header.uncompressedSize} bytes`)
      this.pos = bodyStart + header.compressedSize
      if (header.type === INDEX_PAGE) continue
      if (header.type !== DICTIONARY_PAGE && header.type !== DATA_PAGE && header.type !== DATA_PAGE_V2) {
        throw new PageError(`page ${this.pageNumber} has an unknown page type ${header.type}`)
      }
      if (header.numValues < 0) throw new PageError(`page ${this.pageNumber} says it holds ${header.numValues} values`)
      // Levels (4 bytes each, two kinds), values (8 bytes each at most, decoded) and both copies of the
      // page's bytes.
      const pageBytes = header.compressedSize + header.uncompressedSize
      if (header.type === DICTIONARY_PAGE) {
        // The dictionary stays while the chunk's data pages are read.
        this.charge(pageBytes + header.numValues * 8, `the dictionary page`)
        this.dictionaryBytes = header.uncompressedSize + header.numValues * 8
        this.dictionary = this.decodeDictionary(header, this.bytes.view(bodyStart, header.compressedSize))
        continue
      }
      this.charge(this.dictionaryBytes + pageBytes + header.numValues * 16, `page ${this.pageNumber}`)
      const body = this.bytes.view(bodyStart, header.compressedSize)
      const page = header.type === DATA_PAGE ? this.decodeV1(header, body) : this.decodeV2(header, body)
      this.valuesSeen += page.count
      if (this.valuesSeen > this.meta.numValues) {
        throw new PageError(`the pages hold more values than the column chunk's ${this.meta.numValues}`)
      }
      return page
    }
    return null
  }

  private readHeader(): PageHeader {
    // Headers are small (tens of bytes; statistics of long strings make them bigger): read a little, and
    // more if the header turns out longer.
    let want = Math.min(256, this.bytes.end - this.pos)
    for (;;) {
      const view = this.bytes.view(this.pos, want)
      try {
        return decodePageHeader(view, 0, view.length)
      } catch (error) {
        if (error instanceof ThriftError && error.truncated && want < this.bytes.end - this.pos && want < 16 * MIB) {
          want = Math.min(want * 16, this.bytes.end - this.pos)
          continue
        }
        if (error instanceof ThriftError) {
          throw new PageError(`page ${this.pageNumber}'s header cannot be read (${error.message})`)
        }
        throw error
      }
    }
  }

  /**
   * A page's bytes decompressed, out of the shared read buffer (uncompressed bytes are copied): into this
   * column's reusable page buffer for a data page (`reuse`; its values are read before the next page is),
   * into memory of their own for the dictionary, which stays.
   */
  private decompressed(body: Uint8Array, size: number, reuse = true, stored = false): Uint8Array {
    let into: Uint8Array | undefined
    if (reuse) {
      if (this.buffers.page.length < size) this.buffers.page = new Uint8Array(size)
      into = this.buffers.page.subarray(0, size)
    }
    if (stored || this.meta.codec === UNCOMPRESSED) {
      if (body.length !== size) {
        throw new PageError(`page ${this.pageNumber}'s uncompressed bytes are ${body.length}, its header says ${size}`)
      }
      if (!into) return copyOf(body)
      into.set(body)
      return into
    }
    try {
      return decompress(this.meta.codec, body, size, into)
    } catch (error) {
      if (error instanceof CodecError) throw new PageError(`page ${this.pageNumber}: ${error.message}`)
      throw error
    }
  }

  private decodeDictionary(header: PageHeader, body: Uint8Array): DictionaryValues {
    if (header.encoding !== PLAIN && header.encoding !== PLAIN_DICTIONARY) {
      throw new PageError(`a dictionary page in ${encodingName(header.encoding)}, expected PLAIN`)
    }
    const bytes = this.decompressed(body, header.uncompressedSize, false)
    return this.plain(bytes, 0, bytes.length, header.numValues) as DictionaryValues
  }

  private decodeV1(header: PageHeader, body: Uint8Array): DataPage {
    const bytes = this.decompressed(body, header.uncompressedSize)
    const count = header.numValues
    let pos = 0
    let repetitions: Int32Array | null = null
    let definitions: Int32Array | null = null
    if (this.leaf.maxRepetition > 0) {
      if (header.repetitionLevelEncoding !== RLE) throw this.unsupportedLevels(header.repetitionLevelEncoding)
      ;[repetitions, pos] = this.levelsWithLength(bytes, pos, count, this.leaf.maxRepetition)
    }
    if (this.leaf.maxDefinition > 0) {
      if (header.definitionLevelEncoding !== RLE) throw this.unsupportedLevels(header.definitionLevelEncoding)
      ;[definitions, pos] = this.levelsWithLength(bytes, pos, count, this.leaf.maxDefinition, true)
    }
    return this.finish(header, bytes, pos, bytes.length, count, repetitions, definitions)
  }

  private decodeV2(header: PageHeader, body: Uint8Array): DataPage {
    const count = header.numValues
    const repLength = header.repetitionLevelsByteLength
    const defLength = header.definitionLevelsByteLength
    if (repLength < 0 || defLength < 0 || repLength + defLength > body.length) {
      throw new PageError(
        `page ${this.pageNumber}'s levels (${repLength} + ${defLength} bytes) do not fit its ${body.length} bytes`,
      )
    }
    let repetitions: Int32Array | null = null
    let definitions: Int32Array | null = null
    // v2 levels are never compressed and carry no length prefix.
    if (this.leaf.maxRepetition > 0) repetitions = this.levels(body, 0, repLength, count, this.leaf.maxRepetition)
    if (this.leaf.maxDefinition > 0) {
      definitions = this.levels(body, repLength, repLength + defLength, count, this.leaf.maxDefinition, true)
    }
    const valuesBody = body.subarray(repLength + defLength)
    const valuesSize = header.uncompressedSize - repLength - defLength
    if (valuesSize < 0) throw new PageError(`page ${this.pageNumber} says it holds fewer bytes than its levels`)
    // A v2 page may leave its values uncompressed whatever the column's codec.
    const bytes = this.decompressed(valuesBody, valuesSize, true, !header.isCompressed)
    return this.finish(header, bytes, 0, bytes.length, count, repetitions, definitions)
  }

  private unsupportedLevels(encoding: number): PageError {
    return new PageError(
      `levels in ${encodingName(encoding)}, expected RLE (the deprecated BIT_PACKED levels are not read)`,
    )
  }

  /** v1 levels: a 4-byte length, then the RLE / bit-packed hybrid. */
  private levelsWithLength(
    bytes: Uint8Array,
    pos: number,
    count: number,
    max: number,
    isDefinition = false,
  ): [Int32Array | null, number] {
    if (pos + 4 > bytes.length) throw new PageError("the levels' length runs past the end of the page")
    const length = (bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24)) >>> 0
    pos += 4
    if (length > bytes.length - pos) throw new PageError(`levels of ${length} bytes in a page of ${bytes.length}`)
    return [this.levels(bytes, pos, pos + length, count, max, isDefinition), pos + length]
  }

  /**
   * Levels, into this column's scratch array (a page is used up before the next is read); null for
   * definition levels that are all the maximum (no nulls: nothing to look at).
   */
  private levels(
    bytes: Uint8Array,
    pos: number,
    end: number,
    count: number,
    max: number,
    isDefinition = false,
  ): Int32Array | null {
    if (isDefinition && uniformRun(bytes, pos, end, bitWidthOf(max), count) === max) return null
    const buffers = this.buffers
    if (isDefinition) buffers.definitions = grown(buffers.definitions, count)
    else buffers.repetitions = grown(buffers.repetitions, count)
    const out = (isDefinition ? buffers.definitions : buffers.repetitions).subarray(0, count)
    let largest: number
    try {
      largest = decodeHybrid(bytes, pos, end, bitWidthOf(max), count, out)
    } catch (error) {
      if (error instanceof EncodingError) throw new PageError(`page ${this.pageNumber}'s levels: ${error.message}`)
      throw error
    }
    // Levels are below 2^bitWidth; above the maximum only when it is not 2^bitWidth − 1: then look.
    if (largest > max) {
      for (let i = 0; i < count; i++) {
        if (out[i] > max) {
          const kind = isDefinition ? 'definition' : 'repetition'
          throw new PageError(`page ${this.pageNumber} has a ${kind} level ${out[i]}, above the column's ${max}`)
        }
      }
    }
    return out
  }

  /** Checks the levels, counts the values they say are present, and decodes those. */
  private finish(
    header: PageHeader,
    bytes: Uint8Array,
    pos: number,
    end: number,
    count: number,
    repetitions: Int32Array | null,
    definitions: Int32Array | null,
  ): DataPage {
    const max = this.leaf.maxDefinition
    let present = count
    if (definitions) {
      // (Levels above the maximum were refused as they were decoded.)
      present = 0
      for (let i = 0; i < count; i++) if (definitions[i] === max) present++
      // The common case, no nulls, needs no look at the levels again.
      if (present === count) definitions = null
    }
    let values: PageValues
    try {
      values = this.values(header.encoding, bytes, pos, end, present)
    } catch (error) {
      if (error instanceof EncodingError) throw new PageError(`page ${this.pageNumber}: ${error.message}`)
      throw error
    }
    return {count, definitions, repetitions, values}
  }

  private values(encoding: number, bytes: Uint8Array, pos: number, end: number, count: number): PageValues {
    const type = this.leaf.physicalType
    switch (encoding) {
      case PLAIN:
        return this.plain(bytes, pos, end, count)
      case PLAIN_DICTIONARY:
      case RLE_DICTIONARY: {
        const dictionary = this.dictionary
        if (!dictionary)
          throw new PageError(
            `page ${this.pageNumber} is dictionary-encoded, but the column chunk has no dictionary page`,
          )
        this.buffers.indices = grown(this.buffers.indices, count)
        const indices = this.buffers.indices.subarray(0, count)
        if (count > 0) {
          if (pos >= end) throw new PageError(`page ${this.pageNumber} ends before its dictionary indices`)
          const bitWidth = bytes[pos]
          // Every index must name an entry: checked one by one only when the runs could hold a larger one
          // (an index above 2^31 − 1 reads as negative in an Int32Array: compared unsigned).
          if (decodeHybrid(bytes, pos + 1, end, bitWidth, count, indices) >= dictionary.count) {
            for (let i = 0; i < count; i++) {
              if (indices[i] >>> 0 >= dictionary.count) {
                throw new PageError(
                  `page ${this.pageNumber}: a dictionary index ${indices[i] >>> 0} into ${dictionary.count} entries`,
                )
              }
            }
          }
        }
        return {kind: 'dict', count, indices, dictionary}
      }
      case RLE: {
        if (type !== BOOLEAN) break
        // Booleans in RLE: a 4-byte length, then the hybrid with bit width 1.
        const out = new Int32Array(count)
        if (pos + 4 > end) throw new PageError(`page ${this.pageNumber} ends before its RLE booleans`)
        decodeHybrid(bytes, pos + 4, end, 1, count, out)
        return {kind: 'number', count, data: out}
      }
      case DELTA_BINARY_PACKED: {
        if (type === INT32 && this.leaf.kind === 'int32') {
          const out = new Int32Array(count)
          decodeDeltaBinaryPacked(bytes, pos, end, count, out, true)
          return {kind: 'number', count, data: out}
        }
        if (type === INT32 || type === INT64) {
          const out = new Float64Array(count)
          decodeDeltaBinaryPacked(bytes, pos, end, count, out, type === INT32)
          if (this.leaf.kind === 'uint32') for (let i = 0; i < count; i++) out[i] = out[i] >>> 0
          return {kind: 'number', count, data: out}
        }
        break
      }
      case DELTA_LENGTH_BYTE_ARRAY:
        if (type === BYTE_ARRAY) return {kind: 'text', count, data: decodeDeltaLengthByteArrays(bytes, pos, end, count)}
        break
      case DELTA_BYTE_ARRAY:
        if (type === BYTE_ARRAY) return {kind: 'text', count, data: decodeDeltaByteArrays(bytes, pos, end, count)}
        break
      case BYTE_STREAM_SPLIT: {
        const width = type === FLOAT || type === INT32 ? 4 : type === DOUBLE || type === INT64 ? 8 : 0
        if (width === 0) break
        if (this.buffers.split.length < count * width) this.buffers.split = new Uint8Array(count * width)
        const out = this.buffers.split.subarray(0, count * width)
        decodeByteStreamSplit(bytes, pos, end, count, width, out)
        return this.fixedWidth(out, 0, count)
      }
      default:
        break
    }
    throw new PageError(
      `values in ${encodingName(encoding)} for a ${this.leaf.typeName} column, which focalscope does not read`,
    )
  }

  /** PLAIN values of the leaf's type. */
  private plain(bytes: Uint8Array, pos: number, end: number, count: number): PageValues {
    const type = this.leaf.physicalType
    if (count > (end - pos) / minPlainBytes(type)) {
      throw new PageError(`page ${this.pageNumber} holds ${end - pos} bytes, too few for ${count} PLAIN values`)
    }
    if (type === BOOLEAN) {
      const out = new Int32Array(count)
      for (let i = 0; i < count; i++) out[i] = (bytes[pos + (i >> 3)] >> (i & 7)) & 1
      return {kind: 'number', count, data: out}
    }
    if (type === BYTE_ARRAY) {
      try {
        return {kind: 'text', count, data: decodePlainByteArrays(bytes, pos, end, count)}
      } catch (error) {
        if (error instanceof EncodingError) throw new PageError(`page ${this.pageNumber}: ${error.message}`)
        throw error
      }
    }
    if (type === INT32 || type === INT64 || type === FLOAT || type === DOUBLE) return this.fixedWidth(bytes, pos, count)
    throw new PageError(`PLAIN values of a ${this.leaf.typeName} column, which focalscope does not read`)
  }

  /**
   * Fixed-width little-endian numbers at bytes[pos…] as a typed array: a view when the bytes are aligned
   * (no copy: the usual case for doubles after a 4-byte-aligned level block), else a copy.
   */
  private fixedWidth(bytes: Uint8Array, pos: number, count: number): PageValues {
    const type = this.leaf.physicalType
    const width = type === INT32 || type === FLOAT ? 4 : 8
    // Typed arrays need aligned values. The bytes are this page's own (decompressed or copied out of the
    // read buffer) and the levels before the values are decoded already: misaligned values move back over
    // them (a memmove, no allocation); only values at the very start of a misaligned buffer are copied.
    const misaligned = (bytes.byteOffset + pos) % width
    let source = bytes
    let at = bytes.byteOffset + pos
    if (misaligned !== 0 && pos >= misaligned) {
      bytes.copyWithin(pos - misaligned, pos, pos + count * width)
      at -= misaligned
    } else if (misaligned !== 0) {
      // (A copy by hand: `slice` of a Node Buffer, which zlib returns, is a view.)
      source = copyOf(bytes.subarray(pos, pos + count * width))
      at = 0
    }
    const buffer = source.buffer
    if (type === DOUBLE) return {kind: 'number', count, data: new Float64Array(buffer, at, count)}
    if (type === FLOAT) return {kind: 'number', count, data: new Float32Array(buffer, at, count)}
    if (type === INT32) {
      const ints = new Int32Array(buffer, at, count)
      if (this.leaf.kind !== 'uint32') return {kind: 'number', count, data: ints}
      return {kind: 'number', count, data: Float64Array.from(ints, (v) => v >>> 0)}
    }
    // INT64 as numbers (exact below 2^53; a label or target beyond that is refused either way).
    const words = new Int32Array(buffer, at, count * 2)
    const out = new Float64Array(count)
    if (this.leaf.kind === 'uint64') {
      for (let i = 0; i < count; i++) out[i] = (words[2 * i + 1] >>> 0) * 4294967296 + (words[2 * i] >>> 0)
    } else {
      for (let i = 0; i < count; i++) out[i] = words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0)
    }
    return {kind: 'number', count, data: out}
  }
}
