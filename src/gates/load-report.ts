import {InputError} from '../core/errors.js'
import {type Report, SCHEMA_VERSION} from '../report/types.js'
import {parseJson} from './parse-json.js'
import {describeValue, isRecord} from './resolve-path.js'

/** A field's expected kind; `?` allows null. Lists give the shape of every element. */
type Shape = 'number' | 'number?' | 'string' | 'boolean' | 'list' | {[key: string]: Shape} | [Shape]

const FOCAL: Shape = [{gamma: 'number', sum: 'number', share: 'number?'}]
const SIDE: Shape = {count: 'number', countShare: 'number?', ceShare: 'number?', ce: 'number', focal: FOCAL}

/**
 * The fields the rules' error messages and the renderers rely on, after `schema/report.schema.json`.
 * Other fields are free: a report may gain fields without breaking saved baselines.
 */
const REPORT: Shape = {
  input: {
    files: 'list',
    format: 'string',
    task: 'string',
    scores: 'string',
    rows: 'number',
    skippedRows: 'number',
    clampedValues: 'number',
    classes: 'list',
    imbalanceRatio: 'number?',
    semantics: 'string',
  },
  config: {gammas: 'list', alpha: 'number?', easyThreshold: 'number', eps: 'number'},
  totals: {ce: {sum: 'number', mean: 'number?'}},
  sweep: [
    {gamma: 'number', sum: 'number', mean: 'number?', ratioToCe: 'number?', easyShare: 'number?', hardShare: 'number?'},
  ],
  split: {threshold: 'number', easy: SIDE, hard: SIDE},
  classes: [
    {
      class: 'string',
      count: 'number',
      countShare: 'number?',
      ce: {sum: 'number', share: 'number?'},
      focal: FOCAL,
      overweight: 'boolean',
    },
  ],
}

const SHAPE_NAMES: Record<string, string> = {
  number: 'a number',
  'number?': 'a number or null',
  string: 'a string',
  boolean: 'a boolean',
  list: 'a list',
}

/** The first field that does not have its shape: `sweep[1].sum`, with what was expected and found. */
function mismatch(value: unknown, shape: Shape, path: string): string | undefined {
  if (typeof shape === 'string') {
    const ok =
      shape === 'list'
        ? Array.isArray(value)
        : shape === 'number?'
          ? value === null || typeof value === 'number'
          : typeof value === shape
    return ok
      ? undefined
      : `expected "${path}" to be ${SHAPE_NAMES[shape]}, got ${value === undefined ? 'none' : describeValue(value)}`
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value))
      return `expected "${path}" to be a list, got ${value === undefined ? 'none' : describeValue(value)}`
    for (let i = 0; i < value.length; i++) {
      const problem = mismatch(value[i], shape[0], `${path}[${i}]`)
      if (problem !== undefined) return problem
    }
    return undefined
  }
  if (!isRecord(value))
    return `expected "${path}" to be an object, got ${value === undefined ? 'none' : describeValue(value)}`
  for (const [key, inner] of Object.entries(shape)) {
    const problem = mismatch(value[key], inner, path === '' ? key : `${path}.${key}`)
    if (problem !== undefined) return problem
  }
  return undefined
}

/**
 * Reads a saved report — the output of `focalscope report --json`, or of `focalscope gate --json` (its
 * `report` field) — for `--from-report` and `--baseline`. Throws an `InputError` naming the file when
 * the text is not JSON, not a report, a report of another schema version, or a report missing a field
 * (the first one found is named).
 *
 * Example: `loadReport(readFileSync('prev.json', 'utf8'), 'prev.json')` → the report object.
 */
export function loadReport(text: string, file: string): Report {
  let value = parseJson(text, file)
  // A saved gate result carries the report it was evaluated on.
  if (isRecord(value) && Array.isArray(value.rules) && isRecord(value.report)) value = value.report
  if (!isRecord(value) || !Object.hasOwn(value, 'schemaVersion')) {
    const got = isRecord(value) ? 'an object without "schemaVersion"' : describeValue(value)
    throw new InputError(`expected a focalscope report (the output of report --json), got ${got}`, {file})
  }
  if (value.schemaVersion !== SCHEMA_VERSION) {
    const got = JSON.stringify(value.schemaVersion)
    throw new InputError(`expected a report of schemaVersion ${SCHEMA_VERSION}, got ${got}`, {file})
  }
  const problem = mismatch(value, REPORT, '')
  if (problem !== undefined) throw new InputError(problem, {file})
  return value as unknown as Report
}
