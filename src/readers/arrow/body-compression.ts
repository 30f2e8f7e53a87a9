/**
 * Compressed Arrow IPC bodies (Message.fbs BodyCompression, method BUFFER): each non-empty buffer of a
 * compressed record or dictionary batch is an int64 little-endian *uncompressed* length, then the
 * buffer compressed with the batch's codec as one LZ4 frame or ZSTD frame — or, for a length of −1, the
 * buffer's bytes as they are (writers leave buffers that do not shrink). An empty buffer stays empty.
 * That is the convention of Arrow C++ and so of pyarrow, pandas' `to_feather` (LZ4_FRAME by default) and
 * Polars; apache-arrow 21's own JS writer stores the compressed length there instead, which the spec does
 * not allow: such a file is refused as corrupt.
 *
 * Decompressors: LZ4 frames by ../lz4.ts (into the caller's buffer), ZSTD by zstddec (the reference
 * zstd in WebAssembly, into the caller's buffer through ../zstd.ts; 3× fzstd on Parquet pages, docs/parquet.md). Each is loaded on first need, per
 * thread, and registered in apache-arrow's compressionRegistry for the batches apache-arrow decodes
 * (streams, dictionaries, strings) when apache-arrow is loaded anyway.
 */
import type {CompressionCodec, BatchLayout} from './ipc-check.js'
import {loadZstd} from '../zstd.js'
import {Lz4Error, lz4FrameDecode} from '../lz4.js'

/** A body buffer that does not decompress: the message names the buffer (1-based) and what was wrong. */
export class BodyCodecError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BodyCodecError'
  }
}

/** Writes exactly `size` decompressed bytes of `input` into `out` at `at`, or throws BodyCodecError. */
type Decompress = (input: Uint8Array, out: Uint8Array, at: number, size: number) => void

/** A batch's decompressed buffers may total at most this: a corrupt length must not become an allocation. */
export const MAX_DECOMPRESSED_BATCH = 2 ** 30

const LENGTH_PREFIX = 8
const NOT_COMPRESSED = -1

const loaded: Partial<Record<CompressionCodec, Decompress>> = {}

const LOADERS: Record<CompressionCodec, () => Promise<Decompress>> = {
  LZ4_FRAME: async () => (input, out, at, size) => {
    let end: number
    try {
      end = lz4FrameDecode(input, out.subarray(0, at + size), at)
    } catch (error) {
      if (error instanceof Lz4Error) throw new BodyCodecError(error.message)
      throw error
    }
    if (end !== at + size) throw new BodyCodecError(`decodes to ${end - at} bytes, not ${size}`)
  },
  ZSTD: async () => {
    const zstd = await loadZstd()
    return (input, out, at, size) => {
      if (zstd(input, out, at, size) !== size) {
        throw new BodyCodecError(`does not decompress to ${size} bytes (corrupt data?)`)
      }
    }
  },
}

/** The decompressor of `codec`, loaded on first need; also registered with apache-arrow if it is loaded. */
export async function loadBodyCodec(codec: CompressionCodec): Promise<Decompress> {
  let decompress = loaded[codec]
  if (!decompress) {
    const load = await LOADERS[codec]()
    // Messages name the codec: "buffer 2: LZ4_FRAME: block checksum mismatch".
    decompress = (input, out, at, size) => {
      try {
        load(input, out, at, size)
      } catch (error) {
        if (error instanceof BodyCodecError) throw new BodyCodecError(`${codec}: ${error.message}`)
        throw error
      }
    }
    loaded[codec] = decompress
  }
  return decompress
}

/**
 * Registers `codec` in apache-arrow's compressionRegistry: apache-arrow 21 calls `decode` with a view of
 * the body just past each buffer's length prefix (ipc/reader.mjs, `_decompressBuffers`), so the prefix is
 * the 8 bytes before the view; the length is checked here, which apache-arrow does not do.
 */
export async function registerBodyCodec(codec: CompressionCodec): Promise<void> {
  const decompress = await loadBodyCodec(codec)
  const {compressionRegistry, CompressionType} = await import('apache-arrow')
  const type = CompressionType[codec]
  if (compressionRegistry.get(type)?.decode) return
  compressionRegistry.set(type, {
    encode: undefined as unknown as (data: Uint8Array) => Uint8Array,
    decode: (bytes: Uint8Array) => {
      if (bytes.byteOffset < LENGTH_PREFIX) throw new BodyCodecError('a compressed buffer has no length prefix')
      const size = readLength(new Uint8Array(bytes.buffer, bytes.byteOffset - LENGTH_PREFIX, LENGTH_PREFIX), 0)
      const out = new Uint8Array(size)
      decompress(bytes, out, 0, size)
      return out
    },
  })
}

/** The int64 length prefix at `at`, checked: −1 or a length a batch may have. */
function readLength(body: Uint8Array, at: number): number {
  const view = new DataView(body.buffer, body.byteOffset + at, LENGTH_PREFIX)
  const low = view.getUint32(0, true)
  const high = view.getInt32(4, true)
  if (high === -1 && low === 0xffffffff) return NOT_COMPRESSED
  if (high !== 0 || low > MAX_DECOMPRESSED_BATCH) {
    throw new BodyCodecError(
      `its length prefix says ${high * 2 ** 32 + low} bytes uncompressed (at most ${MAX_DECOMPRESSED_BATCH} are read)`,
    )
  }
  return low
}

/** A decompressed body and its layout: what decodeNativeBatch takes. */
export interface PlainBody {
  layout: BatchLayout
  body: Uint8Array
}

/**
 * Decompresses every buffer of a compressed batch body into `scratch` (grown when too small; the caller
 * keeps the returned body for the next batch), each at an 8-byte aligned offset as in an uncompressed
 * body, and returns a layout pointing at them with no codec. Throws BodyCodecError naming the buffer.
 */
export function decompressBody(
  layout: BatchLayout,
  body: Uint8Array,
  decompress: Decompress,
  scratch: Uint8Array,
): PlainBody {
  const count = layout.buffers.length / 2
  const sizes = new Array<number>(count)
  let total = 0
  for (let i = 0; i < count; i++) {
    const offset = layout.buffers[2 * i]
    const length = layout.buffers[2 * i + 1]
    try {
      if (length === 0) {
        sizes[i] = 0
        continue
      }
      if (length < LENGTH_PREFIX) throw new BodyCodecError(`it is ${length} bytes, shorter than its length prefix`)
      const size = readLength(body, offset)
      sizes[i] = size === NOT_COMPRESSED ? length - LENGTH_PREFIX : size
    } catch (error) {
      throw named(error, i)
    }
    total = align8(total) + sizes[i]
    if (total > MAX_DECOMPRESSED_BATCH) {
      throw new BodyCodecError(`the batch's buffers decompress to more than ${MAX_DECOMPRESSED_BATCH} bytes`)
    }
  }
  const out = scratch.length >= total ? scratch : new Uint8Array(Math.max(total, Math.ceil(scratch.length * 1.5)))
  const buffers: number[] = []
  let at = 0
  for (let i = 0; i < count; i++) {
    at = align8(at)
    const offset = layout.buffers[2 * i]
    const length = layout.buffers[2 * i + 1]
    buffers.push(at, sizes[i])
    if (length === 0) continue
    const input = body.subarray(offset + LENGTH_PREFIX, offset + length)
    try {
      if (sizes[i] === length - LENGTH_PREFIX && readLength(body, offset) === NOT_COMPRESSED) out.set(input, at)
      else decompress(input, out, at, sizes[i])
    } catch (error) {
      throw named(error, i)
    }
    at += sizes[i]
  }
  return {layout: {...layout, buffers, codec: null}, body: out}
}

function align8(n: number): number {
  return (n + 7) & ~7
}

function named(error: unknown, buffer: number): unknown {
  if (error instanceof BodyCodecError) return new BodyCodecError(`buffer ${buffer + 1}: ${error.message}`)
  return error
}
