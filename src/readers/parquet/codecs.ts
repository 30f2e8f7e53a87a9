/**
 * Page decompression: one function per Parquet codec, each given the compressed bytes and the page's
 * uncompressed size (from its header, checked against the memory budget by the caller) and returning
 * exactly that many bytes — or throwing `CodecError`. The decompressors are maintained libraries, chosen
 * by measurement (docs/parquet.md): hyparquet's snappy, zstddec (the reference zstd in WebAssembly),
 * hyparquet-compressors' LZ4, and Node's own zlib for GZIP and BROTLI. Each library is loaded
 * only when a file uses its codec (`loadCodecs`, called when a file is opened): a file in SNAPPY never pays
 * for the others' start-up.
 */
import {brotliDecompressSync, gunzipSync} from 'node:zlib'

import {BROTLI, codecName, GZIP, LZ4, LZ4_RAW, LZO, SNAPPY, UNCOMPRESSED, ZSTD} from './metadata.js'

export class CodecError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CodecError'
  }
}

/**
 * Decompresses `input` to `size` bytes. `into`, when given, is a buffer of at least `size` bytes owned by
 * the caller that the decompressor may write into and return a view of (no garbage per page); a
 * decompressor that cannot returns memory of its own.
 */
export type Decompress = (input: Uint8Array, size: number, into?: Uint8Array) => Uint8Array

/**
 * Walks a snappy stream's elements (parquet-format: raw snappy, no framing) without copying anything and
 * throws CodecError unless it decompresses to exactly `size` bytes: its length preamble says `size`, every
 * literal lies inside the input, every copy inside what is already written. The decompressor then only
 * ever sees streams it cannot misread — a literal length with its top bit set reads as negative in 32-bit
 * arithmetic and would walk its position backwards for billions of steps.
 */
export function checkSnappy(input: Uint8Array, size: number): void {
  const bad = (why: string): CodecError => new CodecError(`the SNAPPY data is corrupt (${why})`)
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
  if (declared !== size) throw new CodecError(`a SNAPPY block of ${declared} bytes where the page has ${size}`)
  let out = 0
  while (pos < n) {
    const tag = input[pos++]
    const kind = tag & 3
    let length: number
    if (kind === 0) {
      length = (tag >>> 2) + 1
      if (length > 60) {
        const bytes = length - 60
        if (pos + bytes > n) throw bad('a literal length past the end')
        length = 0
        for (let i = bytes - 1; i >= 0; i--) length = length * 256 + input[pos + i]
        length += 1
        pos += bytes
      }
      if (length > n - pos) throw bad('a literal past the end of the input')
      pos += length
    } else {
      let offset: number
      if (kind === 1) {
        if (pos >= n) throw bad('a copy past the end of the input')
        length = ((tag >>> 2) & 7) + 4
        offset = ((tag >>> 5) << 8) | input[pos++]
      } else {
        const bytes = kind === 2 ? 2 : 4
        if (pos + bytes > n) throw bad('a copy past the end of the input')
        length = (tag >>> 2) + 1
        offset = 0
        for (let i = bytes - 1; i >= 0; i--) offset = offset * 256 + input[pos + i]
        pos += bytes
      }
      if (offset === 0 || offset > out) throw bad('a copy from before the start')
    }
    out += length
    if (out > size) throw bad(`more than the ${size} bytes it declares`)
  }
  if (out !== size) throw bad(`${out} of the ${size} bytes it declares`)
}

/** Loaders of the decompressors by codec; each runs once per thread, on first need. */
const LOADERS: Partial<Record<number, () => Promise<Decompress>>> = {
  [UNCOMPRESSED]: async () => (input) => input,
  [SNAPPY]: async () => {
    // hyparquet's snappy (pure JS) writes into the column's page buffer: no per-page garbage, which with
    // hysnappy (WebAssembly, 20 % less CPU, a new buffer a page) cost 27 MB more peak RSS per thread.
    const {snappyUncompress} = await import('hyparquet/src/snappy.js')
    return (input, size, into) => {
      checkSnappy(input, size)
      const out = into ?? new Uint8Array(size)
      snappyUncompress(input, out)
      return out
    }
  },
  [GZIP]: async () => (input, size) => gunzipSync(input, {maxOutputLength: Math.max(1, size)}),
  [BROTLI]: async () => (input, size) => brotliDecompressSync(input, {maxOutputLength: Math.max(1, size)}),
  [ZSTD]: async () => {
    const {ZSTDDecoder} = await import('zstddec')
    const decoder = new ZSTDDecoder()
    await decoder.init()
    return (input, size) => (size === 0 ? new Uint8Array(0) : decoder.decode(input, size))
  },
  [LZ4_RAW]: async () => (await import('hyparquet-compressors')).decompressLz4Raw,
  // LZ4 is Hadoop's framing of LZ4 blocks (deprecated by the format; some old writers used it).
  [LZ4]: async () => (await import('hyparquet-compressors')).decompressLz4,
}

/** Decompressors loaded so far, by codec; a test or the bench may swap one in. */
export const DECOMPRESSORS: Partial<Record<number, Decompress>> = {}

/** The codecs focalscope reads, for messages. */
export const READABLE_CODECS = 'UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW, LZ4, BROTLI'

/** Whether focalscope reads a codec. */
export function isReadableCodec(codec: number): boolean {
  return codec !== LZO && LOADERS[codec] !== undefined
}

/** Loads the decompressors for `codecs` (unknown ones are left for `decompress` to refuse). */
export async function loadCodecs(codecs: Iterable<number>): Promise<void> {
  for (const codec of new Set(codecs)) {
    const load = LOADERS[codec]
    if (load && !DECOMPRESSORS[codec]) DECOMPRESSORS[codec] = await load()
  }
}

/** Decompresses one page (or a v2 page's values section) to exactly `size` bytes (see `Decompress`). */
export function decompress(codec: number, input: Uint8Array, size: number, into?: Uint8Array): Uint8Array {
  const decompressor = DECOMPRESSORS[codec]
  if (!decompressor) {
    if (isReadableCodec(codec)) throw new Error(`${codecName(codec)}: loadCodecs was not called`)
    throw new CodecError(`expected a codec focalscope reads (${READABLE_CODECS}), got ${codecName(codec)}`)
  }
  let out: Uint8Array
  try {
    out = decompressor(input, size, into)
  } catch (error) {
    if (error instanceof CodecError) throw error
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new CodecError(`the ${codecName(codec)} data does not decompress (${why})`)
  }
  if (out.length !== size) {
    throw new CodecError(`the ${codecName(codec)} data does not decompress to the ${size} bytes its page header says`)
  }
  return out
}
