/**
 * The report's charts as Vega-Lite specs: plain JSON objects with their data inline, so the same objects can
 * be embedded in the JSON report (`charts: chartSpecs(report)`) and re-rendered in a notebook with Altair
 * (`alt.Chart.from_dict(report["charts"]["sweep"])`). Pure and cheap: no Vega code is loaded here, only the
 * report is read, and every number drawn is a figure of the report (the charts compute nothing but bin
 * centres and the ends of reference lines).
 */
import type {TopLevelSpec} from 'vega-lite'

import type {Report} from '../../report/types.js'
import {classShareChart} from './charts/class-share-chart.js'
import {concentrationChart} from './charts/concentration-chart.js'
import {MAX_CONFUSION_CLASSES, confusionChart, isSquareConfusion} from './charts/confusion-chart.js'
import {gridChart} from './charts/grid-chart.js'
import {lossByPtChart} from './charts/loss-by-pt-chart.js'
import {reliabilityChart} from './charts/reliability-chart.js'
import {sweepChart} from './charts/sweep-chart.js'
import type {HtmlReportInput} from './report-sections.js'

/** The charts by name, in the order the page shows them; a chart is present only when its data is. */
export interface ChartSpecs {
  sweep: TopLevelSpec
  classShares: TopLevelSpec
  lossByPt?: TopLevelSpec
  concentration?: TopLevelSpec
  grid?: TopLevelSpec
  confusion?: TopLevelSpec
  reliability?: TopLevelSpec
}

export type ChartName = keyof ChartSpecs

/**
 * Every chart the report's fields allow. Example: for `report fixtures/example.csv --json`,
 * `Object.keys(chartSpecs(report))` is `['sweep', 'classShares']`; a report with `calibration` adds
 * `reliability`.
 */
export function chartSpecs(report: Report | HtmlReportInput): ChartSpecs {
  const r = report as HtmlReportInput
  const specs: ChartSpecs = {sweep: sweepChart(report as Report), classShares: classShareChart(report as Report)}
  if (r.lossByPt && r.lossByPt.bins.length > 0) specs.lossByPt = lossByPtChart(r.lossByPt, r.config.loss)
  if (r.concentration && r.concentration.groups.length > 0) specs.concentration = concentrationChart(r.concentration)
  if (r.grid && r.grid.length > 0) specs.grid = gridChart(r.grid)
  if (r.confusion && isSquareConfusion(r.confusion) && r.confusion.length <= MAX_CONFUSION_CLASSES) {
    specs.confusion = confusionChart(r.confusion, r.input.classes)
  }
  if (r.calibration && r.calibration.reliability.length > 0) specs.reliability = reliabilityChart(r.calibration)
  return specs
}

/** A spec's title text (every chart here has one). */
export function chartTitle(spec: TopLevelSpec): string {
  const title = (spec as {title?: string | {text: string | string[]}}).title
  if (title === undefined) return ''
  if (typeof title === 'string') return title
  return Array.isArray(title.text) ? title.text.join(' ') : title.text
}
