/**
 * `compare` as a reader sees it, before any layout: the two runs side by side, A, B and B − A, in the
 * report's view-model (report-view.ts), so the terminal renderer fits it to the width as it fits the report
 * (render-report.ts renderReportView). Pure: it reads the comparison, formats nothing itself, computes no
 * figure (B − A comes from the comparison's `delta`), and only orders the classes.
 */
import type {CompareInput, Comparison, HardRowComparison} from '../report/compare-types.js'
import type {ClassRow, Report, SplitSide} from '../report/types.js'
import {formatCountDelta, formatLossDelta, formatShareDelta} from './format-delta.js'
import {formatCount, formatLoss, formatShare} from './format-number.js'
import {LOSS_FORMULAS, OVERWEIGHT_MARK} from './report-labels.js'
import {ALWAYS, type CellKind, type ReportView, type ViewColumn, type ViewRow, type ViewSection} from './report-view.js'

/** The sections of `compare`'s terminal output, in order. */
export const COMPARE_SECTIONS = ['input', 'sweep', 'classes', 'movers', 'split', 'rows'] as const
export type CompareSectionName = (typeof COMPARE_SECTIONS)[number]

export interface CompareViewOptions {
  /** Per-class rows shown, largest CE share in A first; 0 or undefined: all. */
  maxClasses?: number
  /** Rows of the "moved most" table (default 10). */
  movers?: number
}

/** The default length of the "moved most" table. */
export const DEFAULT_MOVERS = 10

type ClassDelta = NonNullable<Comparison['delta']['classes']>[number]

/** "1 row", "2,000 rows". */
function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`
}

/** Three columns for one figure: A's, B's and B − A. `keep` ranks the group (Δ kept longest, then B, then A). */
function triple(name: string, short: string, kind: CellKind, deltaKind: CellKind, keep: number): ViewColumn[] {
  return [
    {head: `A ${name}`, short: `A ${short}`, kind, keep: keep + 1},
    {head: `B ${name}`, short: `B ${short}`, kind, keep: keep + 2},
    {head: `Δ ${name}`, short: `Δ ${short}`, kind: deltaKind, keep: keep + 3},
  ]
}

/** Index of the sweep's largest γ: the one whose FL the class and split tables show. */
function topGammaIndex(report: Report): number {
  return report.sweep.reduce((g, s, i) => (s.gamma > report.sweep[g].gamma ? i : g), 0)
}

/** Multi-label: the class's share of the positive elements, what its loss share is compared with. */
function dataShare(report: Report, c: ClassRow): number | null {
  if (!c.byTarget) return c.countShare
  const positives = report.input.positiveElements ?? 0
  return positives > 0 ? c.byTarget.positive.count / positives : null
}

function isMultilabel(report: Report): boolean {
  return report.classes.some((c) => c.byTarget)
}

/** "A 0 rows skipped · 0 clamped" for one run. */
function checks(report: Report): string {
  return `${plural(report.input.skippedRows, 'row')} skipped · ${plural(report.input.clampedValues, 'probability', 'probabilities')} clamped`
}

function inputSection(comparison: Comparison): ViewSection<CompareSectionName> {
  const {a, b} = comparison
  const {config, input} = a
  const alpha = config.alphaSpec ?? (config.alpha === null ? 'none' : String(config.alpha))
  const rows =
    input.rows === b.input.rows
      ? `${plural(input.rows, 'row')} each`
      : `A ${plural(input.rows, 'row')}, B ${plural(b.input.rows, 'row')}`
  const facts = [
    {
      label: 'Input',
      text: `${input.softLabels ? 'binary, soft labels' : input.task} · ${input.scores} · ${plural(input.classes.length, 'class', 'classes')} · ${rows}`,
    },
    {label: 'Checks', text: `A ${checks(a)}; B ${checks(b)}`},
    {
      label: 'Settings',
      text:
        `the same in both: ${config.loss ?? 'focal'} · γ ${config.gammas.join(', ')} · α ${alpha} · easy p_t > ${config.easyThreshold} · ` +
        `eps ${config.eps}${config.reduction ? ` · reduction ${config.reduction.name}` : ''}`,
    },
  ]
  const d = comparison.delta
  const columns: ViewColumn[] = [
    {head: '', short: '', kind: 'text', keep: ALWAYS},
    // Only on a very narrow terminal do A and B go (the change stays).
    {head: 'A', short: 'A', kind: 'text', keep: 60},
    {head: 'B', short: 'B', kind: 'text', keep: 61},
    {head: 'B − A', short: 'B − A', kind: 'text', keep: ALWAYS},
  ]
  const unit = input.task === 'multilabel' ? 'elements' : 'rows'
  const viewRows: ViewRow[] = [
    {cells: ['rows', formatCount(input.rows), formatCount(b.input.rows), formatCountDelta(d.input?.rows ?? null)]},
    {
      cells: [
        'CE sum',
        formatLoss(a.totals.ce.sum),
        formatLoss(b.totals.ce.sum),
        formatLossDelta(d.totals?.ce?.sum ?? null),
      ],
    },
    {
      cells: [
        'CE mean',
        formatLoss(a.totals.ce.mean),
        formatLoss(b.totals.ce.mean),
        formatLossDelta(d.totals?.ce?.mean ?? null),
      ],
    },
    {
      cells: [
        `hard ${unit}`,
        formatCount(a.split.hard.count),
        formatCount(b.split.hard.count),
        formatCountDelta(d.split?.hard?.count ?? null),
      ],
    },
    {
      cells: [
        `hard ${unit} share`,
        formatShare(a.split.hard.countShare),
        formatShare(b.split.hard.countShare),
        formatShareDelta(d.split?.hard?.countShare ?? null),
      ],
    },
    {
      cells: [
        'hard share of CE',
        formatShare(a.split.hard.ceShare),
        formatShare(b.split.hard.ceShare),
        formatShareDelta(d.split?.hard?.ceShare ?? null),
      ],
    },
  ]
  return {
    name: 'input',
    facts,
    tables: [{id: 'totals', title: 'Totals — A, B and the change B − A', columns, rows: viewRows}],
  }
}

function sweepSection(comparison: Comparison): ViewSection<CompareSectionName> {
  const {a, b, delta} = comparison
  const loss = a.config.loss ?? 'focal'
  const columns: ViewColumn[] = [
    {head: 'γ', short: 'γ', kind: 'text', keep: ALWAYS},
    ...triple('FL/CE', 'FL/CE', 'ratio', 'ratioDelta', 90),
    ...triple('hard share', 'hard %', 'share', 'shareDelta', 80),
    ...triple('mean', 'mean', 'loss', 'lossDelta', 60),
  ]
  const rows = a.sweep.map((row, i): ViewRow => {
    const other = b.sweep[i]
    const d = delta.sweep?.[i]
    return {
      cells: [
        String(row.gamma),
        row.ratioToCe,
        other.ratioToCe,
        d?.ratioToCe ?? null,
        row.hardShare,
        other.hardShare,
        d?.hardShare ?? null,
        row.mean,
        other.mean,
        d?.mean ?? null,
      ],
    }
  })
  const title = `γ sweep — ${LOSS_FORMULAS[loss]}; A, B and Δ = B − A (shares in percentage points)`
  return {name: 'sweep', facts: [], tables: [{id: 'sweep', title, columns, rows}]}
}

/** The "▲ in" cell: in which runs the class carries at least twice its share of the data in CE. */
function marks(x: ClassRow, y: ClassRow): string {
  return [x.overweight ? 'A' : '', y.overweight ? 'B' : ''].filter((s) => s !== '').join(' ') || '–'
}

function classesSection(comparison: Comparison, options: CompareViewOptions): ViewSection<CompareSectionName> {
  const {a, b, delta} = comparison
  const multilabel = isMultilabel(a)
  const top = topGammaIndex(a)
  const gamma = a.sweep[top]?.gamma
  // A's order: largest CE share first, a null share last, ties in class order (as A's own report).
  const order = a.classes
    .map((c, i) => ({c, i}))
    .sort((x, y) => (y.c.ce.share ?? -1) - (x.c.ce.share ?? -1) || x.i - y.i)
    .map(({i}) => i)
  const limit = options.maxClasses !== undefined && options.maxClasses > 0 ? options.maxClasses : order.length
  const shown = order.slice(0, limit)
  const data = multilabel ? 'pos. share' : 'row share'
  const dataShort = multilabel ? 'pos %' : 'row %'
  // Two runs on the same data have the same shares of it: one column then.
  const sameData = a.classes.every((x, i) => dataShare(a, x) === dataShare(b, b.classes[i]))
  const dataColumns: ViewColumn[] = sameData
    ? [{head: data, short: dataShort, kind: 'share', keep: 70}]
    : [
        {head: `A ${data}`, short: `A ${dataShort}`, kind: 'share', keep: 70},
        {head: `B ${data}`, short: `B ${dataShort}`, kind: 'share', keep: 69},
      ]
  const columns: ViewColumn[] = [
    {head: 'class', short: 'class', kind: 'text', keep: ALWAYS},
    ...dataColumns,
    ...triple('CE share', 'CE %', 'share', 'shareDelta', 90),
    ...triple(`FL γ=${gamma}`, `γ=${gamma}`, 'share', 'shareDelta', 75),
    {head: `${OVERWEIGHT_MARK} in`, short: OVERWEIGHT_MARK, kind: 'text', keep: 72},
  ]
  const rows = shown.map((i): ViewRow => {
    const x = a.classes[i]
    const y = b.classes[i]
    const d: ClassDelta | undefined = delta.classes?.[i]
    return {
      cells: [
        x.class,
        ...(sameData ? [dataShare(a, x)] : [dataShare(a, x), dataShare(b, y)]),
        x.ce.share,
        y.ce.share,
        d?.ce?.share ?? null,
        x.focal[top]?.share ?? null,
        y.focal[top]?.share ?? null,
        d?.focal?.[top]?.share ?? null,
        marks(x, y),
      ],
    }
  })
  const hidden = order.length - shown.length
  const omitted =
    hidden > 0
      ? `… ${plural(hidden, 'more class', 'more classes')} (--max-classes 0 shows all; the JSON has every class)`
      : undefined
  const title =
    `Per class — share of ${multilabel ? 'positives' : 'rows'}${sameData ? ' (the same in both)' : ''} and of loss ` +
    `in A and B, largest CE share in A first (${OVERWEIGHT_MARK} in: the runs where the class's CE share ≥ 2 × its ` +
    `${multilabel ? 'positives' : 'row'} share)`
  return {name: 'classes', facts: [], tables: [{id: 'classes', title, columns, rows, omitted}]}
}

/**
 * The classes whose CE share moved most (|B − A|, largest first; ties in class order): where the loss
 * went. Shares, not sums, so that runs on datasets of different sizes compare too.
 */
export function moverOrder(comparison: Comparison): number[] {
  const deltas = comparison.delta.classes ?? []
  return comparison.a.classes
    .map((_, i) => ({i, d: deltas[i]?.ce?.share ?? null}))
    .filter((x): x is {i: number; d: number} => x.d !== null)
    .sort((x, y) => Math.abs(y.d) - Math.abs(x.d) || x.i - y.i)
    .map(({i}) => i)
}

function moversSection(comparison: Comparison, options: CompareViewOptions): ViewSection<CompareSectionName> {
  const {a, b, delta} = comparison
  const count = options.movers ?? DEFAULT_MOVERS
  const order = moverOrder(comparison).slice(0, count)
  const columns: ViewColumn[] = [
    {head: 'class', short: 'class', kind: 'text', keep: ALWAYS},
    ...triple('CE share', 'CE %', 'share', 'shareDelta', 90),
    ...triple('CE sum', 'CE', 'loss', 'lossDelta', 80),
  ]
  const rows = order.map((i): ViewRow => ({
    cells: [
      a.classes[i].class,
      a.classes[i].ce.share,
      b.classes[i].ce.share,
      delta.classes?.[i]?.ce?.share ?? null,
      a.classes[i].ce.sum,
      b.classes[i].ce.sum,
      delta.classes?.[i]?.ce?.sum ?? null,
    ],
  }))
  const title = `The ${order.length === 1 ? 'class' : `${order.length} classes`} whose CE share moved most (|B − A|, largest first)`
  return {name: 'movers', facts: [], tables: [{id: 'movers', title, columns, rows}]}
}

function splitSection(comparison: Comparison): ViewSection<CompareSectionName> {
  const {a, b, delta} = comparison
  const top = topGammaIndex(a)
  const gamma = a.sweep[top]?.gamma
  const unit = a.input.task === 'multilabel' ? 'elements' : 'rows'
  const columns: ViewColumn[] = [
    {head: '', short: '', kind: 'text', keep: ALWAYS},
    // B − A of the counts is in the totals (and the two sides' changes are opposite).
    {head: `A ${unit}`, short: `A ${unit.slice(0, 4)}`, kind: 'count', keep: 61},
    {head: `B ${unit}`, short: `B ${unit.slice(0, 4)}`, kind: 'count', keep: 62},
    ...triple('CE share', 'CE %', 'share', 'shareDelta', 90),
    ...triple(`FL γ=${gamma}`, `γ=${gamma}`, 'share', 'shareDelta', 75),
  ]
  const side = (name: 'easy' | 'hard'): ViewRow => {
    const x: SplitSide = a.split[name]
    const y: SplitSide = b.split[name]
    const d = delta.split?.[name]
    return {
      cells: [
        name,
        x.count,
        y.count,
        x.ceShare,
        y.ceShare,
        d?.ceShare ?? null,
        x.focal[top]?.share ?? null,
        y.focal[top]?.share ?? null,
        d?.focal?.[top]?.share ?? null,
      ],
    }
  }
  const title = `Easy / hard — easy means p_t > ${a.split.threshold}; A, B and Δ = B − A`
  return {name: 'split', facts: [], tables: [{id: 'split', title, columns, rows: [side('easy'), side('hard')]}]}
}

/** The hard-row pairing in words. */
export function hardRowsText(rows: HardRowComparison): string {
  if (!rows.compared) return `not compared: ${rows.reason}`
  const unit = rows.unit
  const hardInA = rows.hardInA ?? 0
  const unpaired = rows.unpairedRows ? `; ${plural(rows.unpairedRows, 'row')} read in one run only, left out` : ''
  return (
    `p_t ≤ ${rows.threshold}, ${plural(rows.pairedRows ?? 0, 'row')} paired by order, with the same labels${unpaired}. ` +
    `A: ${formatCount(hardInA)} hard ${unit}; ${formatCount(rows.stillHard ?? 0)} of them (${formatShare(rows.stillHardShare)}) ` +
    `still hard in B, ${formatCount(rows.nowEasy ?? 0)} now easy. B: ${formatCount(rows.hardInB ?? 0)} hard, ` +
    `${formatCount(rows.newlyHard ?? 0)} of them newly.`
  )
}

function rowsSection(comparison: Comparison): ViewSection<CompareSectionName> {
  return {name: 'rows', facts: [{label: 'Hard rows', text: hardRowsText(comparison.hardRows)}], tables: []}
}

/** A run as the title names it: its file, and whether it is a saved report. */
export function inputName(input: CompareInput): string {
  return input.kind === 'report' ? `${input.path} (a saved report)` : input.path
}

/**
 * The view of a comparison: totals, sweep, per-class, the classes that moved most, easy/hard, hard rows.
 *
 * Example: `buildCompareView(comparison, {maxClasses: 30})` has six sections; its per-class table lists
 * A's 30 classes with the largest CE share, each with A's, B's and B − A's shares.
 */
export function buildCompareView(
  comparison: Comparison,
  options: CompareViewOptions = {},
): ReportView<CompareSectionName> {
  return {
    title: `focalscope compare — A: ${inputName(comparison.inputs.a)} · B: ${inputName(comparison.inputs.b)}`,
    sections: [
      inputSection(comparison),
      sweepSection(comparison),
      classesSection(comparison, options),
      moversSection(comparison, options),
      splitSection(comparison),
      rowsSection(comparison),
    ],
  }
}
