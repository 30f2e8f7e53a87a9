import type {CheckOperand, GateCheck, GateRule, RuleResult} from './gate-result.js'
import type {CallOperand, Operand, Scalar} from './parse-rule.js'
import {type ConcreteStep, describeValue, formatPath, resolveConcrete, resolvePath} from './resolve-path.js'
import {RuleError} from './rule-error.js'
import type {ComparisonOp} from './tokenize.js'

/** The reports a rule reads: plain objects (a computed report, or JSON read from a file). */
export interface GateContext {
  report: unknown
  baseline?: unknown
}

/** A value of one operand for one element, with why it is null when it is. */
interface OperandValue extends CheckOperand {
  note?: string
  /** Which element `[*]` chose (`[class=cat]`), to pair the two sides of a rule; '' for one value. */
  element: string
}

/** Failed checks named in a rule's message; the rest are counted. */
const MESSAGE_CHECKS = 3

/**
 * 12 significant digits: a difference of two shares (0.40 − 0.35 = 0.05000000000000002) must meet
 * `delta(…) <= 0.05` as written. Far above float noise, far below any threshold a gate would use.
 */
function roundDifference(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(12))
}

/** A number for people: up to 6 significant digits, and a sign where the value is a change. */
export function formatScalar(value: Scalar, signed = false): string {
  if (typeof value === 'number') {
    const text =
      Number.isInteger(value) && Math.abs(value) < 1e15 ? String(value) : String(Number(value.toPrecision(6)))
    return signed && value > 0 ? `+${text}` : text
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

function baselineValue(call: CallOperand, steps: readonly ConcreteStep[], baseline: unknown): number | null {
  const found = resolveConcrete(baseline, steps)
  if (!found.found) {
    const last = found.missing[found.missing.length - 1]
    const what = last.kind === 'field' ? 'field' : 'element'
    throw new RuleError(
      call.path.column,
      `expected ${formatPath(found.missing)} in the baseline report too, got no such ${what} (a baseline must cover the same classes and γ values)`,
    )
  }
  if (typeof found.value !== 'number' && found.value !== null) {
    throw new RuleError(
      call.path.column,
      `expected a number at ${formatPath(steps)} in the baseline report, got ${describeValue(found.value)}`,
    )
  }
  return found.value
}

function evaluateCall(call: CallOperand, context: GateContext): OperandValue[] {
  if (context.baseline === undefined) {
    throw new RuleError(call.column, `expected --baseline FILE for ${call.fn}(…), got no baseline report`)
  }
  return resolvePath(context.report, call.path).map(({steps, wildcards, value}) => {
    const path = formatPath(steps)
    const element = formatPath(wildcards)
    if (typeof value !== 'number' && value !== null) {
      throw new RuleError(
        call.path.column,
        `expected a number for ${call.fn}(…) at ${path}, got ${describeValue(value)}`,
      )
    }
    const baseline = baselineValue(call, steps, context.baseline)
    const expression = `${call.fn}(${path})`
    if (value === null || baseline === null) {
      const where = value === null ? 'this report' : 'the baseline'
      return {expression, value: null, current: value, baseline, element, note: `${path} is null in ${where}`}
    }
    const difference = value - baseline
    if (call.fn === 'delta') return {expression, value: roundDifference(difference), current: value, baseline, element}
    if (baseline === 0) {
      const note = 'a relative change from a baseline of 0 is undefined'
      if (value === 0) return {expression, value: 0, current: value, baseline, element}
      return {expression, value: null, current: value, baseline, element, note}
    }
    return {expression, value: roundDifference(difference / Math.abs(baseline)), current: value, baseline, element}
  })
}

function evaluateOperand(operand: Operand, context: GateContext): OperandValue[] {
  if (operand.kind === 'literal') return [{expression: operand.text, value: operand.value, element: ''}]
  if (operand.kind === 'call') return evaluateCall(operand, context)
  return resolvePath(context.report, operand).map(({steps, wildcards, value}) => {
    const expression = formatPath(steps)
    const element = formatPath(wildcards)
    return value === null
      ? {
          expression,
          value: null,
          element,
          note: 'undefined in the report, e.g. a share of a zero total',
        }
      : {expression, value: value as Scalar, element}
  })
}

/** `relative(sweep[gamma=2].sum) is +0.041 (12.1 → 12.6, +4.1%)`: an operand on the left of a message. */
function describeLeft(operand: CheckOperand, literal: boolean): string {
  if (literal) return operand.expression
  if (operand.current === undefined && operand.baseline === undefined) {
    return `${operand.expression} is ${formatScalar(operand.value)}`
  }
  return `${operand.expression} is ${formatScalar(operand.value, true)} (${changeDetail(operand)})`
}

function changeDetail(operand: CheckOperand): string {
  const base = `${formatScalar(operand.baseline ?? null)} → ${formatScalar(operand.current ?? null)}`
  if (operand.expression.startsWith('relative(') && typeof operand.value === 'number') {
    return `${base}, ${operand.value > 0 ? '+' : ''}${Number((operand.value * 100).toPrecision(4))}%`
  }
  return base
}

/** `0.5`, or `split.easy.ceShare (0.7)`: an operand on the right of a message. */
function describeRight(operand: CheckOperand, literal: boolean): string {
  if (literal) return operand.expression
  if (operand.current === undefined && operand.baseline === undefined) {
    return `${operand.expression} (${formatScalar(operand.value)})`
  }
  return `${operand.expression} (${formatScalar(operand.value, true)}: ${changeDetail(operand)})`
}

const ORDERED: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
}

function compare(
  left: OperandValue,
  op: ComparisonOp,
  right: OperandValue,
  operands: [Operand, Operand],
): {passed: boolean; note?: string} {
  const ordered = ORDERED[op]
  if (ordered !== undefined) {
    for (const [value, operand] of [
      [left, operands[0]],
      [right, operands[1]],
    ] as const) {
      if (value.value !== null && typeof value.value !== 'number') {
        throw new RuleError(
          operand.column,
          `expected a number on both sides of ${op}, got ${describeValue(value.value)} (${value.expression}); strings and booleans take == or !=`,
        )
      }
    }
    if (left.value === null || right.value === null) {
      const note = (left.value === null ? left.note : right.note) ?? 'null'
      return {passed: false, note: `${note}; a null figure fails every <, <=, > and >=`}
    }
    return {passed: ordered(left.value as number, right.value as number)}
  }
  if (left.value !== null && right.value !== null && typeof left.value !== typeof right.value) {
    throw new RuleError(
      operands[1].column,
      `expected values of one type on both sides of ${op}, got ${describeValue(left.value)} (${left.expression}) and ${describeValue(right.value)} (${right.expression})`,
    )
  }
  const equal = left.value === right.value
  return {passed: op === '==' ? equal : !equal}
}

function checkMessage(check: Omit<GateCheck, 'message'>, literal: [boolean, boolean]): string {
  const left = describeLeft(check.left, literal[0])
  const right = describeRight(check.right, literal[1])
  if (check.passed) return `${left} ${check.op} ${right}`
  return `${left}, expected ${check.op} ${right}${check.note === undefined ? '' : ` (${check.note})`}`
}

/** How far a passing check is from failing, for "closest" in a rule's message; null for == and !=. */
function margin(check: GateCheck): number | null {
  if (typeof check.left.value !== 'number' || typeof check.right.value !== 'number') return null
  if (ORDERED[check.op] === undefined) return null
  return Math.abs(check.left.value - check.right.value)
}

function ruleMessage(checks: GateCheck[]): string {
  if (checks.length === 1) return checks[0].message
  const failed = checks.filter((c) => !c.passed)
  if (failed.length === 0) {
    let closest: GateCheck | undefined
    for (const check of checks) {
      const m = margin(check)
      if (m !== null && (closest === undefined || m < (margin(closest) as number))) closest = check
    }
    return `all ${checks.length} pass${closest === undefined ? '' : `; closest: ${closest.message}`}`
  }
  const named = failed.slice(0, MESSAGE_CHECKS).map((c) => c.message)
  const more = failed.length > MESSAGE_CHECKS ? `; and ${failed.length - MESSAGE_CHECKS} more` : ''
  return `${failed.length} of ${checks.length} fail: ${named.join('; ')}${more}`
}

function stripNote({note: _note, element: _element, ...operand}: OperandValue): CheckOperand {
  return operand
}

/**
 * The pairs to compare: one value against each of the other side's, or — with `[*]` on both sides — the
 * values of the same element (`classes[*].ce.share <= classes[*].countShare` compares each class with itself).
 */
function pairUp(lefts: OperandValue[], rights: OperandValue[], column: number): [OperandValue, OperandValue][] {
  if (lefts.length === 1) return rights.map((right) => [lefts[0], right])
  if (rights.length === 1) return lefts.map((left) => [left, rights[0]])
  const byElement = new Map(rights.map((right) => [right.element, right]))
  const paired = lefts.map((left) => byElement.get(left.element))
  if (lefts.length !== rights.length || byElement.size !== rights.length || paired.includes(undefined)) {
    const sample = (values: OperandValue[]): string => `${values.length}, such as ${values[0].expression}`
    throw new RuleError(
      column,
      `expected [*] over the same elements on both sides, got ${sample(lefts)} on the left and ${sample(rights)} on the right`,
    )
  }
  return lefts.map((left, i) => [left, paired[i] as OperandValue])
}

/**
 * Evaluates one rule over the report (and the baseline, for delta/relative). A side with `[*]` gives
 * one check per element, each compared with the other side; the rule passes when every check passes.
 * A null figure fails every ordered comparison (a gate must not pass on a figure the report could not
 * define); == and != compare null like any other value.
 *
 * Throws a `RuleError` (exit 2) when the rule does not fit the report: a path that is not there, a
 * string compared with `<`, `[*]` on both sides, an element missing from the baseline.
 *
 * Example: `classes[*].ce.share <= 0.5` over classes with CE shares 0.62 and 0.38 → status `fail`
 * (severity error), two checks, message `1 of 2 fail: classes[class=cat].ce.share is 0.62, expected <= 0.5`.
 */
export function evaluateRule(rule: GateRule, context: GateContext): RuleResult {
  const {left: leftOperand, op, right: rightOperand} = rule.expression
  if (leftOperand.kind === 'literal' && rightOperand.kind === 'literal') {
    throw new RuleError(leftOperand.column, `expected a report path on at least one side, got two constants`)
  }
  const lefts = evaluateOperand(leftOperand, context)
  const rights = evaluateOperand(rightOperand, context)
  const checks: GateCheck[] = []
  for (const [left, right] of pairUp(lefts, rights, rightOperand.column)) {
    const {passed, note} = compare(left, op, right, [leftOperand, rightOperand])
    const check: Omit<GateCheck, 'message'> = {
      passed,
      left: stripNote(left),
      op,
      right: stripNote(right),
      ...(note === undefined ? {} : {note}),
    }
    checks.push({
      ...check,
      message: checkMessage(check, [leftOperand.kind === 'literal', rightOperand.kind === 'literal']),
    })
  }
  const failed = checks.some((c) => !c.passed)
  return {
    name: rule.name,
    assert: rule.assert,
    severity: rule.severity,
    status: failed ? (rule.severity === 'error' ? 'fail' : 'warn') : 'pass',
    message: ruleMessage(checks),
    checks,
  }
}
