/**
 * The terminal's "Hardest rows" table (--top): rank, where the row is (file and data row; CSV line, or
 * Arrow batch:row), label, predicted class, p_t, CE and the ranking loss. Empty without `hardest`. Only the
 * overall list: `hardestByClass` is for the JSON (K tables would drown the report).
 */
import type {HardRow, Report} from '../report/types.js'
import {ALWAYS, type ViewColumn, type ViewSection} from './view-model.js'

/** "408" (the CSV line), "3:99" (Arrow batch 3, row 99; Parquet: row group), else "–". */
function where(row: HardRow): string {
  if (row.line !== null) return String(row.line)
  if (row.batch !== null) return `${row.batch}:${row.batchRow ?? '?'}`
  return '–'
}

/** Longest id shown in the terminal (JSON has it whole): the end is kept, where paths differ. */
const ID_WIDTH = 40
const ESCAPES: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}

/**
 * An id as one table cell: control characters shown escaped ("\n", "\u001b": a newline would break the
 * table and an escape sequence would reach the terminal), and a long id cut to its last characters.
 */
export function idCell(id: string | null): string | null {
  if (id === null) return null
  const shown = id.replace(/\p{Cc}/gu, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return shown.length > ID_WIDTH ? `…${shown.slice(shown.length - ID_WIDTH + 1)}` : shown
}

export function hardestSection(report: Report): ViewSection<'hardest'> {
  const hardest = report.hardest
  if (!hardest || hardest.rows.length === 0) return {name: 'hardest', facts: [], tables: []}
  const rows = hardest.rows
  const ids = rows.some((r) => r.id !== null)
  const multilabel = rows.some((r) => r.class !== undefined)
  const focal = hardest.by === 'focal'
  const files = new Set(rows.map((r) => r.file)).size > 1
  const arrow = rows.some((r) => r.line === null)
  const csv = rows.some((r) => r.line !== null)
  const place = csv && arrow ? 'line or batch:row' : csv ? 'line' : 'batch:row'
  const columns: ViewColumn[] = [
    {head: '#', short: '#', kind: 'count', keep: ALWAYS},
    ...(files ? [{head: 'file', short: 'file', kind: 'text', keep: 2} satisfies ViewColumn] : []),
    {head: 'row', short: 'row', kind: 'count', keep: ALWAYS},
    {head: place, short: csv ? 'line' : 'b:row', kind: 'text', keep: 8},
    ...(ids ? [{head: 'id', short: 'id', kind: 'text', keep: 3} satisfies ViewColumn] : []),
    ...(multilabel ? [{head: 'class', short: 'class', kind: 'text', keep: 6} satisfies ViewColumn] : []),
    {head: multilabel ? 'target' : 'label', short: multilabel ? 'y' : 'label', kind: 'text', keep: 5},
    {head: 'predicted', short: 'pred', kind: 'text', keep: 4},
    {head: 'p_t', short: 'p_t', kind: 'loss', keep: 3},
    {head: 'CE', short: 'CE', kind: 'loss', keep: ALWAYS},
    ...(focal ? [{head: `FL γ=${hardest.gamma}`, short: 'FL', kind: 'loss', keep: ALWAYS} satisfies ViewColumn] : []),
  ]
  const table = {
    id: 'hardest',
    title: `Hardest rows — the ${rows.length} largest ${focal ? `focal losses (γ = ${hardest.gamma})` : 'CE'}, ties in input order; row is 0-based in its file`,
    columns,
    rows: rows.map((r, i) => ({
      cells: [
        i + 1,
        ...(files ? [r.file] : []),
        r.row,
        where(r),
        ...(ids ? [idCell(r.id)] : []),
        ...(multilabel ? [r.class ?? null] : []),
        String(r.label),
        String(r.predicted),
        r.pt,
        r.ce,
        ...(focal ? [r.loss] : []),
      ],
    })),
  }
  return {name: 'hardest', facts: [], tables: [table]}
}
