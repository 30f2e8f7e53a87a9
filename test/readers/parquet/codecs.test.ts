/**
 * Page decompressors against an independent one: LZ4_RAW pages (one raw LZ4 block each) decoded by
 * focalscope's block decoder, into the caller's buffer, give exactly what hyparquet-compressors' decoder
 * gives — on blocks built here from random sequences, whose content is known, and on those blocks damaged,
 * where either both refuse or both give the same bytes (never a wrong page, never a crash).
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'
import {decompressLz4Raw} from 'hyparquet-compressors'

import {CodecError, decompress, loadCodecs} from '../../../src/readers/parquet/codecs.js'
import {LZ4_RAW} from '../../../src/readers/parquet/metadata.js'

/** LZ4's length encoding: 15 in the token's nibble, then bytes of 255 and the rest. */
function lengthBytes(extra: number): number[] {
  const out: number[] = []
  for (; extra >= 255; extra -= 255) out.push(255)
  out.push(extra)
  return out
}

/**
 * A raw LZ4 block from sequences of (literals, match offset back, match length ≥ 4), then a final run of
 * literals (at least 5, as LZ4's encoders end a block); and the bytes it decodes to, built alongside (a match copies byte by byte, so it may overlap).
 */
function block(sequences: {literals: number[]; back: number; length: number}[], last: number[]) {
  const bytes: number[] = []
  const content: number[] = []
  for (const {literals, back, length} of sequences) {
    // A match needs something behind it.
    const lits = content.length + literals.length === 0 ? [7] : literals
    const offset = 1 + ((back - 1) % (content.length + lits.length))
    const match = length - 4
    bytes.push((Math.min(lits.length, 15) << 4) | Math.min(match, 15))
    if (lits.length >= 15) bytes.push(...lengthBytes(lits.length - 15))
    bytes.push(...lits)
    content.push(...lits)
    bytes.push(offset & 255, offset >> 8)
    if (match >= 15) bytes.push(...lengthBytes(match - 15))
    for (let i = 0; i < length; i++) content.push(content[content.length - offset])
  }
  bytes.push(Math.min(last.length, 15) << 4)
  if (last.length >= 15) bytes.push(...lengthBytes(last.length - 15))
  bytes.push(...last)
  content.push(...last)
  return {bytes: Uint8Array.from(bytes), content: Uint8Array.from(content)}
}

const sequence = fc.record({
  literals: fc.array(fc.integer({min: 0, max: 255}), {maxLength: 300}),
  back: fc.integer({min: 1, max: 70000}),
  length: fc.integer({min: 4, max: 600}),
})

describe('Parquet page decompressors', () => {
  it('LZ4_RAW: the block decoder gives hyparquet-compressors’ bytes, and the content the block was built from', async () => {
    await loadCodecs([LZ4_RAW])
    fc.assert(
      fc.property(
        fc.array(sequence, {maxLength: 12}),
        fc.array(fc.integer({min: 0, max: 255}), {minLength: 5, maxLength: 40}),
        (sequences, last) => {
          const {bytes, content} = block(sequences, last)
          const into = new Uint8Array(content.length + 16)
          const ours = decompress(LZ4_RAW, bytes, content.length, into)
          assert.deepEqual([...ours], [...content])
          // (hyparquet-compressors refuses the empty block, one token of no literals, that an empty page holds.)
          if (content.length > 0) assert.deepEqual([...decompressLz4Raw(bytes, content.length)], [...content])
        },
      ),
      {numRuns: 2000},
    )
    // An empty page: one token of no literals (which hyparquet-compressors refuses), or no bytes.
    assert.equal(decompress(LZ4_RAW, Uint8Array.of(0), 0, new Uint8Array(0)).length, 0)
    assert.equal(decompress(LZ4_RAW, new Uint8Array(0), 0).length, 0)
  })

  it('LZ4_RAW: a damaged block is refused, or decodes to what hyparquet-compressors decodes it to', async () => {
    await loadCodecs([LZ4_RAW])
    let refused = 0
    fc.assert(
      fc.property(
        fc.array(sequence, {minLength: 1, maxLength: 8}),
        fc.array(fc.tuple(fc.nat(), fc.integer({min: 1, max: 255})), {minLength: 1, maxLength: 4}),
        (sequences, flips) => {
          const {bytes, content} = block(sequences, [1, 2, 3, 4, 5])
          const damaged = Uint8Array.from(bytes)
          for (const [at, xor] of flips) damaged[at % damaged.length] ^= xor
          let ours: Uint8Array | Error
          try {
            ours = Uint8Array.from(decompress(LZ4_RAW, damaged, content.length, new Uint8Array(content.length)))
          } catch (error) {
            assert.ok(error instanceof CodecError, String(error))
            assert.match(
              error.message,
              /^the LZ4_RAW data (does not decompress|decompresses to \d+ bytes, not the \d+ its page header says)/,
            )
            refused++
            return
          }
          // Taken: the same bytes as the other decoder's, which must not refuse them.
          assert.deepEqual([...ours], [...decompressLz4Raw(damaged, content.length)])
        },
      ),
      {numRuns: 2000},
    )
    assert.ok(refused > 100, `refused ${refused}`)
  })
})
