/**
 * XXH32 (xxHash, 32-bit), the checksum LZ4 frames carry for their descriptor, blocks and content
 * (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md). Reads 4-byte lanes little-endian;
 * Math.imul keeps the 32-bit products exact.
 */

const P1 = 2654435761 | 0
const P2 = 2246822519 | 0
const P3 = 3266489917 | 0
const P4 = 668265263
const P5 = 374761393

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r))
}

function lane(d: Uint8Array, i: number): number {
  return d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24)
}

function round(acc: number, input: number): number {
  return Math.imul(rotl((acc + Math.imul(input, P2)) | 0, 13), P1)
}

/** The XXH32 of bytes [start, end) of `data`, as an unsigned 32-bit number. */
export function xxh32(data: Uint8Array, start = 0, end = data.length, seed = 0): number {
  let i = start
  let h: number
  if (end - start >= 16) {
    let v1 = (seed + P1 + P2) | 0
    let v2 = (seed + P2) | 0
    let v3 = seed | 0
    let v4 = (seed - P1) | 0
    for (const limit = end - 16; i <= limit; i += 16) {
      v1 = round(v1, lane(data, i))
      v2 = round(v2, lane(data, i + 4))
      v3 = round(v3, lane(data, i + 8))
      v4 = round(v4, lane(data, i + 12))
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0
  } else {
    h = (seed + P5) | 0
  }
  h = (h + (end - start)) | 0
  for (; i + 4 <= end; i += 4) h = Math.imul(rotl((h + Math.imul(lane(data, i), P3)) | 0, 17), P4)
  for (; i < end; i++) h = Math.imul(rotl((h + Math.imul(data[i], P5)) | 0, 11), P1)
  h = Math.imul(h ^ (h >>> 15), P2)
  h = Math.imul(h ^ (h >>> 13), P3)
  return (h ^ (h >>> 16)) >>> 0
}
