/**
 * The report as one self-contained HTML page. Pure: it reads only the report (and the charts' SVG, which
 * render-chart-svgs.ts draws from `chartSpecs(report)`), computes no figure, and returns a string; the
 * command writes it. render-html-report.ts does both steps for the CLI.
 */
import type {Report} from '../../report/types.js'
import {type ChartName, chartSpecs} from './chart-specs.js'
import {escapeHtml} from './escape-html.js'
import {renderPage} from './page-shell.js'
import type {HtmlReportInput} from './report-sections.js'
import {calibrationSection} from './sections/calibration-section.js'
import {classSection} from './sections/class-section.js'
import {concentrationSection} from './sections/concentration-section.js'
import {confusionSection} from './sections/confusion-section.js'
import {gridSection} from './sections/grid-section.js'
import {hardestSection} from './sections/hardest-section.js'
import {lossByPtSection} from './sections/loss-by-pt-section.js'
import type {PageSection, SectionContext} from './sections/section.js'
import {splitSection} from './sections/split-section.js'
import {summarySection} from './sections/summary-section.js'
import {sweepSection} from './sections/sweep-section.js'

export interface HtmlOptions {
  /** Each chart's SVG by name, from `renderChartSvgs(chartSpecs(report))`; a missing one shows as a note. */
  charts: Partial<Record<ChartName, string>>
  /** Who wrote the page, for its footer, e.g. "focalscope 0.1.0". */
  generator?: string
}

/**
 * The page's sections in order: the terminal report's (summary, sweep, classes, easy/hard), then each
 * section whose field the report has (Figure 1, concentration, grid, confusions, calibration, hardest).
 */
export function reportSections(context: SectionContext): PageSection[] {
  return [
    summarySection(context.report),
    sweepSection(context),
    classSection(context),
    splitSection(context),
    lossByPtSection(context),
    concentrationSection(context),
    gridSection(context),
    confusionSection(context),
    calibrationSection(context),
    hardestSection(context),
  ].filter((s): s is PageSection => s !== null)
}

/**
 * The whole page. Example: `renderHtml(report, {charts: await renderChartSvgs(chartSpecs(report))})`
 * starts with `<!doctype html>` and holds no reference to anything outside itself.
 */
export function renderHtml(report: Report | HtmlReportInput, options: HtmlOptions): string {
  const input = report as HtmlReportInput
  const sections = reportSections({report: input, specs: chartSpecs(input), charts: options.charts})
  const files = input.input.files.join(', ')
  const nav = sections.map((s) => `<li><a href="#${s.id}">${escapeHtml(s.title)}</a></li>`).join('')
  const header =
    `<header><h1>focalscope report</h1><p class="files">${escapeHtml(files)}</p>` +
    `<nav aria-label="Sections"><ul>${nav}</ul></nav></header>`
  return renderPage({
    title: `focalscope report — ${files}`,
    body: [header, ...sections.map((s) => s.html)].join('\n'),
    generator: options.generator,
  })
}
