import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {compileFocalRunKernel} from '../../../src/core/losses/focal-run-kernel.js'

describe('compileFocalRunKernel', () => {
  it('equals the plain Σ Math.pow(q, γ) · ce for any γ list and run', () => {
    const gammaArb = fc.oneof(
      fc.constantFrom(0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 13, 15, 15.75),
      fc.double({min: 0, max: 20, noNaN: true}),
    )
    fc.assert(
      fc.property(
        fc.uniqueArray(gammaArb, {minLength: 1, maxLength: 9}),
        fc.array(fc.tuple(fc.double({min: 0, max: 1, noNaN: true}), fc.double({min: 0, max: 50, noNaN: true})), {
          maxLength: 50,
        }),
        (gammas, rows) => {
          const q = Float64Array.from(rows, (r) => r[0])
          const ce = Float64Array.from(rows, (r) => r[1])
          const out = new Float64Array(gammas.length * 3).fill(-1)
          const ceSum = compileFocalRunKernel(gammas)(q, ce, 0, rows.length, out, 1, 3)
          assert.ok(Math.abs(ceSum - ce.reduce((a, b) => a + b, 0)) <= 1e-12 * Math.max(1, ceSum))
          gammas.forEach((g, j) => {
            const plain = rows.reduce((a, [x, c]) => a + Math.pow(x, g) * c, 0)
            assert.ok(Math.abs(out[1 + j * 3] - plain) <= 1e-12 * Math.max(1e-300, plain), `γ=${g}`)
          })
          // Only the strided slots are written.
          assert.equal(out[0], -1)
        },
      ),
    )
  })

  it('keeps (1 − p_t)^0 = 1 when 1 − p_t is 0', () => {
    const out = new Float64Array(1)
    compileFocalRunKernel([0])(Float64Array.of(0), Float64Array.of(2), 0, 1, out, 0, 1)
    assert.equal(out[0], 2)
  })
})
