import {Chalk, type ChalkInstance} from 'chalk'
import Table from 'cli-table3'

import type {Report} from '../report/types.js'
import {OVERWEIGHT_MARK} from './report-labels.js'
import {textChart} from './text-chart.js'
import {
  buildReportView,
  formatCell,
  type ReportSectionName,
  type ReportView,
  type ViewColumn,
  type ViewFact,
  type ViewTable,
} from './report-view.js'

export interface RenderOptions {
  color: boolean
  /** The most columns a line may take (default 80: the width when the output is not a terminal). */
  width?: number
  /** Sections to print (default: all). */
  sections?: readonly ReportSectionName[]
  /** Per-class rows, largest CE share first (default: all; the CLI passes 30). */
  maxClasses?: number
  /** Also the semantics sentence. */
  verbose?: boolean
}

export {OVERWEIGHT_MARK}

/** Labels of the summary lines are padded to this, so their texts line up ("Semantics  "). */
const LABEL_WIDTH = 11

/** Box-drawing characters of cli-table3's default border, coloured grey when colour is on. */
const BORDER = /[─│┌┐└┘┬┴┼├┤]+/g

/** Width in terminal columns as cli-table3 counts it for our text: one per code point. */
function width(text: string): number {
  return [...text].length
}

/** Prose as lines of at most `max` columns, broken at spaces, and inside a word longer than a line. */
function wrap(text: string, max: number): string[] {
  const lines: string[] = []
  let line = ''
  for (let word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`
    if (width(next) <= max) {
      line = next
      continue
    }
    if (line !== '') lines.push(line)
    while (width(word) > max) {
      lines.push([...word].slice(0, max).join(''))
      word = [...word].slice(max).join('')
    }
    line = word
  }
  lines.push(line)
  return lines
}

/** A text cut to `max` columns with "…" (a class name in a narrow table). */
function truncate(text: string, max: number): string {
  return width(text) <= max ? text : `${[...text].slice(0, Math.max(1, max - 1)).join('')}…`
}

/** "Input      2,000 rows · …", the text wrapped under itself. */
function renderFact(fact: ViewFact, max: number, chalk: ChalkInstance): string {
  const label = fact.label.padEnd(LABEL_WIDTH - 2)
  const lines = wrap(fact.text, max - LABEL_WIDTH)
  return lines
    .map((line, i) => (i === 0 ? `${chalk.bold(label)}  ${line}` : `${' '.repeat(LABEL_WIDTH)}${line}`))
    .join('\n')
}

/** One way of drawing a table: which columns, which headings, how wide the first column may be. */
interface Layout {
  columns: number[]
  /** Short headings: none, all but the per-γ ones, or all. */
  short: 'none' | 'most' | 'all'
  firstMax: number
}

function heading(column: ViewColumn, short: Layout['short']): string {
  return short === 'all' || (short === 'most' && column.perGamma !== true) ? column.short : column.head
}

function drawTable(table: ViewTable, layout: Layout, chalk: ChalkInstance): string {
  const cols = layout.columns.map((i) => table.columns[i])
  const t = new Table({
    head: cols.map((c) => chalk.bold(heading(c, layout.short))),
    // No colour from cli-table3 itself: colour is decided once (chalk), borders are painted after.
    style: {head: [], border: []},
    colAligns: cols.map((_, i) => (i === 0 ? 'left' : 'right')),
    // No rule between body rows: a 30-class table stays one screen high.
    chars: {mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': ''},
  })
  for (const row of table.rows) {
    t.push(
      layout.columns.map((index, i) => {
        const column = table.columns[index]
        let text = formatCell(row.cells[index], column.kind)
        if (i === 0) {
          text = truncate(text, row.marked ? layout.firstMax - 2 : layout.firstMax)
          if (row.marked) text = `${text} ${OVERWEIGHT_MARK}`
        }
        return row.marked && (i === 0 || column.marks) ? chalk.red.bold(text) : text
      }),
    )
  }
  return t.toString()
}

/** Columns that can go, the least wanted first. */
function dropOrder(columns: readonly ViewColumn[]): number[] {
  return columns
    .map((c, i) => ({keep: c.keep, i}))
    .filter(({keep}) => Number.isFinite(keep))
    .sort((a, b) => a.keep - b.keep || b.i - a.i)
    .map(({i}) => i)
}

/**
 * The table drawn to fit `max` columns: full headings if they fit, else short ones (the per-γ ones last),
 * then dropping columns
 * (least wanted first: the middle γ values), then cutting the first column's names; a note says what was
 * left out. At very small widths the last form may still be wider than `max`.
 */
function fitTable(table: ViewTable, max: number, chalk: ChalkInstance): string[] {
  const all = table.columns.map((_, i) => i)
  const firstWidest = Math.max(
    ...table.rows.map((r) => width(formatCell(r.cells[0], table.columns[0].kind)) + (r.marked ? 2 : 0)),
    0,
  )
  const attempts: Layout[] = [
    {columns: all, short: 'none', firstMax: firstWidest},
    {columns: all, short: 'most', firstMax: firstWidest},
    {columns: all, short: 'all', firstMax: firstWidest},
  ]
  let kept = all
  for (const drop of dropOrder(table.columns)) {
    kept = kept.filter((i) => i !== drop)
    attempts.push({columns: kept, short: 'all', firstMax: firstWidest})
  }
  let text = ''
  let chosen: Layout = attempts[attempts.length - 1]
  for (const layout of attempts) {
    text = drawTable(table, layout, chalk)
    chosen = layout
    if (width(text.split('\n')[0]) <= max) break
  }
  const over = width(text.split('\n')[0]) - max
  if (over > 0) {
    // Still too wide: cut the first column's names, down to 6 columns.
    chosen = {...chosen, firstMax: Math.max(6, firstWidest - over)}
    text = drawTable(table, chosen, chalk)
  }
  const lines = [text]
  const dropped = all.filter((i) => !chosen.columns.includes(i)).map((i) => table.columns[i].head)
  if (dropped.length > 0) {
    lines.push(
      ...wrap(
        `(${dropped.join(', ')} left out to fit ${max} columns: widen the terminal, set COLUMNS, or see --json)`,
        max,
      ),
    )
  }
  if (table.omitted !== undefined) lines.push(...wrap(table.omitted, max))
  return lines
}

/** The view laid out to `max` columns (the report's, or compare's: compare-view.ts). */
export function renderReportView(view: ReportView<string>, options: {color: boolean; width: number}): string {
  const chalk = new Chalk({level: options.color ? 1 : 0})
  const max = options.width
  const blocks: string[][] = [wrap(view.title, max).map((line) => chalk.bold(line))]
  for (const section of view.sections) {
    const facts = section.facts.map((fact) => renderFact(fact, max, chalk))
    if (facts.length > 0) blocks.push(facts)
    for (const table of section.tables) {
      blocks.push([...wrap(table.title, max).map((line) => chalk.bold(line)), ...fitTable(table, max, chalk)])
    }
    for (const chart of section.charts ?? []) {
      blocks.push([
        ...wrap(chart.title, max).map((line) => chalk.bold(line)),
        ...textChart(chart.spec, {width: max, color: options.color}),
      ])
    }
  }
  // The title and the first section's facts read as one block, as before there were sections.
  const [title, ...rest] = blocks
  const out =
    view.sections[0]?.name === 'input' && rest.length > 0 ? [[...title, ...rest[0]], ...rest.slice(1)] : blocks
  const text = out.map((block) => block.join('\n')).join('\n\n')
  return options.color ? text.replace(BORDER, (border) => chalk.gray(border)) : text
}

/**
 * The terminal report: input summary, totals, γ sweep, per-class shares, easy/hard split, every line at
 * most `options.width` columns. Pure.
 */
export function renderReport(report: Report, options: RenderOptions): string {
  const view = buildReportView(report, {
    sections: options.sections,
    maxClasses: options.maxClasses,
    verbose: options.verbose,
  })
  return renderReportView(view, {color: options.color, width: options.width ?? 80})
}
