import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {UsageError} from '../../src/core/errors.js'
import type {Report} from '../../src/report/types.js'
import type {GateRule} from '../../src/gates/gate-result.js'
import {parseRule} from '../../src/gates/parse-rule.js'
import {runGates} from '../../src/gates/run-gates.js'
import {sampleReport} from './sample-report.js'

function rule(text: string): GateRule {
  return {
    name: text,
    assert: text,
    severity: 'error',
    origin: `--assert ${JSON.stringify(text)}`,
    expression: parseRule(text),
  }
}

/** sampleReport() as a report of today writes it: every optional config field, at the values the sample implies. */
function currentReport(): Report {
  const report = sampleReport()
  Object.assign(report.config, {
    alphaSpec: 'none',
    beta: null,
    alphaByClass: null,
    loss: 'focal',
    polyEpsilon: null,
    preset: null,
    reduction: null,
  })
  return report
}

const READS_BASELINE = 'delta(totals.ce.sum) <= 1000'

/** The message runGates refuses `baseline` with (b.json), or undefined when it compares them. */
function refusal(report: Report, baseline: Report, rules = [rule(READS_BASELINE)]): string | undefined {
  try {
    runGates(rules, report, {report: baseline, source: 'b.json'})
    return undefined
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error))
    return error.message
  }
}

function expectRefusal(report: Report, baseline: Report, ours: string, theirs: string): void {
  assert.equal(
    refusal(report, baseline),
    `b.json: expected a baseline ${ours}, got ${theirs} (recompute one of them with the same setting)`,
  )
}

/** Two reports, changed by `change`: the one under test and its baseline. */
function pair(change: (report: Report, baseline: Report) => void): [Report, Report] {
  const report = currentReport()
  const baseline = currentReport()
  change(report, baseline)
  return [report, baseline]
}

describe('runGates: a baseline computed with other settings is refused, naming the first difference', () => {
  const cases: [string, (report: Report, baseline: Report) => void, string, string][] = [
    ['the task', (_, b) => (b.input.task = 'multilabel'), 'of task multiclass like this report', 'task multilabel'],
    [
      'the score kind',
      (_, b) => (b.input.scores = 'probs'),
      'computed with --scores logits like this report',
      '--scores probs',
    ],
    ['the loss', (_, b) => (b.config.loss = 'poly1'), 'computed with --loss focal like this report', '--loss poly1'],
    [
      "Poly-1's ε",
      (r, b) => {
        r.config.loss = b.config.loss = 'poly1'
        r.config.polyEpsilon = 1
        b.config.polyEpsilon = -0.5
      },
      'computed with --poly-epsilon 1 like this report',
      '--poly-epsilon -0.5',
    ],
    [
      'a class-balanced α of the other kind',
      (r, b) => {
        r.config.alphaSpec = 'inverse-frequency'
        b.config.alphaSpec = 'effective-number'
        b.config.beta = 0.999
      },
      'computed with --alpha inverse-frequency like this report',
      '--alpha effective-number',
    ],
    [
      'a scalar α',
      (_, b) => {
        b.config.alphaSpec = '0.25'
        b.config.alpha = 0.25
      },
      'computed with --alpha none like this report',
      '--alpha 0.25',
    ],
    [
      "effective-number's β",
      (r, b) => {
        r.config.alphaSpec = b.config.alphaSpec = 'effective-number'
        r.config.beta = 0.999
        b.config.beta = 0.99
      },
      'computed with --beta 0.999 like this report',
      '--beta 0.99',
    ],
    [
      'a per-class α list',
      (r, b) => {
        r.config.alphaSpec = '0.2,0.3,0.5'
        b.config.alphaSpec = '0.2,0.5,0.3'
      },
      'computed with --alpha 0.2,0.3,0.5 like this report',
      '--alpha 0.2,0.5,0.3',
    ],
    [
      'the α a list applied, when the spec reads the same',
      (r, b) => {
        r.config.alphaSpec = b.config.alphaSpec = '0.2,0.3,0.5'
        r.config.alphaByClass = [0.2, 0.3, 0.5]
        b.config.alphaByClass = [0.2, 0.3, 0.4]
      },
      'computed with α per class 0.2,0.3,0.5 like this report',
      'α per class 0.2,0.3,0.4',
    ],
    ['eps', (_, b) => (b.config.eps = 1e-6), 'computed with --eps 1e-7 like this report', '--eps 0.000001'],
    [
      'the easy threshold',
      (_, b) => (b.config.easyThreshold = 0.6),
      'computed with --easy-threshold 0.5 like this report',
      '--easy-threshold 0.6',
    ],
    [
      'the reduction',
      (r) => (r.config.reduction = {name: 'mean', divisor: 1000, source: null}),
      'computed with --reduction mean like this report',
      'no --reduction',
    ],
    [
      'the classes, in order',
      (_, b) => (b.input.classes = ['cat', 'bird', 'dog']),
      "with this report's classes in its order",
      'class 1 "bird" where this report has "dog"',
    ],
    [
      'a class fewer',
      (_, b) => (b.input.classes = ['cat', 'dog']),
      "with this report's classes in its order",
      '2 classes, without "bird"',
    ],
    [
      'a class more',
      (_, b) => (b.input.classes = ['cat', 'dog', 'bird', 'fish']),
      "with this report's classes in its order",
      '4 classes, with "fish" too',
    ],
    [
      'the first of several differences',
      (_, b) => {
        b.config.loss = 'ce'
        b.config.eps = 1e-3
      },
      'computed with --loss focal like this report',
      '--loss ce',
    ],
  ]
  for (const [what, change, ours, theirs] of cases) {
    it(`refuses a baseline that differs in ${what}`, () => {
      const [report, baseline] = pair(change)
      expectRefusal(report, baseline, ours, theirs)
      // The same two reports are compared when nothing reads the baseline.
      assert.equal(refusal(report, baseline, [rule('totals.ce.sum > 0')]), undefined)
    })
  }

  it('compares reports whose settings are the same, however the α list is spelled', () => {
    assert.equal(refusal(currentReport(), currentReport()), undefined)
    const [report, baseline] = pair((r, b) => {
      r.config.alphaSpec = b.config.alphaSpec = '0.2,0.3,0.5'
      r.config.alphaByClass = [0.2, 0.3, 0.5]
    })
    assert.equal(refusal(report, baseline), undefined)
  })
})

describe('runGates: a baseline from an older focalscope, without the optional config fields', () => {
  /** sampleReport() has none of them: alphaSpec, beta, alphaByClass, loss, polyEpsilon, preset, reduction. */
  const old = sampleReport

  it('counts each missing field as its documented default, so a report at the defaults compares', () => {
    assert.equal(refusal(currentReport(), old()), undefined)
    assert.equal(refusal(old(), currentReport()), undefined)
    // A scalar α: the old report's alpha is today's alphaSpec.
    const [report, baseline] = [currentReport(), old()]
    report.config.alphaSpec = '0.25'
    report.config.alpha = baseline.config.alpha = 0.25
    assert.equal(refusal(report, baseline), undefined)
  })

  it('never counts a missing field as "anything goes"', () => {
    const poly = currentReport()
    poly.config.loss = 'poly1'
    poly.config.polyEpsilon = 1
    expectRefusal(poly, old(), 'computed with --loss poly1 like this report', '--loss focal')
    const balanced = currentReport()
    balanced.config.alphaSpec = 'inverse-frequency'
    expectRefusal(balanced, old(), 'computed with --alpha inverse-frequency like this report', '--alpha none')
    const reduced = currentReport()
    reduced.config.reduction = {name: 'sum', divisor: 1, source: null}
    expectRefusal(reduced, old(), 'computed with --reduction sum like this report', 'no --reduction')
  })

  it("reads a missing β as --beta's default and a missing Poly-1 ε as --poly-epsilon's", () => {
    const [report, baseline] = pair((r, b) => {
      r.config.alphaSpec = b.config.alphaSpec = 'effective-number'
      r.config.beta = 0.9
      delete b.config.beta
    })
    expectRefusal(report, baseline, 'computed with --beta 0.9 like this report', '--beta 0.999')
    report.config.beta = 0.999
    assert.equal(refusal(report, baseline), undefined)
    const [poly, polyBaseline] = pair((r, b) => {
      r.config.loss = b.config.loss = 'poly1'
      r.config.polyEpsilon = 2
      delete b.config.polyEpsilon
    })
    expectRefusal(poly, polyBaseline, 'computed with --poly-epsilon 2 like this report', '--poly-epsilon 1')
    poly.config.polyEpsilon = 1
    assert.equal(refusal(poly, polyBaseline), undefined)
  })
})

describe('runGates: the γ values the rules read from the baseline', () => {
  /** A baseline that swept γ 0 and 1 only. */
  function withoutGamma2(): Report {
    const baseline = currentReport()
    baseline.config.gammas = [0, 1]
    baseline.sweep = baseline.sweep.filter((row) => row.gamma !== 2)
    for (const side of [baseline.split.easy, baseline.split.hard]) side.focal = side.focal.filter((f) => f.gamma !== 2)
    for (const row of baseline.classes) row.focal = row.focal.filter((f) => f.gamma !== 2)
    return baseline
  }

  it('must be in the baseline sweep; other γ values may differ', () => {
    const read = (text: string): string | undefined => refusal(currentReport(), withoutGamma2(), [rule(text)])
    assert.equal(read('delta(sweep[gamma=1].sum) <= 0'), undefined)
    assert.equal(read('delta(split.hard.focal[gamma=0].share) <= 0'), undefined)
    assert.equal(read('sweep[gamma=2].sum > 0'), undefined)
    const expected = (text: string): string =>
      `b.json: expected a baseline computed with γ 2 in --gammas like this report (--assert ${JSON.stringify(text)} reads it), got --gammas 0,1 (recompute one of them with the same setting)`
    for (const text of [
      'delta(sweep[gamma=2].sum) <= 0',
      'relative(sweep[2].sum) <= 0',
      'delta(classes[*].focal[*].share) <= 0.1',
      'sweep[gamma=0].sum >= delta(split.easy.focal[gamma=2].sum)',
    ]) {
      assert.equal(read(text), expected(text), text)
    }
  })
})
