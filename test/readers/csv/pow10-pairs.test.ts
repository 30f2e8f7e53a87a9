/**
 * powersOfTenPairs: hi is 10^e correctly rounded and hi + lo is 10^e to 2^-100 of itself, checked
 * with exact integer arithmetic (BigInt, scaled by 2^1200) for every e of the table.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {powersOfTenPairs} from '../../../src/readers/csv/pow10-pairs.js'

const SCALE = 1200n

/** x · 2^SCALE as an integer (truncated: exact for the doubles here, which are ≥ 2^-1100). */
function scaled(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, Math.abs(x))
  const raw = view.getBigUint64(0)
  const biased = Number(raw >> 52n)
  const fraction = raw & ((1n << 52n) - 1n)
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n)
  const shift = BigInt((biased === 0 ? 1 : biased) - 1075) + SCALE
  const value = shift >= 0n ? mantissa << shift : mantissa >> -shift
  return x < 0 ? -value : value
}

describe('powersOfTenPairs', () => {
  it('gives hi = 10^e rounded and hi + lo within 2^-100 of 10^e, for e = −280 … 280', () => {
    const pairs = powersOfTenPairs(-280, 280)
    assert.equal(pairs.length, 2 * 561)
    for (let e = -280; e <= 280; e++) {
      const hi = pairs[2 * (e + 280)]
      const lo = pairs[2 * (e + 280) + 1]
      assert.equal(hi, Number(`1e${e}`), `hi of 10^${e}`)
      assert.ok(Math.abs(lo) <= Math.abs(hi) * 2 ** -52, `lo of 10^${e} is below an ulp of hi`)
      const exact = e >= 0 ? (10n ** BigInt(e)) << SCALE : (1n << SCALE) / 10n ** BigInt(-e)
      const error = scaled(hi) + scaled(lo) - exact
      // |error| / 10^e ≤ 2^-100, in integers: |error| · 2^100 ≤ exact.
      assert.ok((error < 0n ? -error : error) << 100n <= exact, `10^${e}: hi + lo is off by more than 2^-100`)
    }
  })
})
