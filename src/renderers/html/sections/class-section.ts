import type {ClassRow} from '../../../report/types.js'
import {formatCount, formatRatio, formatShare} from '../../format-number.js'
import {OVERWEIGHT_MARK} from '../../report-labels.js'
import {type Cell, htmlTable, numberCell} from '../html-table.js'
import {type PageSection, type SectionContext, figureHtml, paragraph, sectionHtml} from './section.js'

/** Above this many classes the per-class table scrolls in a box of about one screen. */
const TALL_TABLE_ROWS = 30

const formatCountCell = (v: number | null): string => (v === null ? '–' : formatCount(v))
const formatMetric = (v: number | null): string => formatRatio(v)

/** A share as the tables show it, but with two significant digits where they would show 0.0 %. */
function formatFineShare(value: number | null): string {
  if (value === null || value === 0 || value >= 0.0005) return formatShare(value)
  return `${Number((value * 100).toPrecision(2))}%`
}

/**
 * The per-class table (sortable by any column), with the terminal's columns — largest CE share first; for
 * multi-label each class's positive elements and its share of them, what its ▲ is measured against —
 * plus, when the report has them, multi-label's positive/negative split and per-class precision, recall,
 * F1 and support; then the chart of data share against loss share. Every class is listed (the terminal's
 * --max-classes is for a screen; the page scrolls).
 */
export function classSection(context: SectionContext): PageSection {
  const {classes, sweep, input} = context.report
  const byTarget = classes.some((c) => c.byTarget)
  const metrics = classes.some((c) => c.precision !== undefined || c.recall !== undefined || c.f1 !== undefined)
  const topGamma = sweep.reduce((g, s, i) => (s.gamma > sweep[g].gamma ? i : g), 0)
  const positives = input.positiveElements ?? 0
  const head = [
    'class',
    byTarget ? 'positives' : 'rows',
    byTarget ? 'pos. share' : 'row share',
    'CE share',
    ...sweep.map((s) => `FL γ=${s.gamma}`),
    ...(byTarget ? ['CE pos', 'CE neg', `FL pos γ=${sweep[topGamma].gamma}`, `FL neg γ=${sweep[topGamma].gamma}`] : []),
    ...(metrics ? ['precision', 'recall', 'F1', 'support'] : []),
  ]
  // As the terminal: largest CE share first, a null share last, ties in class order.
  const order = classes
    .map((c, i) => ({c, i}))
    .sort((a, b) => (b.c.ce.share ?? -1) - (a.c.ce.share ?? -1) || a.i - b.i)
    .map(({c}) => c)
  const rows = order.map((c): Cell[] => {
    const over = c.overweight ? 'overweight' : undefined
    const parts: Cell[] = byTarget
      ? c.byTarget
        ? [
            numberCell(c.byTarget.positive.ce.share, formatShare),
            numberCell(c.byTarget.negative.ce.share, formatShare),
            numberCell(c.byTarget.positive.focal[topGamma]?.share, formatShare),
            numberCell(c.byTarget.negative.focal[topGamma]?.share, formatShare),
          ]
        : Array.from({length: 4}, () => ({text: '–'}))
      : []
    const data: Cell[] = byTarget
      ? [
          numberCell(c.byTarget?.positive.count, formatCountCell),
          numberCell(c.byTarget && positives > 0 ? c.byTarget.positive.count / positives : null, formatShare),
        ]
      : [numberCell(c.count, formatCountCell), numberCell(c.countShare, formatShare)]
    return [
      {text: c.overweight ? `${c.class} ${OVERWEIGHT_MARK}` : c.class, value: c.class, className: over},
      ...data,
      {...numberCell(c.ce.share, formatShare), className: over},
      ...c.focal.map((f) => numberCell(f.share, formatShare)),
      ...parts,
      ...(metrics
        ? [
            numberCell(c.precision, formatMetric),
            numberCell(c.recall, formatMetric),
            numberCell(c.f1, formatMetric),
            numberCell(c.support, formatCountCell),
          ]
        : []),
    ]
  })
  const table = htmlTable({
    id: 'class-table',
    head,
    rows,
    sortable: true,
    sortedBy: {column: 3, order: 'descending'},
    tall: classes.length > TALL_TABLE_ROWS,
    caption: `${classes.length} classes, largest CE share first; click a column's header to sort by it.`,
  })
  const overweight = order.filter((c) => c.overweight)
  // Multi-label: every class has every row, so its ▲ is against its share of the positive elements.
  const data = byTarget ? 'positives' : 'rows'
  const dataShare = (c: ClassRow): number | null =>
    byTarget ? (c.byTarget && positives > 0 ? c.byTarget.positive.count / positives : null) : c.countShare
  const caption =
    overweight.length === 0
      ? `No class carries twice its share of ${data} in cross-entropy. The numbers are in the per-class table.`
      : `${OVERWEIGHT_MARK} classes (CE share ≥ 2 × ${byTarget ? 'pos.' : 'row'} share): ` +
        overweight
          .slice(0, 20)
          .map((c) => `${c.class} (${data} ${formatFineShare(dataShare(c))}, CE ${formatFineShare(c.ce.share)})`)
          .join('; ') +
        (overweight.length > 20 ? `; and ${overweight.length - 20} more` : '') +
        '. The numbers of every class are in the per-class table.'
  const title =
    `Per class — share of ${data} vs share of loss (${OVERWEIGHT_MARK} CE share ≥ 2 × ${byTarget ? 'pos.' : 'row'} share)` +
    (byTarget ? `; each class has all ${formatCount(input.rows)} rows; pos / neg: elements with target > 0 / = 0` : '')
  return {
    id: 'classes',
    title: 'Per class',
    html: sectionHtml('classes', title, [
      table,
      ...(byTarget
        ? [paragraph('Multi-label: pos / neg shares are of the whole loss; pos + neg = the class’s share.', 'note')]
        : []),
      figureHtml(context, 'classShares', caption),
    ]),
  }
}
