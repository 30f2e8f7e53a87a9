/**
 * Turns a partial state into the report (types.ts): one builder per section over the evaluators'
 * figures. Pure. The report is checked to hold no NaN or ±Infinity before it leaves.
 */
import {evaluateKornia} from '../core/evaluators/kornia-terms.js'
import {evaluateBreakdown} from '../core/evaluators/loss-breakdown.js'
import type {FileFormat} from '../core/kinds.js'
import type {PartialState} from '../core/state/partial-state.js'
import {breakdownView, ratio} from './sections/breakdown-view.js'
import {classesSection} from './sections/classes-section.js'
import {concentrationSection} from './sections/concentration-section.js'
import {gridSection} from './sections/grid-section.js'
import {hardestSections} from './sections/hardest-section.js'
import {inputSection} from './sections/input-section.js'
import {metricsSection} from './sections/metrics-section.js'
import {splitSection, targetSplitSection} from './sections/split-section.js'
import {reductionDivisor, sweepSection} from './sections/sweep-section.js'
import {type Report, SCHEMA_VERSION} from './types.js'

export {OVERWEIGHT_FACTOR} from './sections/classes-section.js'
export {SEMANTICS} from './sections/input-section.js'

/** What the report says that the state does not hold. */
export interface ReportContext {
  /** The format of the (first) input file. */
  format: FileFormat
  /** What the user should know about the input (one line each), for `input.warnings`. */
  warnings?: string[]
  /** merge --top / --top-per-class: fewer hardest rows than the states kept. */
  top?: {rows?: number; perClass?: number}
}

export function buildReport(state: PartialState, context: ReportContext): Report {
  const {settings} = state
  const figures = evaluateBreakdown(settings, state.breakdown)
  const view = breakdownView(figures, settings.gammas)
  const rows = state.input.rows
  const spec = settings.alphaSpec
  const loss = settings.loss ?? 'focal'
  const reduction = settings.reduction ?? null
  const divisor = reduction === null ? null : reductionDivisor(reduction, view, rows, settings)
  // What the preset's library sums before its reduction: kornia's own forms when it is the preset, else Σ FL.
  const referenceTotals =
    state.sections.kornia === undefined
      ? view.lossTotal
      : evaluateKornia(settings, state.sections.kornia)(figures.weights, view.lossTotal)
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    input: inputSection(state, view, {format: context.format, warnings: context.warnings ?? []}),
    config: {
      gammas: settings.gammas,
      alpha: spec.kind === 'scalar' ? spec.value : null,
      easyThreshold: settings.easyThreshold,
      eps: settings.eps,
      alphaSpec: figures.weights.spec,
      beta: spec.kind === 'effective-number' ? spec.beta : null,
      alphaByClass: figures.weights.byClass,
      loss,
      polyEpsilon: loss === 'poly1' ? (settings.polyEpsilon ?? 1) : null,
      preset: settings.preset ?? null,
      reduction:
        reduction === null || divisor === null
          ? null
          : {name: reduction, divisor, source: settings.reductionSource ?? null},
    },
    totals: {ce: {sum: view.ceTotal, mean: ratio(view.ceTotal, rows)}},
    sweep: sweepSection(view, rows, divisor, referenceTotals),
    split: splitSection(view, settings.easyThreshold),
    splitByTarget: settings.task === 'multiclass' ? null : targetSplitSection(view, settings.easyThreshold),
    classes: classesSection(view, settings.classes, settings.task === 'multilabel'),
  }
  const concentration = concentrationSection(settings, view, state.breakdown, state.sections.concentration)
  if (concentration !== null) {
    report.concentration = concentration.concentration
    report.lossByPt = concentration.lossByPt
  }
  if (settings.gridAlphas !== undefined && settings.gridAlphas.length > 0) {
    report.grid = gridSection(settings, state.breakdown, settings.gridAlphas)
  }
  Object.assign(report, hardestSections(settings, state.sections.hardest, context.top))
  if (state.sections.metrics !== undefined) {
    const m = metricsSection(settings, state.sections.metrics, view.ceTotal, rows)
    report.classes = report.classes.map((row, c) => ({...row, ...m.classMetrics[c]}))
    report.accuracy = m.accuracy
    report.confusion = m.confusion
    report.topConfusions = m.topConfusions
    report.calibration = m.calibration
    report.brier = m.brier
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
