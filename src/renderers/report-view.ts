/**
 * The report as a reader sees it, before any layout: named sections of facts ("Input …") and tables whose
 * cells are still numbers, each column saying how to format it, how to shorten its heading and how much it
 * matters when space is short. The terminal renderer (render-report.ts) lays it out to a width; the HTML
 * page can read the same tables. Pure: no colour, no width, no I/O.
 *
 * Sections are a list of named blocks, each optional (`--sections`), so the sections other issues add
 * (concentration, grid, hardest, confusion, calibration) join as more names with builders of their own.
 *
 * One file of ~570 lines: the builders share the column kinds and the headline wording, and each is short;
 * a file per section would repeat those imports for a few dozen lines each.
 */
import type {ClassRow, Concentration, Report, SplitSide} from '../report/types.js'
import {formatCountDelta, formatLossDelta, formatRatioDelta, formatShareDelta} from './format-delta.js'
import {formatCount, formatLoss, formatRatio, formatShare} from './format-number.js'
import {LOSS_FORMULAS, OVERWEIGHT_MARK, reductionText} from './report-labels.js'
import {
  ALWAYS,
  type CellKind,
  type CellValue,
  REPORT_SECTIONS,
  type ReportSectionName,
  type ReportView,
  type ViewChart,
  type ViewColumn,
  type ViewFact,
  type ViewRow,
  type ViewSection,
  type ViewTable,
} from './view-model.js'
import {hardestSection} from './hardest-view.js'

export {ALWAYS, REPORT_SECTIONS} from './view-model.js'
export type {
  CellKind,
  CellValue,
  DeltaKind,
  ReportSectionName,
  ReportView,
  ViewChart,
  ViewColumn,
  ViewFact,
  ViewRow,
  ViewSection,
  ViewTable,
} from './view-model.js'

export interface ReportViewOptions {
  /** Sections to show, in REPORT_SECTIONS order whatever the order given (default: all). */
  sections?: readonly ReportSectionName[]
  /** Per-class rows shown, largest CE share first; 0 or undefined: all. */
  maxClasses?: number
  /** Also the semantics sentence (which published definition the figures follow). */
  verbose?: boolean
}

/** The text of a cell, as every renderer writes it; a text cell's mark is added by the renderer. */
export function formatCell(value: CellValue, kind: CellKind): string {
  if (typeof value === 'string') return value
  switch (kind) {
    case 'count':
      return value === null ? '–' : formatCount(value)
    case 'share':
      return formatShare(value)
    case 'loss':
      return formatLoss(value)
    case 'ratio':
      return formatRatio(value)
    case 'text':
      return value === null ? '–' : String(value)
    case 'countDelta':
      return formatCountDelta(value)
    case 'shareDelta':
      return formatShareDelta(value)
    case 'lossDelta':
      return formatLossDelta(value)
    case 'ratioDelta':
      return formatRatioDelta(value)
  }
}

/** "1 row", "2,000 rows". */
function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`
}

/**
 * The order in which γ columns are kept when space is short: the largest γ (where focal loss differs
 * most from CE), then γ = 2 (the paper's choice), then the first one given, then the rest in order.
 * Returns each γ index's `keep` value (higher is kept longer), all below the other numeric columns'.
 */
function gammaKeep(gammas: readonly number[]): number[] {
  const order: number[] = []
  const add = (i: number): void => {
    if (i >= 0 && !order.includes(i)) order.push(i)
  }
  add(gammas.reduce((best, g, i) => (g > gammas[best] ? i : best), 0))
  add(gammas.indexOf(2))
  add(0)
  gammas.forEach((_, i) => add(i))
  // The largest γ outranks the multi-label pos / neg columns (60 and below); the others do not.
  const keep: number[] = []
  order.forEach((index, rank) => (keep[index] = rank === 0 ? 70 : rank === 1 ? 65 : 50 - rank))
  return keep
}

/** The FL share columns, one per γ, that the class and split tables share. */
function focalColumns(gammas: readonly number[]): ViewColumn[] {
  const keep = gammaKeep(gammas)
  return gammas.map((gamma, i) => ({
    head: `FL γ=${gamma}`,
    short: `γ=${gamma}`,
    kind: 'share',
    keep: keep[i],
    perGamma: true,
  }))
}

function inputSection(report: Report, options: ReportViewOptions): ViewSection {
  const {input, config, totals} = report
  // Multi-label classes all have every row; their imbalance is in positive targets.
  const counted = input.task === 'multilabel' ? 'positives' : 'rows'
  const imbalance =
    input.classes.length < 2
      ? ''
      : ` · imbalance ${input.imbalanceRatio === null ? `∞ (a class has no ${counted})` : `${formatRatio(input.imbalanceRatio)}×`} (max/min ${counted})`
  const facts: ViewFact[] = [
    {
      label: 'Input',
      text:
        `${plural(input.rows, 'row')} · ${input.softLabels ? 'binary, soft labels' : input.task} · ${input.scores} · ` +
        `${plural(input.classes.length, 'class', 'classes')}${imbalance}`,
    },
  ]
  const checks = [
    `${plural(input.skippedRows, 'row')} skipped`,
    `${plural(input.clampedValues, 'probability', 'probabilities')} clamped to [${config.eps}, 1 − ${config.eps}]`,
  ]
  if (input.probabilityRowSums) {
    const sums = input.probabilityRowSums
    checks.push(
      `row sums within ${formatRatio(sums.maxDeviation, 2)} of 1` +
        (sums.renormalized > 0 ? ` (${plural(sums.renormalized, 'row')} renormalized)` : ''),
    )
  }
  facts.push({label: 'Checks', text: checks.join(' · ')})
  if (input.files.length > 1) {
    facts.push({label: 'Files', text: input.files.map((f, i) => `${f} ${formatCount(input.fileRows[i])}`).join(' · ')})
  }
  if (options.verbose) facts.push({label: 'Semantics', text: input.semantics})
  facts.push({label: 'CE', text: `sum ${formatLoss(totals.ce.sum)} · mean ${formatLoss(totals.ce.mean)}`})
  return {name: 'input', facts, tables: []}
}

function sweepSection(report: Report): ViewSection {
  const {config, sweep} = report
  const facts: ViewFact[] = []
  const reduction = config.reduction ?? null
  if (config.preset) {
    facts.push({label: 'Preset', text: `${config.preset}${reduction?.source ? ` — ${reduction.source}` : ''}`})
  }
  if (reduction) facts.push({label: 'Reduction', text: reductionText(reduction, config.preset, formatLoss)})
  const spec = config.alphaSpec ?? (config.alpha === null ? 'none' : String(config.alpha))
  const columns: ViewColumn[] = [
    {head: 'γ', short: 'γ', kind: 'text', keep: ALWAYS},
    {head: 'FL sum', short: 'sum', kind: 'loss', keep: 95},
    {head: 'mean', short: 'mean', kind: 'loss', keep: 93},
    {head: 'FL/CE', short: 'FL/CE', kind: 'ratio', keep: 96},
    {head: 'easy share', short: 'easy %', kind: 'share', keep: 94},
    {head: 'hard share', short: 'hard %', kind: 'share', keep: 97},
  ]
  if (reduction) {
    // The value the reference would print: named after it, not a second "mean" beside ours (per row).
    const name = config.preset ? `${config.preset} (${reduction.name})` : reduction.name
    columns.push({head: name, short: config.preset ?? reduction.name, kind: 'loss', keep: 98})
  }
  const rows = sweep.map((row): ViewRow => ({
    cells: [
      String(row.gamma),
      row.sum,
      row.mean,
      row.ratioToCe,
      row.easyShare,
      row.hardShare,
      ...(reduction ? [row.reduced ?? null] : []),
    ],
  }))
  const title = `γ sweep — ${LOSS_FORMULAS[config.loss ?? 'focal']}, α = ${spec}`
  return {name: 'sweep', facts, tables: [{id: 'sweep', title, columns, rows}]}
}

/** Index of the sweep's largest γ, whose FL the multi-label pos / neg columns show. */
function topGammaIndex(report: Report): number {
  return report.sweep.reduce((g, s, i) => (s.gamma > report.sweep[g].gamma ? i : g), 0)
}

/** Sum of the non-null values, or null when there are none. */
function total(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null)
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0)
}

function classesSection(report: Report, options: ReportViewOptions): ViewSection {
  const {input, sweep} = report
  const multilabel = report.classes.some((c) => c.byTarget)
  const top = topGammaIndex(report)
  const positives = input.positiveElements ?? 0
  /** Multi-label: the class's share of the positive elements, what its loss share is compared with. */
  const positiveShare = (c: ClassRow): number | null =>
    c.byTarget && positives > 0 ? c.byTarget.positive.count / positives : null

  // Largest CE share first; a null share (no loss at all) last; ties in class order.
  const order = report.classes
    .map((c, i) => ({c, i}))
    .sort((a, b) => (b.c.ce.share ?? -1) - (a.c.ce.share ?? -1) || a.i - b.i)
    .map(({c}) => c)
  const limit = options.maxClasses !== undefined && options.maxClasses > 0 ? options.maxClasses : order.length
  const shown = order.slice(0, limit)
  const hidden = order.slice(limit)

  const gammaColumns = focalColumns(sweep.map((s) => s.gamma))
  const topGamma = sweep[top]?.gamma
  const columns: ViewColumn[] = multilabel
    ? [
        {head: 'class', short: 'class', kind: 'text', keep: ALWAYS},
        {head: 'positives', short: 'pos', kind: 'count', keep: 90},
        {head: 'pos. share', short: 'pos %', kind: 'share', keep: ALWAYS},
        {head: 'CE share', short: 'CE %', kind: 'share', keep: ALWAYS, marks: true},
        ...gammaColumns,
        {head: 'CE pos', short: 'CE pos', kind: 'share', keep: 80},
        {head: 'CE neg', short: 'CE neg', kind: 'share', keep: 79},
        {head: `FL pos γ=${topGamma}`, short: `pos γ=${topGamma}`, kind: 'share', keep: 60},
        {head: `FL neg γ=${topGamma}`, short: `neg γ=${topGamma}`, kind: 'share', keep: 59},
      ]
    : [
        {head: 'class', short: 'class', kind: 'text', keep: ALWAYS},
        {head: 'rows', short: 'rows', kind: 'count', keep: 90},
        {head: 'row share', short: 'row %', kind: 'share', keep: ALWAYS},
        {head: 'CE share', short: 'CE %', kind: 'share', keep: ALWAYS, marks: true},
        ...gammaColumns,
      ]
  const rows = shown.map((c): ViewRow => ({
    marked: c.overweight,
    cells: multilabel
      ? [
          c.class,
          c.byTarget?.positive.count ?? null,
          positiveShare(c),
          c.ce.share,
          ...c.focal.map((f) => f.share),
          c.byTarget?.positive.ce.share ?? null,
          c.byTarget?.negative.ce.share ?? null,
          c.byTarget?.positive.focal[top]?.share ?? null,
          c.byTarget?.negative.focal[top]?.share ?? null,
        ]
      : [c.class, c.count, c.countShare, c.ce.share, ...c.focal.map((f) => f.share)],
  }))
  let omitted: string | undefined
  if (hidden.length > 0) {
    const data = multilabel
      ? `${formatShare(total(hidden.map(positiveShare)))} of positives`
      : `${formatShare(total(hidden.map((c) => c.countShare)))} of rows`
    const marked = hidden.filter((c) => c.overweight).length
    omitted =
      `… ${plural(hidden.length, 'more class', 'more classes')} (${data}, ${formatShare(total(hidden.map((c) => c.ce.share)))} of CE` +
      `${marked > 0 ? `, ${formatCount(marked)} ${OVERWEIGHT_MARK}` : ''}; --max-classes 0 shows all)`
  }
  const sorted = order.length > 1 ? ', largest CE share first' : ''
  const title = multilabel
    ? `Per class — share of positives vs share of loss${sorted} (${OVERWEIGHT_MARK} CE share ≥ 2 × pos. share); ` +
      `each class has all ${plural(input.rows, 'row')}; pos / neg: the loss of elements with target > 0 / = 0`
    : `Per class — share of rows vs share of loss${sorted} (${OVERWEIGHT_MARK} CE share ≥ 2 × row share)`
  const tables: ViewTable[] = [{id: 'classes', title, columns, rows, omitted}]
  const confusions = confusionsTable(report)
  if (confusions !== null) tables.push(confusions)
  return {name: 'classes', facts: metricsFacts(report), tables}
}

/** Issue 18: accuracy, calibration and Brier in one line, when the report has them. */
function metricsFacts(report: Report): ViewFact[] {
  const {accuracy, calibration, brier} = report
  if (accuracy === undefined && !calibration) return []
  const parts = [
    `accuracy ${accuracy === null || accuracy === undefined ? '–' : formatShare(accuracy)}`,
    ...(calibration
      ? [`ECE ${formatRatio(calibration.ece)} (${calibration.bins} bins)`, `MCE ${formatRatio(calibration.mce)}`]
      : []),
    ...(brier === undefined ? [] : [`Brier ${formatRatio(brier)}`]),
  ]
  return [{label: 'Metrics', text: parts.join(' · ')}]
}

/** Issue 18: the largest off-diagonal cells of the confusion matrix, under the per-class table. */
function confusionsTable(report: Report): ViewTable | null {
  const top = report.topConfusions
  if (!top || top.length === 0) return null
  return {
    id: 'confusions',
    title: 'Top confusions — true class → predicted class, and those rows’ share of the CE',
    columns: [
      {head: 'true → predicted', short: 'true → pred.', kind: 'text', keep: ALWAYS},
      {head: 'rows', short: 'rows', kind: 'count', keep: ALWAYS},
      {head: 'CE share', short: 'CE %', kind: 'share', keep: ALWAYS},
    ],
    rows: top.map((c) => ({cells: [`${c.actual} → ${c.predicted}`, c.count, c.ceShare]})),
  }
}

/** One easy/hard table: the same columns for the two-way split and the paper's four-way one. */
function splitTable(
  id: string,
  title: string,
  sides: [string, SplitSide][],
  gammas: readonly number[],
  elements: boolean,
): ViewTable {
  const columns: ViewColumn[] = [
    {head: '', short: '', kind: 'text', keep: ALWAYS},
    {head: elements ? 'elements' : 'rows', short: elements ? 'elements' : 'rows', kind: 'count', keep: 90},
    {head: elements ? 'share' : 'row share', short: elements ? 'share' : 'row %', kind: 'share', keep: ALWAYS},
    {head: 'CE share', short: 'CE %', kind: 'share', keep: ALWAYS},
    ...focalColumns(gammas),
  ]
  const rows = sides.map(([name, side]): ViewRow => ({
    cells: [name, side.count, side.countShare, side.ceShare, ...side.focal.map((f) => f.share)],
  }))
  return {id, title, columns, rows}
}

function splitSection(report: Report): ViewSection {
  const {split, splitByTarget, sweep, input} = report
  const gammas = sweep.map((s) => s.gamma)
  // Multi-label: each row holds one sigmoid element per class, and the split counts elements.
  const tables = [
    splitTable(
      'split',
      `Easy / hard — easy means p_t > ${split.threshold}`,
      [
        ['easy', split.easy],
        ['hard', split.hard],
      ],
      gammas,
      input.task === 'multilabel',
    ),
  ]
  if (splitByTarget) {
    tables.push(
      splitTable(
        'split-by-target',
        `Easy / hard × positive / negative target — the paper's picture (easy means p_t > ${splitByTarget.threshold})`,
        [
          ['easy negative', splitByTarget.easyNegative],
          ['hard negative', splitByTarget.hardNegative],
          ['easy positive', splitByTarget.easyPositive],
          ['hard positive', splitByTarget.hardPositive],
        ],
        gammas,
        true,
      ),
    )
  }
  return {name: 'split', facts: [], tables}
}

/** "1 %", "0.1 %": a fraction of a group as people say it. */
function percent(x: number): string {
  return `${Number((x * 100).toPrecision(2))} %`
}

/** The groups a concentration table lists: positive / negative (sigmoid), or all rows (multi-class). */
function headlineGroups(concentration: Concentration): string[] {
  const names = [...new Set(concentration.groups.map((g) => g.group))]
  return names.includes('all') ? ['all'] : names.filter((n) => n === 'negative' || n === 'positive')
}

/** The γ a headline quotes: 2 (the paper's) if in the sweep, else the largest. */
function headlineGamma(report: Report): number {
  const gammas = report.sweep.map((s) => s.gamma)
  return gammas.includes(2) ? 2 : Math.max(...gammas)
}

function concentrationSection(report: Report): ViewSection {
  const concentration = report.concentration
  if (!concentration) return {name: 'concentration', facts: [], tables: []}
  if (concentration.unavailable !== undefined) {
    return {
      name: 'concentration',
      facts: [{label: 'Concentration', text: `not computed: ${concentration.unavailable}`}],
      tables: [],
    }
  }
  const groups = headlineGroups(concentration)
  const gamma = headlineGamma(report)
  const facts: ViewFact[] = []
  // The sentence a design review quotes: how few samples carry the loss at the paper's γ.
  for (const name of groups) {
    const g = concentration.groups.find((x) => x.group === name && x.gamma === gamma)
    const top = g?.topShare['0.01']
    if (!g || top === null || top === undefined) continue
    const who = name === 'all' ? 'rows' : `${name}s`
    const n = g.effectiveSamples === null ? null : Math.round(g.effectiveSamples)
    const effective = n === null ? '' : `; ${plural(n, 'sample')} effectively ${n === 1 ? 'carries' : 'carry'} it`
    facts.push({
      label: name === 'all' ? 'Hardest' : name === 'negative' ? 'Negatives' : 'Positives',
      text: `at γ = ${gamma}, the hardest 1 % of ${who} carry ${formatShare(top)} of their loss${effective}`,
    })
  }
  const columns: ViewColumn[] = [
    {head: 'group', short: 'group', kind: 'text', keep: ALWAYS},
    {head: 'γ', short: 'γ', kind: 'text', keep: ALWAYS},
    {head: 'top 1 %', short: 'top 1%', kind: 'share', keep: ALWAYS},
    {head: 'top 5 %', short: 'top 5%', kind: 'share', keep: 80},
    {head: 'top 20 %', short: 'top 20%', kind: 'share', keep: 90},
    {head: '80 % carried by', short: '80% by', kind: 'share', keep: 85},
    {head: 'gini', short: 'gini', kind: 'ratio', keep: 70},
    {head: 'effective n', short: 'eff. n', kind: 'count', keep: 95},
  ]
  const rows = groups.flatMap((name) =>
    concentration.groups
      .filter((g) => g.group === name)
      .map((g): ViewRow => ({
        cells: [
          name,
          String(g.gamma),
          g.topShare['0.01'] ?? null,
          g.topShare['0.05'] ?? null,
          g.topShare['0.2'] ?? null,
          g.fractionCarrying['0.8'] ?? null,
          g.gini,
          g.effectiveSamples === null ? null : Math.round(g.effectiveSamples),
        ],
      })),
  )
  const perClass = groups.includes('all') ? '; per class in --json' : ''
  const title =
    `Loss concentration — the share of the loss the hardest samples carry (within ±${formatShare(concentration.maxShareError)}` +
    `${perClass})`
  return {name: 'concentration', facts, tables: [{id: 'concentration', title, columns, rows}]}
}

function gridSection(report: Report): ViewSection {
  const grid = report.grid
  if (!grid || grid.length === 0) return {name: 'grid', facts: [], tables: []}
  const sigmoid = report.input.task !== 'multiclass'
  const alphas = [...new Set(grid.map((c) => c.alpha))]
  const gammas = [...new Set(grid.map((c) => c.gamma))]
  // Parity: the share of the loss the positives (minority classes) would carry if loss followed the data.
  const {input} = report
  const mean = input.rows / Math.max(1, input.classes.length)
  const target = sigmoid
    ? (input.positiveElements ?? 0) / Math.max(1, input.elements ?? input.rows)
    : input.classCounts.filter((n) => n < mean).reduce((a, b) => a + b, 0) / Math.max(1, input.rows)
  const shareOf = (c: (typeof grid)[number]): number | null => (sigmoid ? c.positiveShare : c.minorityShare)
  const closest = new Map<number, number>()
  for (const gamma of gammas) {
    const cells = grid.filter((c) => c.gamma === gamma && shareOf(c) !== null)
    const best = cells.reduce<(typeof grid)[number] | undefined>(
      (b, c) =>
        b === undefined || Math.abs((shareOf(c) as number) - target) < Math.abs((shareOf(b) as number) - target)
          ? c
          : b,
      undefined,
    )
    if (best) closest.set(gamma, best.alpha)
  }
  const columns: ViewColumn[] = [
    {head: 'α', short: 'α', kind: 'text', keep: ALWAYS},
    ...gammas.map((gamma, i) => ({head: `γ=${gamma}`, short: `γ=${gamma}`, kind: 'text' as const, keep: 90 - i})),
  ]
  const rows = alphas.map((alpha): ViewRow => ({
    cells: [
      String(alpha),
      ...gammas.map((gamma) => {
        const cell = grid.find((c) => c.alpha === alpha && c.gamma === gamma)
        const share = cell ? shareOf(cell) : null
        return share === null ? '–' : `${formatShare(share)}${closest.get(gamma) === alpha ? ' *' : ''}`
      }),
    ],
  }))
  const who = sigmoid ? 'the positive elements' : 'the minority classes (fewer rows than the mean per class)'
  const title =
    `γ × α grid — the share of the loss on ${who}; * the α closest to their share of the data, ${formatShare(target)}` +
    (sigmoid ? '' : ' (a scalar α scales every row: shares stay as they are)')
  return {name: 'grid', facts: [], tables: [{id: 'grid', title, columns, rows}]}
}

const GAMMA_LABEL = (gamma: number): string => `γ=${gamma}`

function chartsSection(report: Report): ViewSection {
  const charts: ViewChart[] = []
  const concentration = report.concentration
  if (concentration && concentration.unavailable === undefined) {
    const x = {label: 'fraction of the group, hardest first (log)', min: 1e-4, max: 1, log: true, format: percent}
    for (const name of headlineGroups(concentration)) {
      const series = concentration.groups
        .filter((g) => g.group === name)
        .map((g) => ({name: GAMMA_LABEL(g.gamma), points: g.curve}))
      const who = name === 'all' ? 'rows' : `${name} elements`
      charts.push({
        id: `concentration-${name}`,
        title: `Cumulative share of the loss carried by the hardest ${who} (the paper's Figure 4, on this data)`,
        spec: {x, y: {label: 'share of the loss', min: 0, max: 1, ticks: [0, 0.5, 1]}, series},
      })
    }
  }
  const byPt = report.lossByPt
  if (byPt) {
    const means = byPt.bins.flatMap((b) => b.focal.map((f) => f.mean).filter((m): m is number => m !== null && m > 0))
    if (means.length > 0) {
      const lo = 10 ** Math.floor(Math.log10(Math.min(...means)))
      const hi = 10 ** Math.ceil(Math.log10(Math.max(...means)))
      const series = report.sweep.map((s, g) => ({
        name: GAMMA_LABEL(s.gamma),
        points: byPt.bins
          .filter((b) => b.focal[g]?.mean !== null && (b.focal[g]?.mean ?? 0) > 0)
          .map((b): [number, number] => [(b.lower + b.upper) / 2, b.focal[g].mean as number]),
      }))
      charts.push({
        id: 'loss-by-pt',
        title: 'Mean loss vs p_t (the paper’s Figure 1, on this data)',
        spec: {
          x: {label: 'p_t (probability of the true class)', min: 0, max: 1},
          y: {label: 'mean loss (log)', min: lo, max: hi, log: true},
          series,
        },
      })
    }
  }
  if (report.sweep.length > 1) {
    const gammas = report.sweep.map((s) => s.gamma)
    charts.push({
      id: 'sweep',
      title: 'FL/CE and the hard share vs γ',
      spec: {
        x: {label: 'γ', min: Math.min(...gammas), max: Math.max(...gammas), ticks: gammas},
        y: {label: 'ratio / share', min: 0, max: 1, ticks: [0, 0.5, 1]},
        series: [
          {name: 'FL/CE', points: report.sweep.map((s): [number, number] => [s.gamma, Math.min(1, s.ratioToCe ?? 0)])},
          {name: 'hard share', points: report.sweep.map((s): [number, number] => [s.gamma, s.hardShare ?? 0])},
        ],
      },
    })
  }
  return {name: 'charts', facts: [], tables: [], charts}
}

const BUILDERS: Record<ReportSectionName, (report: Report, options: ReportViewOptions) => ViewSection> = {
  input: inputSection,
  sweep: sweepSection,
  classes: classesSection,
  split: splitSection,
  concentration: concentrationSection,
  grid: gridSection,
  hardest: hardestSection,
  charts: chartsSection,
}

/**
 * The view of `report`: its title and the chosen sections, in the order of REPORT_SECTIONS.
 *
 * Example: `buildReportView(report, {sections: ['classes'], maxClasses: 30})` has one section, whose
 * table lists the 30 classes with the largest CE share and says how many more there are.
 */
export function buildReportView(report: Report, options: ReportViewOptions = {}): ReportView {
  const wanted = options.sections ?? REPORT_SECTIONS
  return {
    title: `focalscope report — ${report.input.files.join(', ')}`,
    sections: REPORT_SECTIONS.filter((name) => wanted.includes(name)).map((name) => BUILDERS[name](report, options)),
  }
}
