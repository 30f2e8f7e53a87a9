/**
 * `--preset`: `sweep[i].reduced` against the libraries' own code. Every expected number below is what the named
 * library function returns on the case's input, computed by test/helpers/library_ports.py — float64 torch ports of
 * kornia 0.8.3, ultralytics 8.3 and mmdet 3.x, line for line (kornia, ultralytics and mmdet cannot be installed
 * here). The last test re-runs that script on CASES and checks every literal, when /usr/bin/python3 has torch;
 * `PRINT_LIBRARY_VALUES=1` makes it print the script's values (how the literals were produced).
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {parse} from 'csv-parse/sync'

import {lossOptions} from '../../src/core/loss-options.js'
import type {AlphaSpec, EvaluationConfig} from '../../src/core/config.js'
import {Evaluation} from '../../src/core/evaluation.js'
import {compensatedValue} from '../../src/core/state/merge-rules.js'
import {mergeStates, type PartialState} from '../../src/core/state/partial-state.js'
import {evaluateChunks, evaluateRows, reportOf, settingsFor} from '../helpers/evaluate.js'
import type {PresetName} from '../../src/core/presets.js'
import type {LossVariant, Report, Task} from '../../src/report/types.js'
import {openSource} from '../../src/readers/open-source.js'
import {evaluateSource} from '../../src/pipeline/evaluate-source.js'
import {makeChunk} from '../helpers/make-chunk.js'
import {runCli, runReportJson} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const PORTS = fileURLToPath(new URL('../helpers/library_ports.py', import.meta.url))
const PYTHON = '/usr/bin/python3'
const file = tempDir()
const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url))

/** The three-row binary example of the README and torchvision's tests: logits and labels. */
const BINARY_LOGITS = [[0.8], [-1.5], [0.1]]
const BINARY_TARGETS = [[1], [0], [1]]
/** Five anchors × three classes with soft targets (the IoU-aware scores of a detector); 4 positive anchors. */
const LOGITS = [
  [2.0, -1.0, 0.5],
  [-3.0, -0.2, 1.5],
  [0.3, -4.0, -2.5],
  [-1.2, 0.8, -0.1],
  [4.0, -2.0, -6.0],
]
const SOFT_TARGETS = [
  [0.9, 0, 0],
  [0, 0, 0.35],
  [0, 0, 0],
  [0, 1, 0],
  [0.6, 0, 0],
]

const HARD_TARGETS = SOFT_TARGETS.map((row) => row.map((y) => (y > 0 ? 1 : 0)))
/** Soft binary labels (--soft-labels: one sigmoid element per row): label smoothing, distillation, 0 and 1. */
const SOFT_BINARY_LOGITS = [[2.2], [-1.3], [0.4], [-3.1], [0.05], [1.7], [-0.6], [4.5]]
const SOFT_BINARY_TARGETS = [[0.95], [0.05], [0.7], [0], [0.5], [1], [0.2], [0.9]]
/** The same logits read as a multi-class softmax, one class per row (class counts 2, 2, 1). */
const MULTICLASS_LABELS = [0, 2, 1, 1, 0]
/** Rows kornia's max-shifted log-softmax takes: the first's logit 0 is 800 below its row's maximum. */
const FAR_LOGITS = [
  [800, 0, -5],
  [-3.0, -0.2, 1.5],
]
const FAR_LABELS = [1, 2]
/** Rows where a class other than the label holds nearly all the mass (1 − p_j ≈ 0 under a fractional γ). */
const DOMINANT_LOGITS = [
  [40, 0.3, -1],
  [12, -3, 0.5],
  [0, 35, 2],
]
const DOMINANT_LABELS = [1, 2, 0]
/** Softmax probabilities (given to kornia as the logits log p). */
const PROBS = [
  [0.7, 0.1, 0.2],
  [0.05, 0.05, 0.9],
  [0.2, 0.3, 0.5],
]
const PROBS_LABELS = [0, 2, 1]

/** A fixture's label column and score columns, read with csv-parse (not focalscope's reader). */
function fixtureColumns(name: string, scoreColumns: string[]): {labels: number[]; scores: number[][]} {
  const text = readFileSync(fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url)), 'utf8')
  const records = parse(text, {columns: true}) as Record<string, string>[]
  return {
    labels: records.map((r) => Number(r.label)),
    scores: records.map((r) => scoreColumns.map((c) => Number(r[c]))),
  }
}
const BINARY_FIXTURE = fixtureColumns('binary.csv', ['logit'])
const SOFT_FIXTURE = fixtureColumns('binary-soft.csv', ['logit'])
const MULTICLASS_FIXTURE = fixtureColumns(
  'multiclass.csv',
  Array.from({length: 5}, (_, j) => `logit_${j}`),
)

/** A call of a ported library function (library_ports.py `run`) and the number it returns. */
interface LibraryCase {
  call: Record<string, unknown>
  value: number
}

const CASES = {
  ultralyticsFocalBinary: {
    call: {fn: 'ultralytics_focal_loss', logits: BINARY_LOGITS, targets: BINARY_TARGETS, gamma: 1.5, alpha: 0.25},
    value: 0.08052775724608184,
  },
  ultralyticsVarifocalBinary: {
    call: {fn: 'ultralytics_varifocal_loss', logits: BINARY_LOGITS, targets: BINARY_TARGETS, gamma: 2, alpha: 0.75},
    value: 1.0205244612162803,
  },
  ultralyticsFocalMultilabel: {
    call: {fn: 'ultralytics_focal_loss', logits: LOGITS, targets: SOFT_TARGETS, gamma: 1.5, alpha: 0.25},
    value: 0.5045522322138771,
  },
  korniaFocalAlpha: {
    call: {
      fn: 'kornia_focal_loss',
      logits: LOGITS,
      labels: MULTICLASS_LABELS,
      alpha: 0.25,
      gamma: 2,
      reduction: 'mean',
    },
    value: 0.07255821503798385,
  },
  korniaFocalGamma0: {
    call: {
      fn: 'kornia_focal_loss',
      logits: LOGITS,
      labels: MULTICLASS_LABELS,
      alpha: null,
      gamma: 0,
      reduction: 'mean',
    },
    value: 0.3483841898303762,
  },
  korniaFocalGammaHalf: {
    call: {
      fn: 'kornia_focal_loss',
      logits: LOGITS,
      labels: MULTICLASS_LABELS,
      alpha: null,
      gamma: 0.5,
      reduction: 'mean',
    },
    value: 0.3189347780796495,
  },
  korniaFocalGamma2: {
    call: {
      fn: 'kornia_focal_loss',
      logits: LOGITS,
      labels: MULTICLASS_LABELS,
      alpha: null,
      gamma: 2,
      reduction: 'mean',
    },
    value: 0.28875294260898343,
  },
  // --alpha inverse-frequency on counts [2, 2, 1]: w = [0.75, 0.75, 1.5], kornia's `weight` per class.
  korniaFocalWeight: {
    call: {
      fn: 'kornia_focal_loss',
      logits: LOGITS,
      labels: MULTICLASS_LABELS,
      alpha: null,
      gamma: 2,
      reduction: 'mean',
      weight: [0.75, 0.75, 1.5],
    },
    value: 0.21679882503399475,
  },
  korniaFocalFar: {
    call: {fn: 'kornia_focal_loss', logits: FAR_LOGITS, labels: FAR_LABELS, alpha: 0.25, gamma: 2, reduction: 'mean'},
    value: 33.333562000627886,
  },
  korniaFocalDominant: {
    call: {
      fn: 'kornia_focal_loss',
      logits: DOMINANT_LOGITS,
      labels: DOMINANT_LABELS,
      alpha: null,
      gamma: 0.5,
      reduction: 'mean',
    },
    value: 9.57778235425766,
  },
  korniaFocalProbs: {
    call: {fn: 'kornia_focal_loss', probs: PROBS, labels: PROBS_LABELS, alpha: 0.25, gamma: 2, reduction: 'mean'},
    value: 0.0190922079798619,
  },
  korniaBinarySoft: {
    call: {
      fn: 'kornia_binary_focal_loss_with_logits',
      logits: LOGITS,
      targets: SOFT_TARGETS,
      alpha: 0.25,
      gamma: 2,
      reduction: 'mean',
    },
    value: 0.17162508609112642,
  },
  korniaBinaryHard: {
    call: {
      fn: 'kornia_binary_focal_loss_with_logits',
      logits: LOGITS,
      targets: HARD_TARGETS,
      alpha: 0.25,
      gamma: 2,
      reduction: 'mean',
    },
    value: 0.04899085943414398,
  },
  korniaSoftLabels: {
    call: {
      fn: 'kornia_binary_focal_loss_with_logits',
      logits: SOFT_BINARY_LOGITS,
      targets: SOFT_BINARY_TARGETS,
      alpha: 0.25,
      gamma: 2,
      reduction: 'mean',
    },
    value: 0.08192117609969986,
  },
  korniaSoftLabelsGamma0: {
    call: {
      fn: 'kornia_binary_focal_loss_with_logits',
      logits: SOFT_BINARY_LOGITS,
      targets: SOFT_BINARY_TARGETS,
      alpha: null,
      gamma: 0,
      reduction: 'mean',
    },
    value: 0.3847440458342808,
  },
  korniaSoftLabelsGamma2: {
    call: {
      fn: 'kornia_binary_focal_loss_with_logits',
      logits: SOFT_BINARY_LOGITS,
      targets: SOFT_BINARY_TARGETS,
      alpha: null,
      gamma: 2,
      reduction: 'mean',
    },
    value: 0.1322571696969814,
  },
  ultralyticsFocalFixture: {
    call: {
      fn: 'ultralytics_focal_loss',
      logits: BINARY_FIXTURE.scores,
      targets: BINARY_FIXTURE.labels.map((y) => [y]),
      gamma: 1.5,
      alpha: 0.25,
    },
    value: 285.7961911649629,
  },
  korniaFocalFixture: {
    call: {
      fn: 'kornia_focal_loss',
      logits: MULTICLASS_FIXTURE.scores,
      labels: MULTICLASS_FIXTURE.labels,
      alpha: null,
      gamma: 2,
      reduction: 'mean',
    },
    value: 0.04267417088718522,
  },
  korniaSoftFixture: {
    call: {
      fn: 'kornia_binary_focal_loss_with_logits',
      logits: SOFT_FIXTURE.scores,
      targets: SOFT_FIXTURE.labels.map((y) => [y]),
      alpha: 0.25,
      gamma: 2,
      reduction: 'mean',
    },
    value: 0.1130150555220745,
  },
  mmdetFocal: {
    call: {fn: 'mmdet_py_sigmoid_focal_loss', logits: LOGITS, targets: SOFT_TARGETS, gamma: 2, alpha: 0.25},
    value: 0.27369623364613416,
  },
} satisfies Record<string, LibraryCase>

function close(actual: number | null | undefined, expected: number, what: string, rel = 1e-12): void {
  assert.ok(
    typeof actual === 'number' && Math.abs(actual - expected) <= rel * Math.abs(expected),
    `${what}: expected ${expected}, got ${actual}`,
  )
}

interface RunOptions {
  preset: PresetName
  loss?: LossVariant
  alpha?: AlphaSpec
  gammas?: number[]
}

/** Rows through lossOptions (as `report` resolves a preset), the evaluator and buildReport. */
function presetReport(
  task: Task,
  logits: number[][],
  targets: number[][] | number[],
  options: RunOptions,
  scores: 'logits' | 'probs' = 'logits',
): Report {
  const k = task === 'binary' ? 2 : logits[0].length
  const config: EvaluationConfig = {
    task,
    scores,
    numClasses: k,
    easyThreshold: 0.5,
    eps: 1e-7,
    probTolerance: 1e-4,
    rowSumTolerance: 1e-3,
    rowSumPolicy: 'refuse',
    ...(task === 'multilabel' ? {elementLayout: 'wide' as const} : {}),
    ...lossOptions(
      {
        gammas: options.gammas ?? [0, 0.5, 1, 2, 5],
        alphaSpec: options.alpha ?? {kind: 'none'},
        preset: options.preset,
        explicit: {gammas: options.gammas !== undefined, alpha: options.alpha !== undefined},
        loss: options.loss,
      },
      task,
      k,
    ),
  }
  const chunk =
    task === 'multilabel'
      ? makeChunk(
          logits.map(() => 0),
          logits.flatMap((row, i) => [...row, ...(targets as number[][])[i]]),
          2 * k,
        )
      : task === 'binary'
        ? makeChunk(
            (targets as number[][]).map((row) => row[0]),
            logits.flat(),
            1,
          )
        : makeChunk(targets as number[], logits.flat(), k)
  return reportOf(evaluateChunks(config, [chunk]))
}

describe('--preset ultralytics: loss.mean(1).sum() over the (N, K) prediction tensor', () => {
  it('binary (N, 1): the sum itself, FocalLoss 0.08052775724608184 and VarifocalLoss 1.0205244612162803', () => {
    const focal = presetReport('binary', BINARY_LOGITS, BINARY_TARGETS, {preset: 'ultralytics'})
    close(focal.sweep[0].reduced, CASES.ultralyticsFocalBinary.value, 'FocalLoss')
    assert.equal(focal.config.reduction?.divisor, 1)
    const varifocal = presetReport('binary', BINARY_LOGITS, BINARY_TARGETS, {preset: 'ultralytics', loss: 'varifocal'})
    close(varifocal.sweep[0].reduced, CASES.ultralyticsVarifocalBinary.value, 'VarifocalLoss')
  })

  it('multi-label (N, K): the sum over K, FocalLoss 0.5045522322138771', () => {
    const r = presetReport('multilabel', LOGITS, SOFT_TARGETS, {preset: 'ultralytics'})
    close(r.sweep[0].reduced, CASES.ultralyticsFocalMultilabel.value, 'FocalLoss')
    assert.equal(r.config.reduction?.divisor, 3)
  })
})

describe('--preset kornia, multi-class: focal_loss with its one-hot smoothed by eps = 1e-6', () => {
  it('α 0.25 → [0.75, 0.25, 0.25]: 0.07255821503798385 (the off-target classes add 1.0e-5 relative)', () => {
    const r = presetReport('multiclass', LOGITS, MULTICLASS_LABELS, {
      preset: 'kornia',
      alpha: {kind: 'scalar', value: 0.25},
    })
    close(r.sweep[0].reduced, CASES.korniaFocalAlpha.value, 'focal_loss mean')
    assert.equal(r.config.reduction?.divisor, 15)
  })

  it('every γ of a sweep, without α', () => {
    const r = presetReport('multiclass', LOGITS, MULTICLASS_LABELS, {preset: 'kornia', gammas: [0, 0.5, 2]})
    close(r.sweep[0].reduced, CASES.korniaFocalGamma0.value, 'γ = 0')
    close(r.sweep[1].reduced, CASES.korniaFocalGammaHalf.value, 'γ = 0.5')
    close(r.sweep[2].reduced, CASES.korniaFocalGamma2.value, 'γ = 2')
  })

  it('class-balanced α as kornia’s per-class weight, applied to the off-target terms too', () => {
    const r = presetReport('multiclass', LOGITS, MULTICLASS_LABELS, {
      preset: 'kornia',
      alpha: {kind: 'inverse-frequency'},
    })
    assert.deepEqual(r.config.alphaByClass, [0.75, 0.75, 1.5])
    close(r.sweep[0].reduced, CASES.korniaFocalWeight.value, 'focal_loss weight=w')
  })

  it('rows whose logits are 800 apart (max-shifted) or dominated by another class, and probabilities as log p', () => {
    const far = presetReport('multiclass', FAR_LOGITS, FAR_LABELS, {
      preset: 'kornia',
      alpha: {kind: 'scalar', value: 0.25},
    })
    close(far.sweep[0].reduced, CASES.korniaFocalFar.value, 'far logits')
    const config = {preset: 'kornia' as const, alpha: {kind: 'scalar' as const, value: 0.25}}
    const dominant = presetReport('multiclass', DOMINANT_LOGITS, DOMINANT_LABELS, {preset: 'kornia', gammas: [0.5]})
    close(dominant.sweep[0].reduced, CASES.korniaFocalDominant.value, 'another class holds the mass, γ = 0.5')
    const probs = presetReport('multiclass', PROBS, PROBS_LABELS, config, 'probs')
    close(probs.sweep[0].reduced, CASES.korniaFocalProbs.value, 'probabilities')
  })

  it('leaves the sums, shares and other presets as they were: the eps terms are only in `reduced`', () => {
    const none = {kind: 'none'} as const
    const kornia = presetReport('multiclass', LOGITS, MULTICLASS_LABELS, {preset: 'kornia', alpha: none})
    const plain = presetReport('multiclass', LOGITS, MULTICLASS_LABELS, {preset: 'paper', alpha: none})
    assert.equal(kornia.sweep[0].sum, plain.sweep[0].sum)
    assert.deepEqual(kornia.classes, plain.classes)
    assert.ok(kornia.sweep[0].reduced !== kornia.sweep[0].sum / 15)
  })
})

describe('--preset kornia, sigmoid: binary_focal_loss_with_logits, −α(1 − p)^γ·y·log p − (1 − α)p^γ·(1 − y)·log(1 − p)', () => {
  it('soft targets: kornia’s two-term form, 0.17162508609112642, not BCE · (1 − p_t)^γ', () => {
    const r = presetReport('multilabel', LOGITS, SOFT_TARGETS, {preset: 'kornia'})
    close(r.sweep[0].reduced, CASES.korniaBinarySoft.value, 'binary_focal_loss_with_logits mean')
    assert.equal(r.config.reduction?.divisor, 15)
    // The breakdown keeps focalscope's per-element FL (torchvision's form): only `reduced` is kornia's.
    const torchvision = presetReport('multilabel', LOGITS, SOFT_TARGETS, {preset: 'torchvision'})
    assert.equal(r.sweep[0].sum, torchvision.sweep[0].sum)
  })

  it('0/1 targets: the same value as the p_t form', () => {
    const r = presetReport('multilabel', LOGITS, HARD_TARGETS, {preset: 'kornia'})
    close(r.sweep[0].reduced, CASES.korniaBinaryHard.value, 'binary_focal_loss_with_logits mean')
    close(r.sweep[0].reduced, (r.sweep[0].sum as number) / 15, 'sum / elements')
  })

  it('--soft-labels (one element per row), with α 0.25 and with α none at γ 0 and 2', () => {
    const r = presetReport('multilabel', SOFT_BINARY_LOGITS, SOFT_BINARY_TARGETS, {preset: 'kornia'})
    close(r.sweep[0].reduced, CASES.korniaSoftLabels.value, 'α 0.25')
    const none = presetReport('multilabel', SOFT_BINARY_LOGITS, SOFT_BINARY_TARGETS, {
      preset: 'kornia',
      alpha: {kind: 'none'},
      gammas: [0, 2],
    })
    close(none.sweep[0].reduced, CASES.korniaSoftLabelsGamma0.value, 'α none, γ 0')
    close(none.sweep[1].reduced, CASES.korniaSoftLabelsGamma2.value, 'α none, γ 2')
  })
})

describe('--preset mmdet: loss.sum() / (avg_factor + torch.finfo(torch.float32).eps)', () => {
  it('divides by the 4 positive anchors plus 2^-23: 0.27369623364613416; --preset paper by 4 alone', () => {
    const r = presetReport('multilabel', LOGITS, SOFT_TARGETS, {preset: 'mmdet'})
    close(r.sweep[0].reduced, CASES.mmdetFocal.value, 'FocalLoss with avg_factor')
    assert.equal(r.config.reduction?.divisor, 4 + 1.1920928955078125e-7)
    const paper = presetReport('multilabel', LOGITS, SOFT_TARGETS, {preset: 'paper'})
    assert.equal(paper.sweep[0].sum, r.sweep[0].sum)
    assert.equal(paper.sweep[0].reduced, paper.sweep[0].sum / 4)
  })
})

describe('kornia sums in the evaluator state', () => {
  let seed = 5
  const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
  const k = 4
  const n = 20000
  const labels = Array.from({length: n}, () => Math.floor(random() * k))
  // Mostly moderate logits, and one row in 500 with a logit ~800 above the label's (the max-shifted path).
  const scores = labels.flatMap((label) =>
    Array.from({length: k}, (_, j) => (random() - 0.5) * 10 + (j === label ? 2 : 0) + (random() < 0.002 ? 800 : 0)),
  )
  const config: EvaluationConfig = {
    task: 'multiclass',
    scores: 'logits',
    numClasses: k,
    easyThreshold: 0.5,
    eps: 1e-7,
    probTolerance: 1e-4,
    rowSumTolerance: 1e-3,
    rowSumPolicy: 'refuse',
    ...lossOptions(
      {gammas: [0, 2], alphaSpec: {kind: 'none'}, preset: 'kornia', explicit: {gammas: true, alpha: false}},
      'multiclass',
      k,
    ),
  }
  const offTarget = (state: PartialState): number[] => {
    const sums = state.sections.kornia?.offTarget
    assert.ok(sums)
    return Array.from(sums.sum, (_, i) => compensatedValue(sums, i))
  }
  const run = (from: number, to: number, cuts: number[] = []): PartialState =>
    evaluateRows(
      config,
      labels.slice(from, to),
      scores.slice(from * k, to * k),
      k,
      cuts.map((c) => c - from),
    )

  it('gives the same doubles for any chunking, and merged halves (or units of one evaluation) equal the whole', () => {
    const whole = run(0, n)
    assert.equal(whole.sections.kornia?.offTarget.sum.length, 2 * k)
    assert.ok(offTarget(whole).every((x) => x > 0))
    assert.deepEqual(offTarget(run(0, n, [1, 8191, 8193, 12345])), offTarget(whole))
    const halves = mergeStates(run(0, 9000), run(9000, n))
    const shared = new Evaluation(settingsFor(config))
    shared.update(makeChunk(labels.slice(0, 5000), scores.slice(0, 5000 * k), k))
    const first = shared.take({path: 'test', order: 0})
    shared.update(makeChunk(labels.slice(5000), scores.slice(5000 * k), k))
    const units = mergeStates(first, shared.take({path: 'test', order: 0}))
    for (const merged of [halves, units]) {
      offTarget(merged).forEach((x, i) => close(x, offTarget(whole)[i], `off-target sum ${i}`))
    }
  })

  it('threads sharing a CSV give the single-threaded off-target sums', async () => {
    const text = ['label,' + Array.from({length: k}, (_, j) => `logit_${j}`).join(',')]
    labels.forEach((label, i) => text.push([label, ...scores.slice(i * k, (i + 1) * k)].join(',')))
    const path = file('kornia.csv', text.join('\n') + '\n')
    const single = run(0, n)
    const source = await openSource(path, {labelCol: 'label'})
    const settings = settingsFor(config)
    const options = {threads: 2, skip: false, order: 0, ceBefore: 0, tuning: {minBytes: 0, unitBytes: 1 << 16}}
    const state = await evaluateSource(source, settings, options)
    assert.equal(state.input.rows, n)
    offTarget(state).forEach((x, i) => close(x, offTarget(single)[i], `off-target sum ${i}`))
  })

  it('multi-label: the two-term sums are the same doubles for any chunking, and merged halves equal the whole', () => {
    const width = 3
    const rows = 12000
    const values = Array.from({length: rows}, () => [
      ...Array.from({length: width}, () => (random() - 0.6) * 12),
      ...Array.from({length: width}, () => (random() < 0.2 ? Math.round(random() * 100) / 100 : 0)),
    ])
    const multilabel: EvaluationConfig = {
      ...config,
      task: 'multilabel',
      numClasses: width,
      elementLayout: 'wide',
      ...lossOptions(
        {gammas: [0, 2], alphaSpec: {kind: 'none'}, preset: 'kornia', explicit: {gammas: true, alpha: false}},
        'multilabel',
        width,
      ),
    }
    const terms = (state: PartialState): number[] => {
      const sums = state.sections.kornia
      assert.ok(sums)
      return [
        ...Array.from(sums.positiveTerm.sum, (_, i) => compensatedValue(sums.positiveTerm, i)),
        ...Array.from(sums.negativeTerm.sum, (_, i) => compensatedValue(sums.negativeTerm, i)),
      ]
    }
    const feed = (from: number, to: number, cuts: number[] = []): PartialState => {
      const part = values.slice(from, to)
      return evaluateRows(
        multilabel,
        part.map(() => 0),
        part.flat(),
        2 * width,
        cuts.map((c) => c - from),
      )
    }
    const whole = feed(0, rows)
    assert.equal(whole.sections.kornia?.positiveTerm.sum.length, 2 * 4 * width)
    assert.deepEqual(terms(feed(0, rows, [1, 2730, 2731, 9000])), terms(whole))
    const halves = mergeStates(feed(0, 5000), feed(5000, rows))
    terms(halves).forEach((x, i) =>
      assert.ok(Math.abs(x - terms(whole)[i]) <= 1e-12 * Math.abs(terms(whole)[i]) + 1e-300),
    )
  })

  it('keeps no kornia sums without the preset (the default paths do no extra work)', () => {
    const plain = run(0, 100)
    assert.ok(plain.sections.kornia !== undefined)
    const withoutPreset = evaluateRows(
      {...config, korniaTerms: false},
      labels.slice(0, 100),
      scores.slice(0, 100 * k),
      k,
    )
    assert.equal(withoutPreset.sections.kornia, undefined)
  })
})

describe('focalscope report --preset, end to end on the fixtures', () => {
  const reduced = (args: string[]): number | null | undefined =>
    (runReportJson(args).json as unknown as Report).sweep[0].reduced

  it('binary.csv --preset ultralytics prints FocalLoss()(logits, labels)', () => {
    close(reduced([fixture('binary.csv'), '--preset', 'ultralytics']), CASES.ultralyticsFocalFixture.value, 'FocalLoss')
  })

  it('multiclass.csv --preset kornia prints focal_loss(alpha=None, gamma=2, reduction="mean")', () => {
    close(reduced([fixture('multiclass.csv'), '--preset', 'kornia']), CASES.korniaFocalFixture.value, 'focal_loss')
  })

  it('the table names each divisor: mmdet’s avg_factor + 2^-23, kornia’s own sum', () => {
    const mmdet = runCli(['report', fixture('multilabel.csv'), '--preset', 'mmdet'])
    assert.equal(mmdet.status, 0, mmdet.stderr)
    assert.match(mmdet.stdout, /^Reduction {2}avg-factor: the sum divided by \d+ \+ 2\^-23$/m)
    const kornia = runCli(['report', fixture('multiclass.csv'), '--preset', 'kornia'])
    assert.match(kornia.stdout, /^Reduction {2}mean-classes: kornia's sum \(README: presets\) divided by 2500$/m)
  })

  it('binary-soft.csv --soft-labels --preset kornia prints binary_focal_loss_with_logits(alpha=0.25, mean)', () => {
    const value = reduced([fixture('binary-soft.csv'), '--soft-labels', '--preset', 'kornia'])
    close(value, CASES.korniaSoftFixture.value, 'binary_focal_loss_with_logits')
  })
})

/** Whether /usr/bin/python3 can import torch (Debian's python3-torch); the reason when it cannot. */
function torchMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], {encoding: 'utf8'})
  if (probe.error) return `${PYTHON} cannot be run (${probe.error.message})`
  return probe.status === 0 ? null : `${PYTHON} has no torch (apt-get install python3-torch)`
}

describe('the expected values are the libraries’ (test/helpers/library_ports.py)', () => {
  it('every literal above equals the ported library function on its input', (t) => {
    const missing = torchMissing()
    if (missing) {
      t.skip(`not checked: ${missing}`)
      return
    }
    const cases: LibraryCase[] = Object.values(CASES)
    const run = spawnSync(PYTHON, [PORTS], {input: JSON.stringify(cases.map((c) => c.call)), encoding: 'utf8'})
    assert.equal(run.status, 0, run.stderr)
    const values = JSON.parse(run.stdout) as number[]
    if (process.env.PRINT_LIBRARY_VALUES) {
      Object.keys(CASES).forEach((name, i) => process.stdout.write(`${name}: ${values[i]}\n`))
    }
    cases.forEach((c, i) => close(values[i], c.value, `${Object.keys(CASES)[i]} (${String(c.call.fn)})`, 1e-15))
  })
})
