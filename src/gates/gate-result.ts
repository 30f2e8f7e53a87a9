import type {Report} from '../report/types.js'
import type {RuleExpression, Scalar} from './parse-rule.js'
import type {ComparisonOp} from './tokenize.js'

/**
 * The result of `focalscope gate`: what `--json` prints and every gate renderer (table, JUnit, GitHub
 * annotations, Markdown summary) reads. Plain and JSON-safe, like the report it embeds.
 * Bump `GATE_SCHEMA_VERSION` only when a field changes meaning.
 */
export const GATE_SCHEMA_VERSION = 1

/** Lighthouse CI's levels: a failed `error` rule fails the gate (exit 1), a failed `warn` rule does not. */
export type Severity = 'error' | 'warn'

export const SEVERITIES: readonly Severity[] = ['error', 'warn']

/** One rule, ready to evaluate: from the config file or an `--assert` flag. */
export interface GateRule {
  /** The config's `name`, or the rule's text when it has none. */
  name: string
  /** The rule's text, as written. */
  assert: string
  severity: Severity
  /** Where the rule came from, for error messages: `gates.json: rules[2].assert` or `--assert`. */
  origin: string
  expression: RuleExpression
}

/** One side of one comparison, for one element. */
export interface CheckOperand {
  /** The operand with wildcards replaced by the element: `delta(classes[class=cat].ce.share)`, `0.05`. */
  expression: string
  /** null: the report says the figure is undefined (a share of a zero total), or a relative change from 0. */
  value: Scalar
  /** delta(…) and relative(…) only: the figure in this report and in the baseline. */
  current?: number | null
  baseline?: number | null
}

/** One comparison: a rule with `[*]` makes one per element, every other rule one. */
export interface GateCheck {
  passed: boolean
  left: CheckOperand
  op: ComparisonOp
  right: CheckOperand
  /** Why a check failed that is not the comparison itself: a null figure, a zero baseline. */
  note?: string
  /** One line for people: `classes[class=cat].ce.share is 0.62, expected <= 0.5`. */
  message: string
}

/** pass: every check passed; fail: a check of an `error` rule failed; warn: a check of a `warn` rule failed. */
export type RuleStatus = 'pass' | 'fail' | 'warn'

export interface RuleResult {
  name: string
  assert: string
  severity: Severity
  status: RuleStatus
  /** One line for people: the failed checks (at most three, then how many more), or the closest pass. */
  message: string
  checks: GateCheck[]
}

export interface GateSummary {
  rules: number
  passed: number
  failed: number
  warned: number
}

export interface GateResult {
  schemaVersion: typeof GATE_SCHEMA_VERSION
  /** False when an `error` rule failed: the command exits 1. Warnings alone leave it true. */
  passed: boolean
  summary: GateSummary
  rules: RuleResult[]
  /** The baseline report's source file, when `--baseline` was given. */
  baseline: {source: string; files: string[]} | null
  /** The report the rules were evaluated on (computed, or read with `--from-report`). */
  report: Report
}
