/**
 * The compare page in one call, for the CLI: the paired chart specs, their SVG, the page. Part of the lazily
 * loaded HTML bundle (re-exported by render-html-report.ts, the bundle's entry), so `compare` without
 * --html never loads Vega.
 */
import type {Comparison} from '../../report/compare-types.js'
import {compareChartSpecs} from './charts/compare-charts.js'
import {renderCompareHtml} from './compare-page.js'
import {renderChartSvgs} from './render-chart-svgs.js'
import type {HtmlReportOptions} from './html-options.js'

/** The comparison as a self-contained HTML page with its paired charts. */
export async function renderHtmlCompare(comparison: Comparison, options: HtmlReportOptions = {}): Promise<string> {
  const charts = await renderChartSvgs({...compareChartSpecs(comparison)}, {onWarning: options.onWarning})
  return renderCompareHtml(comparison, {charts, generator: options.generator})
}
