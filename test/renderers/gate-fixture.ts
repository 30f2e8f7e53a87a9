import type {GateResult, GateRule, Severity} from '../../src/gates/gate-result.js'
import {parseRule} from '../../src/gates/parse-rule.js'
import {runGates} from '../../src/gates/run-gates.js'
import {sampleReport} from '../gates/sample-report.js'

export function gateRule(text: string, severity: Severity = 'error', name = text): GateRule {
  return {name, assert: text, severity, origin: `--assert ${JSON.stringify(text)}`, expression: parseRule(text)}
}

/**
 * A gate over the sample report with one rule of each outcome: a pass, a failed error rule with two
 * failing elements, a warning — and names full of characters XML, Markdown and workflow commands escape.
 */
export function mixedGate(): GateResult {
  const baseline = sampleReport()
  baseline.classes[2].ce.share = 0.3
  return runGates(
    [
      gateRule('input.skippedRows == 0'),
      gateRule('classes[*].ce.share <= 0.3', 'error', 'rare <classes> & "friends" | 100%, ok: yes\nnext'),
      gateRule('sweep[gamma=2].hardShare >= 0.95', 'warn', 'hard share'),
      gateRule('delta(classes[*].ce.share) <= 0.05'),
    ],
    sampleReport(),
    {report: baseline, source: 'main-report.json'},
  )
}

/** The same gate with every rule passing. */
export function passingGate(): GateResult {
  return runGates([gateRule('input.skippedRows == 0'), gateRule('classes[*].ce.share <= 0.5')], sampleReport())
}
