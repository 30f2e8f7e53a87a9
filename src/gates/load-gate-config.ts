import {UsageError} from '../core/errors.js'
import {type GateRule, type Severity, SEVERITIES} from './gate-result.js'
import {parseJson} from './parse-json.js'
import {parseRule} from './parse-rule.js'
import {describeValue, isRecord} from './resolve-path.js'
import {quoteText, RuleError} from './rule-error.js'

const TOP_KEYS = ['rules', '$schema']
const RULE_KEYS = ['name', 'assert', 'severity']

/**
 * One rule from the config file, or the first thing wrong with it (every bad rule is reported, one
 * problem each). The `assert` text is parsed here, so a syntax error shows before any prediction is read.
 */
function readRule(value: unknown, at: string): GateRule | string {
  if (!isRecord(value))
    return `${at}: expected an object such as {"assert": "input.skippedRows == 0"}, got ${describeValue(value)}`
  const unknown = Object.keys(value).find((key) => !RULE_KEYS.includes(key))
  if (unknown !== undefined) return `${at}: expected only the keys ${RULE_KEYS.join(', ')}, got ${quoteText(unknown)}`
  if (!Object.hasOwn(value, 'assert')) return `${at}: expected an "assert" key with the rule, got none`
  if (typeof value.assert !== 'string') return `${at}.assert: expected a string, got ${describeValue(value.assert)}`
  const assert = value.assert
  if (value.name !== undefined && (typeof value.name !== 'string' || value.name.trim() === '')) {
    return `${at}.name: expected a non-empty string, got ${typeof value.name === 'string' ? '""' : describeValue(value.name)}`
  }
  const severity = value.severity ?? 'error'
  if (typeof severity !== 'string' || !(SEVERITIES as readonly string[]).includes(severity)) {
    const got = typeof severity === 'string' ? JSON.stringify(severity) : describeValue(severity)
    return `${at}.severity: expected ${SEVERITIES.map((s) => JSON.stringify(s)).join(' or ')}, got ${got}`
  }
  const origin = `${at}.assert ${JSON.stringify(assert)}`
  try {
    const expression = parseRule(assert)
    return {
      name: (value.name as string | undefined) ?? assert,
      assert,
      severity: severity as Severity,
      origin,
      expression,
    }
  } catch (error) {
    if (error instanceof RuleError) return `${origin}: ${error.message}`
    throw error
  }
}

/**
 * Reads a gates config: `{"rules": [{"name"?: string, "assert": string, "severity"?: "error" | "warn"}]}`
 * (a `$schema` key is allowed for editors). Throws an `InputError` for text that is not JSON (with line
 * and column) and a `UsageError` naming every bad rule — its index, what was expected and what was found,
 * and for a bad `assert` the column — on one line, for example:
 *
 *   gates.json: 2 bad rules: rules[0].severity: expected "error" or "warn", got "fatal";
 *   rules[2].assert "classes[*].ce.share < = 0.5": column 21: expected a report path, …, got "="
 */
export function loadGateConfig(text: string, source: string): GateRule[] {
  const config = parseJson(text, source)
  if (!isRecord(config)) {
    throw new UsageError(
      `${source}: expected an object such as {"rules": [{"assert": "…"}]}, got ${describeValue(config)}`,
    )
  }
  const unknown = Object.keys(config).find((key) => !TOP_KEYS.includes(key))
  if (unknown !== undefined) {
    throw new UsageError(
      `${source}: expected only the keys ${TOP_KEYS.map((k) => `"${k}"`).join(' and ')}, got ${quoteText(unknown)}`,
    )
  }
  if (!Array.isArray(config.rules)) {
    const got = config.rules === undefined ? 'none' : describeValue(config.rules)
    throw new UsageError(`${source}: expected "rules", a list of rules, got ${got}`)
  }
  if (config.rules.length === 0) throw new UsageError(`${source}: expected at least one rule in "rules", got none`)
  const rules: GateRule[] = []
  const problems: string[] = []
  config.rules.forEach((value, i) => {
    const rule = readRule(value, `rules[${i}]`)
    if (typeof rule === 'string') problems.push(rule)
    else rules.push({...rule, origin: `${source}: ${rule.origin}`})
  })
  if (problems.length === 1) throw new UsageError(`${source}: ${problems[0]}`)
  if (problems.length > 1) throw new UsageError(`${source}: ${problems.length} bad rules: ${problems.join('; ')}`)
  return rules
}
