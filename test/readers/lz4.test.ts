/**
 * The LZ4 frame decoder against the reference `lz4` tool (it compresses; the decoder must give back the
 * original bytes), and XXH32 against the published test vectors. Mutated and cut frames must fail with
 * Lz4Error (or, where no checksum covers the damage, decode to something) — never throw anything else.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {describe, it} from 'node:test'

import {Lz4Error, lz4FrameDecode} from '../../src/readers/lz4.js'
import {xxh32} from '../../src/readers/xxhash32.js'

function lz4(data: Uint8Array, args: string[]): Uint8Array {
  const result = spawnSync('lz4', ['-c', '-q', ...args], {input: data, maxBuffer: 1 << 28})
  assert.equal(result.status, 0, String(result.stderr))
  return new Uint8Array(result.stdout)
}

function seeded(seed: number): () => number {
  return () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
}

/** Inputs that exercise literals, long matches, overlapping matches (runs) and blocks past 64 KB. */
function samples(): Record<string, Uint8Array> {
  const random = seeded(11)
  const doubles = Float64Array.from({length: 30000}, () => Math.round((random() - 0.5) * 1000) / 8)
  const labels = Int32Array.from({length: 200000}, () => (random() < 0.1 ? 1 : 0))
  const text = new TextEncoder().encode('label,logit\n'.repeat(5000) + 'abcabcabcabcabcd'.repeat(300))
  return {
    empty: new Uint8Array(0),
    one: Uint8Array.of(42),
    'random bytes': Uint8Array.from({length: 5000}, () => Math.floor(random() * 256)),
    'doubles (240 KB)': new Uint8Array(doubles.buffer),
    'int32 labels (800 KB)': new Uint8Array(labels.buffer),
    'a run of zeros (300 KB)': new Uint8Array(300000),
    'repeated text': text,
  }
}

const OPTIONS = {
  'pyarrow-like (linked 64 KB blocks, no checksum)': ['-BD', '-B4', '--no-frame-crc'],
  'defaults (independent 4 MB blocks, content checksum)': [],
  'block checksums, 256 KB blocks': ['-BX', '-B5'],
  'level 12 (HC), linked 1 MB blocks': ['-12', '-BD', '-B6'],
}

describe('xxh32', () => {
  it('gives the published values', () => {
    // xxHash's reference: XXH32("", 0) = 0x02CC5D05; XXH32("abc", 0) = 0x32D153FF; python-xxhash's docs:
    // xxh32("Nobody inspects the spammish repetition") = 0xe2293b2f.
    const e = new TextEncoder()
    assert.equal(xxh32(e.encode('')), 0x02cc5d05)
    assert.equal(xxh32(e.encode('abc')), 0x32d153ff)
    assert.equal(xxh32(e.encode('Nobody inspects the spammish repetition')), 0xe2293b2f)
  })
})

const hasLz4 = spawnSync('lz4', ['--version']).status === 0

describe('lz4FrameDecode', {skip: !hasLz4 && 'needs the lz4 tool'}, () => {
  for (const [name, args] of Object.entries(OPTIONS)) {
    it(`decodes the lz4 tool's frames: ${name}`, () => {
      for (const [what, data] of Object.entries(samples())) {
        const frame = lz4(data, args)
        const out = new Uint8Array(data.length + 16)
        const end = lz4FrameDecode(frame, out, 16)
        assert.equal(end, data.length + 16, what)
        assert.ok(Buffer.from(out.subarray(16)).equals(Buffer.from(data)), what)
      }
    })
  }

  it('decodes concatenated frames and skips skippable frames', () => {
    const a = new TextEncoder().encode('first '.repeat(100))
    const b = new TextEncoder().encode('second '.repeat(100))
    const skippable = Uint8Array.of(0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3)
    const input = Buffer.concat([lz4(a, []), skippable, lz4(b, ['-BD'])])
    const out = new Uint8Array(a.length + b.length)
    assert.equal(lz4FrameDecode(input, out), out.length)
    assert.equal(new TextDecoder().decode(out), 'first '.repeat(100) + 'second '.repeat(100))
  })

  it('refuses output longer than the buffer, cut frames and a bad descriptor checksum', () => {
    const data = new TextEncoder().encode('label,logit\n0,1.5\n'.repeat(400))
    const frame = lz4(data, [])
    assert.throws(() => lz4FrameDecode(frame, new Uint8Array(data.length - 1)), Lz4Error)
    for (let cut = 0; cut < frame.length; cut += 7) {
      assert.throws(() => lz4FrameDecode(frame.subarray(0, cut), new Uint8Array(data.length)), Lz4Error, `cut ${cut}`)
    }
    const bad = Uint8Array.from(frame)
    bad[6] ^= 1 // the descriptor's checksum byte
    assert.throws(() => lz4FrameDecode(bad, new Uint8Array(data.length)), /descriptor checksum/)
  })

  it('on 2,000 mutated frames throws Lz4Error or decodes, never anything else; checksummed ones never decode wrong', () => {
    const random = seeded(5)
    const data = samples()['doubles (240 KB)'].subarray(0, 20000)
    for (const [name, args] of Object.entries(OPTIONS)) {
      const frame = lz4(data, args)
      const checked = args.length === 0 || (args as string[]).includes('-BX')
      for (let i = 0; i < 500; i++) {
        const bad = Uint8Array.from(frame)
        const flips = 1 + Math.floor(random() * 3)
        for (let f = 0; f < flips; f++) bad[Math.floor(random() * bad.length)] ^= 1 << Math.floor(random() * 8)
        const out = new Uint8Array(data.length)
        try {
          const end = lz4FrameDecode(bad, out)
          if (checked && end === data.length) assert.ok(Buffer.from(out).equals(Buffer.from(data)), `${name} #${i}`)
        } catch (error) {
          assert.ok(error instanceof Lz4Error, `${name} #${i}: ${String(error)}`)
        }
      }
    }
  })
})
