/**
 * The state file (`report --state-out`, `merge --state-out`): a partial state as one JSON document, so
 * shards read on several machines, in several processes or at several times merge into the report of
 * all of them (`focalscope merge`). It is the encoded PartialState (encodePartialState: every section the
 * settings keep) plus `context`, what the report needs that the sums do not hold: each file's format and
 * whether --scores was given. Documented field by field in docs/state-format.md, schema/state.schema.json.
 *
 * Settings are checked field by field on the way in (a state file is input like any other: a wrong value
 * is an error naming the field, never a crash or a wrong number), and two states merge only when their
 * settings are equal; the `fingerprint` is a digest of them that tools can group files by without parsing.
 */
import {checkSettings} from './check-settings.js'
import {
  decodePartialState,
  encodePartialState,
  mergeStatesInto,
  type PartialState,
  type Settings,
} from './partial-state.js'
import type {FileFormat} from '../kinds.js'

/** What a report needs beyond the sums: merged with the state (mergeContext). */
export interface StateContext {
  /** Each input file's format, keyed as the state's files are (order, path); the report shows the first's. */
  formats: {path: string; order: number; format: FileFormat}[]
  /**
   * Whether every run that made this state was told --scores (rather than telling the kind from the
   * column names): scores read as logits that look like probabilities then warn instead of stopping.
   */
  scoresGiven: boolean
}

/** A decoded state file: the state and its context. */
export interface StateFile {
  state: PartialState
  context: StateContext
}

const FORMATS: readonly FileFormat[] = ['csv', 'arrow', 'parquet']

/** (order, path) as the input facts order files. */
function byFile(a: {order: number; path: string}, b: {order: number; path: string}): number {
  return a.order - b.order || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
}

/** Both contexts' files (one entry per (order, path)) and scoresGiven of both. Associative, commutative. */
export function mergeContext(a: StateContext, b: StateContext): StateContext {
  const formats = [...a.formats, ...b.formats].sort(byFile)
  const unique = formats.filter((f, i) => i === 0 || byFile(formats[i - 1], f) !== 0)
  return {formats: unique.map((f) => ({...f})), scoresGiven: a.scoresGiven && b.scoresGiven}
}

/** The format the report shows: the first file's in file order (csv when there is none). */
export function reportFormat(context: StateContext): FileFormat {
  return context.formats[0]?.format ?? 'csv'
}

/** Adds `from` into `into` (state and context), refusing different settings (SettingsMismatch). */
export function mergeStateFilesInto(into: StateFile, from: StateFile): StateFile {
  mergeStatesInto(into.state, from.state)
  into.context = mergeContext(into.context, from.context)
  return into
}

/**
 * The settings as canonical JSON (keys sorted at every level), which the fingerprint digests: equal
 * settings give equal text whatever order their keys were written in.
 */
export function canonicalSettings(settings: Settings): string {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted)
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
      )
    }
    return value
  }
  return JSON.stringify(sorted(settings))
}

/**
 * The state file's text: one JSON object, `fingerprint` given by the caller (a digest of
 * canonicalSettings: the core does no hashing of its own). Throws on a non-finite number.
 */
export function encodeStateFile(file: StateFile, fingerprint: string): string {
  const {kind, version, settings, input, breakdown, sections} = encodePartialState(file.state)
  const document = {kind, version, fingerprint, settings, input, breakdown, sections, context: file.context}
  return `${JSON.stringify(document)}\n`
}

/**
 * A state file's JSON, checked: kind and version, every setting (check-settings.ts), every array's length
 * against an empty state of those settings (`empty`), the fingerprint against the settings (`digest` of
 * canonicalSettings), the context. Throws an Error naming the first problem (the caller adds the path).
 */
export function decodeStateFile(
  json: unknown,
  empty: (settings: Settings) => PartialState,
  digest: (text: string) => string,
): StateFile {
  const value = json as Record<string, unknown> | null
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('expected a focalscope state file (a JSON object), got something else')
  }
  if (value.kind !== 'focalscope-partial-state') {
    throw new Error(`expected a focalscope state file (kind "focalscope-partial-state"), got kind ${show(value.kind)}`)
  }
  const settings = checkSettings(value.settings)
  const expected = digest(canonicalSettings(settings))
  if (value.fingerprint !== expected) {
    throw new Error(
      `fingerprint: expected ${expected} (the digest of the settings), got ${show(value.fingerprint)}: the file was changed by hand`,
    )
  }
  checkFileFacts(value.input)
  const state = decodePartialState({...value, settings}, empty)
  return {state, context: checkContext(value.context, state)}
}

/** input.files and input.skipped merge by rules of their own, which take them as they are: checked here. */
function checkFileFacts(input: unknown): void {
  const facts = input as {files?: unknown; skipped?: unknown} | null
  if (typeof facts !== 'object' || facts === null) return // decodePartialState names it
  if (!Array.isArray(facts.files)) throw new Error('input.files: expected a list')
  facts.files.forEach((entry: unknown, i) => {
    const f = entry as {path?: unknown; order?: unknown; rows?: unknown} | null
    const name = `input.files[${i}]`
    if (typeof f !== 'object' || f === null || typeof f.path !== 'string') {
      throw new Error(`${name}: expected {path, order, rows}`)
    }
    if (!Number.isInteger(f.order) || (f.order as number) < 0)
      throw new Error(`${name}.order: expected a whole number ≥ 0`)
    if (!Number.isInteger(f.rows) || (f.rows as number) < 0)
      throw new Error(`${name}.rows: expected a whole number ≥ 0`)
  })
  if (!Array.isArray(facts.skipped)) throw new Error('input.skipped: expected a list')
  facts.skipped.forEach((entry: unknown, i) => {
    const s = entry as {
      reason?: unknown
      count?: unknown
      first?: {order?: unknown; location?: {file?: unknown}; problem?: unknown}
    }
    const name = `input.skipped[${i}]`
    const ok =
      typeof s === 'object' &&
      s !== null &&
      typeof s.reason === 'string' &&
      Number.isInteger(s.count) &&
      typeof s.first === 'object' &&
      s.first !== null &&
      Number.isInteger(s.first.order) &&
      typeof s.first.problem === 'string' &&
      typeof s.first.location?.file === 'string'
    if (!ok) throw new Error(`${name}: expected {reason, count, first: {order, location: {file, …}, problem}}`)
  })
}

function checkContext(value: unknown, state: PartialState): StateContext {
  const context = value as {formats?: unknown; scoresGiven?: unknown} | null
  if (typeof context !== 'object' || context === null) throw new Error('context: expected an object')
  if (typeof context.scoresGiven !== 'boolean') throw new Error('context.scoresGiven: expected true or false')
  if (!Array.isArray(context.formats)) throw new Error('context.formats: expected a list')
  const formats = context.formats.map((entry: unknown, i) => {
    const f = entry as {path?: unknown; order?: unknown; format?: unknown} | null
    const name = `context.formats[${i}]`
    if (typeof f !== 'object' || f === null) throw new Error(`${name}: expected {path, order, format}`)
    if (typeof f.path !== 'string') throw new Error(`${name}.path: expected a string`)
    if (!Number.isInteger(f.order) || (f.order as number) < 0) {
      throw new Error(`${name}.order: expected a whole number ≥ 0`)
    }
    if (!FORMATS.includes(f.format as FileFormat))
      throw new Error(`${name}.format: expected one of ${FORMATS.join(', ')}`)
    return {path: f.path, order: f.order as number, format: f.format as FileFormat}
  })
  const files = state.input.files
  const sameFiles =
    formats.length === files.length && formats.every((f, i) => f.path === files[i].path && f.order === files[i].order)
  if (!sameFiles) throw new Error('context.formats: expected one entry per file of input.files, in the same order')
  return {formats, scoresGiven: context.scoresGiven}
}

function show(value: unknown): string {
  if (value === undefined) return '(none)'
  const text = JSON.stringify(value)
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}
