import {alphaSpecOf, resolveClassWeights} from './class-weights.js'
import type {EvaluationConfig} from './config.js'
import type {LossBreakdownState} from './evaluators/loss-breakdown.js'
import {korniaTotals} from './kornia-totals.js'
import {compensatedSum} from './losses/numerics.js'
import type {Reduction} from './presets.js'
import {
  type ClassPart,
  type ClassRow,
  type FileFormat,
  type Report,
  SCHEMA_VERSION,
  type SkippedRows,
  type SplitSide,
  type SweepRow,
  type TargetSplit,
} from './result.js'

/** What the report says about the input besides the sums: given by the reader, not computed here. */
export interface InputFacts {
  files: string[]
  format: FileFormat
  classes: string[]
  /** Rows used from each file, in file order. */
  fileRows: number[]
  /** Rows left out under --on-invalid skip, per reason. */
  skipped: SkippedRows[]
  /** --soft-labels: binary labels read as soft targets (the task is then multi-label with K = 1). */
  softLabels?: boolean
  /** What the user should know about the input (one line each), for `input.warnings`. */
  warnings?: string[]
}

/** A class is "overweight" when its CE share is at least this many times its count share. */
export const OVERWEIGHT_FACTOR = 2

export const SEMANTICS = {
  binary:
    'sigmoid focal loss as torchvision.ops.sigmoid_focal_loss and ultralytics FocalLoss: ' +
    'alpha_t = alpha for label 1, 1 - alpha for label 0',
  multiclass:
    'softmax focal loss (Lin et al. 2017 eq. 5 over log-softmax), scalar alpha multiplying every row as ' +
    'mmcv softmax_focal_loss and Keras CategoricalFocalCrossentropy',
  multilabel:
    'sigmoid focal loss per element as torchvision.ops.sigmoid_focal_loss and ultralytics FocalLoss, soft targets y in [0, 1]: ' +
    'BCE with targets, p_t = y*p + (1-y)*(1-p), alpha_t = y*alpha + (1-y)*(1-alpha)',
} as const

/** CE share at least OVERWEIGHT_FACTOR × the class's share of the data (`count` of `of`); never for no data. */
function isOverweight(ceShare: number | null, count: number, of: number): boolean {
  return count > 0 && ceShare !== null && ceShare >= OVERWEIGHT_FACTOR * (count / of)
}

/** a / b, or null when b is 0 (a share of nothing is undefined, not 0 and not NaN). */
function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b
}

/** torch.finfo(torch.float32).eps = 2^-23, which mmdet adds to its avg_factor. */
const FLOAT32_EPSILON = 2 ** -23

/** The divisor of a reduction (see presets.ts). */
function reductionDivisor(
  reduction: Reduction,
  elements: number,
  rows: number,
  K: number,
  positives: number,
  multilabel: boolean,
): number {
  switch (reduction) {
    case 'sum':
      return 1
    case 'mean':
      return elements
    case 'mean-classes':
      return rows * K
    case 'class-mean-sum':
      // ultralytics' .mean(1) is over the prediction tensor's columns: K for multi-label, one for a binary (N, 1).
      return multilabel ? K : 1
    case 'positives':
      return Math.max(1, positives)
    case 'avg-factor':
      return Math.max(1, positives) + FLOAT32_EPSILON
  }
}

/** Turns the evaluator's sums into the report: totals, shares, split and sweep. Pure. */
export function buildReport(state: LossBreakdownState, config: EvaluationConfig, facts: InputFacts): Report {
  const K = state.numClasses
  const perClass = state.bucketsPerClass ?? 2
  const B = perClass * K
  const multilabel = config.task === 'multilabel'
  const sigmoid = config.task !== 'multiclass'
  const loss = config.loss ?? 'focal'
  const buckets = Array.from({length: B}, (_, b) => b)
  const classOf = (b: number): number => Math.floor(b / perClass)
  // Positive target: multi-label buckets say so; binary label 1; multi-class: every row is its class's positive.
  const isPositive = (b: number): boolean =>
    multilabel ? (b & 2) === 0 : config.task === 'binary' ? classOf(b) === 1 : true
  const value = (sum: Float64Array, comp: Float64Array, i: number): number => sum[i] + comp[i]

  const count = buckets.map((b) => state.count[b])
  const ce = buckets.map((b) => value(state.ceSum, state.ceComp, b))
  const plainFocal = config.gammas.map((_, g) => buckets.map((b) => value(state.focalSum, state.focalComp, g * B + b)))
  // Σ y·w: kept by the evaluator for multi-label; for hard labels y is 1 in positive buckets and 0 elsewhere.
  const targetCe = buckets.map((b) =>
    multilabel ? value(state.targetCeSum, state.targetCeComp, b) : isPositive(b) ? ce[b] : 0,
  )
  const targetFocal = config.gammas.map((_, g) =>
    buckets.map((b) =>
      multilabel ? value(state.targetFocalSum, state.targetFocalComp, g * B + b) : isPositive(b) ? plainFocal[g][b] : 0,
    ),
  )

  const sumWhere = (values: number[], keep: (b: number) => boolean): number =>
    compensatedSum(values.filter((_, b) => keep(b)))
  const ofClass =
    (c: number) =>
    (b: number): boolean =>
      classOf(b) === c
  const all = (): boolean => true

  // Class counts for class-balanced α: rows per class, or positive elements per class (multi-label).
  const positiveCounts = multilabel
    ? Array.from({length: K}, (_, c) => sumWhere(count, (b) => classOf(b) === c && isPositive(b)))
    : null
  const elementCounts = Array.from({length: K}, (_, c) => sumWhere(count, ofClass(c)))
  const weights = resolveClassWeights(config, positiveCounts ?? elementCounts)

  const epsilon = config.polyEpsilon ?? 1
  /** The reported loss of bucket b at γ index g, with α applied. */
  const lossOf = (g: number, b: number): number => {
    const c = classOf(b)
    const [a, ay] = weights.coefficients[c]
    switch (loss) {
      case 'varifocal':
        // VarifocalNet: positives weighted by their target q (BCE·q), negatives by α·p^γ (p = 1 − p_t there).
        return weights.balance[c] * (isPositive(b) ? targetCe[b] : weights.negativeAlpha[c] * plainFocal[g][b])
      case 'poly1':
        return a * plainFocal[g][b] + ay * targetFocal[g][b] + epsilon * value(state.polySum, state.polyComp, g * B + b)
      default:
        return a * plainFocal[g][b] + ay * targetFocal[g][b]
    }
  }
  const focal = config.gammas.map((_, g) => buckets.map((b) => lossOf(g, b)))

  const isEasy = (b: number): boolean => b % 2 === 0
  const isHard = (b: number): boolean => b % 2 === 1

  const rows = state.rows ?? sumWhere(count, all)
  const elements = sumWhere(count, all)
  const ceTotal = sumWhere(ce, all)
  const focalTotal = focal.map((f) => sumWhere(f, all))
  const positiveElements = sigmoid ? sumWhere(count, isPositive) : null

  const reduction = config.reduction ?? null
  const divisor =
    reduction === null ? null : reductionDivisor(reduction, elements, rows, K, positiveElements ?? rows, multilabel)

  // What the preset's library sums before its reduction: kornia's own forms when it is the preset, else Σ FL.
  const referenceTotal = config.korniaTerms ? korniaTotals(state, weights, focalTotal) : focalTotal

  const sweep: SweepRow[] = config.gammas.map((gamma, g) => ({
    gamma,
    sum: focalTotal[g],
    mean: ratio(focalTotal[g], rows),
    ratioToCe: ratio(focalTotal[g], ceTotal),
    easyShare: ratio(sumWhere(focal[g], isEasy), focalTotal[g]),
    hardShare: ratio(sumWhere(focal[g], isHard), focalTotal[g]),
    reduced: divisor === null ? null : referenceTotal[g] / divisor,
  }))

  const side = (keep: (b: number) => boolean): SplitSide => {
    const n = sumWhere(count, keep)
    const sideCe = sumWhere(ce, keep)
    return {
      count: n,
      countShare: ratio(n, elements),
      ceShare: ratio(sideCe, ceTotal),
      ce: sideCe,
      focal: config.gammas.map((gamma, g) => {
        const sum = sumWhere(focal[g], keep)
        return {gamma, sum, share: ratio(sum, focalTotal[g])}
      }),
    }
  }

  const part = (keep: (b: number) => boolean): ClassPart => {
    const partCe = sumWhere(ce, keep)
    return {
      count: sumWhere(count, keep),
      ce: {sum: partCe, share: ratio(partCe, ceTotal)},
      focal: config.gammas.map((gamma, g) => {
        const sum = sumWhere(focal[g], keep)
        return {gamma, sum, share: ratio(sum, focalTotal[g])}
      }),
    }
  }

  const classes: ClassRow[] = facts.classes.map((name, c) => {
    const keep = ofClass(c)
    const n = sumWhere(count, keep)
    const classCe = sumWhere(ce, keep)
    const countShare = ratio(n, elements)
    const ceShare = ratio(classCe, ceTotal)
    return {
      class: name,
      count: n,
      countShare,
      ce: {sum: classCe, share: ceShare},
      focal: config.gammas.map((gamma, g) => {
        const sum = sumWhere(focal[g], keep)
        return {gamma, sum, share: ratio(sum, focalTotal[g])}
      }),
      // A class with no rows carries no loss: 0 ≥ 2 · 0 must not mark it. Multi-label classes all have every
      // row: their data is their positive elements.
      overweight: isOverweight(ceShare, multilabel ? positiveCounts![c] : n, multilabel ? positiveElements! : elements),
      byTarget: multilabel
        ? {
            positive: part((b) => keep(b) && isPositive(b)),
            negative: part((b) => keep(b) && !isPositive(b)),
          }
        : null,
    }
  })

  const splitByTarget: TargetSplit | null = sigmoid
    ? {
        threshold: config.easyThreshold,
        easyPositive: side((b) => isEasy(b) && isPositive(b)),
        hardPositive: side((b) => isHard(b) && isPositive(b)),
        easyNegative: side((b) => isEasy(b) && !isPositive(b)),
        hardNegative: side((b) => isHard(b) && !isPositive(b)),
      }
    : null

  const classCounts = classes.map((c) => c.count)
  const imbalanceBase = positiveCounts ?? classCounts
  const minCount = Math.min(...imbalanceBase)
  const spec = alphaSpecOf(config)
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    input: {
      files: facts.files,
      format: facts.format,
      task: config.task,
      scores: config.scores,
      rows,
      skippedRows: facts.skipped.reduce((a, s) => a + s.count, 0),
      skipped: facts.skipped,
      fileRows: facts.fileRows,
      clampedValues: state.clampedValues,
      probabilityRowSums:
        config.task === 'multiclass' && config.scores === 'probs'
          ? {
              tolerance: config.rowSumTolerance,
              policy: config.rowSumPolicy,
              maxDeviation: state.rowSumMaxDeviation,
              renormalized: state.rowSumRenormalized,
            }
          : null,
      classes: facts.classes,
      classCounts,
      imbalanceRatio: minCount === 0 ? null : Math.max(...imbalanceBase) / minCount,
      semantics: facts.softLabels
        ? `binary labels read as soft targets (--soft-labels), one element per row: ${SEMANTICS[config.task]}`
        : SEMANTICS[config.task],
      softLabels: facts.softLabels === true,
      elements,
      positiveElements,
      backgroundRows: multilabel && config.elementLayout !== 'long' ? state.backgroundRows : null,
      positiveCounts,
      warnings: facts.warnings ?? [],
    },
    config: {
      gammas: config.gammas,
      alpha: spec.kind === 'scalar' ? spec.value : null,
      easyThreshold: config.easyThreshold,
      eps: config.eps,
      alphaSpec: weights.spec,
      beta: spec.kind === 'effective-number' ? spec.beta : null,
      alphaByClass: weights.byClass,
      loss,
      polyEpsilon: loss === 'poly1' ? epsilon : null,
      preset: config.preset ?? null,
      reduction:
        reduction === null || divisor === null
          ? null
          : {name: reduction, divisor, source: config.reductionSource ?? null},
    },
    totals: {ce: {sum: ceTotal, mean: ratio(ceTotal, rows)}},
    sweep,
    split: {threshold: config.easyThreshold, easy: side(isEasy), hard: side(isHard)},
    splitByTarget,
    classes,
  }
  assertFiniteFigures(report, '')
  return report
}

/**
 * The last line of defence: no figure may be NaN or ±Infinity (JSON would print null, the table NaN, and a
 * gate compare garbage). The evaluator stops on a CE sum that overflows, naming the row, so a non-finite
 * figure here is a bug: an internal error, never a wrong number. Walks the report (a few hundred numbers).
 */
function assertFiniteFigures(value: unknown, path: string): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`report field ${path} is ${value}, expected a finite number`)
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => assertFiniteFigures(item, `${path}[${i}]`))
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) assertFiniteFigures(item, path === '' ? key : `${path}.${key}`)
  }
}
