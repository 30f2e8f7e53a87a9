/**
 * The partial state: everything a report is built from, as one plain, versioned, serialisable object —
 * the settings it was computed with (its fingerprint), the input facts and each evaluator's sums. Threads
 * post it, files and shards merge it, and (next) SQL results and state files arrive as it. Two states merge
 * only when their settings are equal; the merge of each part follows its table of merge rules.
 */
import type {EvaluationConfig} from '../config.js'
import {BREAKDOWN_RULES, type BreakdownSums} from '../evaluators/loss-breakdown.js'
import {type SectionName, type Sections, sectionsFor} from '../evaluators/sections.js'
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
  /** The optional evaluators' states (evaluators/sections.ts): those the settings ask for, and only those. */
  sections: Sections
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

/** Each part of a state and its merge rules: the input facts, the breakdown, then the settings' sections. */
function partsOf(settings: Settings): {path: string[]; rules: SectionRules}[] {
  return [
    {path: ['input'], rules: INPUT_FACT_RULES},
    {path: ['breakdown'], rules: BREAKDOWN_RULES},
    ...sectionsFor(settings).map((entry) => ({path: ['sections', entry.name], rules: entry.rules})),
  ]
}

function partOf(state: PartialState, path: string[]): object {
  return path.reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], state) as object
}

/** The sections a state holds must be those its settings ask for. */
function assertSections(state: PartialState, what: string): void {
  const expected = sectionsFor(state.settings).map((entry) => entry.name)
  const held = Object.keys(state.sections) as SectionName[]
  if (held.length !== expected.length || !expected.every((name) => held.includes(name))) {
    throw new MergeMismatch(`${what}sections`, JSON.stringify(held), `${JSON.stringify(expected)} (from the settings)`)
  }
}

/**
 * Adds `from` into `into` (which it returns); `from` is left as it was. Refuses states of different
 * settings (SettingsMismatch) or shapes (MergeMismatch). Associative and commutative — counts, extremes,
 * file lists and skipped rows exactly, sums to rounding (~1e-16 relative per merge) — with an empty state
 * of the same settings as its identity.
 */
export function mergeStatesInto(into: PartialState, from: PartialState): PartialState {
  assertSameSettings(into.settings, from.settings)
  assertSections(into, '')
  assertSections(from, '')
  for (const {path, rules} of partsOf(into.settings)) {
    mergeSectionInto(rules, partOf(into, path), partOf(from, path), `${path.join('.')}.`)
  }
  return into
}

/** merge(a, b), pure: a new state. */
export function mergeStates(a: PartialState, b: PartialState): PartialState {
  return mergeStatesInto(structuredClone(a), b)
}

/** The JSON form (state files, tests): typed arrays as lists; throws on a non-finite number. */
export function encodePartialState(state: PartialState): Record<string, unknown> {
  const sections: Record<string, unknown> = {}
  const out: Record<string, unknown> = {kind: state.kind, version: state.version, settings: state.settings, sections}
  for (const {path, rules} of partsOf(state.settings)) {
    const encoded = encodeSection(rules, partOf(state, path), `${path.join('.')}.`)
    if (path.length === 1) out[path[0]] = encoded
    else sections[path[1]] = encoded
  }
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
  const state: PartialState = {...template, settings: value.settings as Settings, sections: {}}
  const given = (value.sections ?? {}) as Record<string, unknown>
  for (const {path, rules} of partsOf(template.settings)) {
    const json = path.length === 1 ? value[path[0]] : given[path[1]]
    const decoded = decodeSection(rules, json, partOf(template, path), `${path.join('.')}.`)
    if (path.length === 1) (state as unknown as Record<string, unknown>)[path[0]] = decoded
    else (state.sections as Record<string, unknown>)[path[1]] = decoded
  }
  const extra = Object.keys(given).filter((name) => !(name in state.sections))
  if (extra.length > 0) throw new Error(`sections: ${extra.join(', ')}: not kept by the settings`)
  return state
}

export {emptyInputFacts}
