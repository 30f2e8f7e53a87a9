/**
 * `merge --from-sql RESULT… --sql-meta META.json`: the results of `focalscope sql`'s query, as an engine
 * saved them (CSV, JSON lines or Parquet), turned into the partial state they stand for and merged — one
 * result, or one per partition the query ran on.
 */
import {readFileSync} from 'node:fs'

import {InputError} from '../core/errors.js'
import {sectionsFor} from '../core/evaluators/sections.js'
import {mergeStatesInto, type PartialState} from '../core/state/partial-state.js'
import type {StateFile} from '../core/state/state-file.js'
import {fsError} from '../readers/open-source.js'
import {type ResultRow, stateOfResult} from '../sql/result-format.js'
import {decodeSqlMeta, type SqlMeta} from '../sql/sql-meta.js'
import {settingsDigest} from './state-files.js'

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    throw fsError(error, path)
  }
}

/** The meta file, read and checked (an InputError naming it). */
export function readSqlMeta(path: string): SqlMeta {
  const text = readBytes(path).toString('utf8')
  try {
    return decodeSqlMeta(JSON.parse(text), settingsDigest)
  } catch (error) {
    throw new InputError((error as Error).message, {file: path})
  }
}

/** RFC 4180 CSV: a header row, then records; quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let field = ''
  let record: string[] = []
  let quoted = false
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  for (; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      record.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      record.push(field)
      records.push(record)
      record = []
      field = ''
    } else field += c
  }
  if (field !== '' || record.length > 0) {
    record.push(field)
    records.push(record)
  }
  return records.filter((r) => !(r.length === 1 && r[0] === ''))
}

/** The rows of a result file: Parquet (PAR1), JSON lines (a line starting with "{"), else CSV. */
async function resultRows(path: string): Promise<{rows: ResultRow[]; format: 'csv' | 'parquet'}> {
  const bytes = readBytes(path)
  const lower = (row: Record<string, unknown>): ResultRow =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        key.toLowerCase(),
        typeof value === 'bigint' ? Number(value) : (value as number | string | null),
      ]),
    )
  if (bytes.subarray(0, 4).toString('latin1') === 'PAR1') {
    const {parquetReadObjects} = await import('hyparquet')
    const {compressors} = await import('hyparquet-compressors')
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    const objects = (await parquetReadObjects({file, compressors})) as Record<string, unknown>[]
    return {rows: objects.map(lower), format: 'parquet'}
  }
  const text = bytes.toString('utf8')
  if (text.trimStart().startsWith('{')) {
    const rows = text
      .split('\n')
      .map((line, i) => ({line: line.trim(), i}))
      .filter(({line}) => line !== '')
      .map(({line, i}) => {
        try {
          return lower(JSON.parse(line) as Record<string, unknown>)
        } catch (error) {
          throw new InputError(`expected a JSON object per line, got ${(error as Error).message}`, {
            file: path,
            line: i + 1,
          })
        }
      })
    return {rows, format: 'csv'}
  }
  const [header, ...records] = parseCsv(text)
  if (header === undefined) throw new InputError('expected the result of the query, got an empty file', {file: path})
  const names = header.map((h) => h.trim().toLowerCase())
  const rows = records.map((record) => {
    const row: ResultRow = {}
    names.forEach((name, j) => {
      const cell = record[j]
      // Engines write NULL as an empty field (PostgreSQL, DuckDB, Spark) or as NULL / \N.
      row[name] = cell === undefined || cell === '' || cell === 'NULL' || cell === '\\N' ? null : cell
    })
    return row
  })
  return {rows, format: 'csv'}
}

/**
 * The state of the results at `paths` (merged) with its context, and the report's warnings: the sections
 * the query does not compute. With --on-invalid fail (the `sql` command's), rows the query left out stop
 * the run here, as `report` stops at a bad row.
 */
export async function mergeSqlResults(
  paths: string[],
  metaPath: string,
): Promise<{file: StateFile; warnings: string[]}> {
  const meta = readSqlMeta(metaPath)
  let state: PartialState | undefined
  const formats: StateFile['context']['formats'] = []
  for (const path of paths) {
    const {rows, format} = await resultRows(path)
    let part: PartialState
    try {
      part = stateOfResult(rows, meta.settings, meta.result, path)
    } catch (error) {
      throw new InputError((error as Error).message, {file: path})
    }
    if (meta.onInvalid === 'fail' && part.input.skipped.length > 0) {
      const counts = part.input.skipped.map((s) => `${s.count} ${s.reason}`).join(', ')
      throw new InputError(
        `expected every row to be usable, got rows the query left out (${counts}); fix them, or write the query with --on-invalid skip to leave them out`,
        {file: path},
      )
    }
    formats.push({path, order: 0, format})
    state = state === undefined ? part : mergeStatesInto(state, part)
  }
  const warnings: string[] = []
  for (const name of meta.notComputed) {
    delete (state as PartialState).sections[name as keyof PartialState['sections']]
    warnings.push(`${name}: not computed by the ${meta.dialect} query: left out of this report`)
  }
  const expected = sectionsFor(meta.settings).map((entry) => entry.name as string)
  for (const name of expected) {
    if (!meta.notComputed.includes(name) && !meta.result.computed.includes(name as never)) {
      throw new InputError(`expected the query to compute section ${name} or list it as not computed`, {file: metaPath})
    }
  }
  // One entry per file of the state (a result named twice is one file, its rows counted twice).
  const byPath = [...new Map(formats.map((f) => [f.path, f])).values()]
  byPath.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return {file: {state: state as PartialState, context: {formats: byPath, scoresGiven: meta.scoresGiven}}, warnings}
}
