/**
 * Loss concentration against an exact sort of independently computed per-element losses (test/helpers/
 * reference.ts: one row at a time, textbook formulas), within the bound the report states; the paper's
 * qualitative claims on data of its setting; the same figures however the rows are split; the γ × α grid
 * equal to separate runs.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {EvaluationConfig} from '../../src/core/config.js'
import {mergeStates} from '../../src/core/state/partial-state.js'
import type {Concentration, ConcentrationGroup, GridCell, Report} from '../../src/report/types.js'
import {evaluateRows, reportOf} from '../helpers/evaluate.js'
import {evaluationConfig} from '../helpers/evaluation-config.js'
import {exactSum, type ReferenceOptions, rowTerms} from '../helpers/reference.js'

/** A seeded uniform random number in (0, 1). */
function random(seed: number): () => number {
  let x = (seed % 2147483646) + 1
  return () => (x = (x * 48271) % 2147483647) / 2147483647
}

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r())) * Math.cos(2 * Math.PI * r())
}

/** The exact figures of a group's per-element losses: sorted, hardest first. */
function exact(losses: number[]) {
  const sorted = [...losses].sort((a, b) => b - a)
  const n = sorted.length
  const total = exactSum(sorted)
  const prefix: number[] = [0]
  for (const v of sorted) prefix.push(prefix[prefix.length - 1] + v)
  const shareOfTop = (m: number): number => prefix[m] / total
  let numerator = 0
  sorted.forEach((v, i) => (numerator += (n - 2 * i - 1) * v))
  return {
    n,
    total,
    shareOfTop,
    share: (x: number): number => (x >= 1 ? 1 : shareOfTop(Math.ceil(x * n))),
    gini: numerator / (n * total),
    effectiveSamples: (total * total) / exactSum(sorted.map((v) => v * v)),
  }
}

/** Checks a reported group against the exact figures, within the reported bound. */
function assertGroup(group: ConcentrationGroup, losses: number[], bound: number): void {
  const what = `${group.group} γ=${group.gamma}`
  const e = exact(losses)
  assert.equal(group.count, e.n, `${what}: count`)
  assert.ok(Math.abs(group.loss - e.total) <= 1e-9 * e.total, `${what}: loss ${group.loss} vs ${e.total}`)
  for (const [x, share] of group.curve) {
    assert.ok(Math.abs(share - e.share(x)) <= bound, `${what}: curve at ${x}: ${share} vs ${e.share(x)}`)
  }
  for (const [key, share] of Object.entries(group.topShare)) {
    assert.ok(Math.abs((share as number) - e.share(Number(key))) <= bound, `${what}: topShare ${key}`)
  }
  // fractionCarrying(s) = m / n: the exact top m carry at least s − bound, the top m − 1 less than s + bound.
  for (const [key, fraction] of Object.entries(group.fractionCarrying)) {
    const s = Number(key)
    const m = Math.round((fraction as number) * e.n)
    assert.ok(e.shareOfTop(m) >= s - bound, `${what}: fractionCarrying ${key}: the top ${m} carry ${e.shareOfTop(m)}`)
    assert.ok(m === 0 || e.shareOfTop(m - 1) < s + bound, `${what}: fractionCarrying ${key}: fewer would do`)
  }
  assert.ok(Math.abs((group.gini as number) - e.gini) <= 2 * bound, `${what}: gini ${group.gini} vs ${e.gini}`)
  const ess = group.effectiveSamples as number
  assert.ok(
    Math.abs(ess - e.effectiveSamples) <= 1e-9 * e.effectiveSamples,
    `${what}: ESS ${ess} vs ${e.effectiveSamples}`,
  )
}

function concentrationOf(report: Report): Concentration {
  const c = report.concentration
  assert.ok(c, 'the report has a concentration')
  assert.ok(c.maxShareError > 0 && c.maxShareError <= 0.005, `maxShareError ${c.maxShareError}`)
  return c
}

function groupOf(c: Concentration, name: string, gamma: number): ConcentrationGroup {
  const found = c.groups.find((g) => g.group === name && g.gamma === gamma)
  assert.ok(found, `group ${name} at γ ${gamma}`)
  return found
}

/**
 * Binary data of the paper's setting: 1 % positives; the elements' CE drawn directly, negatives' at a scale
 * 50× smaller than positives' (most negatives easy) but of the same shape.
 */
function paperRows(n: number, seed: number): {labels: number[]; logits: number[]} {
  const r = random(seed)
  const labels: number[] = []
  const logits: number[] = []
  for (let i = 0; i < n; i++) {
    const positive = r() < 0.01
    const ce = (positive ? 0.5 : 0.01) * Math.exp(1.2 * normal(r))
    // CE = softplus(−m) ⇒ m = −log(e^CE − 1): the margin towards the true class.
    const m = -Math.log(Math.expm1(ce))
    labels.push(positive ? 1 : 0)
    logits.push(positive ? m : -m)
  }
  return {labels, logits}
}

const GAMMAS = [0, 0.5, 1, 2, 5]

describe('loss concentration', () => {
  const paper = paperRows(100_000, 17)
  const binary = evaluationConfig({
    task: 'binary',
    scores: 'logits',
    numClasses: 2,
    gammas: GAMMAS,
    concentration: true,
  })

  for (const [name, alpha] of [
    ['no α', null],
    ['α = 0.25', 0.25],
  ] as const) {
    it(`binary logits, the paper's setting, ${name}: every figure within the bound of an exact sort`, () => {
      const config: EvaluationConfig = {
        ...binary,
        alphaSpec: alpha === null ? {kind: 'none'} : {kind: 'scalar', value: alpha},
      }
      const report = reportOf(evaluateRows(config, paper.labels, paper.logits, 1))
      const c = concentrationOf(report)
      const opts: ReferenceOptions = {
        task: 'binary',
        scores: 'logits',
        gammas: GAMMAS,
        alpha,
        easyThreshold: 0.5,
        eps: 1e-7,
        classes: ['0', '1'],
      }
      const terms = paper.labels.map((label, i) => rowTerms({label, scores: [paper.logits[i]]}, opts))
      GAMMAS.forEach((gamma, g) => {
        for (const [group, label] of [
          ['positive', 1],
          ['negative', 0],
        ] as const) {
          const losses = terms.filter((_, i) => paper.labels[i] === label).map((t) => t.focal[g])
          assertGroup(groupOf(c, group, gamma), losses, c.maxShareError)
        }
      })
    })
  }

  it("the paper's claims: at γ = 0 positives and negatives concentrate alike, at γ = 2 negatives far more", () => {
    const c = concentrationOf(reportOf(evaluateRows(binary, paper.labels, paper.logits, 1)))
    const top = (group: string, gamma: number, x: string): number => groupOf(c, group, gamma).topShare[x] as number
    for (const x of ['0.01', '0.05', '0.1', '0.2']) {
      assert.ok(Math.abs(top('positive', 0, x) - top('negative', 0, x)) < 0.05, `γ = 0, top ${x}`)
    }
    assert.ok(
      top('negative', 2, '0.01') > top('positive', 2, '0.01') + 0.2,
      `γ = 2: ${top('negative', 2, '0.01')} vs ${top('positive', 2, '0.01')}`,
    )
    // Fewer negatives carry the loss at γ = 2 than at γ = 0.
    assert.ok(groupOf(c, 'negative', 2).effectiveSamples! < groupOf(c, 'negative', 0).effectiveSamples! / 3)
  })

  // Class-balanced α weighs each class apart (the "all" group merges the classes' runs per γ); without α
  // the classes share one loss function (their histograms are summed and read once for every γ).
  for (const balanced of [true, false]) {
    it(`multi-class logits${balanced ? ' with class-balanced α' : ''}: every class and all rows within the bound`, () => {
      const K = 5
      const r = random(5)
      const labels: number[] = []
      const scores: number[] = []
      for (let i = 0; i < 20_000; i++) {
        // Zipf-like priors, and logits that favour the true class more or less.
        const label = Math.min(K - 1, Math.floor(-Math.log(r()) * 1.3))
        labels.push(label)
        for (let j = 0; j < K; j++) scores.push(2 * normal(r) + (j === label ? 2.5 : 0))
      }
      const config = evaluationConfig({
        task: 'multiclass',
        scores: 'logits',
        numClasses: K,
        gammas: GAMMAS,
        alphaSpec: balanced ? {kind: 'inverse-frequency'} : {kind: 'none'},
        concentration: true,
      })
      const c = concentrationOf(reportOf(evaluateRows(config, labels, scores, K)))
      // Class-balanced weights from the counts, independently: w_c ∝ 1 / n_c, summing to K.
      const counts = Array.from({length: K}, (_, k) => labels.filter((l) => l === k).length)
      const raw = counts.map((n) => 1 / Math.max(1, n))
      const weights = raw.map((w) => (balanced ? (w * K) / raw.reduce((a, b) => a + b, 0) : 1))
      const opts: ReferenceOptions = {
        task: 'multiclass',
        scores: 'logits',
        gammas: GAMMAS,
        alpha: null,
        easyThreshold: 0.5,
        eps: 1e-7,
        classes: Array.from({length: K}, (_, k) => String(k)),
      }
      const terms = labels.map((label, i) => rowTerms({label, scores: scores.slice(i * K, (i + 1) * K)}, opts))
      GAMMAS.forEach((gamma, g) => {
        const loss = (i: number): number => weights[labels[i]] * terms[i].focal[g]
        assertGroup(
          groupOf(c, 'all', gamma),
          labels.map((_, i) => loss(i)),
          c.maxShareError,
        )
        for (let k = 0; k < K; k++) {
          const members = labels.flatMap((l, i) => (l === k ? [loss(i)] : []))
          assertGroup(groupOf(c, `class:${k}`, gamma), members, c.maxShareError)
        }
      })
    })
  }

  it('multi-label with soft targets and α = 0.25: positive and negative elements within the bound', () => {
    const K = 3
    const r = random(23)
    const rows: number[][] = []
    for (let i = 0; i < 8000; i++) {
      const logits = Array.from({length: K}, () => 3 * normal(r) - 2)
      const targets = Array.from({length: K}, () => (r() < 0.15 ? Math.round(r() * 10) / 10 : 0))
      rows.push([...logits, ...targets])
    }
    const config = evaluationConfig({
      task: 'multilabel',
      scores: 'logits',
      numClasses: K,
      elementLayout: 'wide',
      gammas: GAMMAS,
      alphaSpec: {kind: 'scalar', value: 0.25},
      concentration: true,
    })
    const c = concentrationOf(
      reportOf(
        evaluateRows(
          config,
          rows.map(() => 0),
          rows.flat(),
          2 * K,
        ),
      ),
    )
    // Per element, from the definitions: BCE with soft targets, p_t = y·p + (1 − y)(1 − p), α_t = y·α + (1 − y)(1 − α).
    const elements = rows.flatMap((row) =>
      Array.from({length: K}, (_, j) => {
        const x = row[j]
        const y = row[K + j]
        const p = 1 / (1 + Math.exp(-x))
        const ce =
          y * (Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x)))) +
          (1 - y) * (Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))))
        const q = y * (1 - p) + (1 - y) * p
        const alphaT = y * 0.25 + (1 - y) * 0.75
        return {y, losses: GAMMAS.map((gamma) => alphaT * (gamma === 0 ? 1 : Math.pow(q, gamma)) * ce)}
      }),
    )
    GAMMAS.forEach((gamma, g) => {
      for (const [group, positive] of [
        ['positive', true],
        ['negative', false],
      ] as const) {
        const losses = elements.filter((e) => e.y > 0 === positive).map((e) => e.losses[g])
        // The reference's soft-target CE differs from focalscope's in the last bits: the bound stays.
        assertGroup(groupOf(c, group, gamma), losses, c.maxShareError + 1e-9)
      }
    })
  })

  it('the same figures for any split: halves merged, units of a file, chunks (≤ 1e-12 relative)', () => {
    const {labels, logits} = paperRows(30_000, 3)
    const whole = reportOf(evaluateRows(binary, labels, logits, 1))
    const chunked = reportOf(evaluateRows(binary, labels, logits, 1, [1, 999, 12_345, 29_999]))
    const half = 12_000
    const halves = reportOf(
      mergeStates(
        evaluateRows(binary, labels.slice(half), logits.slice(half), 1),
        evaluateRows(binary, labels.slice(0, half), logits.slice(0, half), 1),
      ),
    )
    for (const other of [chunked, halves]) {
      const a = concentrationOf(whole).groups
      const b = concentrationOf(other).groups
      assert.equal(a.length, b.length)
      a.forEach((group, i) => {
        const close = (x: number | null, y: number | null): boolean =>
          x === y || (x !== null && y !== null && Math.abs(x - y) <= 1e-12 * Math.max(Math.abs(x), 1e-300))
        assert.ok(close(group.loss, b[i].loss), 'loss')
        group.curve.forEach(([, s], j) => assert.ok(close(s, b[i].curve[j][1]), `curve ${j}`))
        assert.ok(close(group.gini, b[i].gini), 'gini')
        assert.ok(close(group.effectiveSamples, b[i].effectiveSamples), 'ESS')
        assert.deepEqual(group.fractionCarrying, b[i].fractionCarrying)
      })
    }
  })

  it('the fused binary kernel writes the rows the sketch reads: the same figures as prepared rows', () => {
    const {labels, logits} = paperRows(20_000, 9)
    const fused = reportOf(evaluateRows(binary, labels, logits, 1))
    const prepared = reportOf(evaluateRows(binary, labels, logits, 1, [], {fuse: false}))
    assert.deepEqual(prepared.concentration, fused.concentration)
    assert.deepEqual(prepared.sweep, fused.sweep)
  })

  it('the fused kernel counts the same histograms as prepared rows, over every octave and CE 0', () => {
    // Logits from ±1e-300 to ±745 (CE from 0 — e^-745 vanishes beside 1 — to 745, and every octave): the
    // kernel opens pages (and grows its pool) in the middle of a call, and counts zeros apart.
    let seed = 3
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647
    const labels: number[] = []
    const logits: number[] = []
    for (let i = 0; i < 30_000; i++) {
      labels.push(next() < 0.3 ? 1 : 0)
      const size = next() < 0.3 ? next() * 745 : Math.exp(next() * 20 - 10) * (next() < 0.01 ? 1e-290 : 1)
      logits.push((next() < 0.5 ? -1 : 1) * size)
    }
    logits[5] = 740
    labels[5] = 1
    const histogramsOf = (state: ReturnType<typeof evaluateRows>) => state.sections.concentration?.histograms
    const fused = histogramsOf(evaluateRows(binary, labels, logits, 1, [7, 4000]))
    const prepared = histogramsOf(evaluateRows(binary, labels, logits, 1, [], {fuse: false}))
    assert.ok(fused !== undefined && prepared !== undefined)
    assert.ok(fused[0].zero > 0 && fused[1].zero > 0 && fused[0].index.length > 2000, 'zeros and many octaves')
    // Compared field by field: a failing deepEqual of long typed arrays takes minutes to print.
    for (let h = 0; h < 2; h++) {
      assert.equal(fused[h].zero, prepared[h].zero)
      assert.ok(Buffer.from(fused[h].index.buffer).equals(Buffer.from(prepared[h].index.buffer)), `index ${h}`)
      assert.ok(Buffer.from(fused[h].count.buffer).equals(Buffer.from(prepared[h].count.buffer)), `count ${h}`)
    }
  })

  it('keeps every figure finite for losses near the largest double (logits of ±1e300 and ±1.7e308)', () => {
    const labels = [1, 0, 1, 0, 1, 0, 0, 0, 1, 0]
    const logits = [-1e300, 1e300, -1.7e308, 3, 800, -745, -700, 1.5, 0.25, -2]
    for (const loss of ['focal', 'poly1'] as const) {
      const report = reportOf(evaluateRows({...binary, loss}, labels, logits, 1))
      const walk = (value: unknown, path: string): void => {
        if (typeof value === 'number') assert.ok(Number.isFinite(value), `${loss}: ${path} is ${value}`)
        else if (value !== null && typeof value === 'object') {
          for (const [key, item] of Object.entries(value)) walk(item, `${path}.${key}`)
        }
      }
      walk(report.concentration, 'concentration')
      walk(report.lossByPt, 'lossByPt')
      // The three huge losses carry all of each group's loss: the hardest fraction's share is 1 at once.
      const positives = report.concentration?.groups.find((g) => g.group === 'positive' && g.gamma === 0)
      assert.ok(positives !== undefined && (positives.topShare['0.2'] ?? 0) > 0.99)
    }
  })

  it('is absent without the setting, and says why it is not computed for Poly-1 with ε < 0', () => {
    const {labels, logits} = paperRows(1000, 1)
    assert.equal(reportOf(evaluateRows({...binary, concentration: false}, labels, logits, 1)).concentration, undefined)
    const poly = reportOf(evaluateRows({...binary, loss: 'poly1', polyEpsilon: -0.5}, labels, logits, 1)).concentration
    assert.ok(poly?.unavailable?.startsWith('Poly-1 with ε < 0'))
    assert.deepEqual(poly?.groups, [])
  })
})

describe('the γ × α grid', () => {
  it('equals separate runs at each α, to the last digit', () => {
    const {labels, logits} = paperRows(5000, 4)
    const alphas = [0.1, 0.25, 0.5, 0.75]
    const config = evaluationConfig({
      task: 'binary',
      scores: 'logits',
      numClasses: 2,
      gammas: [0, 2],
      gridAlphas: alphas.map((alpha) => ({alpha, spec: {kind: 'scalar', value: alpha}})),
    })
    const grid = reportOf(evaluateRows(config, labels, logits, 1)).grid
    assert.ok(grid)
    assert.equal(grid.length, alphas.length * 2)
    for (const alpha of alphas) {
      const separate = reportOf(
        evaluateRows({...config, gridAlphas: undefined, alphaSpec: {kind: 'scalar', value: alpha}}, labels, logits, 1),
      )
      for (const row of separate.sweep) {
        const cell: GridCell | undefined = grid.find((c) => c.alpha === alpha && c.gamma === row.gamma)
        assert.ok(cell)
        assert.equal(cell.sum, row.sum)
        assert.equal(cell.ratioToCe, row.ratioToCe)
        assert.equal(cell.hardShare, row.hardShare)
        const positive =
          (separate.splitByTarget?.easyPositive.focal.find((f) => f.gamma === row.gamma)?.share ?? 0) +
          (separate.splitByTarget?.hardPositive.focal.find((f) => f.gamma === row.gamma)?.share ?? 0)
        assert.ok(Math.abs((cell.positiveShare as number) - positive) <= 1e-12)
        assert.equal(cell.minorityShare, null)
      }
    }
  })
})
