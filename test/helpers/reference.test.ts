/**
 * Checks the reference itself (test/helpers/reference.ts) against published numbers and identities,
 * so that when src/ and the reference agree, both agree with the literature.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {exactSum, parseCsvRows, referenceReport, type ReferenceOptions, type ReferenceRow} from './reference.js'

function close(actual: number | null, expected: number, rel = 1e-9, what = ''): void {
  assert.ok(
    actual !== null && Math.abs(actual - expected) <= rel * Math.abs(expected),
    `${what} expected ${expected}, got ${actual}`,
  )
}

const BINARY_LOGITS: Omit<ReferenceOptions, 'gammas' | 'alpha'> = {
  task: 'binary',
  scores: 'logits',
  easyThreshold: 0.5,
  eps: 1e-7,
  classes: ['0', '1'],
}

// The three-row example used for every published binary value below.
const logits = [0.8, -1.5, 0.1]
const targets = [1, 0, 1]
const threeRows: ReferenceRow[] = logits.map((x, i) => ({label: targets[i], scores: [x]}))

describe('reference: published focal-loss values', () => {
  // torchvision.ops.sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2), reduction "sum" / "mean".
  it('torchvision sigmoid_focal_loss γ=2 α=0.25: sum 0.05029548103, mean 0.01676516034', () => {
    const r = referenceReport(threeRows, {...BINARY_LOGITS, gammas: [2], alpha: 0.25})
    close(r.sweep[0].sum, 0.05029548103)
    close(r.sweep[0].mean, 0.01676516034)
  })

  // ultralytics/utils/loss.py FocalLoss(gamma=1.5, alpha=0.25): loss.mean(1).sum() on a [3, 1] input is the sum.
  it('ultralytics FocalLoss γ=1.5: 0.0805277572 with α=0.25, 0.2907242683 without', () => {
    close(referenceReport(threeRows, {...BINARY_LOGITS, gammas: [1.5], alpha: 0.25}).sweep[0].sum, 0.0805277572)
    close(referenceReport(threeRows, {...BINARY_LOGITS, gammas: [1.5], alpha: null}).sweep[0].sum, 0.2907242683)
  })

  // Lin et al. 2017, §3.2: with γ = 2, p_t = 0.9 gives 100× lower loss than CE, p_t ≈ 0.968 gives 1000× lower.
  it('Lin et al.: γ=2 gives FL/CE = 0.01 at p_t = 0.9 and 0.001 at p_t = 0.9683772234', () => {
    for (const [pt, ratio] of [
      [0.9, 0.01],
      [0.9683772234, 0.001],
    ]) {
      const cases: [ReferenceOptions, ReferenceRow][] = [
        // binary probability, label 1 and label 0
        [
          {...BINARY_LOGITS, scores: 'probs', gammas: [2], alpha: null},
          {label: 1, scores: [pt]},
        ],
        [
          {...BINARY_LOGITS, scores: 'probs', gammas: [2], alpha: null},
          {label: 0, scores: [1 - pt]},
        ],
        // binary logit
        [
          {...BINARY_LOGITS, gammas: [2], alpha: null},
          {label: 1, scores: [Math.log(pt / (1 - pt))]},
        ],
        // multiclass probabilities and logits
        [
          {...BINARY_LOGITS, task: 'multiclass', scores: 'probs', gammas: [2], alpha: null},
          {label: 0, scores: [pt, 1 - pt]},
        ],
        [
          {...BINARY_LOGITS, task: 'multiclass', gammas: [2], alpha: null},
          {label: 1, scores: [0, Math.log(pt / (1 - pt))]},
        ],
      ]
      for (const [opts, row] of cases) {
        const r = referenceReport([row], opts)
        close(r.sweep[0].ratioToCe, ratio, 1e-9, `${opts.task}/${opts.scores} label ${row.label} p_t ${pt}:`)
        close(r.sweep[0].sum / r.totals.ce.sum, ratio, 1e-9)
      }
    }
  })
})

describe('reference: identities and extremes', () => {
  const mixedRows: ReferenceRow[] = [
    {label: 0, scores: [2, -1, 0.5]},
    {label: 2, scores: [0.1, 0.2, 0.3]},
    {label: 1, scores: [-3, 4, 1]},
    {label: 2, scores: [5, -5, -2]},
  ]
  const mc = (extra: Partial<ReferenceOptions> = {}): ReferenceOptions => ({
    task: 'multiclass',
    scores: 'logits',
    gammas: [0, 0.5, 2],
    alpha: null,
    easyThreshold: 0.5,
    eps: 1e-7,
    classes: ['a', 'b', 'c'],
    ...extra,
  })

  it('γ=0 without α is CE, exactly, everywhere (also where 1 − p_t = 0)', () => {
    const reports = [
      referenceReport(mixedRows, mc()),
      referenceReport(
        [
          {label: 1, scores: [1]},
          {label: 0, scores: [0]},
          {label: 1, scores: [0.3]},
          {label: 1, scores: [1e4]},
        ],
        {...BINARY_LOGITS, scores: 'probs', gammas: [0, 2], alpha: null},
      ),
      referenceReport(
        [
          {label: 1, scores: [1e4]},
          {label: 0, scores: [-37]},
        ],
        {...BINARY_LOGITS, gammas: [0], alpha: null},
      ),
    ]
    for (const r of reports) {
      assert.equal(r.sweep[0].sum, r.totals.ce.sum)
      assert.equal(r.sweep[0].ratioToCe, 1)
      assert.equal(r.split.easy.focal[0].sum, r.split.easy.ce)
      assert.equal(r.split.hard.focal[0].sum, r.split.hard.ce)
      for (const c of r.classes) assert.equal(c.focal[0].sum, c.ce.sum)
    }
  })

  it('binary logits of ±1e4 give exact finite values', () => {
    const rows: ReferenceRow[] = [
      {label: 1, scores: [1e4]}, // right: CE 0
      {label: 0, scores: [-1e4]}, // right: CE 0
      {label: 1, scores: [-1e4]}, // wrong: CE 1e4
      {label: 0, scores: [1e4]}, // wrong: CE 1e4
    ]
    const r = referenceReport(rows, {...BINARY_LOGITS, gammas: [0, 2, 5], alpha: 0.25})
    assert.equal(r.totals.ce.sum, 2e4)
    assert.equal(r.sweep[1].sum, 0.25 * 1e4 + 0.75 * 1e4)
    assert.equal(r.split.easy.count, 2)
    assert.equal(r.split.easy.ce, 0)
    for (const s of r.sweep)
      for (const v of [s.sum, s.mean, s.ratioToCe, s.easyShare, s.hardShare]) {
        assert.ok(v !== null && Number.isFinite(v), `${v}`)
      }
  })

  it('multiclass logits of ±1e4 give exact finite values', () => {
    const rows: ReferenceRow[] = [
      {label: 0, scores: [1e4, -1e4, 0]},
      {label: 1, scores: [1e4, -1e4, 0]},
    ]
    const r = referenceReport(rows, mc({gammas: [2]}))
    assert.equal(r.classes[0].ce.sum, 0)
    assert.equal(r.classes[1].ce.sum, 2e4)
    assert.equal(r.sweep[0].sum, 2e4)
  })

  it('α_t: binary α for label 1 and 1 − α for label 0; multiclass α for every row', () => {
    const plain = referenceReport(threeRows, {...BINARY_LOGITS, gammas: [2], alpha: null})
    const weighted = referenceReport(threeRows, {...BINARY_LOGITS, gammas: [2], alpha: 0.25})
    close(weighted.classes[1].focal[0].sum, 0.25 * plain.classes[1].focal[0].sum, 1e-15)
    close(weighted.classes[0].focal[0].sum, 0.75 * plain.classes[0].focal[0].sum, 1e-15)
    const mcPlain = referenceReport(mixedRows, mc())
    const mcWeighted = referenceReport(mixedRows, mc({alpha: 0.25}))
    mcPlain.sweep.forEach((s, g) => close(mcWeighted.sweep[g].sum, 0.25 * s.sum, 1e-15))
  })

  it('counts clamped probabilities: binary the one score, multiclass only the true class', () => {
    const binary = referenceReport(
      [
        {label: 1, scores: [0]},
        {label: 0, scores: [1]},
        {label: 1, scores: [0.5]},
        {label: 0, scores: [1e-9]},
        {label: 1, scores: [1 - 1e-9]},
        {label: 1, scores: [1e-7]}, // exactly eps: not moved
      ],
      {...BINARY_LOGITS, scores: 'probs', gammas: [2], alpha: null},
    )
    assert.equal(binary.clampedValues, 4)
    close(binary.classes[1].ce.sum, -Math.log(1e-7) - Math.log(0.5) - Math.log(1 - 1e-7) - Math.log(1e-7), 1e-15)
    const multi = referenceReport(
      [
        {label: 0, scores: [1, 0, 0]}, // true class 1 → clamped
        {label: 1, scores: [1, 0, 0]}, // true class 0 → clamped
        {label: 2, scores: [0.5, 0, 0.5]}, // zeros elsewhere: not counted
      ],
      mc({scores: 'probs'}),
    )
    assert.equal(multi.clampedValues, 2)
    close(multi.classes[0].ce.sum, -Math.log(1 - 1e-7), 1e-12)
  })

  it('a binary logit s is the two-class softmax of [0, s]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({label: fc.integer({min: 0, max: 1}), s: fc.double({min: -50, max: 50, noNaN: true})}), {
          minLength: 1,
          maxLength: 30,
        }),
        (rows) => {
          const gammas = [0, 0.5, 1, 2, 5]
          const b = referenceReport(
            rows.map((r) => ({label: r.label, scores: [r.s]})),
            {...BINARY_LOGITS, gammas, alpha: null},
          )
          const m = referenceReport(
            rows.map((r) => ({label: r.label, scores: [0, r.s]})),
            {...BINARY_LOGITS, task: 'multiclass', gammas, alpha: null},
          )
          const near = (x: number, y: number) => Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(y))
          assert.ok(near(b.totals.ce.sum, m.totals.ce.sum))
          b.sweep.forEach((s, g) =>
            assert.ok(near(s.sum, m.sweep[g].sum), `γ ${s.gamma}: ${s.sum} vs ${m.sweep[g].sum}`),
          )
        },
      ),
    )
  })

  it('breakdowns add up: easy + hard and the classes give the totals; shares sum to 1', () => {
    const r = referenceReport(mixedRows, mc())
    assert.equal(r.rows, 4)
    assert.equal(r.split.easy.count + r.split.hard.count, 4)
    close(r.split.easy.ce + r.split.hard.ce, r.totals.ce.sum, 1e-15)
    close(exactSum(r.classes.map((c) => c.ce.share as number)), 1, 1e-15)
    r.sweep.forEach((s, g) => {
      close((s.easyShare as number) + (s.hardShare as number), 1, 1e-15)
      close(exactSum(r.classes.map((c) => c.focal[g].sum)), s.sum, 1e-15)
      assert.equal(r.split.easy.focal[g].share, s.easyShare)
    })
    assert.deepEqual(
      r.classes.map((c) => c.count),
      [1, 1, 2],
    )
  })

  it('null for a share of 0 and a mean over 0 rows; a class without rows is 0 % and not overweight', () => {
    const empty = referenceReport([], mc())
    assert.equal(empty.rows, 0)
    assert.equal(empty.totals.ce.sum, 0)
    assert.equal(empty.totals.ce.mean, null)
    for (const s of empty.sweep)
      assert.deepEqual([s.mean, s.ratioToCe, s.easyShare, s.hardShare], [null, null, null, null])
    assert.equal(empty.split.easy.countShare, null)
    assert.equal(empty.classes[0].countShare, null)
    assert.equal(empty.classes[0].overweight, false)

    // Every row perfectly right: CE sum 0, so every loss share is null but count shares are defined.
    const perfect = referenceReport([{label: 1, scores: [1e4]}], {...BINARY_LOGITS, gammas: [2], alpha: null})
    assert.equal(perfect.totals.ce.sum, 0)
    assert.equal(perfect.totals.ce.mean, 0)
    assert.equal(perfect.sweep[0].ratioToCe, null)
    assert.equal(perfect.sweep[0].easyShare, null)
    assert.equal(perfect.split.easy.countShare, 1)
    assert.equal(perfect.split.easy.ceShare, null)
    assert.equal(perfect.classes[0].countShare, 0)
    assert.equal(perfect.classes[0].ce.share, null)
    assert.equal(perfect.classes[1].overweight, false)
  })

  it('easy means p_t strictly above the threshold', () => {
    // Logit 0 is p_t = 0.5 exactly: hard. Logit 1e-9 is just above: easy.
    const r = referenceReport(
      [
        {label: 1, scores: [0]},
        {label: 0, scores: [0]},
        {label: 1, scores: [1e-9]},
      ],
      {...BINARY_LOGITS, gammas: [1], alpha: null},
    )
    assert.deepEqual([r.split.easy.count, r.split.hard.count], [1, 2])
    const p = referenceReport([{label: 1, scores: [0.5]}], {
      ...BINARY_LOGITS,
      scores: 'probs',
      gammas: [1],
      alpha: null,
    })
    assert.equal(p.split.hard.count, 1)
  })

  it('overweight: CE share at least twice the count share', () => {
    // Class b is 1 row of 4 (25 %) and all the loss except a little.
    const r = referenceReport(
      [
        {label: 0, scores: [9, 0]},
        {label: 0, scores: [9, 0]},
        {label: 0, scores: [9, 0]},
        {label: 1, scores: [3, 0]},
      ],
      mc({classes: ['a', 'b'], gammas: [2]}),
    )
    assert.deepEqual(
      r.classes.map((c) => c.overweight),
      [false, true],
    )
  })
})

// Python's math.fsum on the same doubles.
const FSUM_1 = 2.7755575615628914e-17
const FSUM_2 = 1.000000000000001

describe('reference: exactSum', () => {
  it('is the correctly rounded sum', () => {
    assert.equal(exactSum([]), 0)
    assert.equal(exactSum([1, 1e100, 1, -1e100]), 2)
    assert.equal(exactSum(Array(10).fill(0.1)), 1)
    assert.equal(exactSum([1e16, 1, 1]), 1e16 + 2)
    assert.equal(exactSum([0.1, 0.2, 0.3, -0.6]), FSUM_1)
    assert.equal(exactSum([...Array(10).fill(1e-16), 1]), FSUM_2)
    assert.equal(exactSum([-0, -0]), 0) // never −0: the report is JSON
    // Half-way case: 1 + 2^-53 + 2^-104 rounds up, 1 + 2^-53 alone rounds to even (1).
    assert.equal(exactSum([1, 2 ** -53]), 1)
    assert.equal(exactSum([1, 2 ** -53, 2 ** -104]), 1 + 2 ** -52)
  })

  it('does not depend on the order of the terms', () => {
    fc.assert(
      fc.property(fc.array(fc.double({min: -1e6, max: 1e6, noNaN: true}), {maxLength: 50}), (xs) => {
        const sorted = [...xs].sort((a, b) => a - b)
        assert.equal(exactSum(xs), exactSum(sorted))
        assert.equal(exactSum(xs), exactSum([...sorted].reverse()))
      }),
    )
  })
})

describe('reference: parseCsvRows', () => {
  it('reads numeric labels, a BOM, CRLF, quotes and extra columns', () => {
    const rows = parseCsvRows('\uFEFFid,label,logit\r\n"a,1",1,0.5\r\nb,0,"-1e-3"\r\n', 'label', ['logit'])
    assert.deepEqual(rows, [
      {label: 1, scores: [0.5]},
      {label: 0, scores: [-0.001]},
    ])
  })

  it('maps class names to indexes; an index is accepted when no name is numeric', () => {
    const text = 'label,prob_cat,prob_dog\ndog,0.25,0.75\ncat,0.5,0.5\n1,0.1,0.9\n'
    assert.deepEqual(parseCsvRows(text, 'label', ['prob_cat', 'prob_dog'], ['cat', 'dog']), [
      {label: 1, scores: [0.25, 0.75]},
      {label: 0, scores: [0.5, 0.5]},
      {label: 1, scores: [0.1, 0.9]},
    ])
    assert.throws(() => parseCsvRows('label,p_1,p_0\n0,0.5,0.5\n', 'label', ['p_1', 'p_0'], ['1', '2']), /not a class/)
  })

  it('refuses a missing or non-numeric score', () => {
    assert.throws(() => parseCsvRows('label,logit\n1,\n', 'label', ['logit']), /logit/)
    assert.throws(() => parseCsvRows('label,logit\n1,abc\n', 'label', ['logit']), /logit/)
    assert.throws(() => parseCsvRows('label,logit\n1,1\n', 'label', ['score']), /no column score/)
  })

  it('keeps the exact doubles of shortest round-trip decimals', () => {
    const xs = [0.1, 1 / 3, -800, 5e-324, 1.7976931348623157e308, 0.30000000000000004]
    const text = 'label,x\n' + xs.map((x) => `0,${String(x)}`).join('\n') + '\n'
    assert.deepEqual(
      parseCsvRows(text, 'label', ['x']).map((r) => r.scores[0]),
      xs,
    )
  })
})
