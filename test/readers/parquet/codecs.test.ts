/**
 * The guard in front of the snappy decompressor: a stream must decompress to exactly the page's size, with
 * every literal inside the input and every copy inside what is written, before hyparquet's snappy sees it.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {checkSnappy, decompress, loadCodecs} from '../../../src/readers/parquet/codecs.js'
import {SNAPPY} from '../../../src/readers/parquet/metadata.js'

// Streams written by hand from the snappy format description (format_description.txt): a varint length,
// then elements. Tag byte low bits: 00 literal (length − 1 in the upper 6 bits, or 60–63: 1–4 length bytes
// follow), 01 copy with a 1-byte offset, 10 copy with a 2-byte offset.
const HELLO = Uint8Array.of(5, (4 << 2) | 0, ...Buffer.from('hello'))
// "abab…" (8 bytes): literal "ab", then a copy of 6 bytes from offset 2 (tag 01, length 6 − 4 = 2).
const REPEAT = Uint8Array.of(8, (1 << 2) | 0, 0x61, 0x62, (2 << 2) | 1, 2)

describe('checkSnappy', () => {
  it('accepts streams that decompress to the page size, and the decompressor reads them', async () => {
    checkSnappy(HELLO, 5)
    checkSnappy(REPEAT, 8)
    await loadCodecs([SNAPPY])
    assert.equal(Buffer.from(decompress(SNAPPY, HELLO, 5)).toString(), 'hello')
    assert.equal(Buffer.from(decompress(SNAPPY, REPEAT, 8, new Uint8Array(16).subarray(0, 8))).toString(), 'abababab')
  })

  it('refuses a literal whose 4-byte length has its top bit set (negative in 32-bit arithmetic)', () => {
    // Tag 0xFC: a literal with 4 length bytes, 0x80000000 (+ 1). hyparquet's snappyUncompress reads the
    // length as −2^31 + 1 and steps back two billion bytes, one at a time: it had not returned after 20 s.
    const stream = Uint8Array.of(10, 0xfc, 0x00, 0x00, 0x00, 0x80, 1, 2, 3)
    assert.throws(() => checkSnappy(stream, 10), {
      message: 'the SNAPPY data is corrupt (a literal past the end of the input)',
    })
    assert.throws(() => decompress(SNAPPY, stream, 10), {
      message: 'the SNAPPY data is corrupt (a literal past the end of the input)',
    })
  })

  it('refuses a copy from before the start, too much or too little output, and a wrong length preamble', () => {
    assert.throws(() => checkSnappy(Uint8Array.of(4, (0 << 2) | 1, 1), 4), {
      message: 'the SNAPPY data is corrupt (a copy from before the start)',
    })
    assert.throws(() => checkSnappy(Uint8Array.of(3, ...HELLO.subarray(1)), 3), {
      message: 'the SNAPPY data is corrupt (more than the 3 bytes it declares)',
    })
    assert.throws(() => checkSnappy(Uint8Array.of(6, ...HELLO.subarray(1)), 6), {
      message: 'the SNAPPY data is corrupt (5 of the 6 bytes it declares)',
    })
    assert.throws(() => checkSnappy(HELLO, 6), {message: 'a SNAPPY block of 5 bytes where the page has 6'})
  })
})
