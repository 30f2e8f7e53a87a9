import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {fieldEnd, parseDecimalField, parseDecimalText} from '../../../src/readers/csv/parse-decimal.js'

function parse(text: string, tail = ','): {value: number; end: number} {
  const buf = Buffer.from(text + tail, 'latin1')
  const value = parseDecimalField(buf, 0, buf.length)
  return {value, end: fieldEnd}
}

describe('parseDecimalField', () => {
  it('gives the same double as Number() for shortest round-trip text of any double', () => {
    fc.assert(
      fc.property(fc.double({noNaN: true, noDefaultInfinity: true}), (x) => {
        const text = String(x)
        assert.ok(Object.is(parse(text).value, Number(text)), text)
      }),
      {numRuns: 20000},
    )
  })

  it('gives the same double as Number() for fixed, exponent and precision forms', () => {
    fc.assert(
      fc.property(fc.double({min: -1e6, max: 1e6, noNaN: true}), fc.integer({min: 1, max: 17}), (x, digits) => {
        for (const text of [x.toPrecision(digits), x.toExponential(digits - 1), x.toFixed(Math.min(digits, 20))]) {
          assert.ok(Object.is(parse(text).value, Number(text)), text)
        }
      }),
      {numRuns: 5000},
    )
  })

  it('stops at the delimiter and reports where', () => {
    assert.deepEqual(parse('1.5', ',7'), {value: 1.5, end: 3})
    assert.deepEqual(parse('-2e3', '\r\n'), {value: -2000, end: 4})
    assert.deepEqual(parse('+.25', '\n'), {value: 0.25, end: 4})
    assert.deepEqual(parse('7.', ''), {value: 7, end: 2})
  })

  it('falls back to the strict slow path for unusual text', () => {
    assert.equal(parse('0.1000000000000000055511151231257827').value, 0.1)
    assert.equal(parse('1e-400').value, 0)
    assert.equal(parse('1e400').value, Infinity)
    assert.equal(parse(' 3.5 ').value, 3.5)
    assert.ok(Number.isNaN(parse('NaN').value))
    assert.equal(parse('-inf').value, -Infinity)
  })

  it('refuses text that Number() would wrongly accept or that is not a number', () => {
    for (const text of ['', ' ', '0x10', '1_000', 'abc', '1.2.3', '--1', '1e', 'e5', '.', '12abc', 'Infinityx']) {
      assert.ok(Number.isNaN(parse(text).value), JSON.stringify(text))
      assert.ok(Number.isNaN(parseDecimalText(text)), JSON.stringify(text))
    }
  })
})
