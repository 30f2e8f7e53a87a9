import type {GateResult, RuleStatus} from '../gates/gate-result.js'
import {formatCount} from './format-number.js'
import {ruleDetails, summarizeGate} from './render-gate-table.js'

export interface MarkdownSummaryOptions {
  /** GitHub takes up to 1 MiB per step in $GITHUB_STEP_SUMMARY; longer output is cut at a line with a note. */
  maxBytes?: number
}

export const STEP_SUMMARY_MAX_BYTES = 1024 * 1024

const ICONS: Record<RuleStatus, string> = {pass: '✅', fail: '❌', warn: '⚠️'}

/** Failed checks listed per rule under "Details". */
const LISTED_CHECKS = 50

/** Markdown inside a table cell: one line, and pipes in code escaped too (GFM splits cells on them even there). */
function cell(markdown: string): string {
  return markdown.replace(/(?<!\\)\|/g, '\\|').replace(/\r?\n/g, ' ')
}

/** Inline code that survives backticks in the text: a fence longer than any run inside it. */
export function inlineCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
}

/** Plain text in Markdown: characters that would start markup (or HTML, or end a cell) are escaped. */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]<#|!~])/g, '\\$1')
}

/**
 * The gate as GitHub-flavoured Markdown for the job summary ($GITHUB_STEP_SUMMARY): a heading with the
 * verdict, a table with one row per rule (status, name and rule, result), and the failed checks of
 * failed and warned rules. Ends with a newline, so several summaries appended to one file stay apart.
 * Pure.
 */
export function renderMarkdownSummary(result: GateResult, options: MarkdownSummaryOptions = {}): string {
  const maxBytes = options.maxBytes ?? STEP_SUMMARY_MAX_BYTES
  const {input} = result.report
  const verdict = result.passed ? '✅ focalscope gate passed' : '❌ focalscope gate failed'
  const files = input.files.map((f) => inlineCode(f)).join(', ')
  const baseline = result.baseline === null ? '' : ` · baseline ${inlineCode(result.baseline.source)}`
  const lines: string[] = [
    `### ${verdict}: ${summarizeGate(result)}`,
    '',
    `${files} · ${formatCount(input.rows)} rows · ${input.task} · ${input.classes.length} classes${baseline}`,
    '',
    '| | Rule | Result |',
    '|---|---|---|',
  ]
  for (const rule of result.rules) {
    const title =
      rule.name === rule.assert ? inlineCode(rule.assert) : `${escapeMarkdown(rule.name)}<br>${inlineCode(rule.assert)}`
    lines.push(`| ${ICONS[rule.status]} | ${cell(title)} | ${cell(escapeMarkdown(rule.message))} |`)
  }
  const flagged = result.rules.filter((r) => r.status !== 'pass' && r.checks.filter((c) => !c.passed).length > 1)
  if (flagged.length > 0) {
    lines.push('', '<details><summary>Failed checks</summary>', '')
    for (const rule of flagged) {
      lines.push(`${ICONS[rule.status]} ${inlineCode(rule.assert)}`, '')
      for (const line of ruleDetails(rule, LISTED_CHECKS).slice(1)) lines.push(`- ${escapeMarkdown(line.trim())}`)
      lines.push('')
    }
    lines.push('</details>')
  }
  return fitBytes(lines, maxBytes)
}

/** Whole lines up to `maxBytes`, with a note when some were left out. */
function fitBytes(lines: string[], maxBytes: number): string {
  const note = '\n_… cut to fit the step summary; the JUnit report and `--json` output have every check._\n'
  const whole = `${lines.join('\n')}\n`
  if (Buffer.byteLength(whole) <= maxBytes) return whole
  let out = ''
  let bytes = Buffer.byteLength(note) + Buffer.byteLength('\n</details>\n')
  for (const line of lines) {
    const size = Buffer.byteLength(line) + 1
    if (bytes + size > maxBytes) break
    out += `${line}\n`
    bytes += size
  }
  // A cut inside the <details> block must still close it, or it would swallow what GitHub shows after it.
  const close = out.includes('<details>') && !out.includes('</details>') ? '\n</details>\n' : ''
  return out + note + close
}
