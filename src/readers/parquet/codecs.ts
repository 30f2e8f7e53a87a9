/**
 * Page decompression: one function per Parquet codec, each given the compressed bytes and the page's
 * uncompressed size (from its header, checked against the memory budget by the caller) and returning
 * exactly that many bytes — or throwing `CodecError`. The decompressors are maintained libraries (see
 * docs/parquet.md for the measurements behind each choice); Node's own zlib does GZIP and BROTLI.
 */
import {brotliDecompressSync, gunzipSync} from 'node:zlib'

import {decompress as zstdDecompress} from 'fzstd'
import {decompressLz4, decompressLz4Raw} from 'hyparquet-compressors'
import {snappyUncompressor} from 'hysnappy'

import {BROTLI, codecName, GZIP, LZ4, LZ4_RAW, SNAPPY, UNCOMPRESSED, ZSTD} from './metadata.js'

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

let snappyWasm: ((input: Uint8Array, size: number) => Uint8Array) | undefined

/** hysnappy (C snappy compiled to WebAssembly), instantiated once per thread on first use. */
const snappy: Decompress = (input, size) => {
  const declared = snappyLength(input)
  if (declared !== size) throw new CodecError(`a SNAPPY block of ${declared} bytes where the page has ${size}`)
  snappyWasm ??= snappyUncompressor()
  return snappyWasm(input, size)
}

const gzip: Decompress = (input, size) => gunzipSync(input, {maxOutputLength: Math.max(1, size)})

const brotli: Decompress = (input, size) => brotliDecompressSync(input, {maxOutputLength: Math.max(1, size)})

const zstd: Decompress = (input, size) => {
  // fzstd writes into the buffer it is given and refuses to go past it.
  const out = new Uint8Array(size)
  const result = zstdDecompress(input, out)
  if (result.length !== size) return result.subarray(0, result.length)
  return result
}

/** Decompressors by codec; a test or the bench may swap one in. */
export const DECOMPRESSORS: Partial<Record<number, Decompress>> = {
  [UNCOMPRESSED]: (input) => input,
  [SNAPPY]: snappy,
  [GZIP]: gzip,
  [BROTLI]: brotli,
  [ZSTD]: zstd,
  [LZ4_RAW]: decompressLz4Raw,
  // LZ4 is Hadoop's framing of LZ4 blocks (deprecated by the format; some old writers used it).
  [LZ4]: decompressLz4,
}

/** Decompresses one page (or a v2 page's values section) to exactly `size` bytes. */
export function decompress(codec: number, input: Uint8Array, size: number): Uint8Array {
  const decompressor = DECOMPRESSORS[codec]
  if (!decompressor) {
    throw new CodecError(
      `expected a codec focalscope reads (UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW, LZ4, BROTLI), got ${codecName(codec)}`,
    )
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
    throw new CodecError(`${codecName(codec)} data decompresses to ${out.length} bytes, the page header says ${size}`)
  }
  return out
}
