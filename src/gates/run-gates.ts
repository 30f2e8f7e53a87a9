import {UsageError} from '../core/errors.js'
import type {Report} from '../core/result.js'
import {evaluateRule} from './evaluate-rule.js'
import {GATE_SCHEMA_VERSION, type GateResult, type GateRule, type RuleResult} from './gate-result.js'
import {usesBaseline} from './parse-rule.js'
import {RuleError} from './rule-error.js'

/** A saved report to compare with, and the file it came from. */
export interface Baseline {
  report: Report
  source: string
}

function settingLabel(value: number | null): string {
  return value === null ? 'none' : String(value)
}

/**
 * Figures computed with another α or easy threshold are not comparable: the change would measure the
 * settings, not the model. γ values need no check: rules match sweep rows by γ, and a γ missing from the
 * baseline is named when a rule reaches for it.
 */
function assertComparable(report: Report, baseline: Baseline): void {
  const settings: [string, number | null, number | null][] = [
    ['alpha', report.config.alpha, baseline.report.config.alpha],
    ['easy-threshold', report.config.easyThreshold, baseline.report.config.easyThreshold],
  ]
  for (const [flag, ours, theirs] of settings) {
    if (ours !== theirs) {
      throw new UsageError(
        `${baseline.source}: expected a baseline computed with --${flag} ${settingLabel(ours)} like this report, ` +
          `got --${flag} ${settingLabel(theirs)} (recompute one of them with the same setting)`,
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
  if (baseline !== undefined && rules.some((rule) => usesBaseline(rule.expression))) assertComparable(report, baseline)
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
