import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {InputError, UsageError} from '../../src/core/errors.js'
import {loadGateConfig} from '../../src/gates/load-gate-config.js'

describe('loadGateConfig', () => {
  it('reads rules with defaults: name = the rule, severity = error', () => {
    const rules = loadGateConfig(
      JSON.stringify({
        $schema: './gates.schema.json',
        rules: [
          {assert: 'classes[*].ce.share <= 0.5'},
          {name: 'hard share', assert: 'sweep[gamma=2].hardShare >= 0.6', severity: 'warn'},
        ],
      }),
      'gates.json',
    )
    assert.deepEqual(
      rules.map((r) => [r.name, r.assert, r.severity, r.origin]),
      [
        [
          'classes[*].ce.share <= 0.5',
          'classes[*].ce.share <= 0.5',
          'error',
          'gates.json: rules[0].assert "classes[*].ce.share <= 0.5"',
        ],
        [
          'hard share',
          'sweep[gamma=2].hardShare >= 0.6',
          'warn',
          'gates.json: rules[1].assert "sweep[gamma=2].hardShare >= 0.6"',
        ],
      ],
    )
    assert.equal(rules[1].expression.op, '>=')
  })
})

describe('loadGateConfig: malformed configs, one message each', () => {
  const usage: [string, string, string][] = [
    ['a list', '[]', 'gates.json: expected an object such as {"rules": [{"assert": "…"}]}, got a list of 0'],
    ['no rules', '{}', 'gates.json: expected "rules", a list of rules, got none'],
    [
      'rules not a list',
      '{"rules": {"assert": "input.rows > 0"}}',
      'gates.json: expected "rules", a list of rules, got an object',
    ],
    ['an empty list', '{"rules": []}', 'gates.json: expected at least one rule in "rules", got none'],
    [
      'an unknown top-level key',
      '{"rule": []}',
      'gates.json: expected only the keys "rules" and "$schema", got "rule"',
    ],
    [
      'a rule that is a string',
      '{"rules": ["input.rows > 0"]}',
      'gates.json: rules[0]: expected an object such as {"assert": "input.skippedRows == 0"}, got a string',
    ],
    [
      'no assert',
      '{"rules": [{"name": "x"}]}',
      'gates.json: rules[0]: expected an "assert" key with the rule, got none',
    ],
    [
      'an assert that is a number',
      '{"rules": [{"assert": 1}]}',
      'gates.json: rules[0].assert: expected a string, got a number',
    ],
    [
      'an empty name',
      '{"rules": [{"assert": "input.rows > 0", "name": ""}]}',
      'gates.json: rules[0].name: expected a non-empty string, got ""',
    ],
    [
      'a name that is a number',
      '{"rules": [{"assert": "input.rows > 0", "name": 3}]}',
      'gates.json: rules[0].name: expected a non-empty string, got a number',
    ],
    [
      'a bad severity',
      '{"rules": [{"assert": "input.rows > 0", "severity": "fatal"}]}',
      'gates.json: rules[0].severity: expected "error" or "warn", got "fatal"',
    ],
    [
      'a misspelt key',
      '{"rules": [{"assert": "input.rows > 0", "sevrity": "warn"}]}',
      'gates.json: rules[0]: expected only the keys name, assert, severity, got "sevrity"',
    ],
    [
      'a syntax error',
      '{"rules": [{"assert": "input.rows > 0"}, {"assert": "classes[*].ce.share < = 0.5"}]}',
      'gates.json: rules[1].assert "classes[*].ce.share < = 0.5": column 23: expected a report path, a number, a string, delta(…) or relative(…), got "="',
    ],
  ]
  for (const [what, text, message] of usage) {
    it(what, () => {
      assert.throws(
        () => loadGateConfig(text, 'gates.json'),
        (error: unknown) => error instanceof UsageError && error.message === message,
        message,
      )
    })
  }

  it('names every bad rule on one line', () => {
    const text = JSON.stringify({
      rules: [
        {assert: 'input.rows > 0', severity: 'fatal'},
        {assert: 'input.rows > 0'},
        {assert: 'input.skippedRows = 0'},
        {name: 'no rule'},
      ],
    })
    assert.throws(() => loadGateConfig(text, 'gates.json'), {
      message:
        'gates.json: 3 bad rules: rules[0].severity: expected "error" or "warn", got "fatal"; ' +
        'rules[2].assert "input.skippedRows = 0": column 19: expected a comparison (<, <=, >, >=, ==, !=), got "=" (write == for "equal"); ' +
        'rules[3]: expected an "assert" key with the rule, got none',
    })
  })

  it('gives the line and column of a JSON syntax error', () => {
    const text = '{\n  "rules": [\n    {"assert": "input.rows > 0",}\n  ]\n}\n'
    assert.throws(
      () => loadGateConfig(text, 'gates.json'),
      (error: unknown) =>
        error instanceof InputError &&
        // V8's own words after the colon ("Expected double-quoted property name" on Node 20).
        /^gates\.json:3: column 33: expected valid JSON, got a syntax error: \w.*property name$/.test(error.message),
    )
    assert.throws(() => loadGateConfig('', 'gates.json'), {
      message: 'gates.json: expected valid JSON, got an empty file',
    })
    assert.throws(() => loadGateConfig('{"rules": [}', 'gates.json'), {
      message: `gates.json:1: column 12: expected valid JSON, got a syntax error: Unexpected token '}'`,
    })
  })
})
