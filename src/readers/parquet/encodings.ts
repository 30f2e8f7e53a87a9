/**
 * Parquet's value and level encodings (parquet-format's Encodings.md), decoded from a page's bytes into typed
 * arrays: the RLE / bit-packed hybrid (levels, dictionary indices, booleans), DELTA_BINARY_PACKED,
 * DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT. PLAIN lives with the page decoder.
 *
 * Every decoder is told how many values to produce and where its bytes end; it throws `EncodingError` when
 * the bytes run out or say something impossible (a bit width over 32, a run past the page), never reads out
 * of bounds and never allocates more than its output (whose size the caller has checked).
 */

export class EncodingError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'EncodingError'
  }
}

/** Reads an unsigned LEB128 varint at bytes[pos]; returns [value, next position]. */
export function readVarint(bytes: Uint8Array, pos: number, end: number): [number, number] {
  let value = 0
  let scale = 1
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new EncodingError('a varint runs past the end of the page')
    const b = bytes[pos++]
    value += (b & 0x7f) * scale
    if (b < 0x80) return [value, pos]
    scale *= 128
  }
  throw new EncodingError('a varint longer than 10 bytes')
}

function zigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2
}

/**
 * Unpacks `count` values of `bitWidth` ≤ 32 bits (LSB first, as Parquet packs them) from bytes[pos…] into
 * out[at…]. The caller has checked that ⌈count · bitWidth / 8⌉ bytes are there. (Int32Array only: one
 * element type keeps this hot loop monomorphic.)
 */
function unpackBits(
  bytes: Uint8Array,
  pos: number,
  bitWidth: number,
  count: number,
  out: Int32Array,
  at: number,
): void {
  if (bitWidth === 0) {
    out.fill(0, at, at + count)
    return
  }
  if (bitWidth === 1) {
    // Labels of a two-entry dictionary, levels of a nullable column: eight values a byte.
    let i = 0
    for (; i + 8 <= count; i += 8) {
      const b = bytes[pos++]
      out[at + i] = b & 1
      out[at + i + 1] = (b >> 1) & 1
      out[at + i + 2] = (b >> 2) & 1
      out[at + i + 3] = (b >> 3) & 1
      out[at + i + 4] = (b >> 4) & 1
      out[at + i + 5] = (b >> 5) & 1
      out[at + i + 6] = (b >> 6) & 1
      out[at + i + 7] = (b >> 7) & 1
    }
    for (let bit = 0; i < count; i++, bit++) out[at + i] = (bytes[pos] >> bit) & 1
    return
  }
  if (bitWidth === 2 || bitWidth === 4 || bitWidth === 8) {
    // Widths that divide a byte (DuckDB packs a two-entry dictionary's indices in 2 bits): whole bytes,
    // no window.
    const perByte = 8 / bitWidth
    const mask = (1 << bitWidth) - 1
    let i = 0
    for (; i + perByte <= count; pos++) {
      const b = bytes[pos]
      for (let shift = 0; shift < 8; shift += bitWidth) out[at + i++] = (b >> shift) & mask
    }
    for (let shift = 0; i < count; shift += bitWidth) out[at + i++] = (bytes[pos] >> shift) & mask
    return
  }
  if (bitWidth <= 24) {
    // A window of up to 31 bits: each value needs at most 3 more bytes shifted in.
    const mask = (1 << bitWidth) - 1
    let window = 0
    let bits = 0
    for (let i = 0; i < count; i++) {
      while (bits < bitWidth) {
        window |= bytes[pos++] << bits
        bits += 8
      }
      out[at + i] = window & mask
      window >>>= bitWidth
      bits -= bitWidth
    }
    return
  }
  unpackWide(bytes, pos, bitWidth, count, out, at)
}

/**
 * Values of up to 64 bits (DELTA_BINARY_PACKED of INT64), bit by bit in floating point: exact to 2^53.
 * Rare, so simplicity wins.
 */
function unpackWide(
  bytes: Uint8Array,
  pos: number,
  bitWidth: number,
  count: number,
  out: Int32Array | Float64Array,
  at: number,
): void {
  let bit = pos * 8
  for (let i = 0; i < count; i++) {
    let value = 0
    let scale = 1
    for (let b = 0; b < bitWidth; b++, bit++) {
      if ((bytes[bit >> 3] >> (bit & 7)) & 1) value += scale
      scale *= 2
    }
    out[at + i] = value
  }
}

/**
 * The RLE / bit-packed hybrid: `count` values of `bitWidth` bits from bytes[pos, end) into out[0, count).
 * Runs may describe more values than needed (bit-packed runs are padded to groups of 8); the rest is
 * ignored. Returns the largest value the runs can hold: the largest RLE value, and 2^bitWidth − 1 once
 * there is a bit-packed run (so a caller checking indices against a dictionary scans only when needed).
 */
export function decodeHybrid(
  bytes: Uint8Array,
  pos: number,
  end: number,
  bitWidth: number,
  count: number,
  out: Int32Array,
): number {
  if (bitWidth > 32) throw new EncodingError(`a bit width of ${bitWidth} (at most 32)`)
  const valueBytes = (bitWidth + 7) >> 3
  const packedMax = 2 ** bitWidth - 1
  let max = 0
  let done = 0
  while (done < count) {
    // The run header, a varint (inline: a run can be a few values long, and this is per run).
    let header = 0
    let scale = 1
    for (let i = 0; ; i++) {
      if (pos >= end) throw new EncodingError('a run header runs past the end of the page')
      if (i === 5) throw new EncodingError('a run header longer than 5 bytes')
      const b = bytes[pos++]
      header += (b & 0x7f) * scale
      if (b < 0x80) break
      scale *= 128
    }
    if (header % 2 === 1) {
      // Bit-packed: (header >> 1) groups of 8 values, bitWidth bytes a group.
      const groups = (header - 1) / 2
      if (groups === 0 || groups * bitWidth > end - pos) {
        throw new EncodingError(`a bit-packed run of ${groups} groups of 8 runs past the end of the page`)
      }
      const n = Math.min(groups * 8, count - done)
      unpackBits(bytes, pos, bitWidth, n, out, done)
      pos += groups * bitWidth
      done += n
      max = packedMax
    } else {
      const run = header / 2
      if (run === 0) throw new EncodingError('an RLE run of length 0')
      if (pos + valueBytes > end) throw new EncodingError('an RLE run runs past the end of the page')
      let value = 0
      for (let b = valueBytes - 1; b >= 0; b--) value = value * 256 + bytes[pos + b]
      pos += valueBytes
      if (value > packedMax) throw new EncodingError(`an RLE value ${value} wider than ${bitWidth} bits`)
      const n = Math.min(run, count - done)
      out.fill(value, done, done + n)
      done += n
      if (value > max) max = value
    }
  }
  return max
}

/**
 * The value every one of `count` entries has when the hybrid data starts with one RLE run covering them
 * all (a column without nulls: one run of the maximum definition level), else -1. Lets the caller skip
 * decoding levels that say nothing.
 */
export function uniformRun(bytes: Uint8Array, pos: number, end: number, bitWidth: number, count: number): number {
  if (pos >= end || bitWidth > 32) return -1
  const [header, next] = readVarint(bytes, pos, end)
  if (header % 2 === 1 || header / 2 < count) return -1
  const valueBytes = (bitWidth + 7) >> 3
  if (next + valueBytes > end) return -1
  let value = 0
  for (let b = valueBytes - 1; b >= 0; b--) value = value * 256 + bytes[next + b]
  return value
}

/** The number of bits needed for values 0 … max (levels' bit width). */
export function bitWidthOf(max: number): number {
  return max === 0 ? 0 : 32 - Math.clz32(max)
}

const MAX_DELTA_BLOCK = 1 << 16

/**
 * DELTA_BINARY_PACKED: a header (block size, miniblocks per block, value count, first value), then blocks
 * of (min delta, one bit width per miniblock, the miniblocks' bit-packed deltas). Values go to out[0,
 * count) as numbers: exact for INT32 (wrapped to 32 bits as writers compute) and for INT64 below 2^53.
 * Returns the position after the last block that holds a value (DELTA_LENGTH_BYTE_ARRAY's bytes follow).
 */
export function decodeDeltaBinaryPacked(
  bytes: Uint8Array,
  pos: number,
  end: number,
  count: number,
  out: Int32Array | Float64Array,
  int32: boolean,
): number {
  let blockSize: number, miniblocks: number, total: number, first: number
  ;[blockSize, pos] = readVarint(bytes, pos, end)
  ;[miniblocks, pos] = readVarint(bytes, pos, end)
  ;[total, pos] = readVarint(bytes, pos, end)
  ;[first, pos] = readVarint(bytes, pos, end)
  first = zigzag(first)
  if (blockSize === 0 || blockSize % 128 !== 0 || miniblocks === 0 || blockSize % miniblocks !== 0) {
    throw new EncodingError(`a DELTA_BINARY_PACKED block of ${blockSize} values in ${miniblocks} miniblocks`)
  }
  const perMiniblock = blockSize / miniblocks
  // Writers use blocks of 128 (parquet-mr, Arrow) to a few thousand values; a bigger one is corrupt.
  if (perMiniblock % 32 !== 0 || blockSize > MAX_DELTA_BLOCK) {
    throw new EncodingError(`a DELTA_BINARY_PACKED block of ${blockSize} values in miniblocks of ${perMiniblock}`)
  }
  if (total !== count) throw new EncodingError(`${total} delta-encoded values where the page has ${count}`)
  if (count === 0) return pos
  let value = int32 ? first | 0 : first
  out[0] = value
  let done = 1
  // Scratch for one miniblock's deltas (at most a few thousand values).
  const deltas = new Float64Array(perMiniblock)
  while (done < total) {
    let minDelta: number
    ;[minDelta, pos] = readVarint(bytes, pos, end)
    minDelta = zigzag(minDelta)
    if (pos + miniblocks > end) throw new EncodingError('a delta block runs past the end of the page')
    const widthsAt = pos
    pos += miniblocks
    for (let m = 0; m < miniblocks && done < total; m++) {
      const width = bytes[widthsAt + m]
      if (width > 64) throw new EncodingError(`a delta bit width of ${width}`)
      const size = (perMiniblock * width) / 8
      // The last miniblock may be cut short by the writer once the values are all written.
      const n = Math.min(perMiniblock, total - done)
      const need = Math.ceil((n * width) / 8)
      if (pos + need > end) throw new EncodingError('a delta miniblock runs past the end of the page')
      unpackWide(bytes, pos, width, n, deltas, 0)
      pos += Math.min(size, end - pos)
      for (let i = 0; i < n; i++) {
        value = int32 ? (value + minDelta + deltas[i]) | 0 : value + minDelta + deltas[i]
        if (done + i < count) out[done + i] = value
      }
      done += n
    }
  }
  return pos
}

/** Byte arrays, read as text on demand. */
export interface ByteArrays {
  count: number
  /** The i-th value as a string (UTF-8 decoded; a binary column reads as Latin-1 bytes would be wrong). */
  text(i: number): string
}

const utf8 = new TextDecoder()
const MAX_TEXT_BYTES = 1 << 28

/** PLAIN byte arrays: a 4-byte little-endian length before each value. */
export function decodePlainByteArrays(bytes: Uint8Array, pos: number, end: number, count: number): ByteArrays {
  const starts = new Int32Array(count)
  const lengths = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    if (pos + 4 > end) throw new EncodingError(`byte array ${i + 1} of ${count} runs past the end of the page`)
    const length = (bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24)) >>> 0
    pos += 4
    if (length > end - pos) throw new EncodingError(`a byte array of ${length} bytes runs past the end of the page`)
    starts[i] = pos
    lengths[i] = length
    pos += length
  }
  return {count, text: (i) => utf8.decode(bytes.subarray(starts[i], starts[i] + lengths[i]))}
}

/** DELTA_LENGTH_BYTE_ARRAY: the lengths DELTA_BINARY_PACKED, then the values' bytes back to back. */
export function decodeDeltaLengthByteArrays(bytes: Uint8Array, pos: number, end: number, count: number): ByteArrays {
  const lengths = new Int32Array(count)
  pos = decodeDeltaBinaryPacked(bytes, pos, end, count, lengths, true)
  const starts = new Int32Array(count + 1)
  starts[0] = pos
  for (let i = 0; i < count; i++) {
    if (lengths[i] < 0 || lengths[i] > end - starts[i]) {
      throw new EncodingError(`a byte array of ${lengths[i]} bytes runs past the end of the page`)
    }
    starts[i + 1] = starts[i] + lengths[i]
  }
  return {count, text: (i) => utf8.decode(bytes.subarray(starts[i], starts[i + 1]))}
}

/** DELTA_BYTE_ARRAY: prefix lengths (DELTA_BINARY_PACKED), then suffixes (DELTA_LENGTH_BYTE_ARRAY). */
export function decodeDeltaByteArrays(bytes: Uint8Array, pos: number, end: number, count: number): ByteArrays {
  const prefixes = new Int32Array(count)
  pos = decodeDeltaBinaryPacked(bytes, pos, end, count, prefixes, true)
  const suffixLengths = new Int32Array(count)
  pos = decodeDeltaBinaryPacked(bytes, pos, end, count, suffixLengths, true)
  // Each value is assembled (a prefix of the previous one plus its suffix); their total size is bounded
  // by count × the longest, which the page's own bytes bound through the suffixes and prefixes.
  const values: string[] = []
  let previous = new Uint8Array(0)
  let total = 0
  for (let i = 0; i < count; i++) {
    const prefix = prefixes[i]
    const length = suffixLengths[i]
    if (prefix < 0 || prefix > previous.length) {
      throw new EncodingError(`a prefix of ${prefix} bytes of a ${previous.length}-byte value`)
    }
    if (length < 0 || length > end - pos) {
      throw new EncodingError(`a suffix of ${length} bytes runs past the end of the page`)
    }
    total += prefix + length
    // Shared prefixes let a small page spell out much more text: bound it (labels are short).
    if (total > MAX_TEXT_BYTES) throw new EncodingError(`values that add up to more than ${MAX_TEXT_BYTES} bytes`)
    const value = new Uint8Array(prefix + length)
    value.set(previous.subarray(0, prefix))
    value.set(bytes.subarray(pos, pos + length), prefix)
    pos += length
    values.push(utf8.decode(value))
    previous = value
  }
  return {count, text: (i) => values[i]}
}

/**
 * BYTE_STREAM_SPLIT: byte k of value i sits at stream k · count + i. Reassembles `count` values of `width`
 * bytes into out (which holds count · width bytes).
 */
export function decodeByteStreamSplit(
  bytes: Uint8Array,
  pos: number,
  end: number,
  count: number,
  width: number,
  out: Uint8Array,
): void {
  if (end - pos < count * width) {
    throw new EncodingError(`${end - pos} bytes of BYTE_STREAM_SPLIT data where ${count * width} are needed`)
  }
  for (let k = 0; k < width; k++) {
    const stream = pos + k * count
    for (let i = 0; i < count; i++) out[i * width + k] = bytes[stream + i]
  }
}
