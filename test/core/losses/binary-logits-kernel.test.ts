import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {binaryKernelLayout, compileBinaryLogitsKernel} from '../../../src/core/losses/binary-logits-kernel.js'

/**
 * Per bucket (2 · label + hard): count, Σ CE, Σ (1 − p_t)^γ · CE, Σ (1 − p_t) and Σ (1 − p_t)^(γ+1), straight
 * from Math's functions, laid out as the kernel's sums with Poly-1.
 */
function plainSums(rows: [number, number][], gammas: number[], threshold: number): number[] {
  const count = [0, 0, 0, 0]
  const ce = [0, 0, 0, 0]
  const focal = gammas.map(() => [0, 0, 0, 0])
  const qSum = [0, 0, 0, 0]
  const poly = gammas.map(() => [0, 0, 0, 0])
  for (const [label, x] of rows) {
    const m = label === 1 ? x : -x
    // softplus(−m) and σ(m), σ(−m) in their overflow-free forms.
    const loss = Math.max(-m, 0) + Math.log1p(Math.exp(-Math.abs(m)))
    const pt = m >= 0 ? 1 / (1 + Math.exp(-m)) : Math.exp(m) / (1 + Math.exp(m))
    const q = m >= 0 ? Math.exp(-m) / (1 + Math.exp(-m)) : 1 / (1 + Math.exp(m))
    const b = 2 * label + (pt > threshold ? 0 : 1)
    count[b]++
    ce[b] += loss
    gammas.forEach((g, j) => (focal[j][b] += (g === 0 ? 1 : Math.pow(q, g)) * loss))
    qSum[b] += q
    gammas.forEach((g, j) => (poly[j][b] += (g === 0 ? 1 : Math.pow(q, g)) * q))
  }
  return [...count, ...ce, ...focal.flat(), ...qSum, ...poly.flat()]
}

describe('compileBinaryLogitsKernel', () => {
  it('sums count, CE and (1 − p_t)^γ · CE per bucket as the plain definitions do, for any γ list', () => {
    const gammaArb = fc.oneof(
      fc.constantFrom(0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5, 15.75),
      fc.double({min: 0.01, max: 20, noNaN: true}),
    )
    fc.assert(
      fc.property(
        fc.uniqueArray(gammaArb, {minLength: 1, maxLength: 8}),
        fc.array(fc.tuple(fc.integer({min: 0, max: 1}), fc.double({min: -800, max: 800, noNaN: true})), {
          maxLength: 60,
        }),
        fc.constantFrom(0.5, 0.2, 0.9),
        fc.boolean(),
        fc.boolean(),
        (gammas, rows, threshold, float32, withPoly) => {
          const labels = Int32Array.from(rows, (r) => r[0])
          const scores = float32 ? Float32Array.from(rows, (r) => r[1]) : Float64Array.from(rows, (r) => r[1])
          const used: [number, number][] = rows.map((r, i) => [r[0], scores[i]])
          // γ = 0 slots stay for the caller: the kernel never writes them.
          const all = [0, ...gammas]
          const layout = binaryKernelLayout(all, withPoly)
          const sums = new Float64Array(layout.length)
          const kernel = compileBinaryLogitsKernel(all, withPoly)
          assert.equal(kernel(labels, scores, 0, rows.length, threshold, sums), rows.length)
          const expected = plainSums(used, all, threshold)
          const gammaZero = new Set([0, 1, 2, 3].flatMap((b) => [layout.focal(0, b), layout.poly(0, b)]))
          for (let i = 0; i < sums.length; i++) {
            if (gammaZero.has(i)) {
              assert.equal(sums[i], 0, 'γ = 0 slot')
              continue
            }
            // Per-row values are within a few ulps, so the sums are within 1e-12 of the plain ones.
            assert.ok(
              Math.abs(sums[i] - expected[i]) <= 1e-12 * Math.abs(expected[i]) + 1e-300,
              `slot ${i}: ${sums[i]} vs ${expected[i]}`,
            )
          }
        },
      ),
      {numRuns: 500},
    )
  })

  it('stops at the first non-finite logit, having added the rows before it', () => {
    const kernel = compileBinaryLogitsKernel([2], false)
    const labels = Int32Array.of(0, 1, 1, 0, 1)
    for (const bad of [NaN, Infinity, -Infinity]) {
      const scores = Float64Array.of(-2, 3, 0.5, bad, 1)
      const sums = new Float64Array(12)
      assert.equal(kernel(labels, scores, 0, 5, 0.5, sums), 3)
      assert.deepEqual([...sums.subarray(0, 4)], [1, 0, 2, 0])
      // From a later start, the rest is summed.
      assert.equal(kernel(labels, scores, 4, 5, 0.5, sums), 5)
      assert.deepEqual([...sums.subarray(0, 4)], [1, 0, 3, 0])
    }
  })

  it('throws on a label other than 0 or 1 rather than dropping the row (readers never give one)', () => {
    const kernel = compileBinaryLogitsKernel([2], false)
    assert.throws(
      () => kernel(Int32Array.of(0, 2), Float64Array.of(1, 1), 0, 2, 0.5, new Float64Array(12)),
      /binary label 2/,
    )
  })

  it('gives CE its exact limits at extreme logits', () => {
    const kernel = compileBinaryLogitsKernel([1], false)
    const sums = new Float64Array(12)
    // Label 1 with logit 1e4 (CE ≈ e^−1e4 = 0) and label 0 with logit 1e4 (CE = 1e4, p_t ≈ 0).
    kernel(Int32Array.of(1, 0), Float64Array.of(1e4, 1e4), 0, 2, 0.5, sums)
    assert.deepEqual([...sums.subarray(0, 4)], [0, 1, 1, 0])
    assert.deepEqual([...sums.subarray(4, 8)], [0, 1e4, 0, 0])
    assert.deepEqual([...sums.subarray(8, 12)], [0, 1e4, 0, 0])
  })
})
