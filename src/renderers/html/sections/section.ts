import type {TopLevelSpec} from 'vega-lite'

import type {ChartName, ChartSpecs} from '../chart-specs.js'
import {chartTitle} from '../chart-specs.js'
import {escapeHtml} from '../escape-html.js'
import type {HtmlReportInput} from '../report-sections.js'

/** What a section builder reads: the report, its chart specs and their rendered SVGs. */
export interface SectionContext {
  report: HtmlReportInput
  specs: ChartSpecs
  /** SVG by chart name; a chart missing here is shown as a note, its numbers still given. */
  charts: Partial<Record<ChartName, string>>
}

/** One section of the page: its heading (also the navigation's link text) and its HTML. */
export interface PageSection {
  id: string
  title: string
  html: string
}

/** A section's HTML: heading, then the parts in order. */
export function sectionHtml(id: string, title: string, parts: string[]): string {
  return `<section id="${escapeHtml(id)}" aria-labelledby="${escapeHtml(id)}-heading">\n<h2 id="${escapeHtml(id)}-heading">${escapeHtml(title)}</h2>\n${parts.join('\n')}\n</section>`
}

/** A paragraph of plain (escaped) text, with an optional class. */
export function paragraph(text: string, className?: string): string {
  return `<p${className ? ` class="${className}"` : ''}>${escapeHtml(text)}</p>`
}

/** What a figure reads: chart specs by name and their SVG (the report's charts, or compare's paired ones). */
export interface FigureContext<Name extends string> {
  specs: Partial<Record<Name, TopLevelSpec>>
  charts: Partial<Record<Name, string>>
}

/**
 * A chart: its SVG (which carries the title, axes and legend), a caption giving the title and how to read
 * it, and, folded under "The numbers", a table of the figures drawn — the chart's text alternative.
 */
export function figureHtml<Name extends string = ChartName>(
  context: FigureContext<Name>,
  name: Name,
  caption: string,
  numbers?: string,
): string {
  const spec = context.specs[name]
  if (spec === undefined) return ''
  const title = chartTitle(spec)
  const svg = context.charts[name] ?? `<p class="note">(Chart not rendered.)</p>`
  const details = numbers ? `<details><summary>The numbers</summary>${numbers}</details>` : ''
  return (
    `<figure class="chart" data-chart="${name}">${svg}` +
    `<figcaption><strong>${escapeHtml(title)}.</strong> ${escapeHtml(caption)}</figcaption>${details}</figure>`
  )
}
