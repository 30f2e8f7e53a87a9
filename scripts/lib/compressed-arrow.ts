/**
 * Writes Arrow IPC files and streams with LZ4_FRAME- or ZSTD-compressed bodies shaped as pyarrow writes
 * them (pyarrow is not packaged for Debian 12, so it cannot write them here). The body compression is
 * done by the real `lz4` and `zstd` command-line tools (one frame per buffer, as Arrow C++ does), inside
 * apache-arrow's JS writer; apache-arrow 21 then stores each buffer's *compressed* length in its int64
 * prefix where the specification (and pyarrow) store the *uncompressed* length, so the prefixes are
 * patched afterwards to the lengths the spec says. Buffers that the codec does not shrink keep the
 * writer's −1 ("stored uncompressed"), as pyarrow stores them.
 *
 * Used by scripts/make-compressed-arrow-fixtures.ts (fixtures/arrow-compressed/) and the bench.
 */
import {spawnSync} from 'node:child_process'

import {
  compressionRegistry,
  CompressionType,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  type RecordBatch,
} from 'apache-arrow'

export type Codec = 'LZ4_FRAME' | 'ZSTD'

/** Command-line arguments of the compressor per codec variant (stdin to stdout). */
export const COMPRESSORS = {
  // pyarrow's LZ4F preferences: linked 64 KB blocks, no content checksum.
  lz4: ['lz4', ['-c', '-q', '-BD', '-B4', '--no-frame-crc']],
  // The lz4 tool's defaults plus block checksums: independent 4 MB blocks, content checksum.
  'lz4-checked': ['lz4', ['-c', '-q', '-B7', '-BX']],
  zstd: ['zstd', ['-c', '-q', '-3']],
} as const satisfies Record<string, readonly [string, readonly string[]]>

export type Variant = keyof typeof COMPRESSORS

function compressWith(variant: Variant, data: Uint8Array): Uint8Array {
  const [command, args] = COMPRESSORS[variant]
  const result = spawnSync(command, args, {input: data, maxBuffer: 1 << 30})
  if (result.error) throw new Error(`${command}: ${result.error.message} (is the ${command} tool installed?)`)
  if (result.status !== 0) throw new Error(`${command} exited with ${result.status}: ${result.stderr.toString()}`)
  return new Uint8Array(result.stdout)
}

/** Writes `batches` compressed with `variant`'s codec, as an IPC file or stream. */
export function writeCompressedArrow(batches: RecordBatch[], variant: Variant, format: 'file' | 'stream'): Uint8Array {
  const codec: Codec = variant === 'zstd' ? 'ZSTD' : 'LZ4_FRAME'
  const type = CompressionType[codec]
  // Every encode call in order: the plain and the compressed length.
  const calls: {plain: number; compressed: number}[] = []
  const previous = compressionRegistry.get(type)
  compressionRegistry.set(type, {
    encode: (data: Uint8Array) => {
      const out = compressWith(variant, data)
      calls.push({plain: data.length, compressed: out.length})
      return out
    },
  })
  let bytes: Uint8Array
  try {
    const writer = new (format === 'file' ? RecordBatchFileWriter : RecordBatchStreamWriter)({compressionType: type})
    for (const batch of batches) writer.write(batch)
    writer.finish()
    bytes = writer.toUint8Array(true)
  } finally {
    compressionRegistry.set(type, previous ?? {})
  }
  // The writer's validator calls encode once on 8 test bytes before any body.
  const bodies = calls.filter((c, i) => !(i === 0 && c.plain === 8))
  patchPrefixes(bytes, format, bodies)
  return bytes
}

/**
 * Walks the messages (file: after the 8-byte magic; stream: from 0) and, in each body, its buffers in
 * order, rewriting every compressed buffer's prefix from the compressed to the uncompressed length.
 */
function patchPrefixes(
  bytes: Uint8Array,
  format: 'file' | 'stream',
  calls: {plain: number; compressed: number}[],
): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let at = format === 'file' ? 8 : 0
  let call = 0
  while (call < calls.length) {
    if (view.getUint32(at, true) !== 0xffffffff) throw new Error(`no message at ${at}`)
    const metadataLength = view.getInt32(at + 4, true)
    if (metadataLength === 0) throw new Error('end of stream before every buffer was patched')
    const bodyLength = messageBodyLength(bytes.subarray(at + 8, at + 8 + metadataLength))
    let p = at + 8 + metadataLength
    const end = p + bodyLength
    while (p < end) {
      const {plain, compressed} = calls[call++]
      const prefix = Number(view.getBigInt64(p, true))
      if (prefix === -1) {
        p += 8 + plain
      } else {
        if (prefix !== compressed) throw new Error(`buffer at ${p}: prefix ${prefix}, expected ${compressed}`)
        view.setBigInt64(p, BigInt(plain), true)
        p += 8 + compressed
      }
      p = (p + 7) & ~7
    }
    at = end
  }
}

/** Message.bodyLength (field 3, int64) of a Message flatbuffer. */
function messageBodyLength(flat: Uint8Array): number {
  const view = new DataView(flat.buffer, flat.byteOffset, flat.byteLength)
  const root = view.getUint32(0, true)
  const vtable = root - view.getInt32(root, true)
  const vtableLength = view.getUint16(vtable, true)
  const slot = 4 + 2 * 3
  if (slot >= vtableLength) return 0
  const field = view.getUint16(vtable + slot, true)
  return field === 0 ? 0 : Number(view.getBigInt64(root + field, true))
}
