import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import type {EvaluationConfig} from '../../../src/core/config.js'
import {InputError} from '../../../src/core/errors.js'
import {Evaluation} from '../../../src/core/evaluation.js'
import {compensatedValue} from '../../../src/core/state/merge-rules.js'
import {emptyPartialState} from '../../../src/core/evaluation.js'
import {mergeStates, type PartialState} from '../../../src/core/state/partial-state.js'
import {breakdownValues, evaluateRows, settingsFor} from '../../helpers/evaluate.js'
import {evaluationConfig} from '../../helpers/evaluation-config.js'
import {makeChunk} from '../../helpers/make-chunk.js'

const K = 3
const config = evaluationConfig({task: 'multiclass', scores: 'logits', numClasses: K, gammas: [0, 0.5, 1, 2, 2.5]})

const rowArb = fc.record({
  label: fc.integer({min: 0, max: K - 1}),
  logits: fc.array(fc.double({min: -50, max: 50, noNaN: true}), {minLength: K, maxLength: K}),
})
type Row = {label: number; logits: number[]}

function evaluateChunks(
  evaluationConfig: EvaluationConfig,
  labels: number[],
  scores: number[],
  width: number,
  cuts: number[] = [],
): PartialState {
  return evaluateRows(evaluationConfig, labels, scores, width, cuts)
}

function evaluate(rows: Row[], cuts: number[] = []): PartialState {
  const labels = rows.map((r) => r.label)
  return evaluateChunks(
    config,
    labels,
    rows.flatMap((r) => r.logits),
    K,
    cuts,
  )
}

/** The value of each sum, for comparing states. */
const values = breakdownValues

function assertClose(a: PartialState, b: PartialState, rel = 1e-12): void {
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
    fc.assert(
      fc.property(
        fc.array(rowArb, {maxLength: 20}),
        fc.array(rowArb, {maxLength: 20}),
        fc.array(rowArb, {maxLength: 20}),
        (a, b, c) => {
          const left = mergeStates(mergeStates(evaluate(a), evaluate(b)), evaluate(c))
          const right = mergeStates(
            mergeStates(emptyPartialState(evaluate(a).settings), evaluate(a)),
            mergeStates(evaluate(c), evaluate(b)),
          )
          assertClose(left, right)
          assertClose(left, evaluate([...a, ...b, ...c]))
        },
      ),
    )
  })

  it('take() hands over the sums of what was read since the last take, so one evaluation serves unit after unit', () => {
    const evaluation = new Evaluation(settingsFor(config))
    fc.assert(
      fc.property(fc.array(rowArb, {maxLength: 30}), fc.array(rowArb, {maxLength: 30}), (a, b) => {
        const chunk = (rows: Row[]): ReturnType<typeof makeChunk> =>
          makeChunk(
            rows.map((r) => r.label),
            rows.flatMap((r) => r.logits),
            K,
          )
        evaluation.update(chunk(a))
        const first = evaluation.take({path: 'test', order: 0})
        evaluation.update(chunk(b))
        const second = evaluation.take({path: 'test', order: 0})
        // Each state is its unit's alone (the same doubles).
        assert.deepEqual(values(first), values(evaluate(a)))
        assert.deepEqual(values(second), values(evaluate(b)))
        assert.equal(first.input.rows, a.length)
        assertClose(mergeStates(first, second), evaluate([...a, ...b]))
      }),
    )
  })

  it('puts each row in its class and easy/hard bucket', () => {
    // Row 0: class 2 with p_t ≈ 1 (easy). Row 1: class 0 with p_t ≈ 0 (hard).
    const state = evaluate([
      {label: 2, logits: [0, 0, 20]},
      {label: 0, logits: [-20, 0, 0]},
    ])
    assert.deepEqual([...state.breakdown.count], [0, 1, 0, 0, 1, 0])
  })

  it('refuses a non-finite score and names its row and column', () => {
    assert.throws(
      () => new Evaluation(settingsFor(config)).update(makeChunk([0, 1], [0, 0, 0, 0, NaN, 0], K)),
      (error: unknown) =>
        error instanceof InputError && /test:3: column "s1": expected a finite number, got NaN/.test(error.message),
    )
  })

  it('refuses ±Infinity in any column, the target’s included', () => {
    for (const [labels, scores, where] of [
      [[0], [0, -Infinity, 0], 'test:2: column "s1"'],
      [[2], [0, 0, Infinity], 'test:2: column "s2"'],
      [[1, 0], [0, 0, 0, -Infinity, 1, 2], 'test:3: column "s0"'],
    ] as const) {
      assert.throws(
        () => new Evaluation(settingsFor(config)).update(makeChunk([...labels], [...scores], K)),
        (error: unknown) =>
          error instanceof InputError && error.message.startsWith(`${where}: expected a finite number`),
      )
    }
  })

  /** Σ CE and Σ (1 − p_t)·CE (γ = 1) of one row. */
  function oneRow(label: number, logits: number[]): {ce: number; focal1: number; count: number[]} {
    const {breakdown} = evaluate([{label, logits}])
    const buckets = breakdown.count.length
    const sum = (c: typeof breakdown.ce, from: number, to: number): number => {
      let t = 0
      for (let i = from; i < to; i++) t += compensatedValue(c, i)
      return t
    }
    return {
      ce: sum(breakdown.ce, 0, buckets),
      focal1: sum(breakdown.focal, 2 * buckets, 3 * buckets),
      count: [...breakdown.count],
    }
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

    function run(
      evaluationConfig: EvaluationConfig,
      rows: [number, number][],
      cuts: number[],
      fuse = true,
    ): PartialState {
      return evaluateRows(
        evaluationConfig,
        rows.map((r) => r[0]),
        rows.map((r) => r[1]),
        1,
        cuts,
        {fuse},
      )
    }

    it('gives the same doubles whatever the chunking, and Poly-1 leaves the focal sums as they are', () => {
      const poly = (state: PartialState): number[] =>
        [...state.breakdown.poly.sum].map((_, i) => compensatedValue(state.breakdown.poly, i))
      fc.assert(
        fc.property(binaryRows, fc.array(fc.nat(20_000), {maxLength: 6}), (rows, cuts) => {
          const chunked = run(binary, rows, cuts)
          assert.deepEqual(values(chunked), values(run(binary, rows, [])))
          assert.equal(chunked.input.rows, rows.length)
          const polyChunked = run({...binary, loss: 'poly1'}, rows, cuts)
          assert.deepEqual(values(polyChunked).slice(0, values(chunked).length), values(chunked))
          assert.deepEqual(poly(polyChunked), poly(run({...binary, loss: 'poly1'}, rows, [])))
        }),
        {numRuns: 40},
      )
    })

    it('the fused kernel and the prepared rows give the same doubles (the kernel is the fast path of the same maths)', () => {
      fc.assert(
        fc.property(binaryRows, fc.array(fc.nat(20_000), {maxLength: 6}), (rows, cuts) => {
          for (const config of [binary, {...binary, loss: 'poly1' as const, gammas: [0, 1, 2, 0.25, 7]}]) {
            const fused = run(config, rows, cuts, true)
            const prepared = run(config, rows, [], false)
            assert.deepEqual(values(prepared), values(fused))
            assert.deepEqual(prepared.input, fused.input)
          }
        }),
        {numRuns: 25},
      )
    })

    it('skips a non-finite logit with --on-invalid skip, and blocks still cut at kept-row numbers', () => {
      const rows: [number, number][] = Array.from({length: 9000}, (_, i) => [i % 7 === 0 ? 1 : 0, (i % 13) - 6])
      const withBad: [number, number][] = [...rows.slice(0, 5000), [1, NaN], [0, -Infinity], ...rows.slice(5000)]
      const evaluation = new Evaluation(settingsFor(binary), {skip: true})
      evaluation.update(
        makeChunk(
          withBad.map((r) => r[0]),
          withBad.map((r) => r[1]),
          1,
        ),
      )
      const state = evaluation.take({path: 'test', order: 0})
      assert.deepEqual(
        state.input.skipped.map((s) => [s.reason, s.count, s.first.location.line, s.first.problem]),
        [['non-finite', 2, 5002, 'expected a finite number, got NaN']],
      )
      assert.equal(state.input.rows, rows.length)
      assert.deepEqual(values(state), values(run(binary, rows, [])))
    })
  })

  it('clamps probabilities to [eps, 1 − eps], counts them, and refuses values outside [0, 1]', () => {
    const probsConfig = {...config, task: 'binary' as const, scores: 'probs' as const, numClasses: 2}
    const state = evaluateRows(probsConfig, [1, 0, 1, 0], [1, 0, 0.5, 1.00000119], 1)
    assert.equal(state.input.clampedValues, 3)
    // Label 1 with p = 1 → p_t = 1 − eps; label 0 with p = 0 → p_t = 1 − eps; label 0 with p ≈ 1 → p_t = eps.
    const ce = state.breakdown.ce.sum.reduce((a, b) => a + b, 0)
    const expected = -2 * Math.log(1 - 1e-7) - Math.log(0.5) - Math.log(1 - (1 - 1e-7))
    assert.ok(Math.abs(ce - expected) < 1e-12)
    const probs = new Evaluation(settingsFor(probsConfig))
    assert.throws(() => probs.update(makeChunk([1], [1.2], 1)), /expected a probability in \[0, 1\]/)
    assert.throws(() => probs.update(makeChunk([1], [-0.01], 1)), /expected a probability in \[0, 1\]/)
  })
})
