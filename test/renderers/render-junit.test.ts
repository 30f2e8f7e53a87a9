import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {escapeXml, renderJunit} from '../../src/renderers/render-junit.js'
import {mixedGate, passingGate} from './gate-fixture.js'
import {findAll, parseXml} from './parse-xml.js'

describe('renderJunit', () => {
  it('parses back as XML: one testsuite, one testcase per rule, the counts in the attributes', () => {
    const result = mixedGate()
    const root = parseXml(renderJunit(result))
    assert.equal(root.name, 'testsuites')
    assert.deepEqual(root.attributes, {name: 'focalscope gate', tests: '4', failures: '2', errors: '0', skipped: '0'})
    const [suite] = findAll(root, 'testsuite')
    assert.equal(suite.attributes.tests, '4')
    const cases = findAll(suite, 'testcase')
    assert.deepEqual(
      cases.map((c) => c.attributes.name),
      result.rules.map((r) => r.name),
    )
    assert.ok(cases.every((c) => c.attributes.classname === 'focalscope.gate'))
  })

  it('gives failed error rules a <failure> with the message and every failed check, names unmangled', () => {
    const cases = findAll(parseXml(renderJunit(mixedGate())), 'testcase')
    const failures = cases.filter((c) => findAll(c, 'failure').length > 0)
    assert.deepEqual(
      failures.map((c) => c.attributes.name),
      ['rare <classes> & "friends" | 100%, ok: yes\nnext', 'delta(classes[*].ce.share) <= 0.05'],
    )
    const [failure] = findAll(failures[0], 'failure')
    assert.equal(
      failure.attributes.message,
      '2 of 3 fail: classes[class=dog].ce.share is 0.35, expected <= 0.3; classes[class=bird].ce.share is 0.4, expected <= 0.3',
    )
    assert.equal(failure.attributes.type, 'gate failed')
    assert.equal(
      failure.text,
      [
        'rule: classes[*].ce.share <= 0.3',
        'severity: error',
        '2 of 3 fail:',
        '  classes[class=dog].ce.share is 0.35, expected <= 0.3',
        '  classes[class=bird].ce.share is 0.4, expected <= 0.3',
      ].join('\n'),
    )
  })

  it('lets a failed warn rule pass, with the warning in <system-out>', () => {
    const cases = findAll(parseXml(renderJunit(mixedGate())), 'testcase')
    const warned = cases.find((c) => c.attributes.name === 'hard share')
    assert.ok(warned !== undefined)
    assert.equal(findAll(warned, 'failure').length, 0)
    const [out] = findAll(warned, 'system-out')
    assert.match(out.text, /^warning: hard share — sweep\[gamma=2\]\.hardShare >= 0\.95\n/)
    assert.match(out.text, /sweep\[gamma=2\]\.hardShare is 0\.9, expected >= 0\.95$/)
  })

  it('records the input and baseline as suite properties', () => {
    const properties = findAll(parseXml(renderJunit(mixedGate())), 'property')
    assert.deepEqual(Object.fromEntries(properties.map((p) => [p.attributes.name, p.attributes.value])), {
      files: 'preds.csv',
      rows: '1000',
      baseline: 'main-report.json',
      summary: '2 failed, 1 warning, 1 passed',
    })
  })

  it('renders an all-pass gate with no failure elements, the same text every time', () => {
    const xml = renderJunit(passingGate())
    const root = parseXml(xml)
    assert.equal(root.attributes.failures, '0')
    assert.equal(findAll(root, 'failure').length, 0)
    assert.equal(renderJunit(passingGate()), xml)
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'))
  })

  it('escapes markup and replaces characters XML 1.0 cannot hold', () => {
    assert.equal(escapeXml(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;')
    assert.equal(escapeXml('a\u0000b\u001bc'), 'a\uFFFDb\uFFFDc')
    const result = passingGate()
    result.rules[0].name = 'bell \u0007 and escape \u001b[31m'
    const [testcase] = findAll(parseXml(renderJunit(result)), 'testcase')
    assert.equal(testcase.attributes.name, 'bell \uFFFD and escape \uFFFD[31m')
  })
})
