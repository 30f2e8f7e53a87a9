import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {lossOptions} from '../../src/core/loss-options.js'
import {classBalancedWeights} from '../../src/core/class-weights.js'
import type {AlphaSpec, EvaluationConfig} from '../../src/core/config.js'
import {compensatedValue} from '../../src/core/state/merge-rules.js'
import {mergeStates} from '../../src/core/state/partial-state.js'
import {evaluateChunks, evaluateRows, reportOf} from '../helpers/evaluate.js'
import type {PresetName} from '../../src/core/presets.js'
import type {LossVariant, Report, Task} from '../../src/report/types.js'
import {makeChunk} from '../helpers/make-chunk.js'
import {settingsFor} from '../helpers/evaluate.js'
import {Evaluation} from '../../src/core/evaluation.js'

/**
 * Expected numbers: a float64 numpy transcription of each library's published formula (not this code),
 * run on the inputs below:
 *   torchvision/ops/focal_loss.py sigmoid_focal_loss (pytorch/vision): ce·(1 − p_t)^γ·α_t, .sum() / .mean()
 *   ultralytics/utils/loss.py FocalLoss / VarifocalLoss: (...).mean(1).sum()
 *   mmdet/models/losses/focal_loss.py py_sigmoid_focal_loss with avg_factor = positive anchors
 *   kornia/losses/focal.py binary_focal_loss_with_logits and focal_loss 0.8.3 (α → [1 − α, α, …], mean over N·C)
 * (the kornia and mmdet values, and every preset's, are also checked in library-presets.test.ts against line-for-line
 * torch ports of the libraries, test/helpers/library_ports.py)
 *   PolyLoss (Leng et al. 2022) Poly-1 focal: FL + ε·(1 − p_t)^(γ+1)
 * with ce = max(x, 0) − x·y + log1p(e^−|x|), p = σ(x), p_t = p·y + (1 − p)(1 − y), α_t = α·y + (1 − α)(1 − y).
 */
const LOGITS = [
  [2.0, -1.0, 0.5],
  [-3.0, -0.2, 1.5],
  [0.3, -4.0, -2.5],
  [-1.2, 0.8, -0.1],
  [4.0, -2.0, -6.0],
]
/** Soft targets; one positive class per positive row, so positive anchors = positive elements = 4. */
const TARGETS = [
  [0.9, 0, 0],
  [0, 0, 0.35],
  [0, 0, 0],
  [0, 1, 0],
  [0.6, 0, 0],
]
const K = 3

function close(actual: number | null | undefined, expected: number, what: string, rel = 1e-12): void {
  assert.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) <= rel * Math.abs(expected),
    `${what}: expected ${expected}, got ${actual}`,
  )
}

interface RunOptions {
  task?: Task
  gammas?: number[]
  alpha?: AlphaSpec
  preset?: PresetName
  loss?: LossVariant
  polyEpsilon?: number
  scores?: 'logits' | 'probs'
  explicitGammas?: boolean
}

function baseConfig(task: Task, numClasses: number, scores: 'logits' | 'probs' = 'logits'): EvaluationConfig {
  return {
    task,
    scores,
    numClasses,
    gammas: [0, 2],
    alphaSpec: {kind: 'none'},
    easyThreshold: 0.5,
    eps: 1e-7,
    probTolerance: 1e-4,
    rowSumTolerance: 1e-3,
    rowSumPolicy: 'refuse',
  }
}

/** Multi-label wide rows → the report, through the evaluator and buildReport (as `report` does). */
function multilabelReport(logits: number[][], targets: number[][], options: RunOptions = {}): Report {
  const k = logits[0].length
  const config: EvaluationConfig = {
    ...baseConfig(options.task ?? 'multilabel', k, options.scores),
    elementLayout: 'wide',
    ...lossOptions(
      {
        gammas: options.gammas ?? [0, 2],
        alphaSpec: options.alpha ?? {kind: 'none'},
        preset: options.preset,
        explicit: {gammas: options.explicitGammas ?? false, alpha: options.alpha !== undefined},
        loss: options.loss,
        polyEpsilon: options.polyEpsilon,
      },
      'multilabel',
      k,
    ),
  }
  const chunk = makeChunk(
    logits.map(() => 0),
    logits.flatMap((row, i) => [...row, ...targets[i]]),
    2 * k,
  )
  return reportOf(evaluateChunks(config, [chunk], {classes: Array.from({length: k}, (_, c) => `c${c}`)}))
}

describe('multi-label reference values (soft targets)', () => {
  it('torchvision sigmoid_focal_loss(alpha=0.25, gamma=2): sum 1.0947849672116705, mean 0.07298566448077803', () => {
    const r = multilabelReport(LOGITS, TARGETS, {preset: 'torchvision'})
    assert.deepEqual(r.config.gammas, [2])
    close(r.sweep[0].sum, 1.0947849672116705, 'sum')
    close(r.sweep[0].reduced, 0.07298566448077803, 'mean over N·K')
    assert.equal(r.config.reduction?.name, 'mean')
    assert.equal(r.config.reduction?.divisor, 15)
  })

  it('ultralytics FocalLoss(gamma=1.5, alpha=0.25): loss.mean(1).sum() = 0.5045522322138771', () => {
    const r = multilabelReport(LOGITS, TARGETS, {preset: 'ultralytics'})
    close(r.sweep[0].reduced, 0.5045522322138771, 'mean(1).sum()')
  })

  it('mmdet FocalLoss (gamma=2, alpha=0.25) with avg_factor = 4 positive anchors: 0.27369623364613416', () => {
    // mmdet divides by avg_factor + float32 eps (test/helpers/library_ports.py); the paper by the positives.
    const r = multilabelReport(LOGITS, TARGETS, {preset: 'mmdet'})
    close(r.sweep[0].reduced, 0.27369623364613416, 'sum / (positives + 2^-23)')
    const paper = multilabelReport(LOGITS, TARGETS, {preset: 'paper'})
    close(paper.sweep[0].reduced, 0.27369624180291763, 'paper: sum / positive anchors')
  })

  it('kornia binary_focal_loss_with_logits(alpha=0.25, gamma=2, mean) on hard targets: 0.048990859434144', () => {
    const hard = TARGETS.map((row) => row.map((y) => (y > 0 ? 1 : 0)))
    const r = multilabelReport(LOGITS, hard, {preset: 'kornia'})
    close(r.sweep[0].reduced, 0.048990859434144, 'mean')
  })

  it('ultralytics VarifocalLoss(gamma=2, alpha=0.75): 0.9239293798965441', () => {
    const r = multilabelReport(LOGITS, TARGETS, {preset: 'ultralytics', loss: 'varifocal'})
    assert.deepEqual(r.config.gammas, [2])
    close(r.sweep[0].reduced, 0.9239293798965441, 'VFL mean(1).sum()')
  })

  it('Poly-1 focal (γ=2, α=0.25, ε=1): sum 2.0719581262087563', () => {
    const r = multilabelReport(LOGITS, TARGETS, {
      gammas: [2],
      alpha: {kind: 'scalar', value: 0.25},
      loss: 'poly1',
      polyEpsilon: 1,
    })
    close(r.sweep[0].sum, 2.0719581262087563, 'poly1 sum')
  })

  it('splits every class into positive- and negative-target elements (BCE sums from numpy)', () => {
    const r = multilabelReport(LOGITS, TARGETS)
    close(r.totals.ce.sum, 7.415134505816167, 'CE sum')
    const expected = [
      [1.9450779389607822, 1.1662250633803004],
      [0.3711006659477777, 1.056478495860597],
      [1.1764132779827525, 1.6998390636839578],
    ]
    r.classes.forEach((row, c) => {
      close(row.byTarget?.positive.ce.sum, expected[c][0], `class ${c} positive CE`)
      close(row.byTarget?.negative.ce.sum, expected[c][1], `class ${c} negative CE`)
      assert.equal(row.count, 5)
    })
    assert.equal(r.input.rows, 5)
    assert.equal(r.input.elements, 15)
    assert.equal(r.input.positiveElements, 4)
    assert.equal(r.input.backgroundRows, 1)
    assert.deepEqual(r.input.positiveCounts, [2, 1, 1])
  })

  it('counts the background rows of a one-column input (the --soft-labels layout) as of a wider one', () => {
    const targets = [[0], [0.3], [0], [1], [0]]
    const r = multilabelReport(
      targets.map((_, i) => [LOGITS[i][0]]),
      targets,
    )
    assert.equal(r.input.backgroundRows, 3)
    assert.equal(r.input.positiveElements, 2)
  })

  it('a hard-target column gives the binary task’s exact figures', () => {
    const xs = [2.5, -0.3, 0.0, -7, 40, -40, 0.7]
    const ys = [1, 0, 1, 0, 1, 1, 0]
    const ml = multilabelReport(
      xs.map((x) => [x]),
      ys.map((y) => [y]),
      {gammas: [0, 0.5, 2], alpha: {kind: 'scalar', value: 0.25}, explicitGammas: true},
    )
    const config: EvaluationConfig = {
      ...baseConfig('binary', 2),
      gammas: [0, 0.5, 2],
      alphaSpec: {kind: 'scalar', value: 0.25},
    }
    const bin = reportOf(evaluateRows(config, ys, xs, 1))
    assert.equal(ml.totals.ce.sum, bin.totals.ce.sum)
    ml.sweep.forEach((s, g) => assert.equal(s.sum, bin.sweep[g].sum))
    assert.deepEqual(ml.splitByTarget, bin.splitByTarget)
  })
})

describe('class-balanced α (Cui et al. 2019), normalised to sum to K', () => {
  it('effective-number β=0.999 and inverse-frequency on counts [900, 100, 0] (numpy)', () => {
    const eff = classBalancedWeights([900, 100, 0], {kind: 'effective-number', beta: 0.999})
    ;[0.0049929408322611, 0.03113058829727307, 2.963876470870466].forEach((w, c) => close(eff[c], w, `w${c}`, 1e-12))
    const inv = classBalancedWeights([900, 100, 0], {kind: 'inverse-frequency'})
    ;[0.0032967032967033, 0.02967032967032968, 2.967032967032967].forEach((w, c) => close(inv[c], w, `w${c}`, 1e-12))
  })

  it('is applied per class from the counts of the same pass', () => {
    const r = multilabelReport(LOGITS, TARGETS, {gammas: [0], alpha: {kind: 'inverse-frequency'}, explicitGammas: true})
    const w = classBalancedWeights([2, 1, 1], {kind: 'inverse-frequency'})
    assert.deepEqual(r.config.alphaByClass, w)
    const expected = r.classes.reduce((a, row, c) => a + w[c] * row.ce.sum, 0)
    close(r.sweep[0].sum, expected, 'Σ_c w_c · CE_c')
  })
})

describe('kornia softmax focal loss (multi-class)', () => {
  it('focal_loss(alpha=0.25, gamma=2, mean) 0.8.3: α → [0.75, 0.25, 0.25], mean over N·C = 0.07255821503798385', () => {
    // kornia's one-hot weighs the other classes 1e-6 (test/helpers/library_ports.py; without them 0.07255747131771684).
    const labels = [0, 2, 1, 1, 0]
    const config: EvaluationConfig = {
      ...baseConfig('multiclass', K),
      ...lossOptions(
        {
          gammas: [0],
          alphaSpec: {kind: 'scalar', value: 0.25},
          preset: 'kornia',
          explicit: {gammas: false, alpha: true},
        },
        'multiclass',
        K,
      ),
    }
    assert.deepEqual(config.alphaSpec, {kind: 'list', values: [0.75, 0.25, 0.25]})
    const r = reportOf(evaluateRows(config, labels, LOGITS.flat(), K))
    close(r.sweep[0].reduced, 0.07255821503798385, 'mean over N·C', 1e-12)
    assert.equal(r.splitByTarget, null)
  })
})

describe('detection-style data: 200k anchors × 8 classes, 1 positive in 1,000', () => {
  it('easy negatives carry most of the CE, and not of the focal loss at γ = 2 (Lin et al. 2017 §3.3)', () => {
    const anchors = 200_000
    const k = 8
    let seed = 7
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
    const normal = (): number => Math.sqrt(-2 * Math.log(random() + 1e-300)) * Math.cos(2 * Math.PI * random())
    const config: EvaluationConfig = {
      ...baseConfig('multilabel', k),
      elementLayout: 'wide',
      gammas: [0, 2],
    }
    const evaluation = new Evaluation(settingsFor(config))
    const rowsPerChunk = 10_000
    const scores = new Float64Array(rowsPerChunk * 2 * k)
    const labels = new Int32Array(rowsPerChunk)
    for (let done = 0; done < anchors; done += rowsPerChunk) {
      for (let i = 0; i < rowsPerChunk; i++) {
        // One anchor in 1,000 is a positive of one class; a detector's logits: negatives mostly well below 0.
        const positiveClass = random() < 0.001 ? Math.floor(random() * k) : -1
        for (let j = 0; j < k; j++) {
          const positive = j === positiveClass
          // A trained detector: background well below 0, with 1 element in 1,000 confusable (a hard negative).
          const hardNegative = !positive && random() < 0.001
          scores[i * 2 * k + j] = positive || hardNegative ? 0.5 + 1.5 * normal() : -5 + 1.5 * normal()
          scores[i * 2 * k + k + j] = positive ? 1 : 0
        }
      }
      evaluation.update({rows: rowsPerChunk, width: 2 * k, labels, scores, locate: () => ({file: 'gen'})})
    }
    const r = reportOf(evaluation.take({path: 'generated', order: 0}))
    const split = r.splitByTarget
    assert.ok(split)
    assert.equal(r.input.elements, anchors * k)
    const easyNegativeCe = split.easyNegative.ceShare as number
    const easyNegativeFl = split.easyNegative.focal[1].share as number
    assert.ok(easyNegativeCe > 0.5, `easy negatives' CE share ${easyNegativeCe}`)
    assert.ok(easyNegativeFl < 0.5, `easy negatives' FL γ=2 share ${easyNegativeFl}`)
    assert.ok(easyNegativeFl < easyNegativeCe / 2)
    assert.ok((split.easyNegative.countShare as number) > 0.99)
  })
})

describe('multi-label evaluator state', () => {
  it('gives bit-identical sums for any chunking, and two merged halves equal the whole', () => {
    const k = 5
    let seed = 3
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
    const n = 5000
    const values = Array.from({length: n}, () => [
      ...Array.from({length: k}, () => (random() - 0.7) * 12),
      ...Array.from({length: k}, () => (random() < 0.1 ? Math.round(random() * 100) / 100 : 0)),
    ])
    const config: EvaluationConfig = {...baseConfig('multilabel', k), elementLayout: 'wide', loss: 'poly1'}
    const stateOf = (rows: number[][], cuts: number[] = []) =>
      evaluateRows(
        config,
        rows.map(() => 0),
        rows.flat(),
        2 * k,
        cuts,
      )
    const run = (cuts: number[]): number[] => {
      const {breakdown, input} = stateOf(values, cuts)
      return [
        ...breakdown.count,
        ...breakdown.ce.sum,
        ...breakdown.targetFocal.sum,
        ...breakdown.poly.sum,
        input.rows,
        input.backgroundRows,
      ]
    }
    const whole = run([])
    assert.deepEqual(run([1, 1638, 1639, 4000]), whole)
    assert.deepEqual(run([2500]), whole)

    const m = mergeStates(stateOf(values.slice(0, 2000)), stateOf(values.slice(2000)))
    const a = {rows: m.input.rows, backgroundRows: m.input.backgroundRows, count: m.breakdown.count}
    const merged = [a.rows, a.backgroundRows, ...a.count]
    assert.deepEqual(merged, [whole.at(-2), whole.at(-1), ...whole.slice(0, 4 * k)])
    const ceWhole = whole.slice(4 * k, 8 * k)
    m.breakdown.ce.sum.forEach((_, i) =>
      assert.ok(Math.abs(compensatedValue(m.breakdown.ce, i) - ceWhole[i]) <= 1e-12 * Math.abs(ceWhole[i]) + 1e-300),
    )
  })
})
