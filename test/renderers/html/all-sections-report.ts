/**
 * A hand-made report with every section the page can show, including those other issues add (issue 17:
 * concentration, grid, lossByPt; issue 18: accuracy, per-class metrics, confusion, topConfusions,
 * calibration, hardest). The figures are made up but consistent in shape; one class is named like a script,
 * and the file name holds markup, so every page built from it also tests escaping.
 */
import type {ClassRow, SplitSide} from '../../../src/report/types.js'
import type {ConcentrationGroup, HtmlReportInput} from '../../../src/renderers/html/report-sections.js'

export const SCRIPT_CLASS = '<script>alert(1)</script>'
export const MARKUP_FILE = 'runs/"a&b"<img src=x onerror=alert(2)>.csv'

const GAMMAS = [0, 1, 2]

function side(count: number, countShare: number, ceShare: number, ce: number, shares: number[]): SplitSide {
  return {
    count,
    countShare,
    ceShare,
    ce,
    focal: GAMMAS.map((gamma, i) => ({gamma, sum: ce * shares[i], share: shares[i]})),
  }
}

function classRow(name: string, count: number, ceShare: number, overweight: boolean, metrics: number[]): ClassRow {
  return {
    class: name,
    count,
    countShare: count / 100,
    ce: {sum: 50 * ceShare, share: ceShare},
    focal: GAMMAS.map((gamma, i) => ({gamma, sum: 50 * ceShare * (1 - 0.2 * i), share: ceShare + 0.01 * i})),
    overweight,
    byTarget: null,
    ...{precision: metrics[0], recall: metrics[1], f1: metrics[2], support: count},
  }
}

/** x of the concentration curves (issue 17's grid, shortened). */
const FRACTIONS = [0.0001, 0.001, 0.01, 0.05, 0.1, 0.2, 0.5, 1]

function group(name: string, gamma: number, steepness: number): ConcentrationGroup {
  return {
    group: name,
    gamma,
    count: name === 'all' ? 100 : 60,
    loss: 50 - 10 * gamma,
    curve: FRACTIONS.map((x) => [x, Math.min(1, Math.pow(x, 1 / steepness))]),
    topShare: {
      '0.01': 0.01 ** (1 / steepness),
      '0.05': 0.05 ** (1 / steepness),
      '0.1': 0.1 ** (1 / steepness),
      '0.2': 0.2 ** (1 / steepness),
    },
    fractionCarrying: {
      '0.5': 0.5 ** steepness,
      '0.8': 0.8 ** steepness,
      '0.9': 0.9 ** steepness,
      '0.99': 0.99 ** steepness,
    },
    gini: 1 - 1 / steepness,
    effectiveSamples: 100 / steepness,
  }
}

export function allSectionsReport(): HtmlReportInput {
  return {
    schemaVersion: 1,
    input: {
      files: [MARKUP_FILE],
      format: 'csv',
      task: 'multiclass',
      scores: 'logits',
      rows: 100,
      skippedRows: 0,
      skipped: [],
      fileRows: [100],
      clampedValues: 0,
      probabilityRowSums: null,
      classes: ['cat', 'dog', SCRIPT_CLASS],
      classCounts: [60, 30, 10],
      imbalanceRatio: 6,
      semantics: 'softmax focal loss (hand-made test report)',
      softLabels: false,
      elements: 100,
      positiveElements: null,
      backgroundRows: null,
      positiveCounts: null,
    },
    config: {
      gammas: GAMMAS,
      alpha: null,
      easyThreshold: 0.5,
      eps: 1e-7,
      alphaSpec: 'none',
      beta: null,
      alphaByClass: null,
      loss: 'focal',
      polyEpsilon: null,
      preset: null,
      reduction: null,
    },
    totals: {ce: {sum: 50, mean: 0.5}},
    sweep: [
      {gamma: 0, sum: 50, mean: 0.5, ratioToCe: 1, easyShare: 0.3, hardShare: 0.7, reduced: null},
      {gamma: 1, sum: 30, mean: 0.3, ratioToCe: 0.6, easyShare: 0.18, hardShare: 0.82, reduced: null},
      {gamma: 2, sum: 20, mean: 0.2, ratioToCe: 0.4, easyShare: 0.1, hardShare: 0.9, reduced: null},
    ],
    split: {
      threshold: 0.5,
      easy: side(70, 0.7, 0.3, 15, [0.3, 0.18, 0.1]),
      hard: side(30, 0.3, 0.7, 35, [0.7, 0.82, 0.9]),
    },
    splitByTarget: null,
    classes: [
      classRow('cat', 60, 0.4, false, [0.9, 0.85, 0.874]),
      classRow('dog', 30, 0.35, false, [0.7, 0.73, 0.715]),
      classRow(SCRIPT_CLASS, 10, 0.25, true, [0.5, 0.4, 0.444]),
    ],
    accuracy: 0.76,
    lossByPt: {
      bins: [0, 0.2, 0.4, 0.6, 0.8].map((lower, b) => ({
        lower,
        upper: lower + 0.2,
        count: [5, 10, 15, 30, 40][b],
        focal: GAMMAS.map((gamma) => ({gamma, mean: -Math.log(lower + 0.1) * (0.9 - lower) ** gamma})),
      })),
    },
    concentration: {
      method: 'log-spaced loss buckets (hand-made)',
      maxShareError: 0.005,
      groups: [
        ...GAMMAS.map((g) => group('all', g, 1 + g)),
        ...GAMMAS.map((g) => group(`class:${SCRIPT_CLASS}`, g, 1.5 + g)),
      ],
    },
    grid: GAMMAS.flatMap((gamma) =>
      [0.25, 0.5, 0.75].map((alpha) => ({
        gamma,
        alpha,
        sum: (50 - 10 * gamma) * alpha,
        ratioToCe: 1 - 0.3 * gamma,
        positiveShare: null,
        minorityShare: 0.25 + 0.05 * gamma,
        hardShare: 0.7 + 0.1 * gamma,
      })),
    ),
    confusion: [
      [51, 6, 3],
      [5, 22, 3],
      [2, 5, 3],
    ],
    topConfusions: [
      {actual: 'cat', predicted: 'dog', count: 6, ceShare: 0.12},
      {actual: 'dog', predicted: 'cat', count: 5, ceShare: 0.1},
      {actual: SCRIPT_CLASS, predicted: 'dog', count: 5, ceShare: 0.09},
    ],
    calibration: {
      bins: 15,
      ece: 0.0612,
      mce: 0.2,
      brier: 0.31,
      perClass: [
        {class: 'cat', ece: 0.04},
        {class: 'dog', ece: 0.05},
        {class: SCRIPT_CLASS, ece: 0.11},
      ],
      reliability: Array.from({length: 15}, (_, i) => ({
        lower: i / 15,
        upper: (i + 1) / 15,
        count: i < 5 ? 0 : 10,
        confidence: i < 5 ? null : (i + 0.5) / 15,
        accuracy: i < 5 ? null : Math.max(0, (i + 0.5) / 15 - 0.08),
      })),
    },
    hardest: {
      by: 'ce',
      gamma: null,
      rows: [
        {
          file: MARKUP_FILE,
          row: 41,
          line: 43,
          batch: null,
          batchRow: null,
          id: 'img/41.png',
          label: 'cat',
          predicted: 'dog',
          pt: 6.8e-6,
          ce: 11.9,
          loss: 11.9,
        },
        {
          file: MARKUP_FILE,
          row: 7,
          line: 9,
          batch: null,
          batchRow: null,
          id: SCRIPT_CLASS,
          label: SCRIPT_CLASS,
          predicted: 'cat',
          pt: 0.0021,
          ce: 6.17,
          loss: 6.17,
        },
      ],
    },
  }
}
