/**
 * JSON that focalscope reads back (saved reports, baselines, gate configs) may hold a number beyond the
 * largest double: `1e999` is valid JSON text that JSON.parse turns into Infinity (issue 14, item 8). Such
 * a file is malformed: refused, naming the field, never compared.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {InputError} from '../../src/core/errors.js'
import {loadReport} from '../../src/gates/load-report.js'
import {nonFiniteNumberPath, parseJson} from '../../src/gates/parse-json.js'
import {sampleReport} from './sample-report.js'

describe('parseJson and non-finite numbers', () => {
  it('finds the first number that is not finite, by its path', () => {
    assert.equal(nonFiniteNumberPath(JSON.parse('{"a": [1, {"b": 2}], "c": {"d": 3}}')), undefined)
    assert.equal(nonFiniteNumberPath(JSON.parse('{"a": [1, {"b": 1e999}], "c": -1e999}')), 'a[1].b')
    assert.equal(nonFiniteNumberPath(JSON.parse('{"a": null, "c": {"d": [0, -1e999]}}')), 'c.d[1]')
    assert.equal(nonFiniteNumberPath(JSON.parse('1e400')), '')
  })

  it('refuses a document holding one, naming the file and the field', () => {
    assert.throws(() => parseJson('{"totals": {"ce": {"sum": 1e999}}}', 'r.json'), {
      message:
        'r.json: expected "totals.ce.sum" to be a finite number, got a number beyond the largest double (such as 1e999, read as Infinity)',
    })
    assert.throws(() => parseJson('-1e999', 'r.json'), {
      message: /^r\.json: expected the document to be a finite number/,
    })
    assert.deepEqual(parseJson('{"x": 1.7976931348623157e308}', 'r.json'), {x: Number.MAX_VALUE})
  })

  it('loadReport (gate --from-report, --baseline) refuses a saved report with a figure of 1e999', () => {
    const fields: [string, (text: string) => string][] = [
      ['totals.ce.sum', (text) => text.replace(/("ce": \{\s*"sum": )[^,]+/, '$11e999')],
      ['sweep[2].sum', (text) => text.replace(/("gamma": 2,\s*"sum": )[^,]+/, '$1-1e999')],
    ]
    const text = JSON.stringify(sampleReport(), null, 2)
    for (const [field, corrupt] of fields) {
      const bad = corrupt(text)
      assert.notEqual(bad, text, field)
      assert.throws(
        () => loadReport(bad, 'base.json'),
        (error: unknown) =>
          error instanceof InputError &&
          error.message.startsWith(`base.json: expected "${field}" to be a finite number`),
        field,
      )
    }
  })
})
