import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {InputError} from '../../src/core/errors.js'
import {loadReport} from '../../src/gates/load-report.js'
import {sampleReport} from './sample-report.js'

describe('loadReport', () => {
  it('reads a report --json output, and the report inside a gate --json output', () => {
    const report = sampleReport()
    assert.deepEqual(loadReport(JSON.stringify(report), 'r.json'), report)
    assert.deepEqual(loadReport(JSON.stringify({schemaVersion: 1, passed: true, rules: [], report}), 'g.json'), report)
  })

  it('keeps fields it does not know (a newer report may add some)', () => {
    const report = {...sampleReport(), extra: {x: 1}}
    assert.deepEqual(loadReport(JSON.stringify(report), 'r.json'), report)
  })

  const broken: [string, () => unknown, string][] = [
    [
      'not a report',
      () => ({rules: []}),
      'r.json: expected a focalscope report (the output of report --json), got an object without "schemaVersion"',
    ],
    ['a list', () => [1], 'r.json: expected a focalscope report (the output of report --json), got a list of 1'],
    [
      'another schema version',
      () => ({...sampleReport(), schemaVersion: 2}),
      'r.json: expected a report of schemaVersion 1, got 2',
    ],
    [
      'a missing section',
      () => {
        const {sweep: _sweep, ...rest} = sampleReport()
        return rest
      },
      'r.json: expected "sweep" to be a list, got none',
    ],
    [
      'a wrong field deep inside',
      () => {
        const report = sampleReport() as unknown as {sweep: {sum: unknown}[]}
        report.sweep[1].sum = 'big'
        return report
      },
      'r.json: expected "sweep[1].sum" to be a number, got a string',
    ],
    [
      'a null where a number must be',
      () => {
        const report = sampleReport() as unknown as {input: {rows: unknown}}
        report.input.rows = null
        return report
      },
      'r.json: expected "input.rows" to be a number, got null',
    ],
  ]
  for (const [what, make, message] of broken) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => loadReport(JSON.stringify(make()), 'r.json'),
        (error: unknown) => error instanceof InputError && error.message === message,
        message,
      )
    })
  }

  it('refuses text that is not JSON, with the line', () => {
    assert.throws(() => loadReport('{\n"a": }', 'r.json'), {
      message: /^r\.json:2: column 6: expected valid JSON, got a syntax error/,
    })
  })
})
