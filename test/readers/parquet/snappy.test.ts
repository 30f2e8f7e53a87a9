/**
 * focalscope's snappy decoder (src/readers/parquet/snappy.ts) against hand-written streams, against
 * hyparquet's decoder on every SNAPPY page of the fixtures and on data compressed by hyparquet-writer's
 * snappy, and on corrupt streams: exactly the bytes, or a SnappyError — never a read or write out of bounds.
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import fc from 'fast-check'
import {snappyUncompress as hyparquetSnappy} from 'hyparquet/src/snappy.js'
import {snappyCompress} from 'hyparquet-writer/src/snappy.js'

import {decodePageHeader, SNAPPY} from '../../../src/readers/parquet/metadata.js'
import {chunkRange, openParquet} from '../../../src/readers/parquet/open-parquet.js'
import {SnappyError, snappyUncompress} from '../../../src/readers/parquet/snappy.js'

const FIXTURES = fileURLToPath(new URL('../../../fixtures/parquet/', import.meta.url))

function ours(input: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size)
  snappyUncompress(input, size, out)
  return out
}

function theirs(input: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size)
  hyparquetSnappy(input, out)
  return out
}

// Streams written by hand from google/snappy's format_description.txt: a varint length, then elements.
// Tag low bits: 00 literal (length − 1 in the upper 6 bits; 60–63: 1–4 length bytes follow), 01 copy with
// a 1-byte offset (length − 4 in bits 2–4, offset high bits in 5–7), 10 a 2-byte offset, 11 a 4-byte one.
const HELLO = Uint8Array.of(5, (4 << 2) | 0, ...Buffer.from('hello'))
// "ab", then a copy of 6 bytes from 2 back (overlapping: the pattern repeats): "abababab".
const REPEAT = Uint8Array.of(8, (1 << 2) | 0, 0x61, 0x62, (2 << 2) | 1, 2)
// "xyz" then 20 bytes from 3 back with a 4-byte offset.
const FAR = Uint8Array.of(23, (2 << 2) | 0, 0x78, 0x79, 0x7a, (19 << 2) | 3, 3, 0, 0, 0)

describe('snappy', () => {
  it('decodes hand-written streams: literals, overlapping copies, 4-byte offsets', () => {
    assert.equal(Buffer.from(ours(HELLO, 5)).toString(), 'hello')
    assert.equal(Buffer.from(ours(REPEAT, 8)).toString(), 'abababab')
    assert.equal(Buffer.from(ours(FAR, 23)).toString(), 'xyz'.repeat(8).slice(0, 23))
  })

  it('gives hyparquet’s bytes for every SNAPPY page of the fixtures', async () => {
    let pages = 0
    for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith('.parquet'))) {
      const bytes = readFileSync(`${FIXTURES}${name}`)
      const source = await openParquet(`${FIXTURES}${name}`)
      await source.close()
      for (const rg of source.internal.meta.rowGroups) {
        for (const chunk of rg.columns) {
          if (chunk.meta?.codec !== SNAPPY) continue
          const {start, end} = chunkRange(chunk.meta)
          for (let at = start; at < end;) {
            const header = decodePageHeader(bytes, at, end)
            const body = bytes.subarray(at + header.headerLength, at + header.headerLength + header.compressedSize)
            at += header.headerLength + header.compressedSize
            // v2 pages keep their levels outside the compressed part.
            const levels = header.type === 3 ? header.definitionLevelsByteLength + header.repetitionLevelsByteLength : 0
            if (header.type === 3 && !header.isCompressed) continue
            const size = header.uncompressedSize - levels
            assert.deepEqual(ours(body.subarray(levels), size), theirs(body.subarray(levels), size), `${name}`)
            pages++
          }
        }
      }
    }
    assert.ok(pages > 50, `${pages} pages`)
  })

  it('round-trips what hyparquet-writer’s snappy compresses (fast-check)', () => {
    const data = fc.oneof(
      fc.uint8Array({maxLength: 3000}),
      // Repetitive data: long copies and overlapping ones.
      fc
        .tuple(fc.uint8Array({minLength: 1, maxLength: 40}), fc.integer({min: 1, max: 5000}))
        .map(([pattern, n]) => Uint8Array.from({length: n}, (_, i) => pattern[i % pattern.length])),
      // Doubles, as score pages hold them: mostly literals.
      fc.float64Array({maxLength: 2000}).map((a) => new Uint8Array(a.buffer)),
    )
    fc.assert(
      fc.property(data, (input) => {
        const compressed = snappyCompress(input)
        assert.deepEqual(ours(compressed, input.length), input)
      }),
      {seed: 19, numRuns: 300},
    )
    // Literals long enough for 2-, 3- and 4-byte lengths (tags 61–63).
    for (const n of [61, 256, 65_536, 70_000, 300_000]) {
      const input = Uint8Array.from({length: n}, (_, i) => (i * 2654435761) >>> 24)
      assert.deepEqual(ours(snappyCompress(input), n), input, `${n} bytes`)
    }
  })

  it('refuses corrupt streams with a SnappyError, where hyparquet’s decoder loops for billions of steps', () => {
    // Tag 0xFC: a literal with 4 length bytes, 0x80000000 (+ 1). hyparquet's snappyUncompress reads the
    // length as −2^31 + 1 and steps back two billion bytes one at a time: it had not returned after 20 s.
    const negative = Uint8Array.of(10, 0xfc, 0x00, 0x00, 0x00, 0x80, 1, 2, 3)
    const cases: [Uint8Array, number, string][] = [
      [negative, 10, 'the SNAPPY data is corrupt (a literal past the end of the input)'],
      [Uint8Array.of(4, (0 << 2) | 1, 1), 4, 'the SNAPPY data is corrupt (a copy from before the start)'],
      [Uint8Array.of(3, ...HELLO.subarray(1)), 3, 'the SNAPPY data is corrupt (more than the 3 bytes it declares)'],
      [Uint8Array.of(6, ...HELLO.subarray(1)), 6, 'the SNAPPY data is corrupt (5 of the 6 bytes it declares)'],
      [HELLO, 6, 'a SNAPPY block of 5 bytes where the page has 6'],
      [FAR.subarray(0, 8), 23, 'the SNAPPY data is corrupt (a copy past the end of the input)'],
      [Uint8Array.of(0x80, 0x80), 0, 'the SNAPPY data is corrupt (no length preamble)'],
    ]
    for (const [stream, size, message] of cases) {
      assert.throws(() => ours(stream, size), {name: 'SnappyError', message})
    }
  })

  it('on mutated streams: hyparquet’s bytes, or a SnappyError (fast-check)', () => {
    const source = Uint8Array.from({length: 600}, (_, i) => (i % 7 === 0 ? i & 0xff : (i * 31) % 5))
    const stream = snappyCompress(source)
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({max: stream.length - 1}), fc.integer({min: 1, max: 255})), {
          minLength: 1,
          maxLength: 3,
        }),
        (flips) => {
          const mutated = Uint8Array.from(stream)
          for (const [at, xor] of flips) mutated[at] ^= xor
          let decoded: Uint8Array
          try {
            decoded = ours(mutated, source.length)
          } catch (error) {
            assert.ok(error instanceof SnappyError, String(error))
            return
          }
          // A stream this decoder takes is one hyparquet's reads the same (it cannot loop on it).
          assert.deepEqual(decoded, theirs(mutated, source.length))
        },
      ),
      {seed: 1902, numRuns: 500},
    )
  })
})
