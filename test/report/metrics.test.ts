/**
 * The metrics (issue 18) against a small independent implementation written here from the definitions:
 * sklearn's confusion_matrix, accuracy_score and precision_recall_fscore_support (zero_division=0);
 * torchmetrics' Multiclass/BinaryCalibrationError (n_bins=15: torch.bucketize(right=True) over
 * torch.linspace(0, 1, 16) in float32, the confidence as float32; the edges below are torch's own
 * output); classwise ECE (Kull et al. 2019); Brier. Each row is computed alone, in float64, with Math.exp.
 * Then: any chunking, merging and fused/unfused binary logits give the same figures.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {EvaluationConfig} from '../../src/core/config.js'
import {mergeStates} from '../../src/core/state/partial-state.js'
import type {Report} from '../../src/report/types.js'
import {evaluateRows, reportOf} from '../helpers/evaluate.js'
import {evaluationConfig} from '../helpers/evaluation-config.js'
import {TORCH_EDGES, torchSlot as slotOf} from '../helpers/torch-edges.js'

/** ECE and MCE of (confidence, accuracy) pairs: torchmetrics' _ce_compute, in float64. */
function calibrationReference(pairs: [number, number][]): {ece: number; mce: number; counts: number[]} {
  const count = new Array<number>(16).fill(0)
  const conf = new Array<number>(16).fill(0)
  const acc = new Array<number>(16).fill(0)
  for (const [c, a] of pairs) {
    const s = slotOf(c)
    count[s]++
    conf[s] += c
    acc[s] += a
  }
  let ece = 0
  let mce = 0
  for (let s = 0; s < 16; s++) {
    if (count[s] === 0) continue
    const gap = Math.abs(acc[s] / count[s] - conf[s] / count[s])
    ece += (count[s] / pairs.length) * gap
    mce = Math.max(mce, gap)
  }
  return {ece, mce, counts: count}
}

/** A row's class probabilities from its scores. */
function probabilities(scores: number[], logits: boolean): number[] {
  if (!logits) return scores
  const max = Math.max(...scores)
  const e = scores.map((x) => Math.exp(x - max))
  const total = e.reduce((a, b) => a + b, 0)
  return e.map((x) => x / total)
}

/** numpy's argmax: the first largest. */
function argmax(values: number[]): number {
  let best = 0
  for (let j = 1; j < values.length; j++) if (values[j] > values[best]) best = j
  return best
}

interface Expected {
  confusion: number[][]
  accuracy: number
  precision: number[]
  recall: number[]
  f1: number[]
  support: number[]
  ece: number
  mce: number
  /** Rows per top-label calibration bin (15, and a 16th for a confidence of exactly 1 when it has rows). */
  binCounts: number[]
  classEce: number[]
  brier: number
  cellCe: number[][]
  ceTotal: number
}

/** The figures of multi-class (or binary, K = 2 with one score per row) rows, from the definitions. */
function reference(labels: number[], rows: number[][], K: number, logits: boolean, binary: boolean): Expected {
  const confusion = Array.from({length: K}, () => new Array<number>(K).fill(0))
  const cellCe = Array.from({length: K}, () => new Array<number>(K).fill(0))
  const top: [number, number][] = []
  const perClass: [number, number][][] = Array.from({length: K}, () => [])
  let brier = 0
  let ceTotal = 0
  labels.forEach((label, i) => {
    let p: number[]
    let predicted: number
    if (binary) {
      const p1 = logits ? 1 / (1 + Math.exp(-rows[i][0])) : rows[i][0]
      p = [1 - p1, p1]
      predicted = p1 > 0.5 ? 1 : 0
      top.push([p1, label])
      brier += (p1 - label) ** 2
    } else {
      p = probabilities(rows[i], logits)
      predicted = argmax(rows[i])
      top.push([Math.max(...p), predicted === label ? 1 : 0])
      brier += p.reduce((sum, pc, c) => sum + (pc - (c === label ? 1 : 0)) ** 2, 0)
    }
    const ce = -Math.log(Math.min(Math.max(p[label], 1e-7), 1 - 1e-7))
    confusion[label][predicted]++
    cellCe[label][predicted] += logits ? -Math.log(p[label]) : ce
    ceTotal += logits ? -Math.log(p[label]) : ce
    p.forEach((pc, c) => perClass[c].push([pc, c === label ? 1 : 0]))
  })
  const n = labels.length
  const tp = confusion.map((r, c) => r[c])
  const predictedAs = confusion[0].map((_, c) => confusion.reduce((sum, r) => sum + r[c], 0))
  const support = confusion.map((r) => r.reduce((a, b) => a + b, 0))
  const div = (a: number, b: number): number => (b === 0 ? 0 : a / b)
  const precision = tp.map((t, c) => div(t, predictedAs[c]))
  const recall = tp.map((t, c) => div(t, support[c]))
  const f1 = precision.map((pr, c) => div(2 * pr * recall[c], pr + recall[c]))
  const {ece, mce, counts} = calibrationReference(top)
  return {
    confusion,
    accuracy: tp.reduce((a, b) => a + b, 0) / n,
    precision,
    recall,
    f1,
    support,
    ece,
    mce,
    binCounts: counts[15] > 0 ? counts : counts.slice(0, 15),
    classEce: perClass.map((pairs) => calibrationReference(pairs).ece),
    brier: brier / n,
    cellCe,
    ceTotal,
  }
}

function close(actual: number | null | undefined, expected: number, what: string, tol = 1e-12): void {
  assert.ok(typeof actual === 'number', `${what}: got ${actual}`)
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`)
}

function checkReport(report: Report, expected: Expected, K: number, classEce: boolean): void {
  assert.deepEqual(report.confusion, expected.confusion)
  close(report.accuracy, expected.accuracy, 'accuracy')
  report.classes.forEach((row, c) => {
    close(row.precision, expected.precision[c], `precision ${c}`)
    close(row.recall, expected.recall[c], `recall ${c}`)
    close(row.f1, expected.f1[c], `f1 ${c}`)
    assert.equal(row.support, expected.support[c])
  })
  assert.deepEqual(
    report.calibration?.reliability.map((bin) => bin.count),
    expected.binCounts,
  )
  close(report.calibration?.ece, expected.ece, 'ece', 1e-9)
  close(report.calibration?.mce, expected.mce, 'mce', 1e-9)
  close(report.brier, expected.brier, 'brier', 1e-9)
  if (classEce) {
    assert.equal(report.calibration?.perClass.length, K)
    report.calibration?.perClass.forEach((c, i) => close(c.ece, expected.classEce[i], `classwise ECE ${i}`, 1e-9))
  } else {
    assert.deepEqual(report.calibration?.perClass, [])
  }
  // Top confusions: the off-diagonal cells, most rows first, ties in cell order.
  const cells = expected.confusion
    .flatMap((r, t) => r.map((count, p) => ({t, p, count})))
    .filter((x) => x.t !== x.p && x.count > 0)
    .sort((a, b) => b.count - a.count || a.t * K + a.p - (b.t * K + b.p))
    .slice(0, 10)
  assert.deepEqual(
    report.topConfusions?.map((c) => [c.actual, c.predicted, c.count]),
    cells.map((x) => [String(x.t), String(x.p), x.count]),
  )
  report.topConfusions?.forEach((c, i) =>
    close(c.ceShare, expected.cellCe[cells[i].t][cells[i].p] / expected.ceTotal, `ceShare ${i}`, 1e-9),
  )
}

/** A seeded uniform random number in (0, 1). */
function random(seed: number): () => number {
  let x = (seed % 2147483646) + 1
  return () => (x = (x * 48271) % 2147483647) / 2147483647
}

const config = (over: Partial<EvaluationConfig> & Pick<EvaluationConfig, 'task' | 'scores' | 'numClasses'>) =>
  evaluationConfig({metrics: true, ...over})

describe('metrics against the definitions', () => {
  it('multi-class logits with ties in the argmax (numpy: the first largest) and --class-ece', () => {
    const r = random(7)
    const K = 5
    const labels: number[] = []
    const scores: number[] = []
    for (let i = 0; i < 3000; i++) {
      const label = Math.floor(r() * K)
      // Coarse logits: many rows have two or more equal largest logits.
      const row = Array.from({length: K}, (_, c) => Math.round((r() * 4 + (c === label ? 1.5 : 0)) * 2) / 2)
      labels.push(label)
      scores.push(...row)
    }
    const rows = labels.map((_, i) => scores.slice(i * K, (i + 1) * K))
    assert.ok(
      rows.some((row) => row.filter((x) => x === Math.max(...row)).length > 1),
      'the data has ties',
    )
    const expected = reference(labels, rows, K, true, false)
    const cfg = config({task: 'multiclass', scores: 'logits', numClasses: K, classEce: true})
    checkReport(reportOf(evaluateRows(cfg, labels, scores, K)), expected, K, true)
    // Without --class-ece: the same figures, no classwise ECE.
    const plain = config({task: 'multiclass', scores: 'logits', numClasses: K})
    checkReport(reportOf(evaluateRows(plain, labels, scores, K)), expected, K, false)
  })

  it('multi-class probabilities with confidences exactly on bin edges and ties', () => {
    // Rows of three classes whose largest p is j/15 (an edge), or 1, or tied.
    const labels: number[] = []
    const scores: number[] = []
    for (let j = 6; j <= 15; j++) {
      const top = j / 15
      const rest = (1 - top) / 2
      for (let label = 0; label < 3; label++) {
        labels.push(label)
        scores.push(top, rest, rest)
      }
    }
    for (let label = 0; label < 3; label++) {
      labels.push(label)
      scores.push(0.25, 0.375, 0.375) // a tie: class 1
    }
    const rows = labels.map((_, i) => scores.slice(i * 3, i * 3 + 3))
    const expected = reference(labels, rows, 3, false, false)
    const cfg = config({task: 'multiclass', scores: 'probs', numClasses: 3, classEce: true})
    const report = reportOf(evaluateRows(cfg, labels, scores, 3))
    checkReport(report, expected, 3, true)
    // A confidence of exactly 1 has a slot of its own, listed last.
    const last = report.calibration?.reliability.at(-1)
    assert.deepEqual([last?.lower, last?.upper, last?.count], [1, 1, 3])
  })

  it('binary logits and probabilities, with p = 0.5 exactly (predicted negative) and p = 0', () => {
    const r = random(11)
    const labels: number[] = []
    const logits: number[] = []
    for (let i = 0; i < 2000; i++) {
      const label = r() < 0.3 ? 1 : 0
      labels.push(label)
      logits.push(i % 50 === 0 ? 0 : (r() - 0.5) * 8 + (label ? 1 : -1))
    }
    const logitRows = logits.map((x) => [x])
    const expectedLogits = reference(labels, logitRows, 2, true, true)
    for (const fuse of [true, false]) {
      const cfg = config({task: 'binary', scores: 'logits', numClasses: 2})
      checkReport(reportOf(evaluateRows(cfg, labels, logits, 1, [], {fuse})), expectedLogits, 2, true)
    }
    const probs = logits.map((x, i) =>
      i % 97 === 0 ? 0 : i % 89 === 0 ? 1 : Math.round(100 / (1 + Math.exp(-x))) / 100,
    )
    const expectedProbs = reference(
      labels,
      probs.map((p) => [p]),
      2,
      false,
      true,
    )
    const cfg = config({task: 'binary', scores: 'probs', numClasses: 2})
    checkReport(reportOf(evaluateRows(cfg, labels, probs, 1)), expectedProbs, 2, true)
  })

  it('multi-label: a 2 × 2 per class, element accuracy, calibration over every element', () => {
    const r = random(5)
    const K = 3
    const labels: number[] = []
    const scores: number[] = []
    for (let i = 0; i < 500; i++) {
      const p = Array.from({length: K}, () => Math.round(r() * 20) / 20)
      const y = p.map((pc) => (r() < pc ? 1 : 0))
      labels.push(0)
      scores.push(...p, ...y)
    }
    const cfg = config({task: 'multilabel', scores: 'probs', numClasses: K, elementLayout: 'wide'})
    const report = reportOf(evaluateRows(cfg, labels, scores, 2 * K))
    const confusion = Array.from({length: K}, () => [
      [0, 0],
      [0, 0],
    ])
    const pairs: [number, number][] = []
    const perClass: [number, number][][] = Array.from({length: K}, () => [])
    let brier = 0
    labels.forEach((_, i) => {
      for (let c = 0; c < K; c++) {
        const p = scores[i * 2 * K + c]
        const y = scores[i * 2 * K + K + c]
        confusion[c][y][p > 0.5 ? 1 : 0]++
        pairs.push([p, y])
        perClass[c].push([p, y])
        brier += (p - y) ** 2
      }
    })
    assert.deepEqual(report.confusion, confusion)
    const right = confusion.reduce((sum, m) => sum + m[0][0] + m[1][1], 0)
    close(report.accuracy, right / (labels.length * K), 'accuracy')
    close(report.calibration?.ece, calibrationReference(pairs).ece, 'ece', 1e-9)
    report.calibration?.perClass.forEach((c, i) =>
      close(c.ece, calibrationReference(perClass[i]).ece, `classwise ${i}`, 1e-9),
    )
    close(report.brier, brier / labels.length, 'brier', 1e-9)
    report.classes.forEach((row, c) => {
      const [[, fp], [fn, tp]] = confusion[c]
      close(row.precision, tp + fp === 0 ? 0 : tp / (tp + fp), `precision ${c}`)
      close(row.recall, tp + fn === 0 ? 0 : tp / (tp + fn), `recall ${c}`)
      assert.equal(row.support, tp + fn)
    })
    assert.equal(report.topConfusions, null)
  })

  it('a class never predicted and never present: zero_division = 0', () => {
    const cfg = config({task: 'multiclass', scores: 'probs', numClasses: 3})
    const report = reportOf(evaluateRows(cfg, [0, 1, 0], [0.9, 0.1, 0, 0.2, 0.8, 0, 0.6, 0.4, 0], 3))
    assert.deepEqual(
      report.classes.map((c) => [c.precision, c.recall, c.f1, c.support]),
      [
        [1, 1, 1, 2],
        [1, 1, 1, 1],
        [0, 0, 0, 0],
      ],
    )
  })
})

describe('metrics merge', () => {
  it('binary logits whose p is on a bin edge or a few float32 ulps from it, fused and unfused', () => {
    // p = each inner edge and its float32 neighbours (3 each side), for both labels: the kernel's ⌊15·f⌋
    // and neighbour correction, and calibrationSlot's, must put every one where bucketize does.
    const view = new DataView(new ArrayBuffer(4))
    const labels: number[] = []
    const logits: number[] = []
    for (const edge of TORCH_EDGES.slice(1, -1)) {
      for (let steps = -3; steps <= 3; steps++) {
        view.setFloat32(0, edge)
        view.setInt32(0, view.getInt32(0) + steps)
        const p = view.getFloat32(0)
        for (const label of [0, 1]) {
          labels.push(label)
          logits.push(Math.log(p) - Math.log1p(-p))
        }
      }
    }
    const expected = reference(
      labels,
      logits.map((x) => [x]),
      2,
      true,
      true,
    )
    for (const fuse of [true, false]) {
      const cfg = config({task: 'binary', scores: 'logits', numClasses: 2})
      checkReport(reportOf(evaluateRows(cfg, labels, logits, 1, [], {fuse})), expected, 2, true)
    }
  })

  it('binary logits counted in the fused kernel: any chunking and merge give one pass’s figures, as unfused', () => {
    const r = random(23)
    const labels: number[] = []
    const logits: number[] = []
    for (let i = 0; i < 30000; i++) {
      labels.push(r() < 0.2 ? 1 : 0)
      logits.push((r() - 0.5) * 10)
    }
    const cfg = config({task: 'binary', scores: 'logits', numClasses: 2, concentration: true})
    const whole = reportOf(evaluateRows(cfg, labels, logits, 1))
    const chunked = reportOf(evaluateRows(cfg, labels, logits, 1, [5, 1024, 8192, 8193, 20000]))
    const cut = 17000
    const merged = reportOf(
      mergeStates(
        evaluateRows(cfg, labels.slice(0, cut), logits.slice(0, cut), 1),
        evaluateRows(cfg, labels.slice(cut), logits.slice(cut), 1),
      ),
    )
    const unfused = reportOf(evaluateRows(cfg, labels, logits, 1, [], {fuse: false}))
    assert.equal(
      whole.confusion?.flat(2).reduce((a: number, b) => a + (b as number), 0),
      labels.length,
    )
    for (const report of [chunked, merged, unfused]) {
      assert.deepEqual(report.confusion, whole.confusion)
      assert.deepEqual(
        report.calibration?.reliability.map((b) => b.count),
        whole.calibration?.reliability.map((b) => b.count),
      )
      close(report.calibration?.ece, whole.calibration?.ece ?? NaN, 'ece', 1e-12)
      report.calibration?.perClass.forEach((c, i) =>
        close(c.ece, whole.calibration?.perClass[i].ece ?? NaN, 'classwise', 1e-12),
      )
      close(report.brier, whole.brier ?? NaN, 'brier', 1e-12)
    }
  })

  it('any chunking, and halves merged, give the same figures as one pass', () => {
    const r = random(3)
    const K = 4
    const labels: number[] = []
    const scores: number[] = []
    for (let i = 0; i < 20000; i++) {
      labels.push(Math.floor(r() * K))
      for (let c = 0; c < K; c++) scores.push((r() - 0.5) * 6)
    }
    const cfg = config({task: 'multiclass', scores: 'logits', numClasses: K, classEce: true})
    const whole = reportOf(evaluateRows(cfg, labels, scores, K))
    const chunked = reportOf(evaluateRows(cfg, labels, scores, K, [1, 777, 8192, 9000, 15000]))
    const cut = 12345
    const merged = reportOf(
      mergeStates(
        evaluateRows(cfg, labels.slice(0, cut), scores.slice(0, cut * K), K),
        evaluateRows(cfg, labels.slice(cut), scores.slice(cut * K), K),
      ),
    )
    for (const report of [chunked, merged]) {
      assert.deepEqual(report.confusion, whole.confusion)
      assert.deepEqual(
        report.classes.map((c) => [c.precision, c.recall, c.f1]),
        whole.classes.map((c) => [c.precision, c.recall, c.f1]),
      )
      close(report.calibration?.ece, whole.calibration?.ece ?? NaN, 'ece', 1e-13)
      close(report.brier, whole.brier ?? NaN, 'brier', 1e-13)
      report.topConfusions?.forEach((c, i) => close(c.ceShare, whole.topConfusions?.[i].ceShare ?? NaN, 'share', 1e-13))
    }
  })
})
