import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {Report} from '../../src/report/types.js'
import {runCli, runReportJson} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

const MESSY = [
  'label,logit',
  '1,0.5', // line 2: good
  '0,abc', // 3: not a number
  '1,NaN', // 4: non-finite
  '2,0.1', // 5: label
  '0,-1', // 6: good
  '1,2,3', // 7: too many fields
  '0,"x', // 8: unterminated quote (to the line end)
  '1,0.3', // 9: good
].join('\n')

describe('--on-invalid skip', () => {
  it('leaves bad rows out, counts them per reason with the first location, and computes on the rest', () => {
    const {json, stderr} = runReportJson([file('messy.csv', MESSY), '--on-invalid', 'skip'])
    const report = json as unknown as Report
    assert.equal(report.input.rows, 3)
    assert.equal(report.input.skippedRows, 5)
    assert.deepEqual(
      report.input.skipped.map((s) => [s.reason, s.count]),
      [
        ['not-a-number', 1],
        ['non-finite', 1],
        ['label', 1],
        ['field-count', 1],
        ['quoting', 1],
      ],
    )
    assert.match(report.input.skipped[0].first, /messy\.csv:3: column "logit": expected a number, got "abc"/)
    assert.match(report.input.skipped[3].first, /messy\.csv:7: expected 2 fields/)
    // The figures are those of the three good rows alone.
    const clean = runReportJson([file('clean.csv', 'label,logit\n1,0.5\n0,-1\n1,0.3\n')]).json as unknown as Report
    assert.deepEqual(report.sweep, clean.sweep)
    assert.deepEqual(report.classes, clean.classes)
    assert.match(stderr, /warning: left out 5 invalid rows/)
  })

  it('still stops at the first bad row by default, naming it', () => {
    const result = runCli(['report', file('messy.csv', MESSY)])
    assert.equal(result.status, 2)
    assert.match(result.stderr, /messy\.csv:3: column "logit": expected a number, got "abc"/)
  })

  it('skips Arrow rows with nulls or bad labels, naming batch and row', async () => {
    const {makeData, Float64, Int32, Field, Schema, Struct, RecordBatch, Table, tableToIPC} =
      await import('apache-arrow')
    const fields = [new Field('label', new Int32(), true), new Field('logit', new Float64(), true)]
    const label = makeData({type: new Int32(), length: 4, nullCount: 0, data: Int32Array.from([1, 5, 0, 1])})
    const logit = makeData({
      type: new Float64(),
      length: 4,
      nullCount: 1,
      data: Float64Array.from([0.5, 1, 2, -1]),
      nullBitmap: Uint8Array.from([0b1011]),
    })
    const batch = new RecordBatch(
      new Schema(fields),
      makeData({type: new Struct(fields), length: 4, nullCount: 0, children: [label, logit]}),
    )
    const path = file('nulls.arrow', tableToIPC(new Table([batch]), 'file'))
    const report = runReportJson([path, '--on-invalid', 'skip']).json as unknown as Report
    assert.equal(report.input.rows, 2)
    assert.deepEqual(
      report.input.skipped.map((s) => [s.reason, s.count]),
      [
        ['label', 1],
        ['null', 1],
      ],
    )
    assert.match(
      report.input.skipped[1].first,
      /nulls\.arrow \(batch 1, row 3\): column "logit": expected a score, got null/,
    )
    const clean = runReportJson([file('two.csv', 'label,logit\n1,0.5\n1,-1\n')]).json as unknown as Report
    assert.deepEqual(report.sweep, clean.sweep)
  })
})

describe('probability row sums', () => {
  const rows = 'label,prob_a,prob_b\n0,0.7,0.3\n1,0.5,0.7\n1,0.2,0.8\n'
  it('refuses a row that does not sum to 1, suggesting the flags', () => {
    const result = runCli(['report', file('sums.csv', rows)])
    assert.equal(result.status, 2)
    assert.match(result.stderr, /sums\.csv:3: expected class probabilities that sum to 1 \(± 0\.001\), got 1\.2/)
    assert.match(result.stderr, /--row-sum renormalize/)
  })

  it('points independent sigmoid probabilities at the multi-label layout before --row-sum renormalize', () => {
    // Three per-class sigmoids per row (not a softmax): renormalizing would make them one, silently.
    const sigmoids = 'label,prob_cat,prob_dog,prob_car\n0,0.9,0.6,0.05\n'
    const result = runCli(['report', file('sigmoids.csv', sigmoids)])
    assert.equal(result.status, 2)
    assert.equal(
      result.stderr,
      `focalscope: error: ${file('sigmoids.csv')}:2: expected class probabilities that sum to 1 (± 0.001), got 1.55 ` +
        '(per-class sigmoid probabilities are multi-label: give one 0/1 target column per class and pass ' +
        '--target-prefix P; softmax outputs: --row-sum renormalize rescales such rows, or widen --row-sum-tolerance)\n',
    )
  })

  it('renormalizes with --row-sum renormalize, reporting how many rows and the largest deviation', () => {
    const {json, stderr} = runReportJson([file('sums.csv', rows), '--row-sum', 'renormalize'])
    const report = json as unknown as Report
    assert.deepEqual(report.input.probabilityRowSums, {
      tolerance: 1e-3,
      policy: 'renormalize',
      maxDeviation: Math.abs(0.5 + 0.7 - 1),
      renormalized: 1,
    })
    // Row 2 becomes p_t = 0.7 / 1.2.
    const expected = -Math.log(0.7) - Math.log(0.7 / (0.5 + 0.7)) - Math.log(0.8)
    assert.ok(Math.abs(report.totals.ce.sum - expected) < 1e-12)
    assert.match(stderr, /renormalized 1 probability rows/)
  })

  it('skips such rows with --on-invalid skip, and accepts them within --row-sum-tolerance', () => {
    const skipped = runReportJson([file('sums.csv', rows), '--on-invalid', 'skip']).json as unknown as Report
    assert.equal(skipped.input.rows, 2)
    assert.equal(skipped.input.skipped[0].reason, 'row-sum')
    const tolerant = runReportJson([file('sums.csv', rows), '--row-sum-tolerance', '0.25']).json as unknown as Report
    assert.equal(tolerant.input.rows, 3)
  })
})

describe('shards and class names', () => {
  it('reads several files as one dataset and reports rows per file', () => {
    const a = file('a.csv', 'label,logit\n1,0.5\n0,-1\n')
    const b = file('b.csv', 'label,logit\n1,0.3\n')
    const report = runReportJson([a, b]).json as unknown as Report
    assert.deepEqual(report.input.fileRows, [2, 1])
    assert.equal(report.input.rows, 3)
  })

  it('names index classes with --class-names, from a list or a file, and checks the count', () => {
    const data = file('k3.csv', 'label,logit_0,logit_1,logit_2\n0,1,0,0\n2,0,0,1\n')
    const fromList = runReportJson([data, '--class-names', 'cat,dog,bird']).json as unknown as Report
    assert.deepEqual(fromList.input.classes, ['cat', 'dog', 'bird'])
    assert.deepEqual(
      fromList.classes.map((c) => c.class),
      ['cat', 'dog', 'bird'],
    )
    const names = file('names.txt', 'cat\ndog\n\nbird\n')
    const fromFile = runReportJson([data, '--class-names', `@${names}`]).json as unknown as Report
    assert.deepEqual(fromFile.input.classes, ['cat', 'dog', 'bird'])
    const wrong = runCli(['report', data, '--class-names', 'cat,dog'])
    assert.equal(wrong.status, 2)
    assert.match(wrong.stderr, /--class-names: expected 3 names for the 3 classes, got 2/)
  })
})
