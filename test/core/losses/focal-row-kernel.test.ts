import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {compileFocalRowKernel} from '../../../src/core/losses/focal-row-kernel.js'

describe('compileFocalRowKernel', () => {
  it('equals the plain per-bucket Σ w and Σ Math.pow(q, γ) · w for any γ list and rows', () => {
    const gammaArb = fc.oneof(
      fc.constantFrom(0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 13, 15, 15.75),
      fc.double({min: 0, max: 20, noNaN: true}),
    )
    const buckets = 3
    fc.assert(
      fc.property(
        fc.uniqueArray(gammaArb, {minLength: 1, maxLength: 9}),
        fc.array(
          fc.tuple(
            fc.double({min: 0, max: 1, noNaN: true}),
            fc.double({min: 0, max: 50, noNaN: true}),
            fc.integer({min: 0, max: buckets - 1}),
          ),
          {maxLength: 50},
        ),
        (gammas, rows) => {
          const q = Float64Array.from(rows, (r) => r[0])
          const w = Float64Array.from(rows, (r) => r[1])
          const bucket = Int32Array.from(rows, (r) => r[2])
          // The block's sums sit after an unrelated first slot, which must stay untouched.
          const count = new Float64Array(buckets)
          const sum = new Float64Array(buckets)
          const out = new Float64Array(1 + gammas.length * buckets).fill(0)
          out[0] = -1
          const outView = out.subarray(1)
          compileFocalRowKernel(gammas)(q, w, bucket, rows.length, count, sum, outView, buckets)
          for (let b = 0; b < buckets; b++) {
            const mine = rows.filter((r) => r[2] === b)
            assert.equal(count[b], mine.length)
            const plainSum = mine.reduce((a, r) => a + r[1], 0)
            assert.ok(Math.abs(sum[b] - plainSum) <= 1e-12 * Math.max(1, plainSum))
            gammas.forEach((g, j) => {
              const plain = mine.reduce((a, [x, c]) => a + Math.pow(x, g) * c, 0)
              const got = outView[j * buckets + b]
              assert.ok(
                Math.abs(got - plain) <= 1e-12 * Math.max(1e-300, plain),
                `γ=${g} bucket ${b}: ${got} vs ${plain}`,
              )
            })
          }
          assert.equal(out[0], -1)
        },
      ),
    )
  })

  it('adds rows in row order, so a bucket gets the same doubles as a plain loop over its rows', () => {
    const q = Float64Array.of(0.1, 0.7, 0.3, 0.9, 0.2)
    const w = Float64Array.of(1e16, 1, 3, -1e16, 0.5)
    const bucket = Int32Array.of(0, 1, 0, 0, 1)
    const sum = new Float64Array(2)
    const out = new Float64Array(4)
    compileFocalRowKernel([1, 0])(q, w, bucket, 5, new Float64Array(2), sum, out, 2)
    assert.equal(sum[0], 1e16 + 3 - 1e16)
    assert.equal(out[0], 0.1 * 1e16 + 0.3 * 3 + 0.9 * -1e16)
    // γ = 0: the same additions as Σ w, so the same doubles.
    assert.equal(out[2], 1e16 + 3 - 1e16)
    assert.equal(out[3], 1 + 0.5)
  })

  it('keeps (1 − p_t)^0 = 1 when 1 − p_t is 0', () => {
    const out = new Float64Array(1)
    const kernel = compileFocalRowKernel([0])
    kernel(
      Float64Array.of(0),
      Float64Array.of(2),
      Int32Array.of(0),
      1,
      new Float64Array(1),
      new Float64Array(1),
      out,
      1,
    )
    assert.equal(out[0], 2)
  })
})
