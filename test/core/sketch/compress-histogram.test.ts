import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {compressHistogram} from '../../../src/core/sketch/compress-histogram.js'
import {LossHistograms, lowerBound, shareErrorBound} from '../../../src/core/sketch/loss-histogram.js'

/** CE-like values: log-uniform over [1e-9, 30], most of them easy (small), as a classifier's. */
function ces(n: number, seed: number): number[] {
  let s = seed
  const next = () => (s = (s * 48271) % 2147483647) / 2147483647
  return Array.from({length: n}, () => (next() < 0.01 ? 0 : Math.exp(next() * next() * 24 - 20.7)))
}

const BITS = 10
const GAMMAS = [0, 0.5, 2, 5]
/** The focal loss of a CE c (weight 1): (1 − e^-c)^γ · c, written here apart from the code under test. */
const focal = (c: number, gamma: number) => (-Math.expm1(-c)) ** gamma * c

/** An upper bound of d/dc focal on [lo, hi], written apart: γ q^(γ−1) e^-c c + q^γ at its factors' largest. */
function slopes(lo: number, hi: number, out: Float64Array): void {
  const qLo = -Math.expm1(-lo)
  const qHi = -Math.expm1(-hi)
  GAMMAS.forEach((gamma, g) => {
    const below = gamma === 0 ? 0 : gamma * (gamma >= 1 ? qHi : qLo) ** (gamma - 1) * Math.exp(-lo) * hi
    out[g] = below + qHi ** gamma
  })
}

describe('histogram runs', () => {
  for (const seed of [3, 17, 101]) {
    it(`keep every top-m sum within their error bound of the exact one, the bound within budget (seed ${seed})`, () => {
      const xs = ces(20000, seed)
      const set = new LossHistograms(1, BITS)
      for (const x of xs) set.add(0, x)
      const [h] = set.take()
      const totals = GAMMAS.map((g) => xs.reduce((sum, x) => sum + focal(x, g), 0))
      const runs = compressHistogram(h, {
        bits: BITS,
        functions: GAMMAS.length,
        slopes,
        budget: Float64Array.from(totals, (t) => 0.004 * t),
        fineError: Float64Array.from(totals, (t, g) => shareErrorBound(BITS, GAMMAS[g] + 1) * t),
        breaks: [0.05, 0.7],
      })
      // Counts are kept, merged runs fewer than the buckets, keys increasing.
      const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0)
      assert.equal(sum(runs.count) + runs.zero, xs.length)
      assert.equal(runs.zero, xs.filter((x) => x === 0).length)
      assert.ok(runs.count.length < h.index.length / 4, `${runs.count.length} runs of ${h.index.length} buckets`)
      for (let i = 1; i < runs.key.length; i++) assert.ok(runs.key[i] > runs.key[i - 1])
      GAMMAS.forEach((gamma, g) => {
        assert.ok(runs.error[g] <= 0.004 * totals[g] * (1 + 1e-12), `error ${runs.error[g]} of ${0.004 * totals[g]}`)
        const exact = xs.map((x) => focal(x, gamma)).sort((a, b) => b - a)
        const bound = runs.error[g]
        for (const fraction of [0.0001, 0.001, 0.01, 0.1, 0.5, 1]) {
          const m = Math.ceil(fraction * xs.length)
          let want = 0
          for (let i = 0; i < m; i++) want += exact[i]
          // The runs hardest first, m elements of them.
          let got = 0
          let left = m
          for (let i = runs.key.length - 1; i >= 0 && left > 0; i--) {
            const take = Math.min(left, runs.count[i])
            got += take * focal(runs.key[i], gamma)
            left -= take
          }
          assert.ok(
            Math.abs(got - want) <= bound * (1 + 1e-9),
            `γ ${gamma}, top ${m}: ${got} vs ${want} (bound ${bound})`,
          )
        }
      })
      // No merged run spans a break: the elements below each break are those of the runs below it, but for
      // the one bucket that may straddle it.
      for (const b of [0.05, 0.7]) {
        const below = xs.filter((x) => x > 0 && x < b).length
        let runsBelow = 0
        runs.key.forEach((k, i) => (runsBelow += k < b ? runs.count[i] : 0))
        const straddling = xs.filter((x) => x > 0 && Math.abs(Math.log2(x / b)) < 2 ** -BITS * 1.5).length
        assert.ok(Math.abs(below - runsBelow) <= straddling, `break ${b}: ${below} vs ${runsBelow}`)
      }
    })
  }

  it('merges nothing with no budget: every bucket its own run, at its geometric midpoint', () => {
    const xs = ces(3000, 5)
    const set = new LossHistograms(1, BITS)
    for (const x of xs) set.add(0, x)
    const [h] = set.take()
    const runs = compressHistogram(h, {
      bits: BITS,
      functions: 1,
      slopes: (_lo, _hi, out) => out.fill(1),
      budget: Float64Array.of(0),
      fineError: Float64Array.of(0.25),
    })
    assert.deepEqual(Array.from(runs.count), Array.from(h.count))
    runs.key.forEach((k, i) => {
      const lo = lowerBound(h.index[i], BITS)
      const hi = lowerBound(h.index[i] + 1, BITS)
      assert.ok(Math.abs(k - Math.sqrt(lo * hi)) <= 1e-15 * k)
    })
    // Nothing merged: the error is the smaller of the buckets' bounds (ρ's, given, or the slope's).
    assert.ok(runs.error[0] <= 0.25 && runs.error[0] > 0)
  })
})
