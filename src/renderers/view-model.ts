/**
 * The view's vocabulary — sections, tables, columns, cells, charts — apart from report-view.ts, which builds
 * the view: the section builders (hardest-view.ts) use these names and report-view.ts uses the builders.
 */
import type {ChartSpec} from './text-chart.js'

/** The sections the terminal report can show, in the order it shows them. */
export const REPORT_SECTIONS = [
  'input',
  'sweep',
  'classes',
  'split',
  'concentration',
  'grid',
  'hardest',
  'charts',
] as const
export type ReportSectionName = (typeof REPORT_SECTIONS)[number]

/**
 * How a cell's number is written (format-number.ts; the `…Delta` kinds, differences B − A, format-delta.ts);
 * `text` cells are written as they are.
 */
export type CellKind = 'text' | 'count' | 'share' | 'loss' | 'ratio' | DeltaKind
export type DeltaKind = 'countDelta' | 'shareDelta' | 'lossDelta' | 'ratioDelta'

/** A column never dropped to fit a width. */
export const ALWAYS = Number.POSITIVE_INFINITY

export interface ViewColumn {
  /** The full heading ("row share"). */
  head: string
  /** The heading when space is short ("row %"). */
  short: string
  kind: CellKind
  /** When a table is too wide, the column with the lowest `keep` is dropped first; ALWAYS never is. */
  keep: number
  /** A marked row (▲) paints this column's cell too. */
  marks?: boolean
  /** One of the per-γ columns, whose full heading is kept longer than the others' (it names the loss). */
  perGamma?: boolean
}

export type CellValue = number | string | null

export interface ViewRow {
  cells: CellValue[]
  /** The row carries far more loss than data (▲): its first cell gets the mark. */
  marked?: boolean
}

export interface ViewTable {
  /** What the table is ("classes", "split"): stable, for tests and other renderers. */
  id: string
  title: string
  columns: ViewColumn[]
  rows: ViewRow[]
  /** Rows left out (`--max-classes`), in words: "… 970 more classes (…)". */
  omitted?: string
}

/** One labelled line of the summary ("Input", "Checks", …). */
export interface ViewFact {
  label: string
  text: string
}

/** A named block of the view; `compare` has sections of its own (compare-view.ts). */
export interface ViewSection<Name extends string = ReportSectionName> {
  name: Name
  facts: ViewFact[]
  tables: ViewTable[]
  /** Line charts (text-chart.ts lays them out), after the tables. */
  charts?: ViewChart[]
}

/** A line chart of the report's figures: the data, not its drawing. */
export interface ViewChart {
  id: string
  title: string
  spec: ChartSpec
}

export interface ReportView<Name extends string = ReportSectionName> {
  title: string
  sections: ViewSection<Name>[]
}
