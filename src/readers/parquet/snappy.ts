/**
 * Snappy decompression (raw snappy, as Parquet stores it: a varint length, then literals and back-copies;
 * google/snappy format_description.txt) into a buffer the caller reuses.
 *
 * Hand-written, though focalscope otherwise decompresses with libraries, because both libraries measured
 * lose on the bench files (docs/parquet.md): hysnappy (C in WebAssembly) returns a new buffer a page, which
 * cost 30–40 MB more peak RSS per thread and was still 1.2–1.3× slower than this; hyparquet's JS snappy
 * copies literals a byte at a time (1.8× slower on 20 columns of doubles, which are nearly all literals)
 * and loops for billions of steps on a literal length with its top bit set. Here literals and long copies
 * are native memcpy/memmove, and every length and offset is checked before it is used: a corrupt stream
 * gives SnappyError, never a read or write out of bounds. test/readers/parquet/snappy.test.ts checks it
 * against hyparquet's decoder on the fixtures' pages and on random data.
 */

export class SnappyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SnappyError'
  }
}

/** Below this many bytes a loop beats the call into native memcpy. */
const SHORT = 16

/** Decompresses `input` into out[0, size); throws SnappyError unless it holds exactly `size` bytes. */
export function snappyUncompress(input: Uint8Array, size: number, out: Uint8Array): void {
  const bad = (why: string): SnappyError => new SnappyError(`the SNAPPY data is corrupt (${why})`)
  const n = input.length
  let pos = 0
  let declared = 0
  let scale = 1
  for (;;) {
    if (pos >= n || pos >= 5) throw bad('no length preamble')
    const b = input[pos++]
    declared += (b & 0x7f) * scale
    if (b < 0x80) break
    scale *= 128
  }
  if (declared !== size) throw new SnappyError(`a SNAPPY block of ${declared} bytes where the page has ${size}`)
  if (out.length < size) throw new RangeError(`an output of ${out.length} bytes for ${size}`)
  let o = 0
  while (pos < n) {
    const tag = input[pos++]
    const kind = tag & 3
    let length: number
    if (kind === 0) {
      // A literal: its length − 1 in the tag's upper 6 bits, or in 1–4 little-endian bytes after it.
      length = (tag >>> 2) + 1
      if (length > 60) {
        const bytes = length - 60
        if (pos + bytes > n) throw bad('a literal length past the end of the input')
        length = 0
        for (let i = bytes - 1; i >= 0; i--) length = length * 256 + input[pos + i]
        length += 1
        pos += bytes
      }
      if (length > n - pos) throw bad('a literal past the end of the input')
      if (length > size - o) throw bad(`more than the ${size} bytes it declares`)
      if (length > SHORT) out.set(input.subarray(pos, pos + length), o)
      else for (let i = 0; i < length; i++) out[o + i] = input[pos + i]
      pos += length
      o += length
      continue
    }
    // A copy of `length` bytes from `offset` bytes back in the output.
    let offset: number
    if (kind === 1) {
      if (pos >= n) throw bad('a copy past the end of the input')
      length = ((tag >>> 2) & 7) + 4
      offset = ((tag >>> 5) << 8) | input[pos++]
    } else if (kind === 2) {
      if (pos + 2 > n) throw bad('a copy past the end of the input')
      length = (tag >>> 2) + 1
      offset = input[pos] | (input[pos + 1] << 8)
      pos += 2
    } else {
      if (pos + 4 > n) throw bad('a copy past the end of the input')
      length = (tag >>> 2) + 1
      offset = (input[pos] | (input[pos + 1] << 8) | (input[pos + 2] << 16)) + input[pos + 3] * 16777216
      pos += 4
    }
    if (offset === 0 || offset > o) throw bad('a copy from before the start')
    if (length > size - o) throw bad(`more than the ${size} bytes it declares`)
    // An overlapping copy (offset < length) repeats a pattern: byte by byte, as the format means it.
    if (offset >= length && length > SHORT) out.copyWithin(o, o - offset, o - offset + length)
    else for (let i = 0; i < length; i++) out[o + i] = out[o - offset + i]
    o += length
  }
  if (o !== size) throw bad(`${o} of the ${size} bytes it declares`)
}
