import type {KeyLiteral, PathOperand, PathStep} from './parse-rule.js'
import {quoteText, RuleError} from './rule-error.js'

/**
 * One step of a path that names a single value: wildcards and indices are replaced by the element's key
 * (`class` for classes, `gamma` for sweep rows and focal lists), so the same step finds the same element
 * in a baseline report whose lists are ordered differently or hold other elements.
 */
export type ConcreteStep =
  {kind: 'field'; name: string} | {kind: 'key'; field: string; value: string | number} | {kind: 'index'; index: number}

/** One value a path reached, and the concrete path to it. */
export interface ResolvedValue {
  steps: ConcreteStep[]
  /** The steps that `[*]` chose: `[class=cat]`. Two sides of a rule with `[*]` are paired by these. */
  wildcards: ConcreteStep[]
  value: unknown
}

/** Fields that name a list element, tried in this order. */
const ELEMENT_KEYS = ['class', 'gamma']

const PLAIN = /^(?:[A-Za-z_$][A-Za-z0-9_$]*|-?\d+(?:\.\d+)?)$/

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function elementStep(element: unknown, index: number): ConcreteStep {
  if (isRecord(element)) {
    for (const field of ELEMENT_KEYS) {
      const value = element[field]
      if (typeof value === 'string' || typeof value === 'number') return {kind: 'key', field, value}
    }
  }
  return {kind: 'index', index}
}

function formatKey(value: string | number): string {
  if (typeof value === 'number') return String(value)
  // Bare when the rule grammar would read it back as the same key, quoted otherwise.
  return PLAIN.test(value) ? value : JSON.stringify(value)
}

/** `classes[class=cat].ce.share`: the concrete path as a rule would write it. */
export function formatPath(steps: readonly ConcreteStep[]): string {
  let out = ''
  for (const step of steps) {
    if (step.kind === 'field') out += out === '' ? step.name : `.${step.name}`
    else if (step.kind === 'key') out += `[${step.field}=${formatKey(step.value)}]`
    else out += `[${step.index}]`
  }
  return out
}

/** "a number", "a list of 3", "an object": what a value is, for messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return `a list of ${value.length}`
  if (isRecord(value)) return 'an object'
  if (typeof value === 'string') return 'a string'
  if (typeof value === 'number') return 'a number'
  if (typeof value === 'boolean') return 'a boolean'
  return typeof value
}

function where(steps: readonly ConcreteStep[]): string {
  return steps.length === 0 ? 'the report' : formatPath(steps)
}

function listShort(items: string[]): string {
  return items.length > 12 ? `${items.slice(0, 12).join(', ')}, …` : items.join(', ')
}

function stepText(step: PathStep): string {
  if (step.kind === 'field') return `.${step.name}`
  if (step.kind === 'all') return '[*]'
  if (step.kind === 'index') return `[${step.index}]`
  return `[${step.field}=${step.key.text}]`
}

function keyMatches(value: unknown, key: KeyLiteral): boolean {
  if (typeof value === 'number') return key.number !== undefined && value === key.number
  if (typeof value === 'string') return value === key.text
  if (typeof value === 'boolean') return String(value) === key.text
  return false
}

function showValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

function applyStep(at: ResolvedValue, step: PathStep): ResolvedValue[] {
  const {steps, wildcards, value} = at
  if (step.kind === 'field') {
    if (isRecord(value)) {
      if (!Object.hasOwn(value, step.name)) {
        throw new RuleError(
          step.column,
          `expected a field of ${where(steps)} (${listShort(Object.keys(value))}), got ${quoteText(step.name)}`,
        )
      }
      return [{steps: [...steps, {kind: 'field', name: step.name}], wildcards, value: value[step.name]}]
    }
    if (Array.isArray(value)) {
      throw new RuleError(
        step.column,
        `expected [*], [index] or [field=value] after ${where(steps)} (${describeValue(value)}), got ${quoteText(stepText(step))}`,
      )
    }
    throw new RuleError(
      step.column,
      `expected the path to end at ${where(steps)} (${describeValue(value)}), got ${quoteText(stepText(step))}`,
    )
  }
  if (!Array.isArray(value)) {
    const expected = isRecord(value)
      ? `a field after ${where(steps)} (an object)`
      : `the path to end at ${where(steps)} (${describeValue(value)})`
    throw new RuleError(step.column, `expected ${expected}, got ${quoteText(stepText(step))}`)
  }
  if (step.kind === 'all') {
    return value.map((element, i) => {
      const chosen = elementStep(element, i)
      return {steps: [...steps, chosen], wildcards: [...wildcards, chosen], value: element}
    })
  }
  if (step.kind === 'index') {
    if (step.index >= value.length) {
      throw new RuleError(step.column, `expected an index below ${value.length} for ${where(steps)}, got ${step.index}`)
    }
    return [{steps: [...steps, elementStep(value[step.index], step.index)], wildcards, value: value[step.index]}]
  }
  const withField = value.filter((element) => isRecord(element) && Object.hasOwn(element, step.field))
  if (withField.length === 0) {
    const fields = isRecord(value[0]) ? ` (${listShort(Object.keys(value[0]))})` : ''
    throw new RuleError(
      step.column,
      `expected a field of the elements of ${where(steps)}${fields}, got ${quoteText(step.field)}`,
    )
  }
  const matches: ResolvedValue[] = []
  value.forEach((element, i) => {
    if (isRecord(element) && keyMatches(element[step.field], step.key)) {
      matches.push({steps: [...steps, elementStep(element, i)], wildcards, value: element})
    }
  })
  if (matches.length === 0) {
    const known = withField.map((element) => showValue((element as Record<string, unknown>)[step.field]))
    throw new RuleError(
      step.column,
      `expected a ${step.field} of ${where(steps)} (${listShort(known)}), got ${step.key.number === undefined ? JSON.stringify(step.key.text) : step.key.text}`,
    )
  }
  return matches
}

/**
 * Every value a path reaches in `root`: one, or one per element where the path has `[*]` (or a
 * `[field=value]` that several elements match). Throws a `RuleError` at the step that does not fit,
 * saying which fields, indices or keys there are. A path that ends on an object or a list is an error
 * too, since a rule compares numbers, strings and booleans.
 *
 * Example: over a report with classes "cat" and "dog", `classes[*].ce.share` gives two values, with
 * concrete paths `classes[class=cat].ce.share` and `classes[class=dog].ce.share`.
 */
export function resolvePath(root: unknown, path: PathOperand): ResolvedValue[] {
  let reached: ResolvedValue[] = [{steps: [], wildcards: [], value: root}]
  for (const step of path.steps) reached = reached.flatMap((at) => applyStep(at, step))
  if (reached.length === 0)
    throw new RuleError(path.column, `expected at least one value at ${path.text}, got an empty list`)
  for (const {steps, value} of reached) {
    if (typeof value === 'object' && value !== null) {
      const hint = Array.isArray(value) ? '; add [*], [index] or [field=value]' : '; add a field'
      throw new RuleError(
        path.column,
        `expected a number, a string or a boolean at ${formatPath(steps)}, got ${describeValue(value)}${hint}`,
      )
    }
  }
  return reached
}

/**
 * The value at a concrete path (from `resolvePath` over another report), or where it stops: the
 * shortest prefix that is not there.
 */
export function resolveConcrete(
  root: unknown,
  steps: readonly ConcreteStep[],
): {found: true; value: unknown} | {found: false; missing: ConcreteStep[]} {
  let value = root
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s]
    let next: unknown
    if (step.kind === 'field') next = isRecord(value) && Object.hasOwn(value, step.name) ? value[step.name] : undefined
    else if (!Array.isArray(value)) next = undefined
    else if (step.kind === 'index') next = value[step.index]
    else next = value.find((element) => isRecord(element) && element[step.field] === step.value)
    if (next === undefined) return {found: false, missing: steps.slice(0, s + 1)}
    value = next
  }
  return {found: true, value}
}
