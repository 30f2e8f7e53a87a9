import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {tableExp, tableLog1pUnit, tableLogAtLeastOne} from '../../../src/core/losses/table-exp.js'

/**
 * An independent reference: e^x and log(1 + e) in 200-bit fixed point with BigInt, rounded to the nearest
 * double once at the end (Number(bigint) rounds to nearest; scaling by a power of two is then exact).
 */
const BITS = 200n
const ONE = 1n << BITS

/** ln 2 = Σ_{k≥1} 1 / (k · 2^k), to BITS + 20 bits. */
const LN2 = (() => {
  const extra = 20n
  let sum = 0n
  for (let k = 1n; k < BITS + extra + 10n; k++) sum += (1n << (BITS + extra)) / (k << k)
  return sum >> extra
})()

/** x (a double) as a fixed-point BigInt: exact for |x| ≥ 2^−147, which is all these tests use. */
function toFixed(x: number): bigint {
  const [mantissa, exponent] = decompose(x)
  const shift = BigInt(exponent) + BITS
  return shift >= 0n ? mantissa << shift : mantissa >> -shift
}

/** x = mantissa · 2^exponent with an integer mantissa. */
function decompose(x: number): [bigint, number] {
  let exponent = 0
  let m = x
  while (!Number.isInteger(m)) {
    m *= 2
    exponent--
  }
  return [BigInt(m), exponent]
}

function fixedToDouble(value: bigint, scale: number): number {
  // value · 2^(scale − BITS), split so no intermediate power of two leaves the normal range.
  let out = Number(value)
  let e = scale - Number(BITS)
  while (e < -1000) {
    out *= 2 ** -1000
    e += 1000
  }
  return out * 2 ** e
}

function referenceExp(x: number): number {
  const X = toFixed(x)
  // x = n ln 2 + r, |r| ≤ ln 2 / 2.
  const n = (X + LN2 / 2n) / LN2 - (X + LN2 / 2n < 0n && (X + LN2 / 2n) % LN2 !== 0n ? 1n : 0n)
  const r = X - n * LN2
  let term = ONE
  let sum = ONE
  for (let k = 1n; term !== 0n; k++) {
    term = (term * r) / (k << BITS)
    sum += term
  }
  return fixedToDouble(sum, Number(n))
}

/** log(1 + e) in fixed point: 2 atanh(s), s = e / (2 + e) ≤ 1/3. */
function log1pFixed(e: number): bigint {
  const E = toFixed(e)
  const s = (E << BITS) / (2n * ONE + E)
  const s2 = (s * s) >> BITS
  let power = s
  let sum = 0n
  for (let k = 1n; power !== 0n; k += 2n) {
    sum += power / k
    power = (power * s2) >> BITS
  }
  return 2n * sum
}

function referenceLog1p(e: number): number {
  return fixedToDouble(log1pFixed(e), 0)
}

/** log x for x ≥ 1: x = 2^k · m, m in [1, 2), log x = k ln 2 + log1p(m − 1) (both exact in fixed point). */
function referenceLog(x: number): number {
  const k = Math.floor(Math.log2(x))
  const m = x / 2 ** k
  const [kk, mm] = m >= 2 ? [k + 1, m / 2] : m < 1 ? [k - 1, m * 2] : [k, m]
  return fixedToDouble(BigInt(kk) * LN2 + log1pFixed(mm - 1), 0)
}

const bits = new BigInt64Array(2)
const doubles = new Float64Array(bits.buffer)
/** Distance in units in the last place between two positive doubles. */
function ulps(a: number, b: number): number {
  doubles[0] = a
  doubles[1] = b
  return Number(bits[0] - bits[1])
}

describe('reference (sanity)', () => {
  it('gives the known values', () => {
    assert.equal(referenceExp(1), Math.E)
    assert.equal(referenceExp(Math.LN2), 2)
    assert.equal(referenceLog1p(1), Math.LN2)
    assert.equal(referenceExp(-1), 0.36787944117144233)
  })
})

describe('tableExp', () => {
  it('is within 1 ulp of the correctly rounded e^x', () => {
    const x = fc.oneof(
      fc.double({min: -707.9, max: 708.9, noNaN: true}),
      fc.double({min: -40, max: 40, noNaN: true}),
      fc.double({min: -1, max: 1, noNaN: true}),
      fc.double({min: -1e-3, max: 1e-3, noNaN: true}),
    )
    fc.assert(
      fc.property(x, (v) => {
        if (Math.abs(v) < 2 ** -140) return
        const want = referenceExp(v)
        const got = tableExp(v)
        assert.ok(Math.abs(ulps(got, want)) <= 1, `e^${v}: ${got} vs ${want}`)
      }),
      {numRuns: 3000},
    )
  })

  it('hands the ends of the range and NaN to Math.exp', () => {
    for (const v of [-708, -710, -745, -746, 709, 710, -Infinity, Infinity]) assert.equal(tableExp(v), Math.exp(v))
    assert.ok(Number.isNaN(tableExp(NaN)))
    assert.equal(tableExp(0), 1)
    assert.equal(tableExp(-0), 1)
  })
})

describe('tableLog1pUnit', () => {
  it('is within 1 ulp of the correctly rounded log(1 + e) on [0, 1]', () => {
    const e = fc.oneof(
      fc.double({min: 2 ** -60, max: 1, noNaN: true}),
      fc.double({min: 2 ** -60, max: 1 / 64, noNaN: true}),
      fc.integer({min: 0, max: 128}).map((j) => j / 128 + 2 ** -20), // near the grid
    )
    fc.assert(
      fc.property(e, (v) => {
        const want = referenceLog1p(v)
        const got = tableLog1pUnit(v)
        assert.ok(Math.abs(ulps(got, want)) <= 1, `log1p(${v}): ${got} vs ${want}`)
      }),
      {numRuns: 3000},
    )
  })

  it('is exact at 0 and for tiny e, and hands anything outside [0, 1] to Math.log1p', () => {
    assert.ok(Object.is(tableLog1pUnit(0), 0))
    assert.equal(tableLog1pUnit(1e-300), 1e-300)
    assert.equal(tableLog1pUnit(5e-324), 5e-324)
    for (const v of [-0.5, 1.5, 1e10, Infinity]) assert.equal(tableLog1pUnit(v), Math.log1p(v))
    assert.ok(Number.isNaN(tableLog1pUnit(NaN)))
  })
})

describe('tableLogAtLeastOne', () => {
  it('is within 1 ulp of the correctly rounded log x for x ≥ 1', () => {
    const x = fc.oneof(
      fc.double({min: 1, max: 64, noNaN: true}),
      fc.double({min: 1, max: 1 + 2 ** -20, noNaN: true}),
      fc.double({min: 1, max: 2 ** 31 - 1, noNaN: true}),
      fc.integer({min: 0, max: 30}).map((k) => 2 ** k),
    )
    fc.assert(
      fc.property(x, (v) => {
        const want = referenceLog(v)
        const got = tableLogAtLeastOne(v)
        assert.ok(Math.abs(ulps(got, want)) <= 1, `log ${v}: ${got} vs ${want}`)
      }),
      {numRuns: 3000},
    )
  })

  it('is 0 at 1, and hands anything below 1 or from 2^31 on to Math.log', () => {
    assert.ok(Object.is(tableLogAtLeastOne(1), 0))
    for (const v of [0.5, 0, -1, 2 ** 31, 1e300, Infinity]) assert.equal(tableLogAtLeastOne(v), Math.log(v))
    assert.ok(Number.isNaN(tableLogAtLeastOne(NaN)))
  })
})
