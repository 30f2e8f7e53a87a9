/**
 * The partial state: everything a report is built from, as one plain, versioned, serialisable object —
 * the settings it was computed with (its fingerprint), the input facts and each evaluator's sums. Threads
 * post it, files and shards merge it, and (next) SQL results and state files arrive as it. Two states merge
 * only when their settings are equal; the merge of each part follows its table of merge rules.
 */
import type {EvaluationConfig} from '../config.js'
import {BREAKDOWN_RULES, type BreakdownSums} from '../evaluators/loss-breakdown.js'
import {KORNIA_RULES, type KorniaSums} from '../evaluators/kornia-terms.js'
import {emptyInputFacts, INPUT_FACT_RULES, type InputFacts} from './input-facts.js'
import {
  decodeSection,
  deepEqual,
  encodeSection,
  MergeMismatch,
  mergeSectionInto,
  type SectionRules,
} from './merge-rules.js'

export const PARTIAL_STATE_VERSION = 1

/**
 * What the figures depend on: the evaluation config (task, scores, γ, α spec, loss, ε, thresholds, eps,
 * reduction, …) with the class names and whether binary labels were read as soft targets.
 */
export interface Settings extends EvaluationConfig {
  classes: string[]
  softLabels: boolean
}

export interface PartialState {
  kind: 'focalscope-partial-state'
  version: typeof PARTIAL_STATE_VERSION
  settings: Settings
  input: InputFacts
  breakdown: BreakdownSums
  /** --preset kornia on a multi-class or multi-label input (else null). */
  kornia: KorniaSums | null
}

/** The settings as a plain JSON object: optional fields left out when not set. */
export function settingsOf(config: EvaluationConfig, classes: string[], softLabels: boolean): Settings {
  return JSON.parse(JSON.stringify({...config, classes: [...classes], softLabels})) as Settings
}

/** Two states computed with different settings: `key` names the first difference. */
export class SettingsMismatch extends Error {
  constructor(
    readonly key: string,
    readonly left: unknown,
    readonly right: unknown,
  ) {
    super(`computed with different settings: ${key} ${show(left)} vs ${show(right)}`)
    this.name = 'SettingsMismatch'
  }
}

function show(value: unknown): string {
  if (value === undefined) return '(not set)'
  const text = JSON.stringify(value)
  return text.length > 80 ? `${text.slice(0, 80)}…` : text
}

/** Throws a SettingsMismatch naming the first setting that differs (in a fixed key order). */
export function assertSameSettings(a: Settings, b: Settings): void {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
  for (const key of keys) {
    const x = (a as unknown as Record<string, unknown>)[key]
    const y = (b as unknown as Record<string, unknown>)[key]
    if (!deepEqual(x, y)) throw new SettingsMismatch(key, x, y)
  }
}

function sectionRules(state: PartialState): [keyof PartialState, SectionRules][] {
  const sections: [keyof PartialState, SectionRules][] = [
    ['input', INPUT_FACT_RULES],
    ['breakdown', BREAKDOWN_RULES],
  ]
  if (state.kornia !== null) sections.push(['kornia', KORNIA_RULES])
  return sections
}

/**
 * Adds `from` into `into` (which it returns); `from` is left as it was. Refuses states of different
 * settings (SettingsMismatch) or shapes (MergeMismatch). Associative and commutative — counts, extremes,
 * file lists and skipped rows exactly, sums to rounding (~1e-16 relative per merge) — with an empty state
 * of the same settings as its identity.
 */
export function mergeStatesInto(into: PartialState, from: PartialState): PartialState {
  assertSameSettings(into.settings, from.settings)
  if ((into.kornia === null) !== (from.kornia === null)) throw new MergeMismatch('kornia', 'absent', 'present')
  for (const [section, rules] of sectionRules(into)) {
    mergeSectionInto(rules, into[section] as object, from[section] as object, `${section}.`)
  }
  return into
}

/** merge(a, b), pure: a new state. */
export function mergeStates(a: PartialState, b: PartialState): PartialState {
  return mergeStatesInto(structuredClone(a), b)
}

/** The JSON form (state files, tests): typed arrays as lists; throws on a non-finite number. */
export function encodePartialState(state: PartialState): Record<string, unknown> {
  const out: Record<string, unknown> = {kind: state.kind, version: state.version, settings: state.settings}
  for (const [section, rules] of sectionRules(state))
    out[section] = encodeSection(rules, state[section] as object, `${section}.`)
  if (state.kornia === null) out.kornia = null
  return out
}

/**
 * The inverse of encodePartialState, checked field by field against `empty` (an empty state of the same
 * settings, which fixes every array's length): throws an Error naming the first problem.
 */
export function decodePartialState(json: unknown, empty: (settings: Settings) => PartialState): PartialState {
  const value = json as Record<string, unknown> | null
  if (typeof value !== 'object' || value === null || value.kind !== 'focalscope-partial-state') {
    throw new Error('expected a focalscope partial state (kind "focalscope-partial-state")')
  }
  if (value.version !== PARTIAL_STATE_VERSION) {
    throw new Error(
      `expected a partial state of version ${PARTIAL_STATE_VERSION}, got ${JSON.stringify(value.version)}`,
    )
  }
  const template = empty(value.settings as Settings)
  const state: PartialState = {...template, settings: value.settings as Settings}
  if ((value.kornia === null) !== (template.kornia === null)) throw new Error('kornia: does not match the settings')
  for (const [section, rules] of sectionRules(template)) {
    ;(state as unknown as Record<string, unknown>)[section] = decodeSection(
      rules,
      value[section],
      template[section] as object,
      `${section}.`,
    )
  }
  return state
}

export {emptyInputFacts}
