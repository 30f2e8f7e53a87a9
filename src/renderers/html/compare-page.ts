/**
 * `compare` as one self-contained HTML page: the report page's shell, tables and figures (page-shell.ts,
 * html-table.ts, sections/section.ts) with A, B and B − A side by side, and paired charts
 * (charts/compare-charts.ts). Pure: it reads the comparison (and the charts' SVG), computes no figure —
 * B − A is the comparison's `delta` — and returns a string; the command writes it.
 */
import type {Comparison} from '../../report/compare-types.js'
import type {ClassRow, Report, SplitSide} from '../../report/types.js'
import {hardRowsText, inputName, moverOrder} from '../compare-view.js'
import {formatCountDelta, formatLossDelta, formatRatioDelta, formatShareDelta} from '../format-delta.js'
import {formatCount, formatLoss, formatRatio, formatShare} from '../format-number.js'
import {LOSS_FORMULAS, OVERWEIGHT_MARK} from '../report-labels.js'
import {type CompareChartName, chartedClasses, compareChartSpecs} from './charts/compare-charts.js'
import {escapeHtml} from './escape-html.js'
import {type Cell, htmlTable, numberCell} from './html-table.js'
import {renderPage} from './page-shell.js'
import {type FigureContext, type PageSection, figureHtml, paragraph, sectionHtml} from './sections/section.js'

export interface CompareHtmlOptions {
  /** Each chart's SVG by name, from `renderChartSvgs(compareChartSpecs(comparison))`. */
  charts: Partial<Record<CompareChartName, string>>
  /** Who wrote the page, for its footer. */
  generator?: string
}

type Format = (v: number | null) => string
const count: Format = (v) => (v === null ? '–' : formatCount(v))
const ratio: Format = (v) => formatRatio(v)

/** Three cells for one figure: A's, B's, and B − A. */
function triple(
  x: number | null | undefined,
  y: number | null | undefined,
  d: unknown,
  format: Format,
  deltaFormat: Format,
): Cell[] {
  return [numberCell(x, format), numberCell(y, format), numberCell(typeof d === 'number' ? d : null, deltaFormat)]
}

function heads(name: string): string[] {
  return [`A ${name}`, `B ${name}`, `Δ ${name}`]
}

function topGammaIndex(report: Report): number {
  return report.sweep.reduce((g, s, i) => (s.gamma > report.sweep[g].gamma ? i : g), 0)
}

function dataShare(report: Report, c: ClassRow): number | null {
  if (!c.byTarget) return c.countShare
  const positives = report.input.positiveElements ?? 0
  return positives > 0 ? c.byTarget.positive.count / positives : null
}

function summarySection(comparison: Comparison): PageSection {
  const {a, b, delta} = comparison
  const {config, input} = a
  const alpha = config.alphaSpec ?? (config.alpha === null ? 'none' : String(config.alpha))
  const entries: [string, string][] = [
    ['A', `${inputName(comparison.inputs.a)} — ${formatCount(a.input.rows)} rows`],
    ['B', `${inputName(comparison.inputs.b)} — ${formatCount(b.input.rows)} rows`],
    [
      'Input',
      `${input.softLabels ? 'binary, soft labels' : input.task} · ${input.scores} · ${input.classes.length} ${input.classes.length === 1 ? 'class' : 'classes'}`,
    ],
    [
      'Settings',
      `the same in both: ${config.loss ?? 'focal'} · γ ${config.gammas.join(', ')} · α ${alpha} · easy p_t > ${config.easyThreshold} · eps ${config.eps}` +
        (config.reduction ? ` · reduction ${config.reduction.name}` : ''),
    ],
  ]
  const list = entries.map(([term, text]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(text)}</dd>`).join('\n')
  const unit = input.task === 'multilabel' ? 'elements' : 'rows'
  const table = htmlTable({
    id: 'totals-table',
    head: ['', 'A', 'B', 'B − A'],
    rows: [
      [{text: 'rows'}, ...triple(a.input.rows, b.input.rows, delta.input?.rows, count, formatCountDelta)],
      [
        {text: 'rows skipped'},
        ...triple(a.input.skippedRows, b.input.skippedRows, delta.input?.skippedRows, count, formatCountDelta),
      ],
      [
        {text: 'CE sum'},
        ...triple(a.totals.ce.sum, b.totals.ce.sum, delta.totals?.ce?.sum, formatLoss, formatLossDelta),
      ],
      [
        {text: 'CE mean'},
        ...triple(a.totals.ce.mean, b.totals.ce.mean, delta.totals?.ce?.mean, formatLoss, formatLossDelta),
      ],
      [
        {text: `hard ${unit}`},
        ...triple(a.split.hard.count, b.split.hard.count, delta.split?.hard?.count, count, formatCountDelta),
      ],
      [
        {text: `hard ${unit} share`},
        ...triple(
          a.split.hard.countShare,
          b.split.hard.countShare,
          delta.split?.hard?.countShare,
          formatShare,
          formatShareDelta,
        ),
      ],
      [
        {text: 'hard share of CE'},
        ...triple(
          a.split.hard.ceShare,
          b.split.hard.ceShare,
          delta.split?.hard?.ceShare,
          formatShare,
          formatShareDelta,
        ),
      ],
    ],
    caption: 'B − A: shares in percentage points (pp).',
  })
  return {
    id: 'summary',
    title: 'Summary',
    html: sectionHtml('summary', 'Summary', [`<dl class="summary">\n${list}\n</dl>`, table]),
  }
}

function sweepSection(comparison: Comparison, context: FigureContext<CompareChartName>): PageSection {
  const {a, b, delta} = comparison
  const title = `γ sweep — ${LOSS_FORMULAS[a.config.loss ?? 'focal']}`
  const table = htmlTable({
    id: 'sweep-table',
    head: ['γ', ...heads('FL/CE'), ...heads('hard share'), ...heads('mean'), ...heads('FL sum')],
    rows: a.sweep.map((row, i) => {
      const other = b.sweep[i]
      const d = delta.sweep?.[i]
      return [
        {text: String(row.gamma), value: row.gamma},
        ...triple(row.ratioToCe, other.ratioToCe, d?.ratioToCe, ratio, formatRatioDelta),
        ...triple(row.hardShare, other.hardShare, d?.hardShare, formatShare, formatShareDelta),
        ...triple(row.mean, other.mean, d?.mean, formatLoss, formatLossDelta),
        ...triple(row.sum, other.sum, d?.sum, formatLoss, formatLossDelta),
      ]
    }),
    caption: 'A, B and Δ = B − A for each γ; shares’ Δ in percentage points.',
  })
  const caption =
    'Each γ’s loss relative to cross-entropy (FL/CE) and the share of it carried by hard rows ' +
    `(p_t ≤ ${a.split.threshold}), for A (solid) and B (dashed). The numbers are in the table above.`
  return {
    id: 'sweep',
    title: 'γ sweep',
    html: sectionHtml('sweep', title, [table, figureHtml(context, 'sweep', caption)]),
  }
}

/** The per-class table: every class, A's largest CE share first; sortable by any column. */
function classSection(comparison: Comparison, context: FigureContext<CompareChartName>): PageSection {
  const {a, b, delta} = comparison
  const multilabel = a.classes.some((c) => c.byTarget)
  const top = topGammaIndex(a)
  const gamma = a.sweep[top]?.gamma
  const data = multilabel ? 'pos. share' : 'row share'
  const order = a.classes
    .map((c, i) => ({c, i}))
    .sort((x, y) => (y.c.ce.share ?? -1) - (x.c.ce.share ?? -1) || x.i - y.i)
    .map(({i}) => i)
  const rows = order.map((i): Cell[] => {
    const x = a.classes[i]
    const y = b.classes[i]
    const d = delta.classes?.[i]
    const marks = [x.overweight ? 'A' : '', y.overweight ? 'B' : ''].filter((s) => s !== '').join(' ')
    return [
      {text: x.class, value: x.class},
      numberCell(dataShare(a, x), formatShare),
      numberCell(dataShare(b, y), formatShare),
      ...triple(x.ce.share, y.ce.share, d?.ce?.share, formatShare, formatShareDelta),
      ...triple(x.focal[top]?.share, y.focal[top]?.share, d?.focal?.[top]?.share, formatShare, formatShareDelta),
      ...triple(x.ce.sum, y.ce.sum, d?.ce?.sum, formatLoss, formatLossDelta),
      {
        text: marks === '' ? '–' : marks,
        value: marks === '' ? null : marks,
        className: marks === '' ? undefined : 'overweight',
      },
    ]
  })
  const table = htmlTable({
    id: 'class-table',
    head: [
      'class',
      `A ${data}`,
      `B ${data}`,
      ...heads('CE share'),
      ...heads(`FL γ=${gamma}`),
      ...heads('CE sum'),
      `${OVERWEIGHT_MARK} in`,
    ],
    rows,
    sortable: true,
    tall: order.length > 30,
    caption:
      `${a.classes.length} classes, A’s largest CE share first; click a column’s header to sort by it. ` +
      `${OVERWEIGHT_MARK} in: the runs where the class’s CE share is at least twice its ${multilabel ? 'share of the positive elements' : 'share of rows'}.`,
  })
  const {classes, leftOut} = chartedClasses(comparison)
  const caption =
    `Each class’s share of the cross-entropy in A (circles) and B (squares), and its ${multilabel ? 'share of the positives' : 'share of rows'} ` +
    `(grey tick): a class far right of its tick carries more than its share of the loss.` +
    (leftOut > 0
      ? ` The ${classes.length} classes that moved most are drawn; the table has all ${a.classes.length}.`
      : '')
  return {
    id: 'classes',
    title: 'Per class',
    html: sectionHtml('classes', `Per class — share of ${multilabel ? 'positives' : 'rows'} and of loss, A and B`, [
      table,
      figureHtml(context, 'classShares', caption),
    ]),
  }
}

function moversSection(comparison: Comparison, context: FigureContext<CompareChartName>): PageSection | null {
  const {a, b, delta} = comparison
  const order = moverOrder(comparison).slice(0, 30)
  if (order.length === 0) return null
  const table = htmlTable({
    id: 'movers-table',
    head: ['class', ...heads('CE share'), ...heads('CE sum')],
    rows: order.map((i) => [
      {text: a.classes[i].class, value: a.classes[i].class},
      ...triple(
        a.classes[i].ce.share,
        b.classes[i].ce.share,
        delta.classes?.[i]?.ce?.share,
        formatShare,
        formatShareDelta,
      ),
      ...triple(a.classes[i].ce.sum, b.classes[i].ce.sum, delta.classes?.[i]?.ce?.sum, formatLoss, formatLossDelta),
    ]),
    sortable: true,
  })
  const caption =
    'The change of each class’s share of the cross-entropy from A to B, largest first: where the loss moved. ' +
    'Shares, not sums, so runs on datasets of different sizes compare too.'
  return {
    id: 'movers',
    title: 'Moved most',
    html: sectionHtml('movers', 'The classes whose CE share moved most', [
      figureHtml(context, 'classMoves', caption, table),
    ]),
  }
}

function sideRow(
  name: string,
  x: SplitSide,
  y: SplitSide,
  d: Record<string, unknown> | undefined,
  top: number,
): Cell[] {
  const focal = d?.focal as {share?: unknown}[] | undefined
  return [
    {text: name},
    ...triple(x.count, y.count, d?.count, count, formatCountDelta),
    ...triple(x.ceShare, y.ceShare, d?.ceShare, formatShare, formatShareDelta),
    ...triple(x.focal[top]?.share, y.focal[top]?.share, focal?.[top]?.share, formatShare, formatShareDelta),
  ]
}

function splitSection(comparison: Comparison): PageSection {
  const {a, b, delta} = comparison
  const top = topGammaIndex(a)
  const unit = a.input.task === 'multilabel' ? 'elements' : 'rows'
  const table = htmlTable({
    id: 'split-table',
    head: ['', ...heads(unit), ...heads('CE share'), ...heads(`FL γ=${a.sweep[top]?.gamma}`)],
    rows: [
      sideRow('easy', a.split.easy, b.split.easy, delta.split?.easy as Record<string, unknown> | undefined, top),
      sideRow('hard', a.split.hard, b.split.hard, delta.split?.hard as Record<string, unknown> | undefined, top),
    ],
  })
  return {
    id: 'split',
    title: 'Easy / hard',
    html: sectionHtml('split', `Easy / hard — easy means p_t > ${a.split.threshold}`, [table]),
  }
}

function hardRowsSection(comparison: Comparison): PageSection {
  const rows = comparison.hardRows
  const parts = [paragraph(hardRowsText(rows))]
  if (rows.compared) {
    const unit = rows.unit
    parts.push(
      htmlTable({
        id: 'hard-rows-table',
        head: [unit, 'count', 'share'],
        rows: [
          [{text: `hard in A`}, numberCell(rows.hardInA, count), {text: ''}],
          [{text: 'still hard in B'}, numberCell(rows.stillHard, count), numberCell(rows.stillHardShare, formatShare)],
          [{text: 'now easy in B'}, numberCell(rows.nowEasy, count), {text: ''}],
          [{text: 'newly hard in B'}, numberCell(rows.newlyHard, count), {text: ''}],
          [{text: 'hard in B'}, numberCell(rows.hardInB, count), {text: ''}],
        ],
      }),
      paragraph(`Share: of A’s hard ${unit}. Hard means p_t ≤ ${rows.threshold}.`, 'note'),
    )
  }
  return {id: 'hard-rows', title: 'Hard rows', html: sectionHtml('hard-rows', 'Hard rows in A and B', parts)}
}

/**
 * The whole page. Example: `renderCompareHtml(comparison, {charts: await renderChartSvgs(compareChartSpecs(comparison))})`
 * starts with `<!doctype html>` and holds no reference to anything outside itself.
 */
export function renderCompareHtml(comparison: Comparison, options: CompareHtmlOptions): string {
  const context: FigureContext<CompareChartName> = {specs: compareChartSpecs(comparison), charts: options.charts}
  const sections = [
    summarySection(comparison),
    sweepSection(comparison, context),
    classSection(comparison, context),
    moversSection(comparison, context),
    splitSection(comparison),
    hardRowsSection(comparison),
  ].filter((s): s is PageSection => s !== null)
  const files = `A: ${inputName(comparison.inputs.a)} · B: ${inputName(comparison.inputs.b)}`
  const nav = sections.map((s) => `<li><a href="#${s.id}">${escapeHtml(s.title)}</a></li>`).join('')
  const header =
    `<header><h1>focalscope compare</h1><p class="files">${escapeHtml(files)}</p>` +
    `<nav aria-label="Sections"><ul>${nav}</ul></nav></header>`
  return renderPage({
    title: `focalscope compare — ${files}`,
    body: [header, ...sections.map((s) => s.html)].join('\n'),
    generator: options.generator,
  })
}
