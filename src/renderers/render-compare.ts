import type {Comparison} from '../report/compare-types.js'
import {buildCompareView} from './compare-view.js'
import {renderReportView} from './render-report.js'

export interface RenderCompareOptions {
  color: boolean
  /** The most columns a line may take (default 80). */
  width?: number
  /** Per-class rows, largest CE share in A first (default: all; the CLI passes 30). */
  maxClasses?: number
}

/**
 * `compare`'s terminal output: the two runs side by side with B − A, every line at most `options.width`
 * columns, laid out as the report is (headings shortened, then the least telling columns left out). Pure.
 */
export function renderCompare(comparison: Comparison, options: RenderCompareOptions): string {
  const view = buildCompareView(comparison, {maxClasses: options.maxClasses})
  return renderReportView(view, {color: options.color, width: options.width ?? 80})
}
