import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {Ajv} from 'ajv'
import {Field, FixedSizeList, Float64, makeData, RecordBatch, Schema, Struct, Table, tableToIPC} from 'apache-arrow'
import {parse} from 'csv-parse/sync'

import type {Report} from '../../src/report/types.js'
import {assertNear, type ReferenceElement, referenceMultilabel} from '../helpers/reference.js'
import {runCli, runReportJson} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const SCHEMA = JSON.parse(readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')) as object
const validate = new Ajv({allErrors: true}).compile(SCHEMA)
const CLASSES = ['car', 'person', 'dog']
const LOGITS = [
  [2.0, -1.0, 0.5],
  [-3.0, -0.2, 1.5],
  [0.3, -4.0, -2.5],
  [-1.2, 0.8, -0.1],
  [4.0, -2.0, -6.0],
]
const TARGETS = [
  [0.9, 0, 0],
  [0, 0, 0.35],
  [0, 0, 0],
  [0, 1, 0],
  [0.6, 0, 0],
]

function wideCsv(): string {
  const header = [...CLASSES.map((c) => `logit_${c}`), ...CLASSES.map((c) => `target_${c}`)].join(',')
  return [header, ...LOGITS.map((row, i) => [...row, ...TARGETS[i]].join(','))].join('\n') + '\n'
}

/** The same elements, one per row, in the same row-major order. */
function longCsv(): string {
  const lines = ['anchor,class,logit,target']
  LOGITS.forEach((row, i) => row.forEach((x, j) => lines.push(`${i},${CLASSES[j]},${x},${TARGETS[i][j]}`)))
  return lines.join('\n') + '\n'
}

async function wideArrow(): Promise<Uint8Array> {
  const {tableFromArrays, tableToIPC} = await import('apache-arrow')
  const columns: Record<string, Float64Array> = {}
  CLASSES.forEach((c, j) => (columns[`logit_${c}`] = Float64Array.from(LOGITS.map((row) => row[j]))))
  CLASSES.forEach((c, j) => (columns[`target_${c}`] = Float64Array.from(TARGETS.map((row) => row[j]))))
  return tableToIPC(tableFromArrays(columns), 'file')
}

/** Two FixedSizeList<K, Float64> columns, "logits" and "targets": the Arrow list form of the same rows. */
function listArrow(logits: number[][], targets: number[][], batchRows = logits.length): Uint8Array {
  const k = logits[0].length
  const list = (rows: number[][]): ReturnType<typeof makeData> =>
    makeData({
      type: new FixedSizeList(k, new Field('item', new Float64(), false)),
      length: rows.length,
      nullCount: 0,
      child: makeData({
        type: new Float64(),
        length: rows.length * k,
        nullCount: 0,
        data: Float64Array.from(rows.flat()),
      }),
    })
  const batches: RecordBatch[] = []
  for (let start = 0; start < logits.length; start += batchRows) {
    const end = Math.min(logits.length, start + batchRows)
    const columns = [list(logits.slice(start, end)), list(targets.slice(start, end))]
    const fields = [new Field('logits', columns[0].type, false), new Field('targets', columns[1].type, false)]
    const struct = makeData({type: new Struct(fields), length: end - start, nullCount: 0, children: columns})
    batches.push(new RecordBatch(new Schema(fields), struct))
  }
  return tableToIPC(new Table(batches), 'file')
}

/** The rows as reference elements, row-major (class j of row i). */
function elementsOf(logits: number[][], targets: number[][]): ReferenceElement[] {
  return logits.flatMap((row, i) => row.map((score, j) => ({cls: j, score, target: targets[i][j]})))
}

const DEFAULTS = {scores: 'logits', easyThreshold: 0.5, eps: 1e-7} as const

const perClass = (r: Report): unknown =>
  r.classes.map(({class: name, count, ce, focal, byTarget}) => ({name, count, ce, focal, byTarget}))

describe('focalscope report on multi-label inputs', () => {
  it('gives identical per-class figures for the wide CSV, long CSV and wide Arrow layouts', async () => {
    const wide = runReportJson([file('wide.csv', wideCsv())]).json as unknown as Report
    const long = runReportJson([
      file('long.csv', longCsv()),
      '--class-col',
      'class',
      '--class-names',
      CLASSES.join(','),
    ]).json as unknown as Report
    const arrow = runReportJson([file('wide.arrow', await wideArrow())]).json as unknown as Report
    assert.equal(wide.input.task, 'multilabel')
    assert.deepEqual(wide.input.classes, CLASSES)
    assert.equal(wide.input.rows, 5)
    assert.equal(long.input.rows, 15)
    assert.deepEqual(perClass(long), perClass(wide))
    assert.deepEqual(perClass(arrow), perClass(wide))
    assert.deepEqual(long.splitByTarget, wide.splitByTarget)
  })

  it('gives identical per-class figures for wide CSV, wide Arrow, two Arrow FixedSizeLists and long CSV, as the reference', async () => {
    const names = ['--class-names', CLASSES.join(',')]
    const reports = {
      wide: runReportJson([file('same-wide.csv', wideCsv())]).json,
      wideArrow: runReportJson([file('same-wide.arrow', await wideArrow())]).json,
      // Two batches, so the list reader's per-batch offsets are exercised too.
      listArrow: runReportJson([file('same-list.arrow', listArrow(LOGITS, TARGETS, 3)), ...names]).json,
      long: runReportJson([file('same-long.csv', longCsv()), '--class-col', 'class', ...names]).json,
    } as unknown as Record<string, Report>
    for (const [name, r] of Object.entries(reports)) {
      assert.ok(validate(r), `${name}: ${JSON.stringify(validate.errors)}`)
      assert.equal(r.input.task, 'multilabel', name)
      assert.deepEqual(r.classes, reports.wide.classes, name)
      assert.deepEqual(r.splitByTarget, reports.wide.splitByTarget, name)
    }
    assert.equal(reports.listArrow.input.rows, 5)
    assert.equal(reports.listArrow.input.backgroundRows, 1)
    const reference = referenceMultilabel(elementsOf(LOGITS, TARGETS), {
      ...DEFAULTS,
      gammas: [0, 0.5, 1, 2, 5],
      alpha: null,
      classes: CLASSES,
    })
    assertNear(reports.wide.classes, reference.classes, 1e-9)
    assertNear(reports.wide.totals, reference.totals, 1e-9)
    assertNear(reports.wide.sweep, reference.sweep, 1e-9)
  })

  it('the multi-label fixtures (240 anchors × 4 classes, soft targets) agree in all four layouts and with the reference', () => {
    const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url))
    const classes = ['car', 'person', 'bike', 'dog']
    const flags = ['--gammas', '0,1,2', '--alpha', '0.25']
    const names = ['--class-names', classes.join(',')]
    const reports = [
      runReportJson([fixture('multilabel.csv'), ...flags]).json,
      runReportJson([fixture('multilabel.arrow'), ...flags]).json,
      runReportJson([fixture('multilabel-list.arrow'), ...flags, ...names]).json,
      runReportJson([fixture('multilabel-long.csv'), ...flags, ...names]).json,
    ] as unknown as Report[]
    for (const r of reports) {
      assert.deepEqual(r.classes, reports[0].classes, r.input.files[0])
      assert.deepEqual(r.splitByTarget, reports[0].splitByTarget, r.input.files[0])
      assert.deepEqual(r.input.positiveCounts, reports[0].input.positiveCounts, r.input.files[0])
      assert.deepEqual(
        r.sweep.map((s) => s.sum),
        reports[0].sweep.map((s) => s.sum),
      )
    }
    // The reference reads the CSV with csv-parse, not with src/'s scanner.
    const records = parse(readFileSync(fixture('multilabel.csv')), {columns: true}) as Record<string, string>[]
    const logits = records.map((r) => classes.map((c) => Number(r[`logit_${c}`])))
    const targets = records.map((r) => classes.map((c) => Number(r[`target_${c}`])))
    const reference = referenceMultilabel(elementsOf(logits, targets), {
      ...DEFAULTS,
      gammas: [0, 1, 2],
      alpha: 0.25,
      classes,
    })
    assert.equal(reports[0].input.elements, reference.elements)
    assert.equal(reports[0].input.positiveElements, reference.positiveElements)
    assertNear(reports[0].classes, reference.classes, 1e-9)
    assertNear(reports[0].totals, reference.totals, 1e-9)
    assertNear(reports[0].sweep, reference.sweep, 1e-9)
  })

  it('reads integer and boolean target columns as 0/1 targets (wide and list Arrow, the same figures as the CSV)', async () => {
    const {Bool, Int8, Int64, Uint8, vectorFromArray} = await import('apache-arrow')
    const hard = TARGETS.map((row) => row.map((y) => (y > 0 ? 1 : 0)))
    const csv = [
      [...CLASSES.map((c) => `logit_${c}`), ...CLASSES.map((c) => `target_${c}`)].join(','),
      ...LOGITS.map((row, i) => [...row, ...hard[i]].join(',')),
    ].join('\n')
    const fromCsv = runReportJson([file('hard.csv', `${csv}\n`)]).json as unknown as Report
    // Wide: one target column each of Int8, Int64 and Bool.
    const column = (j: number) => hard.map((row) => row[j])
    const wideColumns = [
      ...CLASSES.map((c, j) => [
        `logit_${c}`,
        vectorFromArray(
          LOGITS.map((row) => row[j]),
          new Float64(),
        ).data[0],
      ]),
      [`target_${CLASSES[0]}`, vectorFromArray(column(0), new Int8()).data[0]],
      [`target_${CLASSES[1]}`, vectorFromArray(column(1).map(BigInt), new Int64()).data[0]],
      [`target_${CLASSES[2]}`, vectorFromArray(column(2).map(Boolean), new Bool()).data[0]],
    ] as [string, ReturnType<typeof makeData>][]
    const wideFields = wideColumns.map(([name, data]) => new Field(name, data.type, false))
    const wide = new RecordBatch(
      new Schema(wideFields),
      makeData({type: new Struct(wideFields), length: 5, nullCount: 0, children: wideColumns.map(([, d]) => d)}),
    )
    const fromWide = runReportJson([file('hard-wide.arrow', tableToIPC(new Table([wide]), 'file'))])
      .json as unknown as Report
    assert.deepEqual(fromWide.classes, fromCsv.classes)
    // List: a multi-hot "labels" list of Uint8 next to "logits".
    const logitList = makeData({
      type: new FixedSizeList(3, new Field('item', new Float64(), false)),
      length: 5,
      nullCount: 0,
      child: makeData({type: new Float64(), length: 15, nullCount: 0, data: Float64Array.from(LOGITS.flat())}),
    })
    const labelList = makeData({
      type: new FixedSizeList(3, new Field('item', new Uint8(), false)),
      length: 5,
      nullCount: 0,
      child: makeData({type: new Uint8(), length: 15, nullCount: 0, data: Uint8Array.from(hard.flat())}),
    })
    const listFields = [new Field('logits', logitList.type, false), new Field('labels', labelList.type, false)]
    const list = new RecordBatch(
      new Schema(listFields),
      makeData({type: new Struct(listFields), length: 5, nullCount: 0, children: [logitList, labelList]}),
    )
    const fromList = runReportJson([
      file('hard-list.arrow', tableToIPC(new Table([list]), 'file')),
      '--class-names',
      CLASSES.join(','),
    ]).json as unknown as Report
    assert.deepEqual(fromList.classes, fromCsv.classes)
  })

  it('--preset torchvision prints its mean, and explicit --gammas win over the preset', () => {
    const path = file('preset.csv', wideCsv())
    const r = runReportJson([path, '--preset', 'torchvision']).json as unknown as Report
    assert.equal(r.config.preset, 'torchvision')
    assert.deepEqual(r.config.gammas, [2])
    // torchvision sigmoid_focal_loss(alpha=0.25, gamma=2).mean() on these inputs, from numpy (see test/core/multilabel.test.ts).
    assert.ok(Math.abs((r.sweep[0].reduced as number) - 0.07298566448077803) < 1e-15)
    const mine = runReportJson([path, '--preset', 'torchvision', '--gammas', '1,2']).json as unknown as Report
    assert.deepEqual(mine.config.gammas, [1, 2])
    assert.equal(mine.config.alpha, 0.25)
    const table = runCli(['report', path, '--preset', 'torchvision'])
    assert.equal(table.status, 0, table.stderr)
    assert.match(table.stdout, /easy negative/)
    assert.match(table.stdout, /torchvision/)
  })

  it('refuses a target outside [0, 1], a per-class α of the wrong length, and a sigmoid preset on multi-class input', () => {
    const bad = runCli(['report', file('bad.csv', 'logit_a,logit_b,target_a,target_b\n0.1,0.2,1.5,0\n')])
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /expected a target in \[0, 1\], got 1.5/)
    const alpha = runCli(['report', file('alpha.csv', wideCsv()), '--alpha', '0.25,0.5'])
    assert.equal(alpha.status, 2)
    assert.match(alpha.stderr, /expected 3 values, one per class, got 2/)
    const mc = runCli(['report', file('mc.csv', 'label,logit_0,logit_1,logit_2\n0,1,2,3\n'), '--preset', 'mmdet'])
    assert.equal(mc.status, 2)
    assert.match(mc.stderr, /expected a binary or multi-label input/)
  })
})
