/**
 * LZ4 frame decoder (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md and lz4_Block_format.md),
 * for Arrow IPC bodies compressed with LZ4_FRAME (pyarrow's and pandas' `to_feather` default). Hand-written
 * because the frame layer is small and frozen, and decoding straight into the caller's buffer (the
 * batch's reused body) leaves no garbage per buffer: lz4js (unmaintained since 2017) allocates per block,
 * hyparquet-compressors has only the raw block format, and lz4-napi needs a native build. Every length
 * and offset is checked before use; descriptor, block and content checksums are verified when the frame
 * carries them. Frames may be concatenated, and skippable frames are skipped. The block decoder alone also
 * reads Parquet's LZ4_RAW pages (one raw block a page), into the column's page buffer.
 */

import {xxh32} from './xxhash32.js'

export class Lz4Error extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'Lz4Error'
  }
}

const FRAME_MAGIC = 0x184d2204
const SKIPPABLE_MASK = 0xfffffff0
const SKIPPABLE_MAGIC = 0x184d2a50
const BLOCK_MAX_SIZES = [0, 0, 0, 0, 1 << 16, 1 << 18, 1 << 20, 1 << 22]
/** A literal or match run this short is copied by a byte loop: cheaper than a native call. */
const SHORT_COPY = 32

function u32(d: Uint8Array, i: number): number {
  return (d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24)) >>> 0
}

/**
 * Decodes the LZ4 frames in `input` into `out` from index `at`; returns the index after the last byte
 * written. Throws Lz4Error on anything malformed, and when the output would not fit `out`.
 */
export function lz4FrameDecode(input: Uint8Array, out: Uint8Array, at = 0): number {
  let ip = 0
  let op = at
  if (input.length === 0) throw new Lz4Error('empty input, no LZ4 frame')
  while (ip < input.length) {
    if (input.length - ip < 4) throw new Lz4Error('truncated frame magic')
    const magic = u32(input, ip)
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (input.length - ip < 8) throw new Lz4Error('truncated skippable frame')
      const size = u32(input, ip + 4)
      if (size > input.length - ip - 8) throw new Lz4Error('skippable frame longer than the input')
      ip += 8 + size
      continue
    }
    if (magic !== FRAME_MAGIC) throw new Lz4Error(`not an LZ4 frame (magic 0x${magic.toString(16)})`)
    ip += 4
    const descriptorStart = ip
    if (input.length - ip < 3) throw new Lz4Error('truncated frame descriptor')
    const flg = input[ip++]
    const bd = input[ip++]
    if (flg >> 6 !== 1) throw new Lz4Error(`unknown LZ4 frame version ${flg >> 6}`)
    if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) throw new Lz4Error('reserved frame descriptor bits set')
    const independent = (flg & 0x20) !== 0
    const blockChecksum = (flg & 0x10) !== 0
    const hasContentSize = (flg & 0x08) !== 0
    const contentChecksum = (flg & 0x04) !== 0
    if ((flg & 0x01) !== 0) throw new Lz4Error('frame needs a dictionary (not used by Arrow)')
    const blockMax = BLOCK_MAX_SIZES[(bd >> 4) & 7]
    if (blockMax === 0) throw new Lz4Error(`unknown block maximum size code ${(bd >> 4) & 7}`)
    let contentSize = -1
    if (hasContentSize) {
      if (input.length - ip < 9) throw new Lz4Error('truncated frame descriptor')
      const high = u32(input, ip + 4)
      if (high > 0x1fffff) throw new Lz4Error('frame content size too large')
      contentSize = high * 2 ** 32 + u32(input, ip)
      ip += 8
    }
    if (ip >= input.length) throw new Lz4Error('truncated frame descriptor')
    if (((xxh32(input, descriptorStart, ip) >>> 8) & 0xff) !== input[ip]) {
      throw new Lz4Error('frame descriptor checksum mismatch')
    }
    ip++
    const frameStart = op
    for (;;) {
      if (input.length - ip < 4) throw new Lz4Error('truncated block header')
      const word = u32(input, ip)
      ip += 4
      if (word === 0) break
      const size = word & 0x7fffffff
      if (size > blockMax) throw new Lz4Error(`block of ${size} bytes, more than the frame's maximum ${blockMax}`)
      if (size > input.length - ip - (blockChecksum ? 4 : 0)) throw new Lz4Error('truncated block')
      if (blockChecksum && xxh32(input, ip, ip + size) !== u32(input, ip + size)) {
        throw new Lz4Error('block checksum mismatch')
      }
      if ((word & 0x80000000) !== 0) {
        // Stored uncompressed.
        if (size > out.length - op) throw new Lz4Error('output longer than expected')
        out.set(input.subarray(ip, ip + size), op)
        op += size
      } else {
        // Linked blocks may copy from earlier blocks of the frame; independent ones only from themselves.
        const written = lz4BlockDecode(input, ip, ip + size, out, op, independent ? op : frameStart)
        if (written - op > blockMax) throw new Lz4Error('block decodes to more than the frame maximum')
        op = written
      }
      ip += size + (blockChecksum ? 4 : 0)
    }
    if (contentChecksum) {
      if (input.length - ip < 4) throw new Lz4Error('truncated content checksum')
      if (xxh32(out, frameStart, op) !== u32(input, ip)) throw new Lz4Error('content checksum mismatch')
      ip += 4
    }
    if (contentSize >= 0 && op - frameStart !== contentSize) {
      throw new Lz4Error(`frame says ${contentSize} bytes of content, decoded ${op - frameStart}`)
    }
  }
  return op
}

/**
 * Decodes one LZ4 block, input[start, end), into out from `op`; matches may reach back to `floor`.
 * Returns the index after the last byte written.
 */
export function lz4BlockDecode(
  input: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  op: number,
  floor: number,
): number {
  const outEnd = out.length
  let ip = start
  while (ip < end) {
    const token = input[ip++]
    let literals = token >>> 4
    if (literals === 15) {
      let b: number
      do {
        if (ip >= end) throw new Lz4Error('truncated literal length')
        b = input[ip++]
        literals += b
      } while (b === 255)
    }
    if (literals > end - ip) throw new Lz4Error('literals run past the block')
    if (literals > outEnd - op) throw new Lz4Error('output longer than expected')
    if (literals <= SHORT_COPY) {
      for (let i = 0; i < literals; i++) out[op + i] = input[ip + i]
    } else {
      out.set(input.subarray(ip, ip + literals), op)
    }
    ip += literals
    op += literals
    // The last sequence has literals only.
    if (ip === end) return op
    if (end - ip < 2) throw new Lz4Error('truncated match offset')
    const offset = input[ip] | (input[ip + 1] << 8)
    ip += 2
    if (offset === 0 || offset > op - floor) throw new Lz4Error(`match offset ${offset} out of range`)
    let length = token & 15
    if (length === 15) {
      let b: number
      do {
        if (ip >= end) throw new Lz4Error('truncated match length')
        b = input[ip++]
        length += b
      } while (b === 255)
    }
    length += 4
    if (length > outEnd - op) throw new Lz4Error('output longer than expected')
    let from = op - offset
    if (offset >= length && length > SHORT_COPY) {
      out.copyWithin(op, from, from + length)
      op += length
    } else {
      // Overlapping (a repeated pattern): byte by byte, as the format defines it.
      for (const stop = op + length; op < stop;) out[op++] = out[from++]
    }
  }
  throw new Lz4Error('block ends without a final literal run')
}
