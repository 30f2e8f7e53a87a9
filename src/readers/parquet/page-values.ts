/**
 * A data page's values, decoded from its (decompressed) bytes by encoding and physical type into the typed
 * arrays the chunk builder copies from: numbers, text, or dictionary indices. Fixed-width numbers are views
 * of the page's bytes whenever alignment allows.
 */
import {type ColumnBuffers, grown} from './buffers.js'
import {
  type ByteArrays,
  decodeByteStreamSplit,
  decodeDeltaBinaryPacked,
  decodeDeltaByteArrays,
  decodeDeltaLengthByteArrays,
  decodeHybrid,
  decodePlainByteArrays,
  EncodingError,
} from './encodings.js'
import {
  BOOLEAN,
  BYTE_ARRAY,
  BYTE_STREAM_SPLIT,
  DELTA_BINARY_PACKED,
  DELTA_BYTE_ARRAY,
  DELTA_LENGTH_BYTE_ARRAY,
  DOUBLE,
  encodingName,
  FLOAT,
  INT32,
  INT64,
  PLAIN,
  PLAIN_DICTIONARY,
  RLE,
  RLE_DICTIONARY,
} from './metadata.js'
import type {Leaf} from './schema.js'

/** Values of one page (or a dictionary), nulls left out: numbers, text, or indices into a dictionary. */
export type PageValues =
  | {kind: 'number'; count: number; data: Float64Array | Float32Array | Int32Array}
  | {kind: 'text'; count: number; data: ByteArrays}
  | {kind: 'dict'; count: number; indices: Int32Array; dictionary: DictionaryValues}

/** A dictionary page's values. */
export type DictionaryValues = Extract<PageValues, {kind: 'number'} | {kind: 'text'}>

/** Something wrong in the bytes of a page or its header; the reader adds the file, row group and column. */
export class PageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PageError'
  }
}

/** What decoding a page's values needs to know: its column, the chunk's dictionary, reusable buffers. */
export interface ValuesContext {
  leaf: Leaf
  dictionary: DictionaryValues | null
  buffers: ColumnBuffers
  /** For messages. */
  pageNumber: number
}

/** Bytes a value of a physical type takes at least in PLAIN (to bound a count by a page's size). */
function minPlainBytes(type: number): number {
  if (type === BOOLEAN) return 1 / 8
  if (type === INT32 || type === FLOAT || type === BYTE_ARRAY) return 4
  if (type === INT64 || type === DOUBLE) return 8
  return 1
}

/** A copy of bytes in an ArrayBuffer of their own. */
export function copyOf(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length)
  out.set(bytes)
  return out
}

/**
 * The first of `count` dictionary indices that names no entry (compared unsigned), or −1. Its own function,
 * ending at its loop: V8 compiles a long loop's first call for on-stack replacement before the code after
 * it has run, and decodeValues' return after this loop then left through a deoptimisation at every page
 * (~55 a run of the 10 M-row Parquet bench file).
 */
function firstIndexOutside(indices: Int32Array, count: number, entries: number): number {
  for (let i = 0; i < count; i++) if (indices[i] >>> 0 >= entries) return i
  return -1
}

export function decodeValues(
  page: ValuesContext,
  encoding: number,
  bytes: Uint8Array,
  pos: number,
  end: number,
  count: number,
): PageValues {
  const type = page.leaf.physicalType
  switch (encoding) {
    case PLAIN:
      return decodePlain(page, bytes, pos, end, count)
    case PLAIN_DICTIONARY:
    case RLE_DICTIONARY: {
      const dictionary = page.dictionary
      if (!dictionary)
        throw new PageError(
          `page ${page.pageNumber} is dictionary-encoded, but the column chunk has no dictionary page`,
        )
      page.buffers.indices = grown(page.buffers.indices, count)
      const indices = page.buffers.indices.subarray(0, count)
      if (count > 0) {
        if (pos >= end) throw new PageError(`page ${page.pageNumber} ends before its dictionary indices`)
        const bitWidth = bytes[pos]
        // Every index must name an entry: checked one by one only when the runs could hold a larger one
        // (an index above 2^31 − 1 reads as negative in an Int32Array: compared unsigned).
        if (decodeHybrid(bytes, pos + 1, end, bitWidth, count, indices) >= dictionary.count) {
          const i = firstIndexOutside(indices, count, dictionary.count)
          if (i >= 0) {
            throw new PageError(
              `page ${page.pageNumber}: a dictionary index ${indices[i] >>> 0} into ${dictionary.count} entries`,
            )
          }
        }
      }
      return {kind: 'dict', count, indices, dictionary}
    }
    case RLE: {
      if (type !== BOOLEAN) break
      // Booleans in RLE: a 4-byte length, then the hybrid with bit width 1.
      const out = new Int32Array(count)
      if (pos + 4 > end) throw new PageError(`page ${page.pageNumber} ends before its RLE booleans`)
      decodeHybrid(bytes, pos + 4, end, 1, count, out)
      return {kind: 'number', count, data: out}
    }
    case DELTA_BINARY_PACKED: {
      if (type === INT32 && page.leaf.kind === 'int32') {
        const out = new Int32Array(count)
        decodeDeltaBinaryPacked(bytes, pos, end, count, out, true)
        return {kind: 'number', count, data: out}
      }
      if (type === INT32 || type === INT64) {
        const out = new Float64Array(count)
        decodeDeltaBinaryPacked(bytes, pos, end, count, out, type === INT32)
        if (page.leaf.kind === 'uint32') for (let i = 0; i < count; i++) out[i] = out[i] >>> 0
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
      if (page.buffers.split.length < count * width) page.buffers.split = new Uint8Array(count * width)
      const out = page.buffers.split.subarray(0, count * width)
      decodeByteStreamSplit(bytes, pos, end, count, width, out)
      return fixedWidth(page, out, 0, count)
    }
    default:
      break
  }
  throw new PageError(
    `values in ${encodingName(encoding)} for a ${page.leaf.typeName} column, which focalscope does not read`,
  )
}

/** PLAIN values of the leaf's type. */
export function decodePlain(
  page: ValuesContext,
  bytes: Uint8Array,
  pos: number,
  end: number,
  count: number,
): PageValues {
  const type = page.leaf.physicalType
  if (count > (end - pos) / minPlainBytes(type)) {
    throw new PageError(`page ${page.pageNumber} holds ${end - pos} bytes, too few for ${count} PLAIN values`)
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
      if (error instanceof EncodingError) throw new PageError(`page ${page.pageNumber}: ${error.message}`)
      throw error
    }
  }
  if (type === INT32 || type === INT64 || type === FLOAT || type === DOUBLE) return fixedWidth(page, bytes, pos, count)
  throw new PageError(`PLAIN values of a ${page.leaf.typeName} column, which focalscope does not read`)
}

/**
 * Fixed-width little-endian numbers at bytes[pos…] as a typed array: a view when the bytes are aligned
 * (no copy: the usual case for doubles after a 4-byte-aligned level block), else a copy.
 */
function fixedWidth(page: ValuesContext, bytes: Uint8Array, pos: number, count: number): PageValues {
  const type = page.leaf.physicalType
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
    if (page.leaf.kind !== 'uint32') return {kind: 'number', count, data: ints}
    return {kind: 'number', count, data: Float64Array.from(ints, (v) => v >>> 0)}
  }
  // INT64 as numbers (exact below 2^53; a label or target beyond that is refused either way).
  const words = new Int32Array(buffer, at, count * 2)
  const out = new Float64Array(count)
  if (page.leaf.kind === 'uint64') {
    for (let i = 0; i < count; i++) out[i] = (words[2 * i + 1] >>> 0) * 4294967296 + (words[2 * i] >>> 0)
  } else {
    for (let i = 0; i < count; i++) out[i] = words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0)
  }
  return {kind: 'number', count, data: out}
}
