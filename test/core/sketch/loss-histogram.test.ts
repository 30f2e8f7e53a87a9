import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {
  LossHistograms,
  lowerBound,
  mergeSparseHistograms,
  representativeValues,
  shareErrorBound,
  type SparseHistogram,
  sumSparseHistograms,
  upperBound,
} from '../../../src/core/sketch/loss-histogram.js'

/** Values over every octave a loss takes: subnormal, tiny, around 1, huge, and exact zeros. */
function values(n: number, seed: number): number[] {
  let s = seed
  const next = () => (s = (s * 48271) % 2147483647) / 2147483647
  return Array.from({length: n}, () => {
    const kind = next()
    if (kind < 0.02) return 0
    if (kind < 0.04) return next() * 1e-310
    if (kind < 0.06) return 2 ** Math.floor(next() * 40 - 20)
    return Math.exp(next() * 80 - 60) * (kind < 0.08 ? 1e280 : 1)
  })
}

function histogramOf(xs: number[], bits: number): SparseHistogram {
  const h = new LossHistograms(1, bits)
  for (const x of xs) h.add(0, x)
  return h.take()[0]
}

const plain = (h: SparseHistogram) => ({index: [...h.index], count: [...h.count], zero: h.zero})

describe('loss histogram sketch', () => {
  it('puts every value in a bucket whose bounds hold it, buckets at most 1 + 2^-bits wide', () => {
    for (const bits of [10, 13]) {
      for (const x of values(5000, 7)) {
        const h = histogramOf([x], bits)
        if (x === 0) {
          assert.equal(h.zero, 1)
          continue
        }
        assert.equal(h.index.length, 1)
        const i = h.index[0]
        assert.ok(lowerBound(i, bits) <= x && x < upperBound(i, bits), `${x} in bucket ${i}`)
        if (x >= 2.2250738585072014e-308) {
          assert.ok(upperBound(i, bits) / lowerBound(i, bits) <= 1 + 2 ** -bits, `width of bucket ${i}`)
        }
        // The geometric middle of the bucket, taken root by root where the product would overflow or underflow
        // (the top bucket's upper bound is Infinity: the largest double stands in for it): always finite.
        const [mid] = representativeValues(h.index, bits)
        const lower = lowerBound(i, bits)
        const upper = Math.min(upperBound(i, bits), Number.MAX_VALUE)
        assert.ok(Number.isFinite(mid) && lower <= mid && mid <= upper, `middle of bucket ${i}`)
        const product = lower * upper
        if (product < Infinity && product >= 2.2250738585072014e-308) assert.equal(mid, Math.sqrt(product))
        else assert.equal(mid, Math.sqrt(lower) * Math.sqrt(upper))
      }
    }
  })

  it('keeps counts only: any split, any order of merges, the same histogram', () => {
    const xs = values(20_000, 11)
    const whole = plain(histogramOf(xs, 10))
    assert.equal(whole.count.reduce((a, b) => a + b, 0) + whole.zero, xs.length)
    const parts = [xs.slice(0, 3), xs.slice(3, 9000), xs.slice(9000, 9001), xs.slice(9001)].map((p) =>
      histogramOf(p, 10),
    )
    const leftFirst = parts.reduce(mergeSparseHistograms)
    const rightFirst = parts.reduceRight((acc, h) => mergeSparseHistograms(h, acc))
    const paired = mergeSparseHistograms(
      mergeSparseHistograms(parts[2], parts[0]),
      mergeSparseHistograms(parts[3], parts[1]),
    )
    for (const merged of [leftFirst, rightFirst, paired]) assert.deepEqual(plain(merged), whole)
    const empty = new LossHistograms(1, 10).take()[0]
    assert.deepEqual(plain(mergeSparseHistograms(empty, leftFirst)), whole)
  })

  it('sums many histograms in one pass as merging them one by one does', () => {
    for (const bits of [10, 12]) {
      const xs = values(20_000, 23)
      // Uneven parts over every octave, an empty one, and one of zeros only.
      const cuts = [0, 1, 700, 700, 9000, 15_000, xs.length]
      const parts = cuts.slice(1).map((end, i) => histogramOf(xs.slice(cuts[i], end), bits))
      parts.push(histogramOf([0, 0], bits))
      const summed = sumSparseHistograms(parts, bits)
      assert.deepEqual(plain(summed), plain(parts.reduce(mergeSparseHistograms)))
      assert.deepEqual(plain(summed), plain(histogramOf([...xs, 0, 0], bits)))
      assert.deepEqual(plain(sumSparseHistograms([], bits)), {index: [], count: [], zero: 0})
    }
  })

  it('counts many histograms in one pool as apart, addAll as add, and starts empty after take', () => {
    const xs = values(30_000, 5)
    const cells = Int32Array.from(xs, (_, k) => (k * 7919) % 6)
    const together = new LossHistograms(3, 11)
    together.addAll(Float64Array.from(xs), cells, 1, 0, xs.length)
    const apart = [0, 1, 2].map((h) =>
      histogramOf(
        xs.filter((_, k) => cells[k] >> 1 === h),
        11,
      ),
    )
    const taken = together.take()
    assert.deepEqual(taken.map(plain), apart.map(plain))
    assert.deepEqual(
      together.take().map(plain),
      [0, 1, 2].map(() => ({index: [], count: [], zero: 0})),
    )
    together.add(2, 1.5)
    assert.deepEqual(plain(together.take()[2]), plain(histogramOf([1.5], 11)))
  })

  it('addAll over many histograms equals add value by value', () => {
    const xs = values(10_000, 17)
    // 20 classes × 2 buckets each, as the multi-class CE histograms see them; a range not starting at 0.
    const cells = Int32Array.from(xs, (_, k) => (k * 7919 + (k >> 5)) % 40)
    const grouped = new LossHistograms(20, 10)
    grouped.addAll(Float64Array.from(xs), cells, 1, 3, xs.length)
    const oneByOne = new LossHistograms(20, 10)
    for (let k = 3; k < xs.length; k++) oneByOne.add(cells[k] >> 1, xs[k])
    assert.deepEqual(grouped.take().map(plain), oneByOne.take().map(plain))
  })

  it('bounds the share error as (1 + 2^-bits)^(e/2) − 1', () => {
    assert.ok(Math.abs(shareErrorBound(10, 2) - 2 ** -10) < 1e-18)
    assert.ok(shareErrorBound(10, 6) < 0.0045 && shareErrorBound(9, 6) > 0.0045)
  })
})

describe('loss histogram pool', () => {
  it('spills its 32-bit counts before they could wrap: the same histograms as without', () => {
    const xs = values(3000, 11)
    const whole = new LossHistograms(2, 10)
    const spilling = new LossHistograms(2, 10, 97)
    xs.forEach((x, i) => {
      whole.add(i % 2, x)
      spilling.add(i % 2, x)
    })
    // addAll tells the set too (the multi-class path), in one call of many values.
    const cells = Int32Array.from(xs, (_, i) => (i % 3 === 0 ? 2 : 0))
    whole.addAll(Float64Array.from(xs), cells, 1, 0, xs.length)
    spilling.addAll(Float64Array.from(xs), cells, 1, 0, xs.length)
    assert.deepEqual(spilling.take().map(plain), whole.take().map(plain))
    // Both start empty again.
    assert.deepEqual(spilling.take().map(plain), whole.take().map(plain))
    assert.equal(whole.take()[0].index.length, 0)
  })
})

describe('loss histogram stage', () => {
  it('counts staged values (several stages, a pool that grows, spills) exactly as add does one by one', () => {
    // Three full stages and a part: countStaged's generated loop, made again for each larger pool, and
    // add's path for zeros, subnormal values and each histogram's first value in an octave.
    const n = 3 * (1 << 16) + 123
    const xs = Float64Array.from(values(n, 9))
    const cells = Int32Array.from(xs, (_, i) => (i * 7919) % 5)
    for (const spillAt of [2 ** 31, 40_000]) {
      const one = new LossHistograms(5, 10, spillAt)
      for (let k = 0; k < n; k++) one.add(cells[k], xs[k])
      const staged = new LossHistograms(5, 10, spillAt)
      // Pieces of uneven sizes, as kernel calls stage them.
      for (let at = 0, step = 1; at < n; at += step, step = (step * 3 + 1) % 5000) {
        staged.stageAll(xs, cells, 0, at, Math.min(n, at + step))
      }
      assert.deepEqual(staged.take().map(plain), one.take().map(plain), `spill at ${spillAt}`)
    }
  })

  it('gives the same histograms from values still staged (sorted) as from values counted in pages', () => {
    for (const [n, seed] of [
      [0, 1],
      [1, 2],
      [5000, 3],
      [(1 << 16) + 77, 4],
    ]) {
      const xs = Float64Array.from(values(n, seed))
      const cells = Int32Array.from(xs, (_, i) => (i * 7919) % 3)
      const counted = new LossHistograms(3, 10)
      counted.addAll(xs, cells, 0, 0, n)
      const staged = new LossHistograms(3, 10)
      // A zero counted by `add` before any value is staged stays in the staged path's zeros.
      counted.add(1, 0)
      staged.add(1, 0)
      staged.stageAll(xs, cells, 0, 0, n)
      assert.deepEqual(staged.take().map(plain), counted.take().map(plain), `n = ${n}`)
      // Both start empty again.
      assert.deepEqual(
        staged.take().map(plain),
        Array.from({length: 3}, () => ({index: [], count: [], zero: 0})),
      )
    }
  })
})
