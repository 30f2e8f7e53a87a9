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
import {bitWidthOf, decodeHybrid, EncodingError, uniformRun} from './encodings.js'
import {
  type ColumnMetaData,
  DATA_PAGE,
  DATA_PAGE_V2,
  decodePageHeader,
  DICTIONARY_PAGE,
  encodingName,
  INDEX_PAGE,
  type PageHeader,
  PLAIN,
  PLAIN_DICTIONARY,
  RLE,
  UNCOMPRESSED,
} from './metadata.js'
import {
  copyOf,
  decodePlain,
  decodeValues,
  type DictionaryValues,
  PageError,
  type PageValues,
  type ValuesContext,
} from './page-values.js'
import type {Leaf} from './schema.js'
import {ThriftError} from './thrift-compact.js'

export {PageError, type DictionaryValues, type PageValues} from './page-values.js'

export interface DataPage {
  /** Entries in the page: values and nulls (for a list column, also empty lists). */
  count: number
  /** Definition level of each entry; null when every entry is at the leaf's maximum (no nulls). */
  definitions: Int32Array | null
  /** Repetition level of each entry (0 starts a row); null for a column that is not a list. */
  repetitions: Int32Array | null
  values: PageValues
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

export class ColumnPages implements ValuesContext {
  private readonly bytes: ChunkBytes
  private pos: number
  private valuesSeen = 0
  /** The chunk's dictionary (ValuesContext). */
  dictionary: DictionaryValues | null = null
  private held = 0
  private dictionaryBytes = 0
  /** Pages read so far, for messages (ValuesContext). */
  pageNumber = 0

  constructor(
    fd: number,
    readonly leaf: Leaf,
    private readonly meta: ColumnMetaData,
    start: number,
    end: number,
    private readonly budget: PageBudget,
    shared: ReadBuffer = new ReadBuffer(),
    readonly buffers: ColumnBuffers = new ColumnBuffers(),
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
    return decodePlain(this, bytes, 0, bytes.length, header.numValues) as DictionaryValues
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
      values = decodeValues(this, header.encoding, bytes, pos, end, present)
    } catch (error) {
      if (error instanceof EncodingError) throw new PageError(`page ${this.pageNumber}: ${error.message}`)
      throw error
    }
    return {count, definitions, repetitions, values}
  }
}
