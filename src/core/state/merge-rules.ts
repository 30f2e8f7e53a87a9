/**
 * How each field of a partial state merges, declared once per field as torchmetrics' `add_state(…,
 * dist_reduce_fx)` does. The table of a section drives everything that touches its fields: the empty state
 * (`emptySection`), `mergeSection`, the JSON encoding (`encodeSection` / `decodeSection`) and the property
 * tests, so a new field cannot be forgotten in one of them.
 *
 * A field's value is a number or a Float64Array (merged element-wise), a pair of Float64Arrays for a
 * compensated sum, or (for `equal` and `custom`) a plain JSON value.
 *
 * Example: the table `{rows: SUM, ce: COMPENSATED}` merges `{rows: 2, ce: {sum: [1.5], comp: [0]}}` and
 * `{rows: 3, ce: {sum: [0.25], comp: [0]}}` into `{rows: 5, ce: {sum: [1.75], comp: [0]}}`.
 */
import {addCompensated} from '../losses/numerics.js'

/** Σ with Neumaier's compensation term: the value of element i is sum[i] + comp[i]. */
export interface CompensatedSums {
  sum: Float64Array
  comp: Float64Array
}

export type MergeRule =
  /** Counts and plain sums: a + b (element-wise for arrays). */
  | {kind: 'sum'}
  /** Compensated sums: a + b with the compensation terms carried over. */
  | {kind: 'compensated'}
  /** The larger / smaller (element-wise). */
  | {kind: 'max'}
  | {kind: 'min'}
  /** Must be the same in both (a setting, a shape): a difference is refused, naming the field. */
  | {kind: 'equal'}
  /**
   * A rule of its own (a list of files, a heap of rows): pure, associative and commutative. A value that
   * is not plain JSON (typed arrays inside) gives `encode` and `decode` (which checks it, throwing an Error).
   */
  | {
      kind: 'custom'
      merge: (a: unknown, b: unknown) => unknown
      encode?: (value: unknown, name: string) => unknown
      decode?: (json: unknown, name: string) => unknown
    }

export const SUM: MergeRule = {kind: 'sum'}
export const COMPENSATED: MergeRule = {kind: 'compensated'}
export const MAX: MergeRule = {kind: 'max'}
export const MIN: MergeRule = {kind: 'min'}
export const EQUAL: MergeRule = {kind: 'equal'}

export type FieldValue = number | Float64Array | CompensatedSums | unknown

/** A section's fields and the rule each merges by. */
export type SectionRules = Record<string, MergeRule>

/** Two states that cannot be merged (their settings or shapes differ): `field` names the first difference. */
export class MergeMismatch extends Error {
  constructor(
    readonly field: string,
    readonly left: string,
    readonly right: string,
  ) {
    super(`${field}: ${left} vs ${right}`)
    this.name = 'MergeMismatch'
  }
}

export function compensatedSums(length: number): CompensatedSums {
  return {sum: new Float64Array(length), comp: new Float64Array(length)}
}

/** The value of a compensated sum's element i. */
export function compensatedValue(sums: CompensatedSums, i: number): number {
  return sums.sum[i] + sums.comp[i]
}

function isCompensated(value: unknown): value is CompensatedSums {
  return typeof value === 'object' && value !== null && (value as CompensatedSums).sum instanceof Float64Array
}

function shown(value: unknown): string {
  const text = JSON.stringify(value instanceof Float64Array ? [...value] : value)
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}

function sameShape(field: string, a: Float64Array, b: Float64Array): void {
  if (a.length !== b.length) throw new MergeMismatch(`${field} (length)`, String(a.length), String(b.length))
}

/** A list of finite numbers as a Float64Array (for custom decoders); throws naming the field. */
export function decodeNumbers(value: unknown, name: string): Float64Array {
  if (!Array.isArray(value)) throw new Error(`${name}: expected a list of numbers`)
  return decodeArray(value, value.length, name)
}

/** A Float64Array as a list of finite numbers (for custom encoders); throws naming the field. */
export function encodeNumbers(values: Float64Array, name: string): number[] {
  return finiteArray([...values], name)
}

/** Deep equality of plain JSON values and typed arrays. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a instanceof Float64Array || b instanceof Float64Array) {
    if (!(a instanceof Float64Array && b instanceof Float64Array) || a.length !== b.length) return false
    return a.every((x, i) => Object.is(x, b[i]))
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false
    return a.every((x, i) => deepEqual(x, b[i]))
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined)
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined)
    if (ka.length !== kb.length) return false
    return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  }
  return false
}

/**
 * Adds `from` into `into` field by field, as the table says; `from` is left as it was. Throws a
 * MergeMismatch for an `equal` field that differs or arrays of different lengths.
 */
export function mergeSectionInto<S extends object>(rules: SectionRules, into: S, from: S, prefix = ''): S {
  const a = into as Record<string, unknown>
  const b = from as Record<string, unknown>
  for (const [field, rule] of Object.entries(rules)) {
    const name = prefix + field
    const x = a[field]
    const y = b[field]
    switch (rule.kind) {
      case 'sum':
      case 'max':
      case 'min': {
        const pick = rule.kind === 'sum' ? add : rule.kind === 'max' ? Math.max : Math.min
        if (x instanceof Float64Array && y instanceof Float64Array) {
          sameShape(name, x, y)
          for (let i = 0; i < x.length; i++) x[i] = pick(x[i], y[i])
        } else {
          a[field] = pick(x as number, y as number)
        }
        break
      }
      case 'compensated': {
        const s = x as CompensatedSums
        const t = y as CompensatedSums
        sameShape(name, s.sum, t.sum)
        for (let i = 0; i < s.sum.length; i++) {
          addCompensated(s.sum, s.comp, i, t.sum[i])
          s.comp[i] += t.comp[i]
        }
        break
      }
      case 'equal':
        if (!deepEqual(x, y)) throw new MergeMismatch(name, shown(x), shown(y))
        break
      case 'custom':
        a[field] = rule.merge(x, y)
        break
    }
  }
  return into
}

function add(x: number, y: number): number {
  return x + y
}

/** A deep copy of a section's values (typed arrays copied, plain values cloned). */
export function copySection<S extends object>(section: S): S {
  return structuredClone(section)
}

/** merge(a, b) as a pure function: a new state, neither operand changed. */
export function mergeSection<S extends object>(rules: SectionRules, a: S, b: S): S {
  return mergeSectionInto(rules, copySection(a), b)
}

/**
 * The JSON form of a section: Float64Arrays become arrays of numbers, compensated sums {sum, comp}
 * pairs of arrays, a min (max) field still at +Infinity (−Infinity), its identity, null. Every other number
 * must be finite (JSON has no NaN or Infinity, and a state with one is
 * corrupt): a non-finite value throws, naming the field.
 */
export function encodeSection(rules: SectionRules, section: object, prefix = ''): Record<string, unknown> {
  const s = section as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [field, rule] of Object.entries(rules)) {
    const value = s[field]
    // min / max start at ±Infinity (nothing seen yet), which JSON cannot hold: null stands for it.
    const identity = rule.kind === 'min' ? Infinity : rule.kind === 'max' ? -Infinity : undefined
    if (rule.kind === 'custom' && rule.encode) out[field] = rule.encode(value, prefix + field)
    else out[field] = identity !== undefined && value === identity ? null : encodeValue(value, prefix + field)
  }
  return out
}

function encodeValue(value: unknown, name: string): unknown {
  if (value instanceof Float64Array) return finiteArray([...value], name)
  if (isCompensated(value)) return {sum: finiteArray([...value.sum], name), comp: finiteArray([...value.comp], name)}
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`${name}: non-finite value ${value}`)
  return value
}

function finiteArray(values: number[], name: string): number[] {
  const bad = values.findIndex((v) => !Number.isFinite(v))
  if (bad >= 0) throw new Error(`${name}[${bad}]: non-finite value ${values[bad]}`)
  return values
}

/**
 * The inverse of encodeSection, checked against the table and the empty section's shapes: every field
 * present, arrays of the right lengths, every number finite. A problem throws an Error naming the field
 * (the caller turns it into an input error naming the file).
 */
export function decodeSection<S extends object>(rules: SectionRules, json: unknown, empty: S, prefix = ''): S {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${prefix || 'state'}: expected an object`)
  }
  const source = json as Record<string, unknown>
  const template = empty as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [field, rule] of Object.entries(rules)) {
    const name = prefix + field
    if (!Object.hasOwn(source, field)) throw new Error(`${name}: missing`)
    const value = source[field]
    const shape = template[field]
    if (rule.kind === 'custom' && rule.decode) out[field] = rule.decode(value, name)
    else if (shape instanceof Float64Array) out[field] = decodeArray(value, shape.length, name)
    else if (isCompensated(shape)) {
      const pair = value as {sum?: unknown; comp?: unknown}
      if (typeof pair !== 'object' || pair === null) throw new Error(`${name}: expected {sum, comp}`)
      out[field] = {
        sum: decodeArray(pair.sum, shape.sum.length, `${name}.sum`),
        comp: decodeArray(pair.comp, shape.sum.length, `${name}.comp`),
      }
    } else if (typeof shape === 'number' && rule.kind !== 'equal' && rule.kind !== 'custom') {
      if (value === null && (rule.kind === 'min' || rule.kind === 'max')) {
        out[field] = rule.kind === 'min' ? Infinity : -Infinity
        continue
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${name}: expected a finite number`)
      out[field] = value
    } else {
      out[field] = value
    }
  }
  return out as S
}

function decodeArray(value: unknown, length: number, name: string): Float64Array {
  if (!Array.isArray(value)) throw new Error(`${name}: expected a list of numbers`)
  if (value.length !== length) throw new Error(`${name}: expected ${length} numbers, got ${value.length}`)
  const out = new Float64Array(length)
  for (let i = 0; i < length; i++) {
    const v = value[i] as unknown
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${name}[${i}]: expected a finite number`)
    out[i] = v
  }
  return out
}
