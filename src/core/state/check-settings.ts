/**
 * Settings read from a file (a state file, the SQL result's meta file) are input: each field is checked
 * against what the command line itself would accept, so a hand-edited or corrupt file stops with one line
 * naming the field instead of crashing an evaluator or giving a wrong number. The table has one check per
 * field of Settings (a field added to the settings without a check here fails to compile).
 */
import type {AlphaSpec} from '../config.js'
import {MAX_TOP} from '../evaluators/hardest-rows.js'
import {PRESET_NAMES} from '../presets.js'
import {REDUCTIONS} from '../reduction.js'
import type {Settings} from './partial-state.js'

type Check = (value: unknown, name: string) => void

const fail = (name: string, expected: string): never => {
  throw new Error(`settings.${name}: expected ${expected}`)
}

const oneOf =
  (values: readonly string[]): Check =>
  (value, name) => {
    if (!values.includes(value as string)) fail(name, `one of ${values.join(', ')}`)
  }

const number =
  (low: number, high: number, what: string): Check =>
  (value, name) => {
    if (typeof value !== 'number' || !(value >= low && value <= high)) fail(name, what)
  }

const optional =
  (check: Check): Check =>
  (value, name) => {
    if (value !== undefined) check(value, name)
  }

const boolean: Check = (value, name) => {
  if (typeof value !== 'boolean') fail(name, 'true or false')
}

const text: Check = (value, name) => {
  if (typeof value !== 'string') fail(name, 'a string')
}

function checkAlpha(value: unknown, name: string): void {
  const spec = value as AlphaSpec | null
  if (typeof spec !== 'object' || spec === null) fail(name, 'an object {kind, …}')
  const unit = (x: unknown): boolean => typeof x === 'number' && x >= 0 && x <= 1
  switch ((spec as AlphaSpec).kind) {
    case 'none':
    case 'inverse-frequency':
      return
    case 'scalar':
      if (!unit((spec as {value: unknown}).value)) fail(`${name}.value`, 'a number in [0, 1]')
      return
    case 'list': {
      const values = (spec as {values: unknown}).values
      if (!Array.isArray(values) || !values.every(unit)) fail(`${name}.values`, 'a list of numbers in [0, 1]')
      return
    }
    case 'effective-number': {
      const beta = (spec as {beta: unknown}).beta
      if (typeof beta !== 'number' || !(beta >= 0 && beta < 1)) fail(`${name}.beta`, 'a number in [0, 1)')
      return
    }
    default:
      fail(`${name}.kind`, 'none, scalar, list, inverse-frequency or effective-number')
  }
}

const SETTING_CHECKS: Record<keyof Settings, Check> = {
  task: oneOf(['binary', 'multiclass', 'multilabel']),
  scores: oneOf(['logits', 'probs']),
  numClasses: (value, name) => {
    if (!Number.isInteger(value) || (value as number) < 1) fail(name, 'a whole number ≥ 1')
  },
  gammas: (value, name) => {
    if (!Array.isArray(value) || value.length === 0) fail(name, 'a non-empty list of γ values')
    ;(value as unknown[]).forEach((g, i) => number(0, 100, 'a number from 0 to 100')(g, `${name}[${i}]`))
  },
  alphaSpec: checkAlpha,
  elementLayout: optional(oneOf(['wide', 'long'])),
  loss: optional(oneOf(['ce', 'focal', 'varifocal', 'poly1'])),
  polyEpsilon: optional(number(-1, 100, 'a number from -1 to 100')),
  korniaTerms: optional(boolean),
  concentration: optional(boolean),
  metrics: optional(boolean),
  classEce: optional(boolean),
  positiveClass: optional((value, name) => {
    if (!Number.isInteger(value) || (value as number) < 0) fail(name, 'a class index ≥ 0')
  }),
  gridAlphas: optional((value, name) => {
    if (!Array.isArray(value) || value.length === 0) fail(name, 'a non-empty list of {alpha, spec}')
    ;(value as unknown[]).forEach((cell, i) => {
      const {alpha, spec} = (cell ?? {}) as {alpha?: unknown; spec?: unknown}
      number(0, 1, 'a number in [0, 1]')(alpha, `${name}[${i}].alpha`)
      checkAlpha(spec, `${name}[${i}].spec`)
    })
  }),
  hardest: optional((value, name) => {
    const top = (value ?? {}) as {rows?: unknown; perClass?: unknown; gamma?: unknown}
    if (typeof value !== 'object' || value === null) fail(name, 'an object {rows, perClass, gamma}')
    const count = (x: unknown, field: string): void => {
      if (!Number.isInteger(x) || (x as number) < 0 || (x as number) > MAX_TOP)
        fail(`${name}.${field}`, `a whole number from 0 to ${MAX_TOP}`)
    }
    count(top.rows, 'rows')
    count(top.perClass, 'perClass')
    if (top.gamma !== null) number(0, 100, 'null or a number from 0 to 100')(top.gamma, `${name}.gamma`)
  }),
  preset: optional(oneOf(PRESET_NAMES)),
  reduction: optional(oneOf(REDUCTIONS)),
  reductionSource: optional(text),
  easyThreshold: number(0, 1 - Number.EPSILON / 2, 'a number in [0, 1)'),
  eps: number(2 ** -53, 0.5 - Number.EPSILON / 4, 'a number in [2^-53, 0.5)'),
  probTolerance: number(0, 1, 'a number in [0, 1]'),
  rowSumTolerance: number(0, 1, 'a number in [0, 1)'),
  rowSumPolicy: oneOf(['refuse', 'renormalize']),
  classes: (value, name) => {
    if (!Array.isArray(value) || !value.every((c) => typeof c === 'string')) fail(name, 'a list of class names')
  },
  softLabels: boolean,
}

/**
 * `value` as Settings, or an Error naming the first field that is missing, unknown or out of range, and
 * the cross-field facts: as many class names as classes, binary has 2, a per-class α has one per class.
 */
export function checkSettings(value: unknown): Settings {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('settings: expected an object')
  }
  const settings = value as Record<string, unknown>
  for (const key of Object.keys(settings)) {
    if (!Object.hasOwn(SETTING_CHECKS, key)) {
      throw new Error(`settings.${key}: not a setting this version of focalscope knows (a newer version's file?)`)
    }
  }
  // A required field that is missing fails its own check (undefined is no allowed value).
  for (const [key, check] of Object.entries(SETTING_CHECKS)) check(settings[key], key)
  const s = settings as unknown as Settings
  if (s.classes.length !== s.numClasses) fail('classes', `${s.numClasses} names (numClasses)`)
  if (s.task === 'binary' && s.numClasses !== 2) fail('numClasses', '2 for a binary task')
  if (s.alphaSpec.kind === 'list' && s.alphaSpec.values.length !== s.numClasses) {
    fail('alphaSpec.values', `${s.numClasses} values, one per class`)
  }
  if (new Set(s.gammas).size !== s.gammas.length) fail('gammas', 'distinct values')
  return s
}
