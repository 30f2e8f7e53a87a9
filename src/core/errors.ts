/**
 * Errors the core and readers throw. Commands map both to exit code 2 and print `message` as one line.
 * Message template: "<where>: <column>: expected …, got …".
 */

/**
 * Where in an input a bad value sits: a CSV line, an Arrow batch and row, or a Parquet row group and row
 * (all 1-based for people; a row counts within its batch or row group).
 */
export interface InputLocation {
  file: string
  line?: number
  batch?: number
  rowGroup?: number
  row?: number
  column?: string
  /**
   * The row's 0-based index among the file's data rows (skipped ones included). Not printed: it is the row
   * identity a report lists rows by. Readers of a part of a file give it relative to the part (rebased).
   */
  dataRow?: number
}

/**
 * A location moved from a part of a file (a CSV byte range, a group of Arrow batches) to the whole file:
 * the part's rows start after `rows` data rows and `lines` physical lines of the file. Arrow batch numbers
 * are the file's own already.
 */
export function rebaseLocation(loc: InputLocation, base: {rows: number; lines: number}): InputLocation {
  return {
    ...loc,
    ...(loc.line === undefined ? {} : {line: loc.line + base.lines}),
    ...(loc.dataRow === undefined ? {} : {dataRow: loc.dataRow + base.rows}),
  }
}

/** File order of two locations in the same file: by line (CSV), else by row group or batch, and row. */
export function compareLocations(a: InputLocation, b: InputLocation): number {
  return (
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.rowGroup ?? 0) - (b.rowGroup ?? 0) ||
    (a.batch ?? 0) - (b.batch ?? 0) ||
    (a.row ?? 0) - (b.row ?? 0) ||
    (a.dataRow ?? 0) - (b.dataRow ?? 0)
  )
}

export function formatLocation(loc: InputLocation): string {
  let where = loc.file
  if (loc.line !== undefined) where += `:${loc.line}`
  if (loc.batch !== undefined)
    where += loc.row === undefined ? ` (batch ${loc.batch})` : ` (batch ${loc.batch}, row ${loc.row})`
  if (loc.rowGroup !== undefined)
    where += loc.row === undefined ? ` (row group ${loc.rowGroup})` : ` (row group ${loc.rowGroup}, row ${loc.row})`
  if (loc.column !== undefined) where += `: column "${loc.column}"`
  return where
}

/**
 * Why a row cannot be used. With `--on-invalid skip` rows with one of these problems are left out and
 * counted per reason; anything else wrong with a file (no header, a truncated Arrow file) always stops.
 */
export const SKIP_REASONS = [
  'field-count', // a CSV row with more or fewer fields than the header
  'quoting', // an unterminated or malformed quoted field
  'not-a-number', // a score that is not a number at all
  'non-finite', // NaN or ±Infinity
  'null', // an Arrow null in the label or a score
  'label', // a label that names no class
  'probability', // a probability outside [0, 1]
  'row-sum', // multi-class probabilities that do not sum to 1 within the tolerance
  'target', // a multi-label target outside [0, 1]
] as const
export type SkipReason = (typeof SKIP_REASONS)[number]

/** The input file is unreadable or holds a value we cannot compute with. */
export class InputError extends Error {
  readonly location: InputLocation | undefined
  /** Set when the problem is confined to one row, which `--on-invalid skip` may leave out. */
  readonly reason: SkipReason | undefined
  /** What is wrong, without the location ("expected a finite number, got NaN"). */
  readonly problem: string

  constructor(message: string, location?: InputLocation, reason?: SkipReason) {
    super(location ? `${formatLocation(location)}: ${message}` : message)
    this.name = 'InputError'
    this.location = location
    this.reason = reason
    this.problem = message
  }
}

/** The flags or their combination make no sense for this input. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Shows a value from an input in an error message: quoted, and cut short if long. */
export function quoteValue(text: string): string {
  // Cut before a surrogate pair, not inside it: half an emoji would print as "\ud83d".
  const cut = text.charCodeAt(39) >= 0xd800 && text.charCodeAt(39) <= 0xdbff ? 39 : 40
  const shown = text.length > 40 ? `${text.slice(0, cut)}…` : text
  return JSON.stringify(shown)
}
