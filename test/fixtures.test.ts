import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {tableFromIPC, type Table} from 'apache-arrow'
import {parse} from 'csv-parse/sync'

import {tempDir} from './helpers/temp-files.js'

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))
const SCRIPT = fileURLToPath(new URL('../scripts/make-fixtures.ts', import.meta.url))

/** A CSV fixture as its header and string cells (csv-parse, not our scanner). */
function readCsv(name: string): {header: string[]; rows: string[][]} {
  const [header, ...rows] = parse(readFileSync(`${FIXTURES}${name}`), {bom: true}) as string[][]
  return {header, rows}
}

function readArrow(name: string): {bytes: Buffer; table: Table} {
  const bytes = readFileSync(`${FIXTURES}${name}`)
  return {bytes, table: tableFromIPC(bytes)}
}

const ARROW_MAGIC = Buffer.from('ARROW1')

describe('fixtures', () => {
  it('are exactly what scripts/make-fixtures.ts writes (rerun `npm run fixtures` after changing it)', () => {
    const out = tempDir()('regenerated')
    const result = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, out], {encoding: 'utf8'})
    assert.equal(result.status, 0, result.stderr)
    // fixtures/parquet/ has a script and a test of its own (test/readers/parquet/fixtures.test.ts).
    const committed = readdirSync(FIXTURES, {withFileTypes: true})
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
      .sort()
    assert.deepEqual(readdirSync(out).sort(), committed)
    for (const name of committed) {
      assert.ok(readFileSync(`${out}/${name}`).equals(readFileSync(`${FIXTURES}${name}`)), `${name} differs`)
    }
  })

  it('CSV numbers are shortest round-trip decimals, so CSV and Arrow hold the same doubles', () => {
    for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith('.csv'))) {
      const {rows} = readCsv(name)
      for (const row of rows) {
        for (const cell of row.slice(1)) assert.equal(String(Number(cell)), cell, `${name}: ${cell}`)
      }
    }
  })

  it('have the documented shapes', () => {
    const binary = readCsv('binary.csv')
    assert.deepEqual(binary.header, ['label', 'logit'])
    assert.equal(binary.rows.length, 400)
    const positives = binary.rows.filter((r) => r[0] === '1').length
    assert.ok(positives >= 25 && positives <= 55, `${positives} positives`)
    for (const extreme of ['40', '-800']) assert.ok(binary.rows.some((r) => r[1] === extreme))

    const probs = readCsv('binary-probs.csv')
    assert.deepEqual(probs.header, ['label', 'prob'])
    assert.equal(probs.rows.length, 300)
    assert.ok(probs.rows.some((r) => r[1] === '0') && probs.rows.some((r) => r[1] === '1'), 'exact 0 and 1')
    assert.ok(probs.rows.every((r) => Number(r[1]) >= 0 && Number(r[1]) <= 1))

    const multi = readCsv('multiclass.csv')
    assert.deepEqual(multi.header, ['label', 'logit_0', 'logit_1', 'logit_2', 'logit_3', 'logit_4'])
    assert.equal(multi.rows.length, 500)
    const counts = [0, 1, 2, 3, 4].map((c) => multi.rows.filter((r) => r[0] === String(c)).length)
    assert.equal(
      counts.reduce((a, b) => a + b),
      500,
    )
    counts.forEach((n, c) => assert.ok(c === 0 || n < counts[c - 1], `class counts ${counts} not decreasing`))

    const named = readCsv('multiclass-probs.csv')
    assert.deepEqual(named.header, ['label', 'prob_cat', 'prob_dog', 'prob_bird'])
    assert.equal(named.rows.length, 300)
    for (const row of named.rows) {
      assert.ok(['cat', 'dog', 'bird'].includes(row[0]), row[0])
      const sum = row.slice(1).reduce((a, p) => a + Number(p), 0)
      assert.ok(Math.abs(sum - 1) < 1e-12, `row sums to ${sum}`)
    }

    const example = readCsv('example.csv')
    assert.deepEqual(example.header, ['label', ...Array.from({length: 10}, (_, j) => `logit_${j}`)])
    assert.equal(example.rows.length, 2000)
    const share = Array.from({length: 10}, (_, c) => example.rows.filter((r) => r[0] === String(c)).length / 2000)
    assert.ok(share[0] >= 0.38 && share[0] <= 0.43, `largest class ${share[0]}`)
    assert.ok(Math.min(...share) >= 0.005 && Math.min(...share) <= 0.015, `smallest class ${Math.min(...share)}`)
    const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs))
    const right = example.rows.map((r) => argmax(r.slice(1).map(Number)) === Number(r[0]))
    const accuracy = (keep: (c: number) => boolean) => {
      const idx = example.rows.map((r, i) => [Number(r[0]), i]).filter(([c]) => keep(c))
      return idx.filter(([, i]) => right[i]).length / idx.length
    }
    const overall = accuracy(() => true)
    assert.ok(overall >= 0.8 && overall <= 0.92, `accuracy ${overall}`)
    assert.ok(accuracy((c) => c >= 7) < accuracy((c) => c <= 2) - 0.2, 'rare classes are harder')
  })
})

describe('multi-label fixtures', () => {
  const classes = ['car', 'person', 'bike', 'dog']

  it('multilabel.csv: 240 anchors × 4 classes, about one in six positive, soft and hard targets', () => {
    const {header, rows} = readCsv('multilabel.csv')
    assert.deepEqual(header, [...classes.map((c) => `logit_${c}`), ...classes.map((c) => `target_${c}`)])
    assert.equal(rows.length, 240)
    const targets = rows.map((r) => r.slice(4).map(Number))
    for (const row of targets) {
      assert.ok(row.every((y) => y >= 0 && y <= 1))
      assert.ok(row.filter((y) => y > 0).length <= 1, 'at most one positive class per anchor')
    }
    const positives = targets.filter((row) => row.some((y) => y > 0)).length
    assert.ok(positives >= 25 && positives <= 60, `${positives} positive anchors`)
    assert.ok(
      targets.some((row) => row.some((y) => y > 0 && y < 1)),
      'soft targets',
    )
    assert.ok(
      targets.some((row) => row.includes(1)),
      'hard targets',
    )
    for (const row of rows) for (const cell of row) assert.equal(String(Number(cell)), cell)
  })

  it('multilabel-long.csv and both Arrow files hold the same elements as multilabel.csv', () => {
    const wideCsv = readCsv('multilabel.csv')
    const wide = wideCsv.rows.map((r) => r.map(Number))
    const long = readCsv('multilabel-long.csv')
    assert.deepEqual(long.header, ['class', 'anchor', 'logit', 'target'])
    assert.deepEqual(
      long.rows,
      wide.flatMap((r, i) => classes.map((c, j) => [c, String(i), String(r[j]), String(r[4 + j])])),
    )
    const {table: columns} = readArrow('multilabel.arrow')
    assert.deepEqual(
      columns.schema.fields.map((f) => `${f.name}: ${String(f.type)}`),
      wideCsv.header.map((name) => `${name}: Float64`),
    )
    const {table: lists} = readArrow('multilabel-list.arrow')
    assert.deepEqual(
      lists.schema.fields.map((f) => `${f.name}: ${String(f.type)}`),
      ['logits: FixedSizeList[4]<Float64>', 'targets: FixedSizeList[4]<Float64>'],
    )
    for (const table of [columns, lists]) {
      assert.deepEqual(
        table.batches.map((b) => b.numRows),
        [100, 100, 40],
      )
    }
    wide.forEach((row, i) => {
      const fromColumns = wideCsv.header.map((name) => columns.getChild(name)!.get(i) as number)
      const fromLists = [
        ...(lists.getChild('logits')!.get(i) as Iterable<number>),
        ...(lists.getChild('targets')!.get(i) as Iterable<number>),
      ]
      row.forEach((x, j) => {
        assert.ok(Object.is(fromColumns[j], x), `row ${i} column ${j}`)
        assert.ok(Object.is(fromLists[j], x), `row ${i} list value ${j}`)
      })
    })
  })

  it('binary-soft.csv: 200 binary logits with labels in [0, 1], some soft', () => {
    const {header, rows} = readCsv('binary-soft.csv')
    assert.deepEqual(header, ['label', 'logit'])
    assert.equal(rows.length, 200)
    const labels = rows.map((r) => Number(r[0]))
    assert.ok(labels.every((y) => y >= 0 && y <= 1))
    assert.ok(labels.filter((y) => y > 0 && y < 1).length >= 100, 'mostly soft')
    assert.ok(labels.includes(0.95) && labels.includes(0.05) && labels.includes(0) && labels.includes(1))
  })
})

describe('Arrow fixtures read back as the CSV', () => {
  const cases = [
    {file: 'binary.arrow', csv: 'binary.csv', format: 'file', batches: [150, 150, 100]},
    {file: 'binary.arrows', csv: 'binary.csv', format: 'stream', batches: [150, 150, 100]},
    {file: 'multiclass.arrow', csv: 'multiclass.csv', format: 'file', batches: [128, 128, 128, 116]},
    {file: 'multiclass-list.arrow', csv: 'multiclass.csv', format: 'file', batches: [128, 128, 128, 116]},
  ]
  for (const c of cases) {
    it(`${c.file}: IPC ${c.format} format, ${c.batches.length} batches, same labels and doubles as ${c.csv}`, () => {
      const {bytes, table} = readArrow(c.file)
      const isFile = bytes.subarray(0, 6).equals(ARROW_MAGIC) && bytes.subarray(bytes.length - 6).equals(ARROW_MAGIC)
      assert.equal(isFile, c.format === 'file')
      if (c.format === 'stream') assert.equal(bytes.readUInt32LE(0), 0xffffffff) // continuation marker

      assert.deepEqual(
        table.batches.map((b) => b.numRows),
        c.batches,
      )
      const {header, rows} = readCsv(c.csv)
      const list = c.file.includes('list')
      const expectedSchema = list
        ? ['label: Int32', 'logits: FixedSizeList[5]<Float64>']
        : header.map((name, j) => `${name}: ${j === 0 ? 'Int32' : 'Float64'}`)
      assert.deepEqual(
        table.schema.fields.map((f) => `${f.name}: ${String(f.type)}`),
        expectedSchema,
      )
      for (const f of table.schema.fields) assert.equal(f.nullable, false, `${f.name} nullable`)

      assert.equal(table.numRows, rows.length)
      const labels = table.getChild('label')!
      const scoreAt: (i: number) => number[] = list
        ? (i) => Array.from(table.getChild('logits')!.get(i) as Iterable<number>)
        : (i) => header.slice(1).map((name) => table.getChild(name)!.get(i) as number)
      rows.forEach((row, i) => {
        assert.equal(labels.get(i), Number(row[0]), `row ${i} label`)
        const got = scoreAt(i)
        const want = row.slice(1).map(Number)
        assert.equal(got.length, want.length)
        want.forEach((x, j) => assert.ok(Object.is(got[j], x), `row ${i} score ${j}: ${got[j]} vs ${x}`))
      })
    })
  }
})
