import {UsageError} from '../core/errors.js'
import type {Report} from '../report/types.js'
import {evaluateRule} from './evaluate-rule.js'
import {GATE_SCHEMA_VERSION, type GateResult, type GateRule, type RuleResult} from './gate-result.js'
import {type PathOperand, usesBaseline} from './parse-rule.js'
import {type ResolvedValue, resolvePath} from './resolve-path.js'
import {RuleError} from './rule-error.js'

/** A saved report to compare with, and the file it came from. */
export interface Baseline {
  report: Report
  source: string
}

/**
 * One setting a baseline must share with the report, read so that a field an older report lacks counts as
 * its documented default (see src/core/result.ts), never as "anything goes". `read` gives the setting as
 * the user would name it (`--loss focal`), or undefined when it does not apply (β without effective-number).
 */
export interface Setting {
  /** "computed with", "of", "with": how the message introduces the setting. */
  phrase: string
  read: (report: Report) => string | undefined
}

/** `--beta`'s default: what an effective-number report without `beta` was computed with. */
const DEFAULT_BETA = 0.999
/** `--poly-epsilon`'s default: what a poly1 report without `polyEpsilon` was computed with. */
const DEFAULT_POLY_EPSILON = 1

/** `--alpha` as given ("none", "0.25", "0.25,0.75", "inverse-frequency"); before alphaSpec, the scalar α. */
function alphaSpecOf(report: Report): string {
  const {alphaSpec, alpha} = report.config
  return alphaSpec ?? (alpha === null ? 'none' : String(alpha))
}

function lossOf(report: Report): string {
  return report.config.loss ?? 'focal'
}

/** In the order they are checked: the first one that differs is named. */
const SETTINGS: Setting[] = [
  {phrase: 'of', read: (r) => `task ${r.input.task}`},
  {phrase: 'computed with', read: (r) => `--scores ${r.input.scores}`},
  {phrase: 'computed with', read: (r) => `--loss ${lossOf(r)}`},
  {
    phrase: 'computed with',
    read: (r) => (lossOf(r) === 'poly1' ? `--poly-epsilon ${r.config.polyEpsilon ?? DEFAULT_POLY_EPSILON}` : undefined),
  },
  {phrase: 'computed with', read: (r) => `--alpha ${alphaSpecOf(r)}`},
  {
    phrase: 'computed with',
    read: (r) => (alphaSpecOf(r) === 'effective-number' ? `--beta ${r.config.beta ?? DEFAULT_BETA}` : undefined),
  },
  {
    // A per-class α as applied, should a report spell the list differently from the values it used.
    phrase: 'computed with',
    read: (r) => {
      const spec = alphaSpecOf(r)
      if (!spec.includes(',')) return undefined
      return `α per class ${(r.config.alphaByClass ?? spec.split(',').map(Number)).join(',')}`
    },
  },
  {phrase: 'computed with', read: (r) => `--eps ${r.config.eps}`},
  {phrase: 'computed with', read: (r) => `--easy-threshold ${r.config.easyThreshold}`},
  {
    phrase: 'computed with',
    read: (r) => (r.config.reduction == null ? 'no --reduction' : `--reduction ${r.config.reduction.name}`),
  },
]

/**
 * How a settings refusal names the two runs: `gate --baseline` checks the baseline file against "this
 * report"; `compare` checks B against A.
 */
export interface ComparedRuns {
  /** The file whose settings are checked, which the message starts with: the baseline, or compare's B. */
  source: string
  /** What that file is expected to be: "a baseline", "a run". */
  noun: string
  /** The run it must agree with: "this report", or A's file name. */
  reference: string
}

function mismatch(runs: ComparedRuns, expected: string, theirs: string): UsageError {
  return new UsageError(
    `${runs.source}: expected ${runs.noun} ${expected}, got ${theirs} (recompute one of them with the same setting)`,
  )
}

function quoteClass(name: string): string {
  return JSON.stringify(name)
}

/** Class names index α lists and class rows alike: the same names in the same order. */
function assertSameClasses(ours: string[], theirs: string[], runs: ComparedRuns): void {
  const what = `with ${runs.reference}'s classes in its order`
  for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
    if (ours[i] === theirs[i]) continue
    if (i >= theirs.length) throw mismatch(runs, what, `${theirs.length} classes, without ${quoteClass(ours[i])}`)
    if (i >= ours.length) throw mismatch(runs, what, `${theirs.length} classes, with ${quoteClass(theirs[i])} too`)
    throw mismatch(runs, what, `class ${i} ${quoteClass(theirs[i])} where ${runs.reference} has ${quoteClass(ours[i])}`)
  }
}

/**
 * The γ values whose figures the baseline-reading operands of `rules` reach in `report` (`sweep[gamma=2]`,
 * `classes[*].focal[*]`), each with the first rule that reads it.
 */
function gammasRead(rules: GateRule[], report: Report): Map<number, GateRule> {
  const read = new Map<number, GateRule>()
  for (const rule of rules) {
    for (const operand of [rule.expression.left, rule.expression.right]) {
      if (operand.kind !== 'call') continue
      for (const {steps} of resolveRulePath(rule, report, operand.path)) {
        for (const step of steps) {
          if (
            step.kind === 'key' &&
            step.field === 'gamma' &&
            typeof step.value === 'number' &&
            !read.has(step.value)
          ) {
            read.set(step.value, rule)
          }
        }
      }
    }
  }
  return read
}

function resolveRulePath(rule: GateRule, report: Report, path: PathOperand): ResolvedValue[] {
  try {
    return resolvePath(report, path)
  } catch (error) {
    if (error instanceof RuleError) throw new UsageError(`${rule.origin}: ${error.message}`)
    throw error
  }
}

/**
 * Figures computed with other settings are not comparable: the change would measure the settings, not
 * the model. Compares every setting the figures depend on (task, scores, loss and Poly-1 ε, α with β or
 * its per-class list, eps, easy threshold, reduction), then `extra` (compare adds the γ list), then the
 * class names in order. Throws a `UsageError` naming the first difference. The one settings check of
 * `gate --baseline` and `compare`.
 *
 * Example: `assertSameSettings(a, b, {source: 'b.json', noun: 'a run', reference: 'a.csv'})` with b
 * computed with --loss ce throws "b.json: expected a run computed with --loss focal like a.csv, got
 * --loss ce (recompute one of them with the same setting)".
 */
export function assertSameSettings(report: Report, other: Report, runs: ComparedRuns, extra: Setting[] = []): void {
  for (const {phrase, read} of [...SETTINGS, ...extra]) {
    const ours = read(report)
    const theirs = read(other)
    if (ours !== theirs) throw mismatch(runs, `${phrase} ${ours ?? 'none'} like ${runs.reference}`, theirs ?? 'none')
  }
  assertSameClasses(report.input.classes, other.input.classes, runs)
}

/**
 * A baseline's settings must be this report's (assertSameSettings), and its sweep must hold the γ values
 * the rules read from it (other γ values of the sweeps may differ).
 */
function assertComparable(rules: GateRule[], report: Report, baseline: Baseline): void {
  const runs: ComparedRuns = {source: baseline.source, noun: 'a baseline', reference: 'this report'}
  assertSameSettings(report, baseline.report, runs)
  const sweep = baseline.report.config.gammas
  for (const [gamma, rule] of gammasRead(rules, report)) {
    if (!sweep.includes(gamma)) {
      throw mismatch(
        runs,
        `computed with γ ${gamma} in --gammas like this report (${rule.origin} reads it)`,
        `--gammas ${sweep.join(',')}`,
      )
    }
  }
}

/**
 * Evaluates every rule over the report and sums up. The gate passes unless an `error` rule fails;
 * failed `warn` rules are counted as warnings. A rule that does not fit the report (a path that is not
 * there, a missing baseline) is a `UsageError` naming the rule: exit 2, not a failed gate.
 *
 * Example: rules `input.skippedRows == 0` (error) and `sweep[gamma=2].hardShare >= 0.6` (warn) over a
 * report whose hard share is 0.4 → passed: true, summary {rules: 2, passed: 1, failed: 0, warned: 1}.
 */
export function runGates(rules: GateRule[], report: Report, baseline?: Baseline): GateResult {
  const readers = rules.filter((rule) => usesBaseline(rule.expression))
  if (baseline !== undefined && readers.length > 0) assertComparable(readers, report, baseline)
  const results: RuleResult[] = rules.map((rule) => {
    try {
      return evaluateRule(rule, {report, baseline: baseline?.report})
    } catch (error) {
      if (error instanceof RuleError) throw new UsageError(`${rule.origin}: ${error.message}`)
      throw error
    }
  })
  const count = (status: RuleResult['status']): number => results.filter((r) => r.status === status).length
  const summary = {rules: results.length, passed: count('pass'), failed: count('fail'), warned: count('warn')}
  return {
    schemaVersion: GATE_SCHEMA_VERSION,
    passed: summary.failed === 0,
    summary,
    rules: results,
    baseline: baseline === undefined ? null : {source: baseline.source, files: baseline.report.input.files},
    report,
  }
}
