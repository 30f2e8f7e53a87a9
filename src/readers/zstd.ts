/**
 * ZSTD frames decompressed into the caller's memory, for Parquet pages and Arrow body buffers: zstddec (the
 * reference zstd compiled to WebAssembly) underneath, without its `decode`'s garbage. `decode` mallocs an
 * input and an output buffer in the module's heap, and returns the output as a fresh copy (`slice`) — a
 * new ArrayBuffer of a page's size per page, which on the 10 M-row ZSTD Parquet file raised peak RSS from
 * ~100 to ~176 MB (external memory waits for a collection) and cost time in allocation and zeroing. Here
 * the module's two buffers are kept from call to call (grown when a frame needs more) and the output is
 * copied straight into the caller's buffer.
 *
 * zstddec does not export its module: its `_init(result)` (public in its typings), called once when the
 * module is instantiated, is wrapped to keep `result.instance.exports`. If that does not happen (a module
 * instantiated earlier on this thread by other code) or the exports are not the expected ones, `decode` is
 * used as it is.
 */

/** The exports of zstddec 0.3's WebAssembly module used here (`size_t` is 32-bit: a wasm32 build). */
interface ZstdModule {
  memory: {buffer: ArrayBuffer}
  malloc(size: number): number
  free(pointer: number): void
  ZSTD_decompress(dst: number, dstCapacity: number, src: number, srcSize: number): number
  ZSTD_isError(code: number): number
}

/**
 * Decompresses one ZSTD frame of exactly `size` bytes into `out` at `at` and returns the bytes written,
 * or −1 when the frame does not decompress to exactly `size` bytes (corrupt, truncated, another size).
 */
export type ZstdInto = (input: Uint8Array, out: Uint8Array, at: number, size: number) => number

/** One per thread: the module is instantiated once per thread. */
let loading: Promise<ZstdInto> | undefined

export function loadZstd(): Promise<ZstdInto> {
  loading ??= load()
  return loading
}

async function load(): Promise<ZstdInto> {
  const {ZSTDDecoder} = await import('zstddec')
  const decoder = new ZSTDDecoder()
  let module: unknown
  const init = decoder._init.bind(decoder)
  decoder._init = (result) => {
    module = result.instance.exports
    init(result)
  }
  await decoder.init()
  if (isZstdModule(module)) return intoCallerMemory(module)
  return (input, out, at, size) => {
    if (size === 0) return 0
    // decode returns what ZSTD_decompress wrote; an error code comes back as a short or empty result.
    const result = decoder.decode(input, size)
    if (result.length !== size) return -1
    out.set(result, at)
    return size
  }
}

function isZstdModule(value: unknown): value is ZstdModule {
  const m = value as Partial<ZstdModule> | undefined
  return (
    m !== undefined &&
    typeof m.malloc === 'function' &&
    typeof m.free === 'function' &&
    typeof m.ZSTD_decompress === 'function' &&
    typeof m.ZSTD_isError === 'function' &&
    m.memory?.buffer instanceof ArrayBuffer
  )
}

function intoCallerMemory(m: ZstdModule): ZstdInto {
  let input = {at: 0, capacity: 0}
  let output = {at: 0, capacity: 0}
  // A buffer of at least `size` bytes in the module's heap: the one held, or a larger one in its place.
  const room = (held: {at: number; capacity: number}, size: number): {at: number; capacity: number} => {
    if (size <= held.capacity) return held
    if (held.at !== 0) m.free(held.at)
    const capacity = Math.max(size, 2 * held.capacity)
    const at = m.malloc(capacity)
    if (at === 0) throw new RangeError(`zstd: cannot allocate ${capacity} bytes`)
    return {at, capacity}
  }
  return (bytes, out, at, size) => {
    if (size === 0) return 0
    input = room(input, bytes.length)
    output = room(output, size)
    // The heap's buffer is replaced when malloc grows the memory: a view of it now, after both.
    new Uint8Array(m.memory.buffer, input.at, bytes.length).set(bytes)
    // size_t results come back as i32: an error code is a large unsigned value, negative here.
    const written = m.ZSTD_decompress(output.at, size, input.at, bytes.length)
    if (m.ZSTD_isError(written >>> 0) !== 0 || written !== size) return -1
    out.set(new Uint8Array(m.memory.buffer, output.at, size), at)
    return size
  }
}
