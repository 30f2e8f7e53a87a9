/**
 * `--preset`: `sweep[i].reduced` against the libraries' own code. Every expected number below is what the named
 * library function returns on the case's input, computed by test/helpers/library_ports.py — float64 torch ports of
 * kornia 0.8.3, ultralytics 8.3 and mmdet 3.x, line for line (kornia, ultralytics and mmdet cannot be installed
 * here). The last test re-runs that script on CASES and checks every literal, when /usr/bin/python3 has torch;
 * `PRINT_LIBRARY_VALUES=1` makes it print the script's values (how the literals were produced).
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {lossOptions} from '../../src/analyze-predictions.js'
import type {AlphaSpec, EvaluationConfig} from '../../src/core/config.js'
import {LossBreakdownEvaluator} from '../../src/core/evaluators/loss-breakdown.js'
import type {PresetName} from '../../src/core/presets.js'
import {buildReport} from '../../src/core/report.js'
import type {LossVariant, Report, Task} from '../../src/core/result.js'
import {makeChunk} from '../helpers/make-chunk.js'

const PORTS = fileURLToPath(new URL('../helpers/library_ports.py', import.meta.url))
const PYTHON = '/usr/bin/python3'

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
function presetReport(task: Task, logits: number[][], targets: number[][] | number[], options: RunOptions): Report {
  const k = task === 'binary' ? 2 : logits[0].length
  const config: EvaluationConfig = {
    task,
    scores: 'logits',
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
        alpha: null,
        alphaSpec: options.alpha,
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
  const evaluator = new LossBreakdownEvaluator(config)
  const state = evaluator.init()
  evaluator.update(state, chunk)
  return buildReport(evaluator.finish(state), config, {
    files: ['test'],
    format: 'csv',
    classes: task === 'binary' ? ['0', '1'] : Array.from({length: k}, (_, c) => String(c)),
    fileRows: [logits.length],
    skipped: [],
  })
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
