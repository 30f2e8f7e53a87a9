/**
 * Inputs that used to give a wrong figure with exit 0 (issue 14, items 1 and 8), end to end through the
 * built CLI (`npm run build` first):
 * - probabilities in columns named as logits: exit 2 naming the evidence and both ways out; with
 *   `--scores logits` (the user's word) exit 0 and a warning, on stderr and in `input.warnings`;
 * - logits whose CE sum overflows: exit 2 naming the row, never a report of NaN / null figures;
 * - `--eps` below 2^-53, and saved reports holding `1e999`: refused.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {Field, Float64, Int32, makeData, RecordBatch, Schema, Struct, Table, tableToIPC} from 'apache-arrow'

import type {Report} from '../../src/report/types.js'
import {MIN_PARALLEL_BYTES} from '../../src/readers/prediction-source.js'
import {type CliResult, runCli} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8')

/** The fixture with its header line rewritten (the same numbers under other column names). */
function renamed(name: string, from: RegExp, to: string): string {
  const text = fixture(name)
  const newline = text.indexOf('\n')
  return text.slice(0, newline).replace(from, to) + text.slice(newline)
}

/** Exit 2 with one line on stderr, matching `pattern`, and nothing on stdout — with and without --json. */
function expectError(args: string[], pattern: RegExp): void {
  for (const json of [false, true]) {
    const result = runCli(json ? [...args, '--json'] : args)
    const what = `${json ? 'with' : 'without'} --json: exit ${result.status}, stderr ${JSON.stringify(result.stderr)}`
    assert.equal(result.status, 2, what)
    assert.equal(result.stdout, '', what)
    const lines = result.stderr.split('\n')
    assert.equal(lines.length, 2, `one line on stderr ${what}`)
    assert.match(lines[0], /^focalscope: error: /, what)
    assert.match(lines[0], pattern, what)
  }
}

/** `report … --json`: exit 0; returns the report and stderr. */
function reportJson(args: string[]): {report: Report; result: CliResult} {
  const result = runCli(['report', ...args, '--json'])
  assert.equal(result.status, 0, result.stderr)
  return {report: JSON.parse(result.stdout) as Report, result}
}

const WAYS_OUT = /pass --scores probs to read them as probabilities, or --scores logits if they are logits$/

describe('probabilities in columns named as logits', () => {
  const multiclass = file('softmax-as-logits.csv', renamed('multiclass-probs.csv', /prob_/g, 'logit_'))
  const binary = file('sigmoid-as-logit.csv', renamed('binary-probs.csv', /prob/, 'logit'))

  it('multi-class softmax outputs under logit_*: exit 2 naming the evidence and both ways out', () => {
    expectError(
      ['report', multiclass],
      new RegExp(
        String.raw`softmax-as-logits\.csv: expected logits \(told from the column name "logit_cat"\), got scores that ` +
          String.raw`look like probabilities: every score of the 300 rows is in \[0, 1\] and every row sums to 1 ± 0\.001; ` +
          WAYS_OUT.source,
      ),
    )
    // `gate` reads the predictions the same way.
    expectError(['gate', multiclass, '--assert', 'input.rows > 0'], /softmax-as-logits\.csv: expected logits/)
  })

  it('a binary column "logit" holding probabilities: exit 2', () => {
    expectError(
      ['report', binary],
      new RegExp(
        String.raw`sigmoid-as-logit\.csv: expected logits \(told from the column name "logit"\), got scores that look ` +
          String.raw`like probabilities: every score of the 300 rows is in \[0, 1\]; ` +
          WAYS_OUT.source,
      ),
    )
  })

  it('with --scores logits: exit 0, one warning on stderr and the same in input.warnings', () => {
    const warning =
      'the scores look like probabilities (every score of the 300 rows is in [0, 1] and every row sums to 1 ± 0.001) ' +
      'but are read as logits, as --scores logits says'
    const {report, result} = reportJson([multiclass, '--scores', 'logits'])
    assert.equal(result.stderr, `focalscope: warning: ${warning}\n`)
    assert.deepEqual(report.input.warnings, [warning])
    assert.equal(report.input.scores, 'logits')
    const text = runCli(['report', multiclass, '--scores', 'logits'])
    assert.equal(text.status, 0)
    assert.equal(text.stderr, `focalscope: warning: ${warning}\n`)
  })

  it('with --scores probs: the figures of the same file under prob_* names, and no warning', () => {
    const {report, result} = reportJson([multiclass, '--scores', 'probs'])
    const original = reportJson([file('softmax.csv', fixture('multiclass-probs.csv'))]).report
    assert.equal(result.stderr, '')
    assert.deepEqual(report.input.warnings, [])
    assert.deepEqual(report.totals, original.totals)
    assert.deepEqual(report.sweep, original.sweep)
  })

  it('genuine logits keep an empty input.warnings', () => {
    const {report, result} = reportJson([file('logits.csv', fixture('multiclass.csv'))])
    assert.equal(result.stderr, '')
    assert.deepEqual(report.input.warnings, [])
  })

  it('a large file split across threads: the ranges of every part are merged', () => {
    // Just over the size at which the CLI splits a file: ~1.7 M rows of probabilities under "logit".
    const lines = ['label,logit']
    let bytes = 0
    for (let i = 0; bytes < MIN_PARALLEL_BYTES + (1 << 20); i++) {
      const line = i % 4 === 0 ? `1,0.9${i % 997}` : `0,0.0${i % 991}`
      lines.push(line)
      bytes += line.length + 1
    }
    const path = file('large-probs-as-logits.csv', lines.join('\n') + '\n')
    for (const threads of ['1', '2']) {
      const result = runCli(['report', path, '--threads', threads, '--json'])
      assert.equal(result.status, 2, result.stderr)
      assert.match(
        result.stderr,
        /large-probs-as-logits\.csv: expected logits .* every score of the \d+ rows is in \[0, 1\]/,
      )
    }
  })
})

describe('a CE sum that overflows', () => {
  // The file: two rows of CE 1e308 each; the sum passes the largest double at line 3.
  const overflow = file('overflow.csv', 'label,logit\n0,1e308\n0,1e308\n1,0\n')
  const message =
    /expected logits whose CE keeps the sum finite, got a logit of 1e\+308, which takes the CE sum past the largest double \(1\.8e308\)$/

  it('report: exit 2 naming the line and column, not a report of NaN', () => {
    expectError(['report', overflow], new RegExp(`overflow\\.csv:3: column "logit": ${message.source}`))
  })

  it('gate --assert "totals.ce.sum != 0": exit 2, not a pass on garbage', () => {
    expectError(
      ['gate', overflow, '--assert', 'totals.ce.sum != 0'],
      /overflow\.csv:3: column "logit": expected logits/,
    )
  })

  it('across files: the row of the second file that takes the sum past the limit', () => {
    const first = file('overflow-1.csv', 'label,logit\n1,2\n0,1e308\n')
    const second = file('overflow-2.csv', 'label,logit\n1,0.5\n1,-3\n1,-1e308\n')
    expectError(['report', first, second], /overflow-2\.csv:4: column "logit": expected logits/)
  })

  it('multi-class: the row, whose CE is infinite by itself', () => {
    const path = file('overflow-multiclass.csv', 'label,logit_0,logit_1\n0,1,2\n1,1e308,-1e308\n')
    expectError(['report', path], /overflow-multiclass\.csv:3: expected logits .* got a row whose CE is Infinity/)
  })

  it('an Arrow file: the batch and row', () => {
    const schema = new Schema([new Field('label', new Int32(), false), new Field('logit', new Float64(), false)])
    const batch = (labels: number[], logits: number[]): RecordBatch => {
      const children = [
        makeData({type: new Int32(), data: Int32Array.from(labels)}),
        makeData({type: new Float64(), data: Float64Array.from(logits)}),
      ]
      return new RecordBatch(schema, makeData({type: new Struct(schema.fields), length: labels.length, children}))
    }
    const bytes = tableToIPC(new Table([batch([0, 1], [1e308, 3]), batch([1, 0, 0], [1, 2, 1e308])]), 'file')
    expectError(
      ['report', file('overflow.arrow', bytes)],
      /overflow\.arrow \(batch 2, row 3\): column "logit": expected logits whose CE keeps the sum finite/,
    )
  })

  it('a large file split across threads: parts finite apart, not together, name the row', () => {
    // Rows 2 and (near the end) N − 1 have CE 1e308: in different parts, each part's sum is finite.
    const lines = ['label,logit', '1,0.25', '0,1e308']
    let bytes = 0
    for (let i = 0; bytes < MIN_PARALLEL_BYTES + (1 << 20); i++) {
      const line = `${i % 3 === 0 ? 1 : 0},${((i % 200) - 100) / 8}`
      lines.push(line)
      bytes += line.length + 1
    }
    lines.push('1,-1e308', '0,-2')
    const path = file('large-overflow.csv', lines.join('\n') + '\n')
    const line = lines.length - 1
    for (const threads of ['1', '2']) {
      const result = runCli(['report', path, '--threads', threads, '--json'])
      assert.equal(result.status, 2, result.stderr)
      assert.equal(result.stdout, '')
      assert.match(result.stderr, new RegExp(`large-overflow\\.csv:${line}: column "logit": expected logits`))
    }
  })
})

describe('--eps and saved reports: no path to a non-finite figure', () => {
  it('--eps below 2^-53 is a usage error (1 − eps would round to 1, and CE(p = 1) be ∞)', () => {
    const path = file('p-one.csv', 'label,prob\n0,1\n1,0.5\n')
    expectError(
      ['report', path, '--eps', '1e-17'],
      /--eps: expected at least 2\^-53 \(1\.1102230246251565e-16; .*got 1e-17$/,
    )
    // 2^-53 itself: the clamped p = 1 − 2^-53 gives a label-0 row CE = 53 ln 2, finite.
    const {report} = reportJson([path, '--eps', String(2 ** -53)])
    const expected = 53 * Math.LN2 + Math.LN2
    assert.ok(Math.abs(report.totals.ce.sum - expected) <= 1e-12 * expected, String(report.totals.ce.sum))
  })

  it('gate --from-report and --baseline refuse a report holding 1e999, naming the field', () => {
    const {result} = reportJson([file('ok.csv', 'label,logit\n1,0.5\n0,-0.25\n1,2\n')])
    const text = result.stdout.replace(/("ce": \{\s*"sum": )[^,]+/, '$11e999')
    assert.notEqual(text, result.stdout)
    const saved = file('infinite.json', text)
    const field =
      /infinite\.json: expected "totals\.ce\.sum" to be a finite number, got a number beyond the largest double/
    expectError(['gate', '--from-report', saved, '--assert', 'totals.ce.sum > 0'], field)
    expectError(
      [
        'gate',
        file('ok2.csv', 'label,logit\n1,0.5\n0,-0.25\n1,2\n'),
        '--baseline',
        saved,
        '-a',
        'delta(totals.ce.sum) <= 1',
      ],
      field,
    )
  })
})
