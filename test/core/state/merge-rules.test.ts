import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {
  COMPENSATED,
  compensatedSums,
  compensatedValue,
  decodeSection,
  deepEqual,
  encodeSection,
  EQUAL,
  MAX,
  MergeMismatch,
  mergeSection,
  MIN,
  type SectionRules,
  SUM,
} from '../../../src/core/state/merge-rules.js'

const rules: SectionRules = {rows: SUM, counts: SUM, ce: COMPENSATED, worst: MAX, best: MIN, classes: EQUAL}

interface Section {
  rows: number
  counts: Float64Array
  ce: ReturnType<typeof compensatedSums>
  worst: number
  best: number
  classes: string[]
}

function empty(): Section {
  return {
    rows: 0,
    counts: new Float64Array(2),
    ce: compensatedSums(2),
    worst: -Infinity,
    best: Infinity,
    classes: ['a', 'b'],
  }
}

/** A section holding the given values, added one at a time as an evaluator would. */
function sectionOf(values: number[]): Section {
  const s = empty()
  for (const [i, v] of values.entries()) {
    s.rows++
    s.counts[i % 2]++
    const at = i % 2
    const t = s.ce.sum[at] + v
    s.ce.comp[at] += Math.abs(s.ce.sum[at]) >= Math.abs(v) ? s.ce.sum[at] - t + v : v - t + s.ce.sum[at]
    s.ce.sum[at] = t
    s.worst = Math.max(s.worst, v)
    s.best = Math.min(s.best, v)
  }
  return s
}

function value(s: Section): number[] {
  return [s.rows, ...s.counts, compensatedValue(s.ce, 0), compensatedValue(s.ce, 1), s.worst, s.best]
}

const valuesArb = fc.array(fc.double({min: -1e6, max: 1e6, noNaN: true}), {maxLength: 30})

describe('mergeSection', () => {
  it('is associative and commutative, with the empty section as its identity (to 1e-12)', () => {
    fc.assert(
      fc.property(valuesArb, valuesArb, valuesArb, (xs, ys, zs) => {
        const [a, b, c] = [sectionOf(xs), sectionOf(ys), sectionOf(zs)]
        const left = value(mergeSection(rules, mergeSection(rules, a, b), c))
        const right = value(mergeSection(rules, a, mergeSection(rules, c, b)))
        const close = (x: number, y: number): boolean =>
          x === y || Math.abs(x - y) <= 1e-12 * Math.max(Math.abs(x), Math.abs(y), 1)
        left.forEach((x, i) => assert.ok(close(x, right[i]), `${i}: ${x} vs ${right[i]}`))
        assert.deepEqual(value(mergeSection(rules, a, empty())), value(a))
        assert.deepEqual(value(mergeSection(rules, empty(), a)), value(a))
      }),
      {numRuns: 200},
    )
  })

  it('merges the two halves of a list into what the whole list gives (counts exactly, sums to 1e-12)', () => {
    fc.assert(
      fc.property(valuesArb, fc.nat(), (xs, at) => {
        const cut = xs.length === 0 ? 0 : at % xs.length
        // Cut at an even index, so each value keeps its bucket (i % 2) in the half it lands in.
        const even = cut - (cut % 2)
        const merged = value(mergeSection(rules, sectionOf(xs.slice(0, even)), sectionOf(xs.slice(even))))
        const whole = value(sectionOf(xs))
        assert.deepEqual(merged.slice(0, 3), whole.slice(0, 3))
        merged.forEach((x, i) =>
          assert.ok(x === whole[i] || Math.abs(x - whole[i]) <= 1e-12 * Math.max(1, Math.abs(x))),
        )
      }),
    )
  })

  it('leaves both operands as they were', () => {
    const a = sectionOf([1, 2, 3])
    const b = sectionOf([4, 5])
    const before = [value(a), value(b)]
    mergeSection(rules, a, b)
    assert.deepEqual([value(a), value(b)], before)
  })

  it('refuses sections whose equal fields differ, naming the field and both values', () => {
    const a = empty()
    const b = {...empty(), classes: ['a', 'c']}
    assert.throws(
      () => mergeSection(rules, a, b),
      (error: unknown) =>
        error instanceof MergeMismatch &&
        error.field === 'classes' &&
        error.message === 'classes: ["a","b"] vs ["a","c"]',
    )
  })

  it('refuses arrays of different lengths', () => {
    const b = {...empty(), counts: new Float64Array(3)}
    assert.throws(() => mergeSection(rules, empty(), b), /counts \(length\): 2 vs 3/)
  })
})

describe('encodeSection / decodeSection', () => {
  it('round-trips every field through JSON text exactly', () => {
    fc.assert(
      fc.property(valuesArb, (xs) => {
        // -Infinity/Infinity are the min/max identities: only sections with values are encoded.
        fc.pre(xs.length > 0)
        const s = sectionOf(xs)
        const text = JSON.stringify(encodeSection(rules, s))
        const back = decodeSection(rules, JSON.parse(text), empty())
        assert.ok(deepEqual(back, s), text)
      }),
    )
  })

  it('refuses a non-finite value when encoding, naming the field', () => {
    const s = sectionOf([1, 2])
    s.ce.sum[1] = Infinity
    assert.throws(() => encodeSection(rules, s), /^Error: ce\[1\]: non-finite value Infinity$/)
  })

  it('refuses a missing field, a wrong length or a non-number when decoding, naming the field', () => {
    const json = encodeSection(rules, sectionOf([1, 2, 3]))
    const without = {...json}
    delete without.worst
    assert.throws(() => decodeSection(rules, without, empty()), /worst: missing/)
    assert.throws(() => decodeSection(rules, {...json, counts: [1]}, empty()), /counts: expected 2 numbers, got 1/)
    assert.throws(
      () => decodeSection(rules, {...json, ce: {sum: [1, 'x'], comp: [0, 0]}}, empty()),
      /ce\.sum\[1\]: expected a finite number/,
    )
    assert.throws(() => decodeSection(rules, {...json, rows: null}, empty()), /rows: expected a finite number/)
  })
})
