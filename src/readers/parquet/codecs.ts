/**
 * Page decompression: one function per Parquet codec, each given the compressed bytes and the page's
 * uncompressed size (from its header, checked against the memory budget by the caller) and returning
 * exactly that many bytes — or throwing `CodecError`. The decompressors are maintained libraries, chosen
 * by measurement (docs/parquet.md): hysnappy (C snappy in WebAssembly), zstddec (the reference zstd in
 * WebAssembly), hyparquet-compressors' LZ4, and Node's own zlib for GZIP and BROTLI. Each library is loaded
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

export type Decompress = (input: Uint8Array, size: number) => Uint8Array

/** Snappy streams start with their uncompressed length as a varint: it must be the page's. */
function snappyLength(input: Uint8Array): number {
  let value = 0
  let scale = 1
  for (let i = 0; i < 5 && i < input.length; i++) {
    value += (input[i] & 0x7f) * scale
    if (input[i] < 0x80) return value
    scale *= 128
  }
  return -1
}

/** Loaders of the decompressors by codec; each runs once per thread, on first need. */
const LOADERS: Partial<Record<number, () => Promise<Decompress>>> = {
  [UNCOMPRESSED]: async () => (input) => input,
  [SNAPPY]: async () => {
    const {snappyUncompressor} = await import('hysnappy')
    const uncompress = snappyUncompressor()
    return (input, size) => {
      // hysnappy trusts the size it is given; the stream's own length must agree.
      const declared = snappyLength(input)
      if (declared !== size) throw new CodecError(`a SNAPPY block of ${declared} bytes where the page has ${size}`)
      return uncompress(input, size)
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

/** Decompresses one page (or a v2 page's values section) to exactly `size` bytes. */
export function decompress(codec: number, input: Uint8Array, size: number): Uint8Array {
  const decompressor = DECOMPRESSORS[codec]
  if (!decompressor) {
    if (isReadableCodec(codec)) throw new Error(`${codecName(codec)}: loadCodecs was not called`)
    throw new CodecError(`expected a codec focalscope reads (${READABLE_CODECS}), got ${codecName(codec)}`)
  }
  let out: Uint8Array
  try {
    out = decompressor(input, size)
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
