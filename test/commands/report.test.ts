import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {Report} from '../../src/report/types.js'
import {runCli, runReportJson} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const ESC = '\u001b['

function close(actual: number, expected: number, rel = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `expected ${expected}, got ${actual}`)
}

// The three logits of the torchvision / ultralytics reference values (see test/core/losses/focal.test.ts).
const REFERENCE_CSV = 'label,logit\n1,0.8\n0,-1.5\n1,0.1\n'

describe('focalscope report --json', () => {
  it('reproduces torchvision (γ=2, α=0.25) and ultralytics (γ=1.5, α=0.25) end to end', () => {
    const path = file('ref.csv', REFERENCE_CSV)
    const {json} = runReportJson([path, '--gammas', '2,1.5,0', '--alpha', '0.25'])
    const report = json as unknown as Report
    close(report.sweep[0].sum, 0.05029548103)
    close(report.sweep[0].mean as number, 0.01676516034)
    close(report.sweep[1].sum, 0.0805277572)
    assert.equal(report.input.rows, 3)
    assert.equal(report.input.task, 'binary')
    assert.deepEqual(report.input.classes, ['0', '1'])
    assert.equal(report.config.alpha, 0.25)
  })

  it('prints exactly one JSON object with the documented fields, shares adding up to 1', () => {
    const path = file('ref.csv', REFERENCE_CSV)
    const {json, stderr} = runReportJson([path])
    const report = json as unknown as Report
    assert.equal(stderr, '')
    assert.equal(report.schemaVersion, 1)
    for (const key of ['files', 'format', 'task', 'scores', 'rows', 'skippedRows', 'clampedValues', 'classes']) {
      assert.ok(key in report.input, key)
    }
    assert.deepEqual(report.config, {
      gammas: [0, 0.5, 1, 2, 5],
      alpha: null,
      easyThreshold: 0.5,
      eps: 1e-7,
      alphaSpec: 'none',
      beta: null,
      alphaByClass: null,
      loss: 'focal',
      polyEpsilon: null,
      preset: null,
      reduction: null,
    })
    assert.deepEqual(
      report.sweep.map((s) => s.gamma),
      [0, 0.5, 1, 2, 5],
    )
    // γ = 0 without α is CE exactly.
    assert.equal(report.sweep[0].sum, report.totals.ce.sum)
    for (const s of report.sweep) close((s.easyShare as number) + (s.hardShare as number), 1, 1e-12)
    close(
      report.classes.reduce((a, c) => a + (c.ce.share as number), 0),
      1,
      1e-12,
    )
    close(
      report.classes.reduce((a, c) => a + (c.countShare as number), 0),
      1,
      1e-12,
    )
    assert.equal(report.split.easy.count + report.split.hard.count, 3)
    // p_t of the rows: σ(0.8) = 0.69 and σ(1.5) = 0.82 are easy, σ(0.1) = 0.52 is easy too.
    assert.equal(report.split.easy.count, 3)
  })

  it('renders the table on stdout without colour codes when not a TTY', () => {
    const path = file('ref.csv', REFERENCE_CSV)
    const result = runCli(['report', path])
    assert.equal(result.status, 0)
    assert.match(result.stdout, /γ sweep/)
    assert.match(result.stdout, /Per class/)
    assert.match(result.stdout, /Easy \/ hard/)
    assert.ok(!result.stdout.includes(ESC))
    const colored = runCli(['report', path], {FORCE_COLOR: '1'})
    assert.ok(colored.stdout.includes(ESC))
    const noColor = runCli(['report', path], {FORCE_COLOR: '1', NO_COLOR: '1'})
    assert.ok(!noColor.stdout.includes(ESC))
  })
})

describe('focalscope report errors', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['a missing file', () => [file('missing.csv')], /missing\.csv: no such file/],
    ['a directory', () => [file('')], /expected a file, got a directory/],
    [
      'an unknown flag',
      () => [file('ref.csv', REFERENCE_CSV), '--bogus'],
      /unknown flag --bogus; focalscope (report|gate) --help lists the flags/,
    ],
    ['no file argument', () => [], /Missing 1 required arg/],
    ['a bad γ list', () => [file('ref.csv', REFERENCE_CSV), '--gammas', '1,x'], /--gammas: expected a number, got "x"/],
    ['a bad α', () => [file('ref.csv', REFERENCE_CSV), '--alpha', '2'], /--alpha: expected "none" or a number/],
    ['a bad --scores', () => [file('ref.csv', REFERENCE_CSV), '--scores', 'odds'], /Expected --scores=odds/],
    ...['64MB', '0', '1T', '1G', '-1K'].map((size): [string, () => string[], RegExp] => [
      `--max-record-bytes ${size}`,
      () => [file('ref.csv', REFERENCE_CSV), '--max-record-bytes', size],
      new RegExp(
        `--max-record-bytes: expected a size from 1 byte to 512 MiB, such as 65536, 512K or 64M, got "${size}"`,
      ),
    ]),
    [
      'no label column',
      () => [file('nolabel.csv', 'y,logit\n1,0.5\n')],
      /no label column "label" \(columns: y, logit\); pass --label-col NAME/,
    ],
    [
      'scores of unknown kind',
      () => [file('score.csv', 'label,score\n1,0.5\n')],
      /cannot tell whether "score" holds logits or probabilities; pass --scores logits\|probs/,
    ],
    [
      'a probability above 1',
      () => [file('probs.csv', 'label,prob\n1,1.5\n')],
      /probs\.csv:2: column "prob": expected a probability in \[0, 1\]/,
    ],
    ['a header-only file', () => [file('header.csv', 'label,logit\n')], /expected at least one data row, got none/],
  ]
  for (const [what, args, pattern] of cases) {
    it(`exits 2 with one line on stderr for ${what}, with and without --json`, () => {
      for (const json of [false, true]) {
        const result = runCli(['report', ...args(), ...(json ? ['--json'] : [])])
        assert.equal(result.status, 2, result.stderr)
        assert.equal(result.stdout, '')
        assert.match(result.stderr, pattern)
        assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
        assert.doesNotMatch(result.stderr, /\n\s+at /)
      }
    })
  }
})
