import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import type {EvaluationConfig} from '../../../src/core/config.js'
import {InputError} from '../../../src/core/errors.js'
import {LossBreakdownEvaluator, type LossBreakdownState} from '../../../src/core/evaluators/loss-breakdown.js'
import type {SkipLog} from '../../../src/core/skip-log.js'
import {evaluationConfig} from '../../helpers/evaluation-config.js'
import {makeChunk} from '../../helpers/make-chunk.js'

const K = 3
const config = evaluationConfig({task: 'multiclass', scores: 'logits', numClasses: K, gammas: [0, 0.5, 1, 2, 2.5]})

const rowArb = fc.record({
  label: fc.integer({min: 0, max: K - 1}),
  logits: fc.array(fc.double({min: -50, max: 50, noNaN: true}), {minLength: K, maxLength: K}),
})
type Row = {label: number; logits: number[]}

/** Rows of `width` scores each, fed to a fresh evaluator in chunks cut at `cuts`. */
function evaluateChunks(
  evaluationConfig: EvaluationConfig,
  labels: number[],
  scores: number[],
  width: number,
  cuts: number[] = [],
): LossBreakdownState {
  const evaluator = new LossBreakdownEvaluator(evaluationConfig)
  const state = evaluator.init()
  const rows = labels.length
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < rows).sort((a, b) => a - b), rows]
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [from, to] = [bounds[i], bounds[i + 1]]
    evaluator.update(state, makeChunk(labels.slice(from, to), scores.slice(from * width, to * width), width))
  }
  return evaluator.finish(state)
}

function evaluate(rows: Row[], cuts: number[] = []): LossBreakdownState {
  const labels = rows.map((r) => r.label)
  return evaluateChunks(
    config,
    labels,
    rows.flatMap((r) => r.logits),
    K,
    cuts,
  )
}

/** The value of each compensated sum, for comparing states. */
function values(state: LossBreakdownState): number[] {
  return [
    ...state.count,
    ...state.ceSum.map((s, i) => s + state.ceComp[i]),
    ...state.focalSum.map((s, i) => s + state.focalComp[i]),
  ]
}

function assertClose(a: LossBreakdownState, b: LossBreakdownState, rel = 1e-12): void {
  const va = values(a)
  const vb = values(b)
  va.forEach((x, i) => assert.ok(Math.abs(x - vb[i]) <= rel * Math.max(Math.abs(x), 1e-300), `${i}: ${x} vs ${vb[i]}`))
}

describe('LossBreakdownEvaluator', () => {
  it('gives bit-identical sums whatever the chunking (blocks are cut at absolute row numbers)', () => {
    let seed = 11
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
    const rows: Row[] = Array.from({length: 20000}, () => ({
      label: Math.floor(random() * K),
      logits: Array.from({length: K}, () => (random() - 0.5) * 20),
    }))
    const whole = values(evaluate(rows))
    fc.assert(
      fc.property(fc.array(fc.nat(20000), {maxLength: 8}), (cuts) => {
        assert.deepEqual(values(evaluate(rows, cuts)), whole)
      }),
      {numRuns: 30},
    )
  })

  it('merges associatively and commutatively, with init() as the identity', () => {
    const evaluator = new LossBreakdownEvaluator(config)
    fc.assert(
      fc.property(
        fc.array(rowArb, {maxLength: 20}),
        fc.array(rowArb, {maxLength: 20}),
        fc.array(rowArb, {maxLength: 20}),
        (a, b, c) => {
          const left = evaluate(a)
          evaluator.merge(left, evaluate(b))
          evaluator.merge(left, evaluate(c))
          const right = evaluate(c)
          const bc = evaluate(b)
          evaluator.merge(bc, right)
          const withIdentity = evaluator.init()
          evaluator.merge(withIdentity, evaluate(a))
          evaluator.merge(withIdentity, bc)
          assertClose(left, withIdentity)
          assertClose(left, evaluate([...a, ...b, ...c]))
        },
      ),
    )
  })

  it('takePartial moves the sums out and starts again from zero, so one state serves unit after unit', () => {
    const evaluator = new LossBreakdownEvaluator(config)
    fc.assert(
      fc.property(fc.array(rowArb, {maxLength: 30}), fc.array(rowArb, {maxLength: 30}), (a, b) => {
        const state = evaluator.init()
        const chunk = (rows: Row[]): ReturnType<typeof makeChunk> =>
          makeChunk(
            rows.map((r) => r.label),
            rows.flatMap((r) => r.logits),
            K,
          )
        evaluator.update(state, chunk(a))
        const first = evaluator.takePartial(state)
        evaluator.update(state, chunk(b))
        const second = evaluator.takePartial(state)
        // Each partial is its unit's state alone (the same doubles), without the working buffers.
        assert.deepEqual(values(first), values(evaluate(a)))
        assert.deepEqual(values(second), values(evaluate(b)))
        assert.equal(first.rows, a.length)
        assert.equal(first.pendingCe.length + first.pendingQ.length + first.pendingBucket.length, 0)
        // What is left behind is an empty state, buffers kept.
        assert.deepEqual(values(state), values(evaluator.init()))
        assert.equal(state.rows, 0)
        assert.ok(state.pendingCe.length > 0)
        // Partials merge like any state.
        const merged = evaluator.init()
        evaluator.merge(merged, first)
        evaluator.merge(merged, second)
        assertClose(merged, evaluate([...a, ...b]))
      }),
    )
  })

  it('puts each row in its class and easy/hard bucket', () => {
    // Row 0: class 2 with p_t ≈ 1 (easy). Row 1: class 0 with p_t ≈ 0 (hard).
    const state = evaluate([
      {label: 2, logits: [0, 0, 20]},
      {label: 0, logits: [-20, 0, 0]},
    ])
    assert.deepEqual([...state.count], [0, 1, 0, 0, 1, 0])
  })

  it('refuses a non-finite score and names its row and column', () => {
    const evaluator = new LossBreakdownEvaluator(config)
    assert.throws(
      () => evaluator.update(evaluator.init(), makeChunk([0, 1], [0, 0, 0, 0, NaN, 0], K)),
      (error: unknown) =>
        error instanceof InputError && /test:3: column "s1": expected a finite number, got NaN/.test(error.message),
    )
  })

  it('refuses ±Infinity in any column, the target’s included', () => {
    const evaluator = new LossBreakdownEvaluator(config)
    for (const [labels, scores, where] of [
      [[0], [0, -Infinity, 0], 'test:2: column "s1"'],
      [[2], [0, 0, Infinity], 'test:2: column "s2"'],
      [[1, 0], [0, 0, 0, -Infinity, 1, 2], 'test:3: column "s0"'],
    ] as const) {
      assert.throws(
        () => evaluator.update(evaluator.init(), makeChunk([...labels], [...scores], K)),
        (error: unknown) =>
          error instanceof InputError && error.message.startsWith(`${where}: expected a finite number`),
      )
    }
  })

  /** Σ CE and Σ (1 − p_t)·CE (γ = 1) of one row. */
  function oneRow(label: number, logits: number[]): {ce: number; focal1: number; count: number[]} {
    const state = evaluate([{label, logits}])
    const sum = (a: Float64Array, c: Float64Array) => a.reduce((t, v, i) => t + v + c[i], 0)
    const buckets = state.count.length
    const focal1 = state.focalSum.slice(2 * buckets, 3 * buckets)
    const comp1 = state.focalComp.slice(2 * buckets, 3 * buckets)
    return {ce: sum(state.ceSum, state.ceComp), focal1: sum(focal1, comp1), count: [...state.count]}
  }

  it('keeps CE to the last digits on well-classified rows (no cancellation)', () => {
    // CE = log(1 + e^−40 + e^−45): ~4.2e−18. As log(Σ e^(x − max)) − (x_y − max) it would round to 0.
    const {ce, focal1} = oneRow(0, [0, -40, -45])
    const s = Math.exp(-40) + Math.exp(-45)
    const expected = Math.log1p(s)
    assert.ok(Math.abs(ce - expected) <= 1e-15 * expected, `${ce} vs ${expected}`)
    const q = s / (1 + s)
    assert.ok(Math.abs(focal1 - q * expected) <= 1e-15 * q * expected)
  })

  it('takes a logit more than 709 above the target’s (where e^(x − x_y) overflows)', () => {
    // x_y = −400, another 400: CE = 800 + log(1 + e^−400 + e^−800), p_t = e^−800 (hard).
    const {ce, focal1, count} = oneRow(0, [-400, 400, 0])
    assert.ok(Math.abs(ce - (800 + Math.log1p(Math.exp(-400)))) <= 1e-15 * 800, String(ce))
    assert.ok(Math.abs(focal1 - ce) <= 1e-15 * ce)
    assert.deepEqual(count, [0, 1, 0, 0, 0, 0])
  })

  it('takes huge finite logits whose sum overflows', () => {
    const {ce, count} = oneRow(0, [1e308, 1e308, 0])
    assert.ok(Math.abs(ce - Math.LN2) <= 1e-15, String(ce))
    assert.deepEqual(count, [0, 1, 0, 0, 0, 0])
  })

  it('matches log-softmax computed from the row maximum, for logits anywhere in ±800', () => {
    fc.assert(
      fc.property(
        fc.integer({min: 0, max: K - 1}),
        fc.array(fc.double({min: -800, max: 800, noNaN: true}), {minLength: K, maxLength: K}),
        (label, logits) => {
          const max = Math.max(...logits)
          const total = logits.reduce((t, x) => t + Math.exp(x - max), 0)
          const expected = Math.log(total) - (logits[label] - max)
          const {ce} = oneRow(label, logits)
          // The reference itself loses CE's low digits to cancellation when CE ≪ 1: an absolute floor.
          assert.ok(Math.abs(ce - expected) <= 1e-13 * expected + 1e-15, `${ce} vs ${expected}`)
        },
      ),
      {numRuns: 3000},
    )
  })

  describe('binary logits (summed as read)', () => {
    const binary = evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2, gammas: [0, 0.5, 2, 3.7]})
    // Up to 20 000 rows (blocks are 8192), from a seed: labels 1 at ~10 %, logits in ±60.
    const binaryRows = fc.tuple(fc.nat(20_000), fc.nat()).map(([n, seed]) => {
      let x = seed | 1
      return Array.from({length: n}, (): [number, number] => {
        x = (x * 48271) % 2147483647
        return [x % 10 === 0 ? 1 : 0, (x / 2147483647 - 0.5) * 120]
      })
    })

    function run(evaluationConfig: EvaluationConfig, rows: [number, number][], cuts: number[]): LossBreakdownState {
      const labels = rows.map((r) => r[0])
      return evaluateChunks(
        evaluationConfig,
        labels,
        rows.map((r) => r[1]),
        1,
        cuts,
      )
    }

    it('gives the same doubles whatever the chunking, and Poly-1 leaves the focal sums as they are', () => {
      const poly = (state: LossBreakdownState): number[] => [...state.polySum].map((v, i) => v + state.polyComp[i])
      fc.assert(
        fc.property(binaryRows, fc.array(fc.nat(20_000), {maxLength: 6}), (rows, cuts) => {
          const chunked = run(binary, rows, cuts)
          assert.deepEqual(values(chunked), values(run(binary, rows, [])))
          assert.equal(chunked.rows, rows.length)
          const polyChunked = run({...binary, loss: 'poly1'}, rows, cuts)
          assert.deepEqual(values(polyChunked), values(chunked))
          assert.deepEqual(poly(polyChunked), poly(run({...binary, loss: 'poly1'}, rows, [])))
        }),
        {numRuns: 40},
      )
    })

    it('skips a non-finite logit with --on-invalid skip, and blocks still cut at kept-row numbers', () => {
      const rows: [number, number][] = Array.from({length: 9000}, (_, i) => [i % 7 === 0 ? 1 : 0, (i % 13) - 6])
      const withBad: [number, number][] = [...rows.slice(0, 5000), [1, NaN], [0, -Infinity], ...rows.slice(5000)]
      const evaluator = new LossBreakdownEvaluator(binary)
      const state = evaluator.init()
      const skipped: string[] = []
      const skip = {add: (_reason: unknown, message: string) => skipped.push(message)} as unknown as SkipLog
      evaluator.update(
        state,
        makeChunk(
          withBad.map((r) => r[0]),
          withBad.map((r) => r[1]),
          1,
        ),
        skip,
      )
      evaluator.finish(state)
      assert.deepEqual(skipped.length, 2)
      assert.match(skipped[0], /test:5002: .*expected a finite number, got NaN/)
      assert.equal(state.rows, rows.length)
      assert.deepEqual(values(state), values(run(binary, rows, [])))
    })
  })

  it('clamps probabilities to [eps, 1 − eps], counts them, and refuses values outside [0, 1]', () => {
    const probs = new LossBreakdownEvaluator({...config, task: 'binary', scores: 'probs', numClasses: 2})
    const state = probs.init()
    probs.update(state, makeChunk([1, 0, 1, 0], [1, 0, 0.5, 1.00000119], 1))
    probs.finish(state)
    assert.equal(state.clampedValues, 3)
    // Label 1 with p = 1 → p_t = 1 − eps; label 0 with p = 0 → p_t = 1 − eps; label 0 with p ≈ 1 → p_t = eps.
    const ce = state.ceSum.reduce((a, b) => a + b, 0)
    const expected = -2 * Math.log(1 - 1e-7) - Math.log(0.5) - Math.log(1 - (1 - 1e-7))
    assert.ok(Math.abs(ce - expected) < 1e-12)
    assert.throws(() => probs.update(state, makeChunk([1], [1.2], 1)), /expected a probability in \[0, 1\]/)
    assert.throws(() => probs.update(state, makeChunk([1], [-0.01], 1)), /expected a probability in \[0, 1\]/)
  })
})
