/**
 * The meta file of an SQL query (`focalscope sql --meta-out META.json`): what `merge --from-sql` needs to
 * turn the query's result into a report — the settings (with their fingerprint), the result's shape, the
 * dialect and source the query was written for, --on-invalid and whether --scores was given, and the
 * sections the settings keep that the query does not compute (which the report then leaves out, saying so).
 */
import {checkSettings} from '../core/state/check-settings.js'
import type {Settings} from '../core/state/partial-state.js'
import {canonicalSettings} from '../core/state/state-file.js'
import {DIALECT_NAMES, type DialectName} from './dialects.js'
import {resultFormat, type ResultFormat} from './result-format.js'

export const SQL_META_VERSION = 1

export interface SqlMeta {
  kind: 'focalscope-sql-meta'
  version: typeof SQL_META_VERSION
  dialect: DialectName
  /** The --from text (a table or a subquery). */
  from: string
  fingerprint: string
  settings: Settings
  result: ResultFormat
  /** --on-invalid of the `sql` command: fail stops `merge --from-sql` when the query left rows out. */
  onInvalid: 'fail' | 'skip'
  scoresGiven: boolean
  /** Sections the settings keep that this query does not compute (left out of the report, with a warning). */
  notComputed: string[]
}

/** The meta file's text. */
export function sqlMetaText(meta: SqlMeta): string {
  return `${JSON.stringify(meta, null, 2)}\n`
}

/**
 * A meta file's JSON, checked: kind, version, dialect, settings (and their fingerprint, `digest` of the
 * canonical settings), and the result's shape against what these settings give. Throws an Error naming
 * the first problem.
 */
export function decodeSqlMeta(json: unknown, digest: (text: string) => string): SqlMeta {
  const value = json as Record<string, unknown> | null
  if (typeof value !== 'object' || value === null || value.kind !== 'focalscope-sql-meta') {
    throw new Error('expected the meta file of `focalscope sql --meta-out` (kind "focalscope-sql-meta")')
  }
  if (value.version !== SQL_META_VERSION) {
    throw new Error(`expected a meta file of version ${SQL_META_VERSION}, got ${JSON.stringify(value.version)}`)
  }
  if (!DIALECT_NAMES.includes(value.dialect as DialectName)) {
    throw new Error(`dialect: expected one of ${DIALECT_NAMES.join(', ')}`)
  }
  if (typeof value.from !== 'string') throw new Error('from: expected the --from text')
  const settings = checkSettings(value.settings)
  const expected = digest(canonicalSettings(settings))
  if (value.fingerprint !== expected) {
    throw new Error(`fingerprint: expected ${expected} (the digest of the settings): the file was changed by hand`)
  }
  const format = resultFormat(settings)
  if (JSON.stringify(value.result) !== JSON.stringify(format)) {
    throw new Error('result: expected the result shape these settings give (a meta file of another version?)')
  }
  if (value.onInvalid !== 'fail' && value.onInvalid !== 'skip') throw new Error('onInvalid: expected fail or skip')
  if (typeof value.scoresGiven !== 'boolean') throw new Error('scoresGiven: expected true or false')
  if (!Array.isArray(value.notComputed) || !value.notComputed.every((n) => typeof n === 'string')) {
    throw new Error('notComputed: expected a list of section names')
  }
  return {...(value as unknown as SqlMeta), settings, result: format}
}
