import {Chalk} from 'chalk'

import type {GateResult, RuleResult, RuleStatus} from '../gates/gate-result.js'

import {formatCount} from './format-number.js'

export interface RenderGateOptions {
  color: boolean
  /** Only the verdict: the rules that failed or warned, and the last line (`gate --quiet`). */
  quiet?: boolean
}

/** Failed checks listed under a rule; the rest are counted. */
const LISTED_CHECKS = 20

const LABELS: Record<RuleStatus, string> = {pass: 'PASS', fail: 'FAIL', warn: 'WARN'}

/** "1 failed, 1 warning, 4 passed": the counts that are not zero, worst first. */
export function summarizeGate(result: GateResult): string {
  const {failed, warned, passed} = result.summary
  const parts: string[] = []
  if (failed > 0) parts.push(`${failed} failed`)
  if (warned > 0) parts.push(`${warned} ${warned === 1 ? 'warning' : 'warnings'}`)
  if (passed > 0 || parts.length === 0) parts.push(`${passed} passed`)
  return parts.join(', ')
}

/** The rule's name, and its text when the name is not the text; on one line. */
export function ruleTitle(rule: RuleResult): string {
  const title = rule.name === rule.assert ? rule.assert : `${rule.name} — ${rule.assert}`
  return title.replace(/\s*\r?\n\s*/g, ' ')
}

/** The lines under a rule: its one check, or each failed check of a rule with many. */
export function ruleDetails(rule: RuleResult, limit = LISTED_CHECKS): string[] {
  const failed = rule.checks.filter((c) => !c.passed)
  if (rule.checks.length === 1 || failed.length === 0) return [rule.message]
  const lines = [`${failed.length} of ${rule.checks.length} fail:`]
  for (const check of failed.slice(0, limit)) lines.push(`  ${check.message}`)
  if (failed.length > limit) lines.push(`  … and ${failed.length - limit} more`)
  return lines
}

/**
 * The terminal view of a gate run: one block per rule (status, name and rule, then why), and a last
 * line with the verdict. Status words are there with colour off too, so a CI log can be searched. With
 * `quiet`, only the rules that did not pass and the verdict. Pure.
 *
 * Example (colour off):
 *   focalscope gate — preds.csv · 1,000 rows
 *
 *   PASS  input.skippedRows == 0
 *         input.skippedRows is 0 == 0
 *   FAIL  rare classes — classes[*].ce.share <= 0.5
 *         classes[class=cat].ce.share is 0.62, expected <= 0.5
 *
 *   Gate failed: 1 failed, 1 passed
 */
export function renderGateTable(result: GateResult, options: RenderGateOptions): string {
  const chalk = new Chalk({level: options.color ? 1 : 0})
  const paint: Record<RuleStatus, (text: string) => string> = {
    pass: (t) => chalk.green(t),
    fail: (t) => chalk.red.bold(t),
    warn: (t) => chalk.yellow.bold(t),
  }
  const {input} = result.report
  const baseline = result.baseline === null ? '' : ` · baseline ${result.baseline.source}`
  const out = options.quiet
    ? []
    : [chalk.bold(`focalscope gate — ${input.files.join(', ')} · ${formatCount(input.rows)} rows${baseline}`), '']
  for (const rule of result.rules) {
    if (options.quiet && rule.status === 'pass') continue
    out.push(`${paint[rule.status](LABELS[rule.status])}  ${ruleTitle(rule)}`)
    for (const line of ruleDetails(rule)) out.push(`      ${line}`)
  }
  if (out.length > 0) out.push('')
  const verdict = result.passed ? chalk.green.bold('Gate passed') : chalk.red.bold('Gate failed')
  out.push(`${verdict}: ${summarizeGate(result)}`)
  return out.join('\n')
}
