import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {parseLongDecimal} from '../../../src/readers/csv/long-decimal.js'

/**
 * parseLongDecimal on the digits of `text` (an unsigned decimal, no exponent) times 10^exponent, as the CSV
 * parsers call it: the digits' bytes and the exponent minus the fraction digits.
 */
function long(text: string, exponent = 0): number {
  const buf = Buffer.from(text, 'latin1')
  const dot = text.indexOf('.')
  const fraction = dot < 0 ? 0 : text.length - dot - 1
  return parseLongDecimal(buf, 0, buf.length, exponent - fraction)
}

/** The exact decimal expansion of the midpoint between a positive double x and the next one up. */
function midpointDecimal(x: number): string {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  const raw = view.getBigUint64(0)
  const biased = Number(raw >> 52n)
  const fraction = raw & ((1n << 52n) - 1n)
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n)
  const exponent = (biased === 0 ? 1 : biased) - 1075
  // midpoint = (2m + 1) · 2^(exponent − 1)
  const odd = 2n * mantissa + 1n
  const e2 = exponent - 1
  if (e2 >= 0) return (odd << BigInt(e2)).toString()
  // (2m + 1) / 2^k = (2m + 1) · 5^k / 10^k
  const k = -e2
  const digits = (odd * 5n ** BigInt(k)).toString().padStart(k + 1, '0')
  return `${digits.slice(0, digits.length - k)}.${digits.slice(digits.length - k)}`
}

/** `text` cut to its first `n` significant digits (truncated), as an unsigned decimal. */
function firstDigits(text: string, n: number): string {
  let seen = 0
  let out = ''
  for (const c of text) {
    if (c === '.') {
      out += c
      continue
    }
    if (seen === 0 && c === '0') {
      out += c
      continue
    }
    if (seen === n) {
      if (out.includes('.')) break
      out += '0'
      continue
    }
    out += c
    seen++
  }
  return out.endsWith('.') ? out.slice(0, -1) : out
}

describe('parseLongDecimal', () => {
  it('gives the same double as Number() for 16 to 19 significant digits, and almost never gives up', () => {
    let gaveUp = 0
    let runs = 0
    fc.assert(
      fc.property(fc.double({min: 1e-3, max: 1e6, noNaN: true}), fc.integer({min: 16, max: 19}), (x, digits) => {
        // toPrecision stops at 21 places; past 17 digits it writes the exact expansion's digits.
        const text = x.toPrecision(digits)
        if (text.includes('e')) return
        runs++
        const value = long(text)
        if (Number.isNaN(value)) gaveUp++
        else assert.ok(Object.is(value, Number(text)), `${text}: ${value} vs ${Number(text)}`)
      }),
      {numRuns: 50000},
    )
    // A give-up costs only speed; random inputs sit that close to a midpoint about once in 10^9.
    assert.ok(runs > 40000, `${runs} runs`)
    assert.ok(gaveUp <= 2, `${gaveUp} of ${runs} gave up`)
  })

  it('takes exponents (the field exponent minus the fraction digits), up to 22 either way', () => {
    fc.assert(
      fc.property(fc.bigInt({min: 10n ** 15n, max: 10n ** 19n - 1n}), fc.integer({min: -22, max: 22}), (m, e) => {
        const value = parseLongDecimal(Buffer.from(m.toString(), 'latin1'), 0, m.toString().length, e)
        const expected = Number(`${m}e${e}`)
        assert.ok(Number.isNaN(value) || Object.is(value, expected), `${m}e${e}: ${value} vs ${expected}`)
      }),
      {numRuns: 20000},
    )
  })

  it('rounds right next to the midpoint between two doubles, or gives up — never a wrong double', () => {
    let decided = 0
    fc.assert(
      fc.property(fc.double({min: 1e-3, max: 1e5, noNaN: true}), fc.integer({min: 16, max: 19}), (x, n) => {
        const mid = midpointDecimal(x)
        const below = firstDigits(mid, n)
        // The same digits with the last one raised: just above the midpoint (digits of a decimal string).
        const last = below.replace(/\d(?=[^\d]*$)/, (d) => String(Math.min(9, Number(d) + 1)))
        for (const text of [below, last]) {
          const value = long(text)
          if (Number.isNaN(value)) continue
          decided++
          assert.ok(Object.is(value, Number(text)), `${text}: ${value} vs ${Number(text)}`)
        }
      }),
      {numRuns: 5000},
    )
    // Many such inputs are still decidable (a 16-digit cut is far from the midpoint at this scale).
    assert.ok(decided > 1000, `${decided} decided`)
  })

  it('rounds an exact tie to even with no exponent, and gives up on one it would have to judge', () => {
    // 2^53 + 1 lies halfway between 2^53 and 2^53 + 2: the two-sum's last addition rounds it to even, as Number().
    assert.equal(long('9007199254740993'), 9007199254740992)
    assert.equal(Number('9007199254740993'), 9007199254740992)
    // Between 2^60 and 2^61 doubles are 256 apart: 128 · (2i + 1) is a midpoint, and with 2i + 1 a multiple of
    // 5 it ends in 0, so it is written as 18 digits times 10^1 — a tie the product has to judge.
    let i = 2n ** 60n / 256n
    while ((2n * i + 1n) % 5n !== 0n) i++
    const digits = String((128n * (2n * i + 1n)) / 10n)
    assert.ok(Number.isNaN(parseLongDecimal(Buffer.from(digits, 'latin1'), 0, digits.length, 1)), digits)
  })

  it('reads leading zeros as no digits, and gives up past 19 significant digits', () => {
    assert.equal(long('0.00001234567890123'), Number('0.00001234567890123'))
    assert.equal(long('00000000000000001.5'), 1.5)
    assert.ok(Number.isNaN(long('12345678901234567890')))
    assert.ok(Number.isNaN(long('1234567890123456', 281)), 'past the table of powers of ten')
    assert.ok(Number.isNaN(long('1', -281)))
  })

  it('takes exponents past 10^±22 to ±280 (scaledDecimal), any number of digits up to 19', () => {
    // What repr writes for small probabilities, and random digit strings anywhere in 10^±280: the double
    // Number() gives, or (a tie or too near one) NaN, almost never.
    let gaveUp = 0
    fc.assert(
      fc.property(
        fc.bigInt({min: 0n, max: 10n ** 19n - 1n}),
        fc.integer({min: -280, max: 280}).filter((e) => e < -22 || e > 22),
        (m, e) => {
          const text = m.toString()
          const value = parseLongDecimal(Buffer.from(text, 'latin1'), 0, text.length, e)
          if (Number.isNaN(value)) gaveUp++
          else assert.ok(Object.is(value, Number(`${m}e${e}`)), `${m}e${e}: ${value} vs ${Number(`${m}e${e}`)}`)
        },
      ),
      {numRuns: 20000},
    )
    assert.ok(gaveUp < 200, `gave up on ${gaveUp} of 20000`)
    assert.equal(long('6.618758648525413', -15), 6.618758648525413e-15)
    // The midpoint between 1e-200 and the next double up, cut to 19 digits on either side of it.
    const x = 1e-200
    const mid = (x + (x + x * Number.EPSILON)) / 2
    for (const text of [mid.toExponential(18), (mid * (1 + 2 ** -60)).toExponential(18)]) {
      const [digits, exponent] = text.split('e')
      const value = long(digits, Number(exponent))
      assert.ok(Number.isNaN(value) || Object.is(value, Number(text)), text)
    }
  })
})
