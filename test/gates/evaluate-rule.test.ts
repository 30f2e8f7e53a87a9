import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {UsageError} from '../../src/core/errors.js'
import type {Report} from '../../src/report/types.js'
import {evaluateRule, formatScalar} from '../../src/gates/evaluate-rule.js'
import type {GateRule, RuleResult, Severity} from '../../src/gates/gate-result.js'
import {parseRule} from '../../src/gates/parse-rule.js'
import {RuleError} from '../../src/gates/rule-error.js'
import {runGates} from '../../src/gates/run-gates.js'
import {sampleReport} from './sample-report.js'

function rule(text: string, severity: Severity = 'error', name = text): GateRule {
  return {name, assert: text, severity, origin: `--assert ${JSON.stringify(text)}`, expression: parseRule(text)}
}

function evaluate(text: string, report: Report = sampleReport(), baseline?: Report): RuleResult {
  return evaluateRule(rule(text), {report, baseline})
}

function failsWith(text: string, message: string, report: Report = sampleReport(), baseline?: Report): void {
  assert.throws(
    () => evaluate(text, report, baseline),
    (error: unknown) => {
      assert.ok(error instanceof RuleError, String(error))
      assert.equal(error.message, message)
      return true
    },
  )
}

/** The sample with bird's CE share moved by `by` (and the others left alone: only the gate reads them). */
function withBirdShare(share: number): Report {
  const report = sampleReport()
  report.classes[2].ce.share = share
  return report
}

describe('evaluateRule: the examples of issue 5 on the sample report', () => {
  it('classes[*].ce.share <= 0.5 passes with one check per class, and names the closest', () => {
    const result = evaluate('classes[*].ce.share <= 0.5')
    assert.equal(result.status, 'pass')
    assert.deepEqual(
      result.checks.map((c) => [c.left.expression, c.left.value, c.passed]),
      [
        ['classes[class=cat].ce.share', 0.25, true],
        ['classes[class=dog].ce.share', 0.35, true],
        ['classes[class=bird].ce.share', 0.4, true],
      ],
    )
    assert.equal(result.message, 'all 3 pass; closest: classes[class=bird].ce.share is 0.4 <= 0.5')
  })

  it('classes[*].ce.share <= 0.3 fails and says which elements failed', () => {
    const result = evaluate('classes[*].ce.share <= 0.3')
    assert.equal(result.status, 'fail')
    assert.deepEqual(
      result.checks.filter((c) => !c.passed).map((c) => c.left.expression),
      ['classes[class=dog].ce.share', 'classes[class=bird].ce.share'],
    )
    assert.equal(
      result.message,
      '2 of 3 fail: classes[class=dog].ce.share is 0.35, expected <= 0.3; classes[class=bird].ce.share is 0.4, expected <= 0.3',
    )
  })

  it('sweep[gamma=2].hardShare >= 0.6 selects the row by γ (0.9 passes)', () => {
    const result = evaluate('sweep[gamma=2].hardShare >= 0.6')
    assert.equal(result.status, 'pass')
    assert.equal(result.checks.length, 1)
    assert.equal(result.message, 'sweep[gamma=2].hardShare is 0.9 >= 0.6')
  })

  it('split.easy.ceShare <= 0.8 and input.skippedRows == 0 pass; 0.2 and != 0 fail', () => {
    assert.equal(evaluate('split.easy.ceShare <= 0.8').status, 'pass')
    assert.equal(evaluate('input.skippedRows == 0').status, 'pass')
    assert.equal(evaluate('split.easy.ceShare <= 0.2').message, 'split.easy.ceShare is 0.3, expected <= 0.2')
    assert.equal(evaluate('input.skippedRows != 0').status, 'fail')
  })
})

describe('evaluateRule: comparisons', () => {
  const table: [string, boolean][] = [
    ['input.rows < 1000', false],
    ['input.rows <= 1000', true],
    ['input.rows > 1000', false],
    ['input.rows >= 1000', true],
    ['input.rows == 1000', true],
    ['input.rows != 1000', false],
    ['input.rows < 1001', true],
    ['input.rows > 999', true],
    ['1000 >= input.rows', true],
    ['input.task == "multiclass"', true],
    ["input.task != 'binary'", true],
    ['classes[class=bird].overweight == true', true],
    ['classes[*].overweight == false', false],
    ['input.imbalanceRatio != null', true],
    ['split.hard.ceShare >= split.easy.ceShare', true],
  ]
  for (const [text, passed] of table) {
    it(`${text} → ${passed ? 'pass' : 'fail'}`, () => assert.equal(evaluate(text).status, passed ? 'pass' : 'fail'))
  }

  it('selects by index, by class name (bare, quoted, numeric) and by a boolean field', () => {
    assert.equal(evaluate('classes[2].count == 100').checks[0].left.expression, 'classes[class=bird].count')
    assert.equal(evaluate('classes[class=dog].count == 400').status, 'pass')
    assert.equal(evaluate('classes[class="dog"].count == 400').status, 'pass')
    assert.deepEqual(
      evaluate('classes[overweight=true].ce.share <= 0.5').checks.map((c) => c.left.expression),
      ['classes[class=bird].ce.share'],
    )
    const binary = sampleReport()
    binary.classes[0].class = '0'
    binary.classes[1].class = '1'
    assert.equal(evaluate('classes[class=1].count == 400', binary).status, 'pass')
    assert.equal(evaluate('classes[class=1].count == 400', binary).checks[0].left.expression, 'classes[class=1].count')
  })

  it('quotes a class name in a concrete path when the grammar needs quotes', () => {
    const report = sampleReport()
    report.classes[0].class = 'north-east'
    assert.equal(
      evaluate('classes[0].count > 0', report).checks[0].left.expression,
      'classes[class="north-east"].count',
    )
  })

  it('expands nested wildcards, and pairs two sides with [*] by element', () => {
    const nested = evaluate('classes[*].focal[*].share <= 0.55')
    assert.equal(nested.checks.length, 9)
    assert.equal(nested.message, '1 of 9 fail: classes[class=bird].focal[gamma=2].share is 0.6, expected <= 0.55')
    const paired = evaluate('split.hard.focal[*].share >= split.easy.focal[*].share')
    assert.deepEqual(
      paired.checks.map((c) => [c.left.expression, c.right.expression]),
      [
        ['split.hard.focal[gamma=0].share', 'split.easy.focal[gamma=0].share'],
        ['split.hard.focal[gamma=1].share', 'split.easy.focal[gamma=1].share'],
        ['split.hard.focal[gamma=2].share', 'split.easy.focal[gamma=2].share'],
      ],
    )
    const perClass = evaluate('classes[*].ce.share <= classes[*].countShare')
    assert.equal(
      perClass.message,
      '1 of 3 fail: classes[class=bird].ce.share is 0.4, expected <= classes[class=bird].countShare (0.1)',
    )
  })

  it('fails an ordered comparison on a null figure, and says why', () => {
    const result = evaluate('classes[*].ce.share <= 0.5', withBirdShare(null as unknown as number))
    assert.equal(result.status, 'fail')
    const failed = result.checks.find((c) => !c.passed)
    assert.equal(failed?.left.value, null)
    assert.equal(
      failed?.message,
      'classes[class=bird].ce.share is null, expected <= 0.5 (undefined in the report, e.g. a share of a zero total; a null figure fails every <, <=, > and >=)',
    )
    assert.equal(
      evaluate('classes[class=bird].ce.share == null', withBirdShare(null as unknown as number)).status,
      'pass',
    )
  })
})

describe('evaluateRule: rules that do not fit the report (exit 2)', () => {
  const cases: [string, string][] = [
    ['classes[*].ce.shar <= 0.5', 'column 15: expected a field of classes[class=cat].ce (sum, share), got "shar"'],
    ['sweep[gamma=3].sum < 1', 'column 7: expected a gamma of sweep (0, 1, 2), got 3'],
    ['classes[class=cow].count > 0', 'column 9: expected a class of classes ("cat", "dog", "bird"), got "cow"'],
    [
      'classes[klass=cat].count > 0',
      'column 9: expected a field of the elements of classes (class, count, countShare, ce, focal, overweight), got "klass"',
    ],
    ['classes[3].count > 0', 'column 9: expected an index below 3 for classes, got 3'],
    ['input.rows.count > 0', 'column 12: expected the path to end at input.rows (a number), got ".count"'],
    ['classes.ce.share < 1', 'column 9: expected [*], [index] or [field=value] after classes (a list of 3), got ".ce"'],
    ['split[0].ce > 0', 'column 7: expected a field after split (an object), got "[0]"'],
    [
      'report.rows > 0',
      'column 1: expected a field of the report (schemaVersion, input, config, totals, sweep, split, classes), got "report"',
    ],
    [
      'input.files == 1',
      'column 1: expected a number, a string or a boolean at input.files, got a list of 1; add [*], [index] or [field=value]',
    ],
    ['totals.ce > 1', 'column 1: expected a number, a string or a boolean at totals.ce, got an object; add a field'],
    [
      'input.task < 1',
      'column 1: expected a number on both sides of <, got a string (input.task); strings and booleans take == or !=',
    ],
    [
      'input.task == 1',
      'column 15: expected values of one type on both sides of ==, got a string (input.task) and a number (1)',
    ],
    ['1 < 2', 'column 1: expected a report path on at least one side, got two constants'],
    [
      'sweep[*].sum > classes[*].ce.sum',
      'column 16: expected [*] over the same elements on both sides, got 3, such as sweep[gamma=0].sum on the left and 3, such as classes[class=cat].ce.sum on the right',
    ],
    ['delta(input.rows) == 0', 'column 1: expected --baseline FILE for delta(…), got no baseline report'],
  ]
  for (const [text, message] of cases) it(`${text} → ${message}`, () => failsWith(text, message))
})

describe('evaluateRule: baselines', () => {
  it('delta(classes[*].ce.share) <= 0.05 passes an improvement and equal figures', () => {
    const baseline = withBirdShare(0.45)
    const result = evaluate('delta(classes[*].ce.share) <= 0.05', sampleReport(), baseline)
    assert.equal(result.status, 'pass')
    const bird = result.checks[2]
    assert.deepEqual(bird.left, {
      expression: 'delta(classes[class=bird].ce.share)',
      value: -0.05,
      current: 0.4,
      baseline: 0.45,
    })
    assert.equal(bird.message, 'delta(classes[class=bird].ce.share) is -0.05 (0.45 → 0.4) <= 0.05')
  })

  it('delta(classes[*].ce.share) <= 0.05 fails a regression of more than 5 points, naming the class', () => {
    const result = evaluate('delta(classes[*].ce.share) <= 0.05', sampleReport(), withBirdShare(0.3))
    assert.equal(result.status, 'fail')
    assert.equal(
      result.message,
      '1 of 3 fail: delta(classes[class=bird].ce.share) is +0.1 (0.3 → 0.4), expected <= 0.05',
    )
  })

  it('a change of exactly 5 points meets <= 0.05 despite float rounding (0.35 → 0.40)', () => {
    assert.notEqual(0.4 - 0.35, 0.05)
    const result = evaluate('delta(classes[class=bird].ce.share) <= 0.05', sampleReport(), withBirdShare(0.35))
    assert.equal(result.status, 'pass')
    assert.equal(result.checks[0].left.value, 0.05)
  })

  it('relative(sweep[gamma=2].sum) <= 0.03: +2 % passes, +5 % fails, with the percentage in the message', () => {
    const baseline = sampleReport()
    baseline.sweep[2].sum = 100 / 1.02
    assert.equal(evaluate('relative(sweep[gamma=2].sum) <= 0.03', sampleReport(), baseline).status, 'pass')
    baseline.sweep[2].sum = 95
    const result = evaluate('relative(sweep[gamma=2].sum) <= 0.03', sampleReport(), baseline)
    assert.equal(result.status, 'fail')
    assert.equal(result.message, 'relative(sweep[gamma=2].sum) is +0.0526316 (95 → 100, +5.263%), expected <= 0.03')
    baseline.sweep[2].sum = 200
    assert.equal(evaluate('relative(sweep[gamma=2].sum) <= 0.03', sampleReport(), baseline).checks[0].left.value, -0.5)
  })

  it('matches elements by class name and γ, not by position', () => {
    const baseline = sampleReport()
    baseline.classes.reverse()
    baseline.sweep.reverse()
    assert.ok(evaluate('delta(classes[*].ce.share) == 0', sampleReport(), baseline).checks.every((c) => c.passed))
    assert.equal(evaluate('delta(sweep[0].sum) == 0', sampleReport(), baseline).status, 'pass')
  })

  it('a relative change from 0 is 0 when still 0, and undefined (fails) otherwise', () => {
    const baseline = sampleReport()
    baseline.input.skippedRows = 0
    assert.equal(evaluate('relative(input.skippedRows) <= 0', sampleReport(), baseline).status, 'pass')
    const current = sampleReport()
    current.input.skippedRows = 3
    const result = evaluate('relative(input.skippedRows) <= 0.5', current, baseline)
    assert.equal(result.status, 'fail')
    assert.equal(
      result.checks[0].note,
      'a relative change from a baseline of 0 is undefined; a null figure fails every <, <=, > and >=',
    )
  })

  it('a null figure in either report makes the change null, and the check fail', () => {
    const result = evaluate(
      'delta(classes[*].ce.share) <= 0.05',
      sampleReport(),
      withBirdShare(null as unknown as number),
    )
    const bird = result.checks[2]
    assert.equal(result.status, 'fail')
    assert.deepEqual(bird.left, {
      expression: 'delta(classes[class=bird].ce.share)',
      value: null,
      current: 0.4,
      baseline: null,
    })
    assert.equal(
      bird.message,
      'delta(classes[class=bird].ce.share) is null (null → 0.4), expected <= 0.05 (classes[class=bird].ce.share is null in the baseline; a null figure fails every <, <=, > and >=)',
    )
  })

  it('an element missing from the baseline is an error, not a pass', () => {
    const baseline = sampleReport()
    baseline.classes = baseline.classes.slice(0, 2)
    failsWith(
      'delta(classes[*].ce.share) <= 0.05',
      'column 7: expected classes[class=bird] in the baseline report too, got no such element (a baseline must cover the same classes and γ values)',
      sampleReport(),
      baseline,
    )
  })
})

describe('runGates', () => {
  it('passes with warnings, fails on an error rule, and counts each', () => {
    const rules = [
      rule('input.skippedRows == 0'),
      rule('sweep[gamma=2].hardShare >= 0.95', 'warn', 'hard share'),
      rule('classes[*].ce.share <= 0.5'),
    ]
    const warned = runGates(rules, sampleReport())
    assert.equal(warned.passed, true)
    assert.deepEqual(warned.summary, {rules: 3, passed: 2, failed: 0, warned: 1})
    assert.deepEqual(
      warned.rules.map((r) => [r.name, r.status]),
      [
        ['input.skippedRows == 0', 'pass'],
        ['hard share', 'warn'],
        ['classes[*].ce.share <= 0.5', 'pass'],
      ],
    )
    const failed = runGates([...rules, rule('classes[*].ce.share <= 0.3')], sampleReport())
    assert.equal(failed.passed, false)
    assert.deepEqual(failed.summary, {rules: 4, passed: 2, failed: 1, warned: 1})
    assert.equal(failed.baseline, null)
    assert.equal(failed.schemaVersion, 1)
  })

  it('survives a JSON round trip unchanged (the --json output is the object itself)', () => {
    const result = runGates([rule('classes[*].ce.share <= 0.3')], sampleReport(), {
      report: sampleReport(),
      source: 'b.json',
    })
    assert.deepEqual(JSON.parse(JSON.stringify(result)), result)
    assert.deepEqual(result.baseline, {source: 'b.json', files: ['preds.csv']})
  })

  it('names the rule of a path error', () => {
    assert.throws(
      () => runGates([rule('sweep[gamma=3].sum < 1')], sampleReport()),
      (error: unknown) =>
        error instanceof UsageError &&
        error.message === '--assert "sweep[gamma=3].sum < 1": column 7: expected a gamma of sweep (0, 1, 2), got 3',
    )
  })

  it('refuses a baseline computed with another α or easy threshold, when a rule reads it', () => {
    const baseline = sampleReport()
    baseline.config.alpha = 0.25
    assert.throws(
      () => runGates([rule('delta(totals.ce.sum) <= 0')], sampleReport(), {report: baseline, source: 'b.json'}),
      {
        message:
          'b.json: expected a baseline computed with --alpha none like this report, got --alpha 0.25 (recompute one of them with the same setting)',
      },
    )
    baseline.config.alpha = null
    baseline.config.easyThreshold = 0.6
    assert.throws(
      () => runGates([rule('delta(totals.ce.sum) <= 0')], sampleReport(), {report: baseline, source: 'b.json'}),
      /--easy-threshold 0.5 like this report, got --easy-threshold 0.6/,
    )
    // Rules that do not read the baseline do not care.
    assert.equal(
      runGates([rule('totals.ce.sum > 0')], sampleReport(), {report: baseline, source: 'b.json'}).passed,
      true,
    )
  })
})

describe('formatScalar', () => {
  it('shows 6 significant digits, integers whole, and signs changes', () => {
    assert.equal(formatScalar(0.123456789), '0.123457')
    assert.equal(formatScalar(1234567), '1234567')
    assert.equal(formatScalar(0.05, true), '+0.05')
    assert.equal(formatScalar(-0.05, true), '-0.05')
    assert.equal(formatScalar(1e-9), '1e-9')
    assert.equal(formatScalar('cat'), '"cat"')
    assert.equal(formatScalar(null), 'null')
  })
})
