import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {Ajv} from 'ajv'
import {Field, Float64, Int32, makeData, RecordBatch, Schema, Struct, Table, tableToIPC} from 'apache-arrow'

import type {Report} from '../../src/report/types.js'
import {runCli, runReportJson} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const SCHEMA = JSON.parse(readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')) as object
const validate = new Ajv({allErrors: true}).compile(SCHEMA)

// Binary logits with soft labels: label smoothing (0.05 / 0.95), distillation targets, plain 0 and 1.
const LOGITS = [2.2, -1.3, 0.4, -3.1, 0.05, 1.7, -0.6, 4.5]
const LABELS = [0.95, 0.05, 0.7, 0, 0.5, 1, 0.2, 0.9]
const csv = (labels: number[] = LABELS): string =>
  ['label,logit', ...labels.map((y, i) => `${y},${LOGITS[i]}`)].join('\n') + '\n'

/**
 * Independent of src/: BCE with soft targets and the focal factor exactly as ultralytics' FocalLoss writes
 * them (utils/loss.py): loss = BCEWithLogits(x, y); p = σ(x); p_t = y·p + (1 − y)(1 − p);
 * loss *= (1 − p_t)^γ; α_t = y·α + (1 − y)(1 − α); loss *= α_t.
 */
function softFocal(x: number, y: number, gamma: number, alpha: number | null): {bce: number; fl: number; pt: number} {
  const bce = Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x))) // −[y·log σ(x) + (1 − y)·log(1 − σ(x))]
  const p = 1 / (1 + Math.exp(-x))
  const pt = y * p + (1 - y) * (1 - p)
  const alphaT = alpha === null ? 1 : y * alpha + (1 - y) * (1 - alpha)
  return {bce, fl: alphaT * Math.pow(1 - pt, gamma) * bce, pt}
}

function close(actual: number | null | undefined, expected: number, what: string): void {
  assert.ok(
    typeof actual === 'number' && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: expected ${expected}, got ${actual}`,
  )
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0)

function arrowFile(labelData: ReturnType<typeof makeData>): Uint8Array {
  const logit = makeData({type: new Float64(), length: LOGITS.length, nullCount: 0, data: Float64Array.from(LOGITS)})
  const fields = [new Field('label', labelData.type, false), new Field('logit', logit.type, false)]
  const struct = makeData({type: new Struct(fields), length: LOGITS.length, nullCount: 0, children: [labelData, logit]})
  return tableToIPC(new Table([new RecordBatch(new Schema(fields), struct)]), 'file')
}

describe('focalscope report --soft-labels (binary labels in [0, 1])', () => {
  it('sums BCE with soft targets and the ultralytics focal term, with and without α', () => {
    const path = file('soft.csv', csv())
    for (const alpha of [null, 0.25]) {
      const gammas = [0, 1.5, 2]
      const args = [
        path,
        '--soft-labels',
        '--gammas',
        gammas.join(','),
        '--alpha',
        alpha === null ? 'none' : String(alpha),
      ]
      const r = runReportJson(args).json as unknown as Report
      const terms = (gamma: number) => LOGITS.map((x, i) => softFocal(x, LABELS[i], gamma, alpha))
      assert.ok(validate(r), JSON.stringify(validate.errors))
      assert.equal(r.input.task, 'multilabel')
      assert.equal(r.input.softLabels, true, 'the report says the labels were read as soft targets')
      assert.match(r.input.semantics, /^binary labels read as soft targets \(--soft-labels\)/)
      assert.deepEqual(r.input.classes, ['1'])
      assert.equal(r.input.rows, LOGITS.length)
      assert.equal(r.input.positiveElements, LABELS.filter((y) => y > 0).length)
      // README: backgroundRows are the rows whose targets are all 0 — here, the rows labelled 0.
      assert.equal(r.input.backgroundRows, LABELS.filter((y) => y === 0).length)
      close(r.totals.ce.sum, sum(terms(0).map((t) => t.bce)), 'CE sum')
      gammas.forEach((gamma, g) => {
        const fl = terms(gamma).map((t) => t.fl)
        close(r.sweep[g].sum, sum(fl), `FL γ=${gamma}`)
        close(r.sweep[g].mean, sum(fl) / LOGITS.length, `FL mean γ=${gamma}`)
        // The one class row splits its loss by target: y > 0 is positive.
        const positive = sum(fl.filter((_, i) => LABELS[i] > 0))
        close(r.classes[0].byTarget?.positive.focal[g].sum, positive, `positive FL γ=${gamma}`)
        close(r.classes[0].byTarget?.negative.focal[g].sum, sum(fl) - positive, `negative FL γ=${gamma}`)
        // Easy means p_t > 0.5, with p_t = y·p + (1 − y)(1 − p).
        const easy = sum(fl.filter((_, i) => terms(gamma)[i].pt > 0.5))
        close(r.split.easy.focal[g].sum, easy, `easy FL γ=${gamma}`)
      })
    }
  })

  it('reads Arrow float labels as the CSV does, and hard labels give the binary task’s sums exactly', () => {
    const fromCsv = runReportJson([file('soft2.csv', csv()), '--soft-labels']).json as unknown as Report
    const floatLabels = makeData({type: new Float64(), length: 8, nullCount: 0, data: Float64Array.from(LABELS)})
    const fromArrow = runReportJson([file('soft.arrow', arrowFile(floatLabels)), '--soft-labels'])
      .json as unknown as Report
    assert.deepEqual(fromArrow.classes, fromCsv.classes)
    assert.deepEqual(fromArrow.sweep, fromCsv.sweep)

    const hard = LABELS.map((y) => (y >= 0.5 ? 1 : 0))
    const intLabels = makeData({type: new Int32(), length: 8, nullCount: 0, data: Int32Array.from(hard)})
    const arrowPath = file('hard.arrow', arrowFile(intLabels))
    const soft = runReportJson([arrowPath, '--soft-labels', '--alpha', '0.25']).json as unknown as Report
    const binary = runReportJson([arrowPath, '--alpha', '0.25']).json as unknown as Report
    assert.equal(binary.input.task, 'binary')
    assert.equal(binary.input.softLabels, false)
    assert.equal(soft.totals.ce.sum, binary.totals.ce.sum)
    soft.sweep.forEach((s, g) => assert.equal(s.sum, binary.sweep[g].sum))
    assert.deepEqual(soft.splitByTarget, binary.splitByTarget)
    assert.equal(soft.input.backgroundRows, hard.filter((y) => y === 0).length)
  })

  it('without the flag a soft label stops the run and names the flag; a label of 2 keeps its message', () => {
    const soft = runCli(['report', file('soft3.csv', csv())])
    assert.equal(soft.status, 2)
    assert.match(
      soft.stderr,
      /soft3\.csv:2: column "label": expected 0 or 1, got "0\.95" \(pass --soft-labels to read labels in \[0, 1\] as soft targets\)$/m,
    )
    const floatLabels = makeData({type: new Float64(), length: 8, nullCount: 0, data: Float64Array.from(LABELS)})
    const arrow = runCli(['report', file('soft3.arrow', arrowFile(floatLabels))])
    assert.equal(arrow.status, 2)
    assert.match(
      arrow.stderr,
      /soft3\.arrow \(batch 1, row 1\): column "label": expected 0 or 1, got 0\.95 \(pass --soft-labels/,
    )
    const two = runCli(['report', file('two.csv', 'label,logit\n1,0.5\n2,0.5\n')])
    assert.match(two.stderr, /two\.csv:3: column "label": expected 0 or 1, got "2"$/m)
  })

  it('with the flag a label outside [0, 1] is a "target" row, and a multi-class file is refused', () => {
    const path = file('out.csv', csv([...LABELS.slice(0, 7), 1.5]))
    const bad = runCli(['report', path, '--soft-labels'])
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /out\.csv:9: column "label": expected a target in \[0, 1\], got 1\.5$/m)
    const skipped = runReportJson([path, '--soft-labels', '--on-invalid', 'skip'])
    const r = skipped.json as unknown as Report
    assert.equal(r.input.rows, 7)
    assert.deepEqual(
      r.input.skipped.map((s) => [s.reason, s.count]),
      [['target', 1]],
    )
    const multi = runCli(['report', file('mc.csv', 'label,logit_0,logit_1\n0,1,2\n'), '--soft-labels'])
    assert.equal(multi.status, 2)
    assert.match(multi.stderr, /--soft-labels: expected a binary layout/)
  })
})

describe('focalscope report --help', () => {
  it('lists the layout flags and shows examples of presets, α forms, losses, layouts and soft labels', () => {
    const help = runCli(['report', '--help'])
    assert.equal(help.status, 0, help.stderr)
    for (const flag of ['--soft-labels', '--target-col', '--target-prefix', '--class-col', '--preset', '--loss']) {
      assert.ok(help.stdout.includes(flag), flag)
    }
    // oclif wraps long example commands with " \" and an indented continuation line: join them back.
    const examples = help.stdout.replace(/ \\\n\s+/g, ' ')
    for (const example of [
      '--preset torchvision',
      '--alpha 0.25,0.5,0.5,0.75',
      '--alpha effective-number',
      '--loss varifocal',
      '--loss poly1',
      '--class-col class',
      '--target-col targets',
      'binary-soft.csv --soft-labels',
    ]) {
      assert.ok(examples.includes(example), example)
    }
  })
})
