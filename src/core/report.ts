import type {EvaluationConfig} from './config.js'
import type {LossBreakdownState} from './evaluators/loss-breakdown.js'
import {compensatedSum} from './losses/numerics.js'
import {
  type ClassRow,
  type FileFormat,
  type Report,
  SCHEMA_VERSION,
  type SkippedRows,
  type SplitSide,
  type SweepRow,
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
} as const

/** a / b, or null when b is 0 (a share of nothing is undefined, not 0 and not NaN). */
function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b
}

/** α_t of every row in a bucket: it depends only on the label. */
function alphaOfBucket(config: EvaluationConfig, bucket: number): number {
  if (config.alpha === null) return 1
  if (config.task === 'binary') return bucket >> 1 === 1 ? config.alpha : 1 - config.alpha
  return config.alpha
}

/** Turns the evaluator's sums into the report: totals, shares, split and sweep. Pure. */
export function buildReport(state: LossBreakdownState, config: EvaluationConfig, facts: InputFacts): Report {
  const K = state.numClasses
  const B = 2 * K
  const buckets = Array.from({length: B}, (_, b) => b)
  const count = buckets.map((b) => state.count[b])
  const ce = buckets.map((b) => state.ceSum[b] + state.ceComp[b])
  const focal = config.gammas.map((_, g) =>
    buckets.map((b) => alphaOfBucket(config, b) * (state.focalSum[g * B + b] + state.focalComp[g * B + b])),
  )

  const sumWhere = (values: number[], keep: (b: number) => boolean): number =>
    compensatedSum(values.filter((_, b) => keep(b)))
  const all = (): boolean => true
  const isEasy = (b: number): boolean => b % 2 === 0
  const isHard = (b: number): boolean => b % 2 === 1
  const ofClass =
    (c: number) =>
    (b: number): boolean =>
      b >> 1 === c

  const rows = sumWhere(count, all)
  const ceTotal = sumWhere(ce, all)
  const focalTotal = focal.map((f) => sumWhere(f, all))

  const sweep: SweepRow[] = config.gammas.map((gamma, g) => ({
    gamma,
    sum: focalTotal[g],
    mean: ratio(focalTotal[g], rows),
    ratioToCe: ratio(focalTotal[g], ceTotal),
    easyShare: ratio(sumWhere(focal[g], isEasy), focalTotal[g]),
    hardShare: ratio(sumWhere(focal[g], isHard), focalTotal[g]),
  }))

  const side = (keep: (b: number) => boolean): SplitSide => {
    const n = sumWhere(count, keep)
    const sideCe = sumWhere(ce, keep)
    return {
      count: n,
      countShare: ratio(n, rows),
      ceShare: ratio(sideCe, ceTotal),
      ce: sideCe,
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
    const countShare = ratio(n, rows)
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
      overweight: countShare !== null && ceShare !== null && ceShare >= OVERWEIGHT_FACTOR * countShare,
    }
  })

  const classCounts = classes.map((c) => c.count)
  const minCount = Math.min(...classCounts)
  return {
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
      imbalanceRatio: minCount === 0 ? null : Math.max(...classCounts) / minCount,
      semantics: SEMANTICS[config.task],
    },
    config: {gammas: config.gammas, alpha: config.alpha, easyThreshold: config.easyThreshold, eps: config.eps},
    totals: {ce: {sum: ceTotal, mean: ratio(ceTotal, rows)}},
    sweep,
    split: {threshold: config.easyThreshold, easy: side(isEasy), hard: side(isHard)},
    classes,
  }
}
