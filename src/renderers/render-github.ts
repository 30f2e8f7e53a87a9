import type {GateResult, RuleResult} from '../gates/gate-result.js'
import {summarizeGate} from './render-gate-table.js'

/** GitHub shows at most 10 error and 10 warning annotations per step; the 10th says how many more. */
export const ANNOTATIONS_PER_LEVEL = 10

/** The message of a workflow command, escaped as @actions/core does (`escapeData`). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** A property of a workflow command, escaped as @actions/core does (`escapeProperty`). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

function annotation(level: 'error' | 'warning', title: string, message: string): string {
  return `::${level} title=${escapeProperty(title)}::${escapeData(message)}`
}

function levelLines(level: 'error' | 'warning', rules: RuleResult[], result: GateResult): string[] {
  const shown = rules.length > ANNOTATIONS_PER_LEVEL ? rules.slice(0, ANNOTATIONS_PER_LEVEL - 1) : rules
  const lines = shown.map((rule) =>
    annotation(level, `focalscope gate: ${rule.name}`, `${rule.message}\nrule: ${rule.assert}`),
  )
  if (shown.length < rules.length) {
    const rest = rules.length - shown.length
    lines.push(
      annotation(
        level,
        `focalscope gate: ${rest} more`,
        `${rest} more rules ${level === 'error' ? 'failed' : 'warned'} (${summarizeGate(result)}); see the job log or the JUnit report`,
      ),
    )
  }
  return lines
}

/**
 * GitHub Actions annotations for a gate run (printed when `GITHUB_ACTIONS=true`): one `::error` line per
 * failed `error` rule and one `::warning` line per failed `warn` rule, titled with the rule's name; none
 * when every rule passed. Returns '' or lines ending in a newline. Pure.
 *
 * Example: `::error title=focalscope gate%3A rare classes::1 of 3 fail: classes[class=cat].ce.share is 0.62, expected <= 0.5%0Arule: classes[*].ce.share <= 0.5`
 */
export function renderGithub(result: GateResult): string {
  const lines = [
    ...levelLines(
      'error',
      result.rules.filter((r) => r.status === 'fail'),
      result,
    ),
    ...levelLines(
      'warning',
      result.rules.filter((r) => r.status === 'warn'),
      result,
    ),
  ]
  return lines.map((line) => `${line}\n`).join('')
}
