import {formatLocation} from '../../core/errors.js'
import type {FileFormat} from '../../core/kinds.js'
import type {PartialState} from '../../core/state/partial-state.js'
import type {ReportInput} from '../types.js'
import type {BreakdownView} from './breakdown-view.js'

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

/** The input section: files and rows, what was left out or adjusted, classes and their counts. */
export function inputSection(
  state: PartialState,
  view: BreakdownView,
  context: {format: FileFormat; warnings: string[]},
): ReportInput {
  const {settings, input} = state
  const {figures} = view
  const multilabel = settings.task === 'multilabel'
  const classCounts = figures.classCounts
  const imbalanceBase = figures.positiveCounts ?? classCounts
  const minCount = Math.min(...imbalanceBase)
  return {
    files: input.files.map((f) => f.path),
    format: context.format,
    task: settings.task,
    scores: settings.scores,
    rows: input.rows,
    skippedRows: input.skipped.reduce((a, s) => a + s.count, 0),
    skipped: input.skipped.map(({reason, count, first}) => ({
      reason,
      count,
      first: `${formatLocation(first.location)}: ${first.problem}`,
    })),
    fileRows: input.files.map((f) => f.rows),
    clampedValues: input.clampedValues,
    probabilityRowSums:
      settings.task === 'multiclass' && settings.scores === 'probs'
        ? {
            tolerance: settings.rowSumTolerance,
            policy: settings.rowSumPolicy,
            maxDeviation: input.rowSumMaxDeviation,
            renormalized: input.rowSumRenormalized,
          }
        : null,
    classes: settings.classes,
    classCounts,
    imbalanceRatio: minCount === 0 ? null : Math.max(...imbalanceBase) / minCount,
    semantics: settings.softLabels
      ? `binary labels read as soft targets (--soft-labels), one element per row: ${SEMANTICS[settings.task]}`
      : SEMANTICS[settings.task],
    softLabels: settings.softLabels,
    elements: view.elements,
    positiveElements: settings.task === 'multiclass' ? null : view.sum(figures.count, figures.isPositive),
    backgroundRows: multilabel && settings.elementLayout !== 'long' ? input.backgroundRows : null,
    positiveCounts: figures.positiveCounts,
    warnings: context.warnings,
  }
}
