/**
 * Page decompression: one function per Parquet codec, each given the compressed bytes and the page's
 * uncompressed size (from its header, checked against the memory budget by the caller) and returning
 * exactly that many bytes — or throwing `CodecError`. Chosen by measurement (docs/parquet.md): zstddec
 * (the reference zstd in WebAssembly, through ../zstd.ts), hyparquet-compressors' Hadoop LZ4, Node's own
 * zlib for GZIP and BROTLI, and decoders of focalscope's own for SNAPPY (snappy.ts: faster and leaner than
 * both libraries measured) and LZ4_RAW (../lz4.ts's block decoder, also the Arrow reader's). Each is
 * loaded only when a file uses its codec (`loadCodecs`, called when a file is opened): a file in SNAPPY
 * never pays for the others' start-up.
 */

import {BROTLI, codecName, GZIP, LZ4, LZ4_RAW, LZO, SNAPPY, UNCOMPRESSED, ZSTD} from './metadata.js'
import {Lz4Error, lz4BlockDecode} from '../lz4.js'
import {loadZstd} from '../zstd.js'
import {SnappyError, snappyUncompress} from './snappy.js'

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

/** Loaders of the decompressors by codec; each runs once per thread, on first need. */
const LOADERS: Partial<Record<number, () => Promise<Decompress>>> = {
  [UNCOMPRESSED]: async () => (input) => input,
  // Hand-written (snappy.ts says why); into the column's page buffer.
  [SNAPPY]: async () => (input, size, into) => {
    const out = into ?? new Uint8Array(size)
    try {
      snappyUncompress(input, size, out)
    } catch (error) {
      if (error instanceof SnappyError) throw new CodecError(error.message)
      throw error
    }
    return out
  },
  // zlib imported when a file uses it: importing it costs every run ~4 ms, on each thread.
  [GZIP]: async () => {
    const {gunzipSync} = await import('node:zlib')
    return (input, size) => gunzipSync(input, {maxOutputLength: Math.max(1, size)})
  },
  [BROTLI]: async () => {
    const {brotliDecompressSync} = await import('node:zlib')
    return (input, size) => brotliDecompressSync(input, {maxOutputLength: Math.max(1, size)})
  },
  // zstddec underneath (zstd.ts), into the column's page buffer.
  [ZSTD]: async () => {
    const zstd = await loadZstd()
    return (input, size, into) => {
      const out = into ?? new Uint8Array(size)
      if (zstd(input, out, 0, size) !== size) {
        throw new CodecError(`the ZSTD data does not decompress to the ${size} bytes its page header says`)
      }
      return out.subarray(0, size)
    }
  },
  // One raw LZ4 block a page: focalscope's block decoder (../lz4.ts), into the column's page buffer.
  [LZ4_RAW]: async () => (input, size, into) => {
    const out = (into ?? new Uint8Array(size)).subarray(0, size)
    // An empty page is one token of no literals (or nothing at all).
    if (size === 0 && input.length <= 1) return out
    let end: number
    try {
      end = lz4BlockDecode(input, 0, input.length, out, 0, 0)
    } catch (error) {
      if (error instanceof Lz4Error) throw new CodecError(`the LZ4_RAW data does not decompress (${error.message})`)
      throw error
    }
    if (end !== size)
      throw new CodecError(`the LZ4_RAW data decompresses to ${end} bytes, not the ${size} its page header says`)
    return out
  },
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
