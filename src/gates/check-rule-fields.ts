import {UsageError} from '../core/errors.js'
import {REPORT_FIELDS} from '../report/types.js'
import type {GateRule} from './gate-result.js'
import type {Operand} from './parse-rule.js'
import {resolvePath} from './resolve-path.js'
import {RuleError} from './rule-error.js'

/** A report with every top-level field and nothing below: enough to check a path's first step. */
const TOP_LEVEL = Object.fromEntries(REPORT_FIELDS.map((field) => [field, null]))

/**
 * Refuses a rule whose path starts with a field no report has (`ce.mean` for `totals.ce.mean`), with the
 * message the rule would give on any report, so `gate` says so before reading predictions, not after.
 */
export function checkRuleFields(rule: GateRule): void {
  for (const operand of [rule.expression.left, rule.expression.right]) {
    const path = pathOf(operand)
    if (path?.steps[0]?.kind !== 'field') continue
    try {
      resolvePath(TOP_LEVEL, {...path, steps: path.steps.slice(0, 1)})
    } catch (error) {
      if (error instanceof RuleError) throw new UsageError(`${rule.origin}: ${error.message}`)
      throw error
    }
  }
}

function pathOf(operand: Operand): Extract<Operand, {kind: 'path'}> | undefined {
  if (operand.kind === 'path') return operand
  if (operand.kind === 'call') return operand.path
  return undefined
}
