/**
 * The HTML report in one call, for the CLI: the chart specs, their SVG, the page. This module is the entry
 * of the lazily loaded HTML bundle (scripts/bundle.mjs builds dist/bundle/html-report.js with vega and
 * vega-lite in it); the CLI imports it only when --html is given, so other runs never load Vega.
 */
import type {Report} from '../../report/types.js'
import type {HtmlReportOptions} from './html-options.js'
import {chartSpecs} from './chart-specs.js'
import {renderChartSvgs} from './render-chart-svgs.js'
import {renderHtml} from './render-html.js'
import type {HtmlReportInput} from './report-sections.js'

export {chartSpecs} from './chart-specs.js'
export {renderChartSvgs} from './render-chart-svgs.js'
export {renderHtml} from './render-html.js'
// compare --html: the same bundle, so Vega is loaded from one place.
export {renderHtmlCompare} from './render-html-compare.js'

export type {HtmlReportOptions} from './html-options.js'

/** The report as a self-contained HTML page with its charts. */
export async function renderHtmlReport(
  report: Report | HtmlReportInput,
  options: HtmlReportOptions = {},
): Promise<string> {
  const charts = await renderChartSvgs({...chartSpecs(report)}, {onWarning: options.onWarning})
  return renderHtml(report, {charts, generator: options.generator})
}
