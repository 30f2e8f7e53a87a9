import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {runGates} from '../../src/gates/run-gates.js'
import {inlineCode, renderMarkdownSummary} from '../../src/renderers/render-markdown-summary.js'
import {sampleReport} from '../gates/sample-report.js'
import {gateRule, mixedGate, passingGate} from './gate-fixture.js'

/** The cells of a GFM table row, split on pipes that are not escaped. */
function cells(row: string): string[] {
  return row
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim())
}

describe('renderMarkdownSummary', () => {
  it('heads with the verdict and counts, then one table row of three cells per rule', () => {
    const markdown = renderMarkdownSummary(mixedGate())
    const lines = markdown.split('\n')
    assert.equal(lines[0], '### ❌ focalscope gate failed: 2 failed, 1 warning, 1 passed')
    assert.equal(lines[2], '`preds.csv` · 1,000 rows · multiclass · 3 classes · baseline `main-report.json`')
    const rows = lines.filter((l) => /^\| (✅|❌|⚠️) \|/.test(l))
    assert.equal(rows.length, 4)
    for (const row of rows) assert.equal(cells(row).length, 3, row)
    assert.deepEqual(
      rows.map((r) => cells(r)[0]),
      ['✅', '❌', '⚠️', '❌'],
    )
    // The name's pipe and newline cannot break the table; its markup is escaped.
    assert.equal(
      cells(rows[1])[1],
      'rare \\<classes> & "friends" \\| 100%, ok: yes next<br>`classes[*].ce.share <= 0.3`',
    )
    assert.ok(markdown.endsWith('\n'))
  })

  it('lists the failed checks of rules with several under <details>', () => {
    const markdown = renderMarkdownSummary(mixedGate())
    assert.match(markdown, /<details><summary>Failed checks<\/summary>/)
    assert.match(markdown, /- classes\\\[class=dog\\\]\.ce\.share is 0\.35, expected \\<= 0\.3\n/)
    assert.match(markdown, /<\/details>\n$/)
  })

  it('says passed, with no details, when every rule passed', () => {
    const markdown = renderMarkdownSummary(passingGate())
    assert.match(markdown, /^### ✅ focalscope gate passed: 2 passed\n/)
    assert.doesNotMatch(markdown, /details/)
  })

  it('cuts at a line to stay under maxBytes, closing <details> and saying so', () => {
    const rules = Array.from({length: 200}, (_, i) => gateRule(`classes[*].count < ${i}`))
    const result = runGates(rules, sampleReport())
    const full = renderMarkdownSummary(result)
    const cut = renderMarkdownSummary(result, {maxBytes: 4000})
    assert.ok(Buffer.byteLength(full) > 4000)
    assert.ok(Buffer.byteLength(cut) <= 4000, String(Buffer.byteLength(cut)))
    assert.match(cut, /_… cut to fit the step summary; the JUnit report and `--json` output have every check._\n/)
    const cutInDetails = renderMarkdownSummary(result, {maxBytes: Buffer.byteLength(full) - 500})
    assert.match(cutInDetails, /<\/details>\n$/)
  })

  it('fences inline code longer than any backtick run inside', () => {
    assert.equal(inlineCode('a'), '`a`')
    assert.equal(inlineCode('input.task == "a`b"'), '``input.task == "a`b"``')
    assert.equal(inlineCode('`x`'), '`` `x` ``')
  })
})
