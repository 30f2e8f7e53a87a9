import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {parseRule, type PathOperand, usesBaseline} from '../../src/gates/parse-rule.js'
import {RuleError} from '../../src/gates/rule-error.js'
import {tokenize} from '../../src/gates/tokenize.js'

/** The steps of a path operand without columns, to compare shapes. */
function steps(operand: unknown): unknown[] {
  return (operand as PathOperand).steps.map(({column: _column, ...step}) => step)
}

describe('parseRule: the examples of issue 5, as written', () => {
  it('classes[*].ce.share <= 0.5', () => {
    const rule = parseRule('classes[*].ce.share <= 0.5')
    assert.deepEqual(steps(rule.left), [
      {kind: 'field', name: 'classes'},
      {kind: 'all'},
      {kind: 'field', name: 'ce'},
      {kind: 'field', name: 'share'},
    ])
    assert.equal(rule.op, '<=')
    assert.deepEqual(rule.right, {kind: 'literal', value: 0.5, column: 24, text: '0.5'})
  })

  it('sweep[gamma=2].hardShare >= 0.6', () => {
    const rule = parseRule('sweep[gamma=2].hardShare >= 0.6')
    assert.deepEqual(steps(rule.left), [
      {kind: 'field', name: 'sweep'},
      {kind: 'match', field: 'gamma', key: {text: '2', number: 2}},
      {kind: 'field', name: 'hardShare'},
    ])
    assert.equal(rule.op, '>=')
  })

  it('split.easy.ceShare <= 0.8 and input.skippedRows == 0', () => {
    assert.deepEqual(steps(parseRule('split.easy.ceShare <= 0.8').left), [
      {kind: 'field', name: 'split'},
      {kind: 'field', name: 'easy'},
      {kind: 'field', name: 'ceShare'},
    ])
    const rule = parseRule('input.skippedRows == 0')
    assert.equal(rule.op, '==')
    assert.equal((rule.right as {value: number}).value, 0)
  })

  it('delta(classes[*].ce.share) <= 0.05 and relative(sweep[gamma=2].sum) <= 0.03', () => {
    const delta = parseRule('delta(classes[*].ce.share) <= 0.05')
    assert.equal(delta.left.kind, 'call')
    assert.equal(delta.left.kind === 'call' && delta.left.fn, 'delta')
    assert.equal(delta.left.kind === 'call' && delta.left.path.text, 'classes[*].ce.share')
    assert.equal(delta.left.kind === 'call' && delta.left.text, 'delta(classes[*].ce.share)')
    const relative = parseRule('relative(sweep[gamma=2].sum) <= 0.03')
    assert.equal(relative.left.kind === 'call' && relative.left.fn, 'relative')
    assert.ok(usesBaseline(delta) && usesBaseline(relative))
    assert.ok(!usesBaseline(parseRule('input.rows > 0')))
  })
})

describe('parseRule: the rest of the grammar', () => {
  it('reads every comparison operator', () => {
    for (const op of ['<', '<=', '>', '>=', '==', '!=']) assert.equal(parseRule(`input.rows ${op} 1`).op, op)
  })

  it('ignores whitespace between tokens and needs none', () => {
    const spaced = parseRule('  sweep [ gamma = 2 ] . hardShare\t>=\n0.6 ')
    const tight = parseRule('sweep[gamma=2].hardShare>=0.6')
    assert.deepEqual(steps(spaced.left), steps(tight.left))
    assert.equal(spaced.op, tight.op)
  })

  it('reads negative and exponent numbers, strings, booleans and null', () => {
    assert.equal((parseRule('delta(totals.ce.sum) >= -0.05').right as {value: number}).value, -0.05)
    assert.equal((parseRule('input.rows > 1e3').right as {value: number}).value, 1000)
    assert.equal((parseRule(`input.task == "multiclass"`).right as {value: string}).value, 'multiclass')
    assert.equal((parseRule(`input.task == 'it\\'s'`).right as {value: string}).value, "it's")
    assert.equal((parseRule('classes[0].overweight == false').right as {value: boolean}).value, false)
    assert.equal((parseRule('input.imbalanceRatio != null').right as {value: null}).value, null)
  })

  it('reads index and key selectors, bare, numeric and quoted', () => {
    assert.deepEqual(steps(parseRule('classes[2].count > 0').left)[1], {kind: 'index', index: 2})
    assert.deepEqual(steps(parseRule('classes[class=cat].count > 0').left)[1], {
      kind: 'match',
      field: 'class',
      key: {text: 'cat'},
    })
    assert.deepEqual(steps(parseRule('classes[class="north-east"].count > 0').left)[1], {
      kind: 'match',
      field: 'class',
      key: {text: 'north-east'},
    })
    assert.deepEqual(steps(parseRule('classes[class=01].count > 0').left)[1], {
      kind: 'match',
      field: 'class',
      key: {text: '01', number: 1},
    })
  })

  it('allows a path or a call on the right, and a constant on the left', () => {
    const rule = parseRule('0.6 <= split.hard.ceShare')
    assert.equal(rule.left.kind, 'literal')
    assert.equal(rule.right.kind, 'path')
    assert.equal(parseRule('split.hard.ceShare >= split.easy.ceShare').right.kind, 'path')
  })

  it('tokenizes with 1-based columns and one end token', () => {
    const tokens = tokenize('a.b <= 1')
    assert.deepEqual(
      tokens.map((t) => [t.kind, t.text, t.column]),
      [
        ['name', 'a', 1],
        ['.', '.', 2],
        ['name', 'b', 3],
        ['op', '<=', 5],
        ['number', '1', 8],
        ['end', '', 9],
      ],
    )
  })
})

describe('parseRule errors: the column and what was expected', () => {
  const cases: [string, string][] = [
    ['', 'column 1: expected a report path, a number, a string, delta(…) or relative(…), got end of rule'],
    ['classes[*].ce.share', 'column 20: expected a comparison (<, <=, >, >=, ==, !=), got end of rule'],
    [
      'input.skippedRows = 0',
      'column 19: expected a comparison (<, <=, >, >=, ==, !=), got "=" (write == for "equal")',
    ],
    [
      'classes[*].ce.share < = 0.5',
      'column 23: expected a report path, a number, a string, delta(…) or relative(…), got "="',
    ],
    [
      'classes[*].ce.share <= ',
      'column 24: expected a report path, a number, a string, delta(…) or relative(…), got end of rule',
    ],
    ['classes[*.ce.share <= 0.5', 'column 10: expected "]", got "."'],
    ['classes[].ce.share <= 0.5', 'column 9: expected *, an index or field=value inside [ ], got "]"'],
    ['classes[-1].count > 0', 'column 9: expected an index (0, 1, 2, …), got "-1"'],
    ['classes[1.5].count > 0', 'column 9: expected an index (0, 1, 2, …), got "1.5"'],
    ['sweep[gamma 2].sum > 0', 'column 13: expected "=" after "gamma", as in [gamma=value], got "2"'],
    ['sweep[gamma=].sum > 0', 'column 13: expected a value after "gamma=", got "]"'],
    ['split..easy > 0', 'column 7: expected a field name after ".", got "."'],
    ['abs(totals.ce.sum) < 1', 'column 1: expected a function name (delta or relative), got "abs"'],
    ['delta(totals.ce.sum < 1', 'column 21: expected ")" after the path of delta(…), got "<"'],
    ['delta(0.5) < 1', 'column 7: expected a report path such as classes[*].ce.share, got "0.5"'],
    [
      'input.rows > 0 && input.rows < 9',
      'column 16: expected a path, a number, a string or a comparison operator, got "&&" (one comparison per rule: write one rule for each condition)',
    ],
    [
      'input.rows > 0 < 9',
      'column 16: expected the end of the rule, got "<" (one comparison per rule: write one rule for each condition)',
    ],
    [
      'input.rows ! 0',
      'column 12: expected a path, a number, a string or a comparison operator, got "!" (write != for "not equal")',
    ],
    ['input.rows > 2x', 'column 14: expected a number, got "2x"'],
    ['input.task == "binary', 'column 15: expected a closing " for this string, got end of rule'],
    ['input.rows > 0 0', 'column 16: expected the end of the rule, got "0"'],
    ['input.rows > .5', 'column 14: expected a report path, a number, a string, delta(…) or relative(…), got "."'],
    ['input.rows > 5.', 'column 15: expected the end of the rule, got "."'],
  ]
  for (const [rule, message] of cases) {
    it(`${JSON.stringify(rule)} → ${message}`, () => {
      assert.throws(
        () => parseRule(rule),
        (error: unknown) => {
          assert.ok(error instanceof RuleError)
          assert.equal(error.message, message)
          assert.equal(error.column, Number(/^column (\d+)/.exec(message)?.[1]))
          return true
        },
      )
    })
  }
})
