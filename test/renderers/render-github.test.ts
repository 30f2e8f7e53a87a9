import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {ANNOTATIONS_PER_LEVEL, escapeData, escapeProperty, renderGithub} from '../../src/renderers/render-github.js'
import {gateRule, mixedGate, passingGate} from './gate-fixture.js'
import {runGates} from '../../src/gates/run-gates.js'
import {sampleReport} from '../gates/sample-report.js'

describe('renderGithub', () => {
  it('writes one ::error per failed error rule and one ::warning per failed warn rule, escaped as @actions/core does', () => {
    const lines = renderGithub(mixedGate()).split('\n')
    assert.equal(lines.pop(), '')
    assert.deepEqual(lines, [
      '::error title=focalscope gate%3A rare <classes> & "friends" | 100%25%2C ok%3A yes%0Anext::' +
        '2 of 3 fail: classes[class=dog].ce.share is 0.35, expected <= 0.3; classes[class=bird].ce.share is 0.4, expected <= 0.3' +
        '%0Arule: classes[*].ce.share <= 0.3',
      '::error title=focalscope gate%3A delta(classes[*].ce.share) <= 0.05::' +
        '1 of 3 fail: delta(classes[class=bird].ce.share) is +0.1 (0.3 → 0.4), expected <= 0.05' +
        '%0Arule: delta(classes[*].ce.share) <= 0.05',
      '::warning title=focalscope gate%3A hard share::sweep[gamma=2].hardShare is 0.9, expected >= 0.95' +
        '%0Arule: sweep[gamma=2].hardShare >= 0.95',
    ])
  })

  it('writes nothing when every rule passed', () => {
    assert.equal(renderGithub(passingGate()), '')
  })

  it('keeps to GitHub’s 10 annotations per level: 9 rules, then one line saying how many more', () => {
    const rules = Array.from({length: 12}, (_, i) => gateRule(`input.rows < ${i}`))
    const lines = renderGithub(runGates(rules, sampleReport())).trimEnd().split('\n')
    assert.equal(lines.length, ANNOTATIONS_PER_LEVEL)
    assert.ok(lines.slice(0, 9).every((l) => l.startsWith('::error title=focalscope gate%3A input.rows < ')))
    assert.equal(
      lines[9],
      '::error title=focalscope gate%3A 3 more::3 more rules failed (12 failed); see the job log or the JUnit report',
    )
  })

  it('escapes data and properties', () => {
    assert.equal(escapeData('50% a\r\nb: c, d'), '50%25 a%0D%0Ab: c, d')
    assert.equal(escapeProperty('50% a\r\nb: c, d'), '50%25 a%0D%0Ab%3A c%2C d')
  })
})
