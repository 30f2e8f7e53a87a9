import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {formatCount} from '../../src/renderers/format-number.js'

describe('formatCount', () => {
  it('writes what toLocaleString("en-US") writes, for any safe integer', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        assert.equal(formatCount(n), n.toLocaleString('en-US'))
      }),
      {numRuns: 2000},
    )
  })

  it('groups at every length and sign', () => {
    for (let digits = 1; digits <= 16; digits++) {
      const n = Number('9'.repeat(digits))
      for (const v of [n, -n, 10 ** (digits - 1), -(10 ** (digits - 1))]) {
        assert.equal(formatCount(v), v.toLocaleString('en-US'), String(v))
      }
    }
    assert.equal(formatCount(0), '0')
    assert.equal(formatCount(-0), '0')
    assert.equal(formatCount(1234567), '1,234,567')
  })

  it('leaves fractions and huge values to toLocaleString', () => {
    for (const v of [1234.5678, 2 ** 60, -0.5]) assert.equal(formatCount(v), v.toLocaleString('en-US'))
  })
})
