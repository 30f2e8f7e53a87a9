import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {renderGateTable, summarizeGate} from '../../src/renderers/render-gate-table.js'
import {mixedGate, passingGate} from './gate-fixture.js'

const ESC = '\u001b['

describe('renderGateTable', () => {
  it('shows each rule with its status word and why, then the verdict (colour off)', () => {
    const text = renderGateTable(mixedGate(), {color: false})
    assert.equal(
      text,
      [
        'focalscope gate — preds.csv · 1,000 rows · baseline main-report.json',
        '',
        'PASS  input.skippedRows == 0',
        '      input.skippedRows is 0 == 0',
        'FAIL  rare <classes> & "friends" | 100%, ok: yes next — classes[*].ce.share <= 0.3',
        '      2 of 3 fail:',
        '        classes[class=dog].ce.share is 0.35, expected <= 0.3',
        '        classes[class=bird].ce.share is 0.4, expected <= 0.3',
        'WARN  hard share — sweep[gamma=2].hardShare >= 0.95',
        '      sweep[gamma=2].hardShare is 0.9, expected >= 0.95',
        'FAIL  delta(classes[*].ce.share) <= 0.05',
        '      1 of 3 fail:',
        '        delta(classes[class=bird].ce.share) is +0.1 (0.3 → 0.4), expected <= 0.05',
        '',
        'Gate failed: 2 failed, 1 warning, 1 passed',
      ].join('\n'),
    )
    assert.ok(!text.includes(ESC))
  })

  it('colours the status words when colour is on', () => {
    const text = renderGateTable(passingGate(), {color: true})
    assert.ok(text.includes(ESC))
    assert.match(text, /Gate passed/)
  })

  it('summarizes counts that are not zero, worst first', () => {
    assert.equal(summarizeGate(mixedGate()), '2 failed, 1 warning, 1 passed')
    assert.equal(summarizeGate(passingGate()), '2 passed')
  })
})
