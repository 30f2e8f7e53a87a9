import {escapeHtml} from './escape-html.js'

/** One table cell: the text shown, and the value it sorts by (a number's full precision, or a name). */
export interface Cell {
  text: string
  /** What a sortable table sorts by and what `data-value` holds; null (a "–") sorts last. */
  value?: number | string | null
  /** Extra class names, e.g. "overweight". */
  className?: string
}

export interface TableOptions {
  head: string[]
  rows: (Cell | string)[][]
  /** Short text above the table (its `<caption>`). */
  caption?: string
  /** Clicking a header sorts the rows by that column (the page's inline script does it). */
  sortable?: boolean
  /** The table's id, for links and tests. */
  id?: string
  /** A tall table scrolls inside a box of about one screen, its header kept in view. */
  tall?: boolean
  /** The order the rows are given in (a sortable table's header says so: `aria-sort`). */
  sortedBy?: {column: number; order: 'ascending' | 'descending'}
}

/**
 * An HTML table in a horizontally scrolling box (a wide table never widens the page). The first column is
 * the row's name; the others are right-aligned figures. Every text is escaped. In a sortable table each
 * header is a button, and each cell with a value carries it in `data-value`, so sorting uses the full
 * number, not the rounded text.
 */
export function htmlTable(options: TableOptions): string {
  const head = options.head
    .map((h, i) => {
      const label = escapeHtml(h)
      const align = i === 0 ? '' : ' class="num"'
      const sort = options.sortedBy?.column === i ? options.sortedBy.order : 'none'
      return options.sortable
        ? `<th scope="col"${align} aria-sort="${sort}"><button type="button">${label}</button></th>`
        : `<th scope="col"${align}>${label}</th>`
    })
    .join('')
  const body = options.rows
    .map(
      (row) =>
        `<tr>${row.map((cell, i) => renderCell(typeof cell === 'string' ? {text: cell} : cell, i)).join('')}</tr>`,
    )
    .join('\n')
  const id = options.id ? ` id="${escapeHtml(options.id)}"` : ''
  const classes = ['report-table', ...(options.sortable ? ['sortable'] : [])].join(' ')
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : ''
  const box = options.tall ? 'table-scroll tall' : 'table-scroll'
  return (
    `<div class="${box}"><table class="${classes}"${id}>${caption}<thead><tr>${head}</tr></thead>` +
    `<tbody>\n${body}\n</tbody></table></div>`
  )
}

function renderCell(cell: Cell, index: number): string {
  const classes = [...(index === 0 ? [] : ['num']), ...(cell.className ? [cell.className] : [])]
  const classAttr = classes.length > 0 ? ` class="${classes.join(' ')}"` : ''
  const value = cell.value === undefined || cell.value === null ? '' : ` data-value="${escapeHtml(String(cell.value))}"`
  const tag = index === 0 ? 'th scope="row"' : 'td'
  return `<${tag}${classAttr}${value}>${escapeHtml(cell.text)}</${index === 0 ? 'th' : 'td'}>`
}

/** A figure cell: `format(value)` shown, the value itself kept for sorting. */
export function numberCell(value: number | null | undefined, format: (v: number | null) => string): Cell {
  const v = value ?? null
  return {text: format(v), value: v}
}
