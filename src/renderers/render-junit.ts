import type {GateResult} from '../gates/gate-result.js'
import {ruleDetails, ruleTitle, summarizeGate} from './render-gate-table.js'

/** Characters XML 1.0 cannot hold at all, even escaped: control codes other than tab, LF and CR. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g

/** Text or an attribute value, escaped for XML (quotes too, so one function serves both). */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
}

/** Element text keeps its line breaks (only attributes need them as character references). */
function escapeText(text: string): string {
  return escapeXml(text).replace(/&#10;/g, '\n')
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
    .join('')
}

/**
 * The gate as JUnit XML, the format CI systems read as test results (Jenkins, GitLab, Azure, the GitHub
 * test-report actions): one `<testsuite>` named "focalscope gate", one `<testcase>` per rule.
 * A failed `error` rule has a `<failure>` (message: the rule's one-line message; body: the rule and
 * every failed check). A failed `warn` rule passes, with the warning in `<system-out>`: the gate exit
 * code is 0 then, and the test report agrees with it. No timestamps or durations: the same result always
 * renders the same file. Pure.
 */
export function renderJunit(result: GateResult): string {
  const tests = result.summary.rules
  const failures = result.summary.failed
  const counts = {tests, failures, errors: 0, skipped: 0}
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({name: 'focalscope gate', ...counts})}>`,
    `  <testsuite${attributes({name: 'focalscope gate', ...counts})}>`,
    '    <properties>',
    `      <property${attributes({name: 'files', value: result.report.input.files.join(', ')})}/>`,
    `      <property${attributes({name: 'rows', value: result.report.input.rows})}/>`,
  ]
  if (result.baseline !== null) {
    lines.push(`      <property${attributes({name: 'baseline', value: result.baseline.source})}/>`)
  }
  lines.push(`      <property${attributes({name: 'summary', value: summarizeGate(result)})}/>`, '    </properties>')
  for (const rule of result.rules) {
    const open = `    <testcase${attributes({name: rule.name, classname: 'focalscope.gate'})}`
    const body = [`rule: ${rule.assert}`, `severity: ${rule.severity}`, ...ruleDetails(rule, Infinity)].join('\n')
    if (rule.status === 'fail') {
      lines.push(`${open}>`)
      lines.push(
        `      <failure${attributes({message: rule.message, type: 'gate failed'})}>${escapeText(body)}</failure>`,
      )
      lines.push('    </testcase>')
    } else if (rule.status === 'warn') {
      lines.push(`${open}>`)
      lines.push(`      <system-out>${escapeText(`warning: ${ruleTitle(rule)}\n${body}`)}</system-out>`)
      lines.push('    </testcase>')
    } else {
      lines.push(`${open}/>`)
    }
  }
  lines.push('  </testsuite>', '</testsuites>', '')
  return lines.join('\n')
}
