/**
 * The metrics' part of the report (issue 18) from the metrics state: accuracy, per-class precision,
 * recall, F1 and support (sklearn's precision_recall_fscore_support, zero_division=0), the confusion
 * matrix and its largest off-diagonal cells with their share of the CE, calibration (ECE, MCE, classwise
 * ECE, the reliability bins) and the Brier score. Pure.
 */
import {CALIBRATION_BINS, CALIBRATION_EDGES, CALIBRATION_SLOTS} from '../../core/evaluators/calibration-bins.js'
import {type MetricsState, metricsValue} from '../../core/evaluators/metrics.js'
import type {Settings} from '../../core/state/partial-state.js'
import type {Calibration, ClassMetrics, ReliabilityBin, TopConfusion} from '../types.js'

/** The confusions the report lists. */
export const TOP_CONFUSIONS = 10

export interface MetricsSection {
  accuracy: number | null
  /** In class order, to be added to `classes[i]`. */
  classMetrics: ClassMetrics[]
  confusion: number[][] | number[][][]
  topConfusions: TopConfusion[] | null
  calibration: Calibration
  brier: number | null
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null)
/** sklearn's zero_division=0: a ratio of a zero total is 0. */
const orZero = (a: number, b: number): number => (b > 0 ? a / b : 0)

/**
 * `ceTotal`: the dataset's Σ CE (totals.ce.sum), of which each top confusion's rows carry a share;
 * `rows`: the rows read (the Brier score is a mean over rows).
 */
export function metricsSection(settings: Settings, state: MetricsState, ceTotal: number, rows: number): MetricsSection {
  const K = settings.numClasses
  const names = settings.classes
  const multilabel = settings.task === 'multilabel'
  const cell = (i: number): number => state.confusion[i]
  let confusion: number[][] | number[][][]
  let classMetrics: ClassMetrics[]
  let accuracy: number | null
  let topConfusions: TopConfusion[] | null = null
  if (multilabel) {
    // [[tn, fp], [fn, tp]] per class, as sklearn's multilabel_confusion_matrix.
    confusion = Array.from({length: K}, (_, c) => [
      [cell(4 * c), cell(4 * c + 1)],
      [cell(4 * c + 2), cell(4 * c + 3)],
    ])
    classMetrics = confusion.map(([[, fp], [fn, tp]]) => scores(tp, fp, fn))
    let right = 0
    let all = 0
    for (const [[tn, fp], [fn, tp]] of confusion) {
      right += tn + tp
      all += tn + fp + fn + tp
    }
    // Per element (1 − sklearn's hamming_loss): a row's K predictions are K elements.
    accuracy = ratio(right, all)
  } else {
    const matrix = Array.from({length: K}, (_, t) => Array.from({length: K}, (_, p) => cell(t * K + p)))
    confusion = matrix
    const column = (p: number): number => matrix.reduce((sum, r) => sum + r[p], 0)
    classMetrics = matrix.map((r, c) => {
      const tp = r[c]
      return scores(tp, column(c) - tp, r.reduce((a, b) => a + b, 0) - tp)
    })
    let right = 0
    let all = 0
    for (let c = 0; c < K; c++) {
      right += matrix[c][c]
      for (let p = 0; p < K; p++) all += matrix[c][p]
    }
    accuracy = ratio(right, all)
    topConfusions = largestOffDiagonal(state, K, names, ceTotal)
  }
  return {
    accuracy,
    classMetrics,
    confusion,
    topConfusions,
    calibration: calibrationOf(state, K, names),
    brier: ratio(metricsValue(state.brier, 0), rows),
  }
}

/** precision, recall, F1 and support from a class's true positives, false positives and false negatives. */
function scores(tp: number, fp: number, fn: number): ClassMetrics {
  return {
    precision: orZero(tp, tp + fp),
    recall: orZero(tp, tp + fn),
    f1: orZero(2 * tp, 2 * tp + fp + fn),
    support: tp + fn,
  }
}

/** The TOP_CONFUSIONS largest off-diagonal cells, most rows first (ties: in cell order, true class first). */
function largestOffDiagonal(state: MetricsState, K: number, names: string[], ceTotal: number): TopConfusion[] {
  const cells: number[] = []
  for (let t = 0; t < K; t++) {
    for (let p = 0; p < K; p++) if (t !== p && state.confusion[t * K + p] > 0) cells.push(t * K + p)
  }
  cells.sort((a, b) => state.confusion[b] - state.confusion[a] || a - b)
  return cells.slice(0, TOP_CONFUSIONS).map((i) => ({
    actual: names[Math.floor(i / K)],
    predicted: names[i % K],
    count: state.confusion[i],
    ceShare: ratio(metricsValue(state.cellCe, i), ceTotal),
  }))
}

/**
 * ECE = Σ_b (n_b / N) · |accuracy_b − confidence_b| = Σ_b |Σ accuracy − Σ confidence| / N over the slots
 * (calibration-bins.ts), MCE = the largest |accuracy_b − confidence_b| of a non-empty slot, classwise ECE
 * the same over each class's bins of p_c.
 */
function calibrationOf(state: MetricsState, K: number, names: string[]): Calibration {
  let n = 0
  let gaps = 0
  let mce: number | null = null
  const reliability: ReliabilityBin[] = []
  for (let s = 0; s < CALIBRATION_SLOTS; s++) {
    const count = state.binCount[s]
    const conf = metricsValue(state.binConf, s)
    const acc = metricsValue(state.binAcc, s)
    n += count
    gaps += Math.abs(acc - conf)
    if (count > 0) {
      const gap = Math.abs(acc / count - conf / count)
      if (mce === null || gap > mce) mce = gap
    }
    // The 16th slot (a confidence of exactly 1) is listed only when it holds rows.
    if (s < CALIBRATION_BINS || count > 0) {
      reliability.push({
        lower: CALIBRATION_EDGES[Math.min(s, CALIBRATION_BINS)],
        upper: CALIBRATION_EDGES[Math.min(s + 1, CALIBRATION_BINS)],
        count,
        confidence: ratio(conf, count),
        accuracy: ratio(acc, count),
      })
    }
  }
  const perClass: Calibration['perClass'] = []
  if (state.classBinCount.length > 0) {
    for (let c = 0; c < K; c++) {
      let total = 0
      let gap = 0
      for (let s = 0; s < CALIBRATION_SLOTS; s++) {
        const i = c * CALIBRATION_SLOTS + s
        total += state.classBinCount[i]
        gap += Math.abs(metricsValue(state.classBinY, i) - metricsValue(state.classBinP, i))
      }
      perClass.push({class: names[c], ece: ratio(gap, total)})
    }
  }
  return {bins: CALIBRATION_BINS, ece: ratio(gaps, n), mce, perClass, reliability}
}
