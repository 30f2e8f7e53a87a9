/**
 * `report --top` and `--rows-out` end to end (the built CLI): the hardest rows against a stable argsort of
 * CE computed here from the file's logits (log-sum-exp, plainly), with their CSV lines across quoted
 * multi-line records, CRLF and two files, threads 1 and 2; `merge` of shard states gives the same rows; the
 * rows file read back (CSV and Arrow) has every row once, Σ ce = totals.ce.sum and fl_0 = ce; bad flags and
 * outputs are refused with exit 2 and one line, leaving an old rows file whole.
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'
import {describe, it} from 'node:test'

import {Ajv} from 'ajv'
import {DuckDBInstance} from '@duckdb/node-api'
import {
  Field,
  FixedSizeList,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow'

import {parseCsv} from '../../src/pipeline/sql-results.js'
import {runCli, runReportJson} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const ajv = new Ajv({allErrors: true})
const validateReport = ajv.compile(
  JSON.parse(readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')) as object,
)
const validateState = ajv.compile(
  JSON.parse(readFileSync(new URL('../../schema/state.schema.json', import.meta.url), 'utf8')) as object,
)

interface Ref {
  file: string
  row: number
  line: number
  label: number
  predicted: number
  ce: number
}

/**
 * A 3-class logits CSV with a `note` column; every 5th note is quoted and holds a line break (so the record
 * spans two lines); logits on a coarse grid and rows repeated, so losses tie. The reference row values.
 */
function makeCsv(path: string, rows: number, seed: number, eol: string): {text: string; ref: Ref[]} {
  let s = seed
  const next = (): number => ((s = (s * 16807) % 2147483647) - 1) / 2147483646
  const lines = ['label,logit_0,logit_1,logit_2,note']
  const ref: Ref[] = []
  let line = 2
  for (let i = 0; i < rows; i++) {
    const label = Math.floor(next() * 3)
    const xs = [0, 1, 2].map(() => Math.round((next() - 0.5) * 6))
    const quoted = i % 5 === 2
    lines.push(`${label},${xs.join(',')},${quoted ? `"a${eol}b"` : 'x'}`)
    const m = Math.max(...xs)
    const ce = m + Math.log(xs.reduce((t, x) => t + Math.exp(x - m), 0)) - xs[label]
    ref.push({file: path, row: i, line, label, predicted: xs.indexOf(m), ce})
    line += quoted ? 2 : 1
  }
  return {text: lines.join(eol) + eol, ref}
}

function stableTop(rows: Ref[], n: number): Ref[] {
  return rows
    .map((r, i) => ({r, i}))
    .sort((a, b) => b.r.ce - a.r.ce || a.i - b.i)
    .slice(0, n)
    .map(({r}) => r)
}

interface JsonRow {
  file: string
  row: number
  line: number | null
  label: string
  predicted: string
  ce: number
  loss: number
}

function assertRows(actual: JsonRow[], expected: Ref[], what: string): void {
  assert.equal(actual.length, expected.length, what)
  actual.forEach((a, i) => {
    const e = expected[i]
    assert.deepEqual(
      [a.file, a.row, a.line, a.label, a.predicted],
      [e.file, e.row, e.line, String(e.label), String(e.predicted)],
      `${what} #${i}`,
    )
    assert.ok(Math.abs(a.ce - e.ce) <= 1e-12 * Math.max(1, e.ce), `${what} #${i} ce ${a.ce} vs ${e.ce}`)
  })
}

const a = file('a.csv')
const b = file('b.csv')
const made = [makeCsv(a, 400, 17, '\n'), makeCsv(b, 300, 17, '\r\n')]
file('a.csv', made[0].text)
file('b.csv', made[1].text)
const all = [...made[0].ref, ...made[1].ref]

describe('report --top', () => {
  it('lists the N largest CE as a stable argsort: two files, quoted multi-line records, CRLF, threads 1 and 2', () => {
    const expected = stableTop(all, 40)
    // The cut falls inside a run of equal losses: which of them are kept is decided by input order.
    assert.equal(stableTop(all, 41)[40].ce, expected[39].ce)
    for (const threads of ['1', '2']) {
      const {json} = runReportJson([a, b, '--top', '40', '--top-per-class', '3', '--threads', threads])
      assert.ok(validateReport(json), JSON.stringify(validateReport.errors))
      const hardest = json.hardest as {by: string; gamma: null; rows: JsonRow[]}
      assert.equal(hardest.by, 'ce')
      assertRows(hardest.rows, expected, `threads ${threads}`)
      const byClass = json.hardestByClass as Record<string, JsonRow[]>
      for (const c of [0, 1, 2]) {
        assertRows(
          byClass[String(c)],
          stableTop(
            all.filter((r) => r.label === c),
            3,
          ),
          `class ${c}`,
        )
      }
    }
  })

  it('prints a "Hardest rows" table within 80 columns only when --top is given', () => {
    const withTop = runCli(['report', a, '--top', '5', '--sections', 'hardest'], {COLUMNS: '80'})
    assert.equal(withTop.status, 0, withTop.stderr)
    assert.match(withTop.stdout, /Hardest rows/)
    for (const line of withTop.stdout.split('\n')) assert.ok(line.length <= 80, line)
    const first = stableTop(
      all.filter((r) => r.file === a),
      1,
    )[0]
    assert.match(withTop.stdout, new RegExp(`│ +1 │ +${first.row} │ +${first.line} │`))
    const without = runCli(['report', a, '--sections', 'hardest'])
    assert.equal(without.status, 0, without.stderr)
    assert.doesNotMatch(without.stdout, /Hardest rows/)
  })

  it('merge of shard states gives the rows of one run, in any order, and merge --top shows fewer', () => {
    const sa = file('a.state.json')
    const sb = file('b.state.json')
    for (const [input, state] of [
      [a, sa],
      [b, sb],
    ]) {
      const run = runCli(['report', input, '--top', '40', '--state-out', state, '--json'])
      assert.equal(run.status, 0, run.stderr)
      assert.ok(validateState(JSON.parse(readFileSync(state, 'utf8'))), JSON.stringify(validateState.errors))
    }
    const one = runReportJson([a, b, '--top', '40']).json.hardest
    for (const order of [
      [sa, sb],
      [sb, sa],
    ]) {
      const merged = runCli(['merge', ...order, '--json'])
      assert.equal(merged.status, 0, merged.stderr)
      // a.csv sorts before b.csv, as their positions on the command line of the one run.
      assert.deepEqual((JSON.parse(merged.stdout) as {hardest: unknown}).hardest, one)
    }
    const fewer = runCli(['merge', sa, sb, '--top', '7', '--json'])
    assert.equal(fewer.status, 0, fewer.stderr)
    assertRows(
      (JSON.parse(fewer.stdout) as {hardest: {rows: JsonRow[]}}).hardest.rows,
      stableTop(all, 7),
      'merge --top 7',
    )
    const more = runCli(['merge', sa, sb, '--top', '41'])
    assert.equal(more.status, 2)
    assert.match(more.stderr, /--top: expected at most the rows the states kept, got 41 for states that kept 40/)
  })

  it('refuses a bad --top, --top-per-class or --top-gamma with exit 2 and one line', () => {
    for (const [args, message] of [
      [['--top', '0'], /--top: expected a whole number from 1 to 100000, got "0"/],
      [['--top', '2.5'], /--top: expected a whole number from 1 to 100000, got "2.5"/],
      [['--top-per-class', 'x'], /--top-per-class: expected a whole number/],
      [['--top', '3', '--top-gamma', '-1'], /--top-gamma: expected a number from 0 to 100, got "-1"/],
      [['--top-gamma', '2'], /--top-gamma: expected --top or --top-per-class with it, got neither/],
    ] as const) {
      const run = runCli(['report', a, ...args])
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`)
      assert.match(run.stderr, message)
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr)
    }
  })
})

describe('report --rows-out', () => {
  /** Rows of a CSV file read back, by column name (no quoted fields in these outputs). */
  function readCsv(path: string): Record<string, string>[] {
    const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n')
    const names = head.split(',')
    return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i], v])))
  }

  it('CSV and Arrow: every row once, in input order, Σ ce = totals.ce.sum, fl_0 = ce, CE as computed here', () => {
    const csv = file('rows.csv')
    const arrow = file('rows.arrow')
    for (const threads of ['1', '2']) {
      const {json} = runReportJson([a, b, '--rows-out', csv, '--threads', threads, '--gammas', '0,2'])
      const total = (json.totals as {ce: {sum: number}}).ce.sum
      const rows = readCsv(csv)
      assert.equal(rows.length, all.length)
      let sum = 0
      rows.forEach((r, i) => {
        const e = all[i]
        assert.deepEqual(
          [r.file, Number(r.row), r.label, r.predicted],
          [e.file, e.row, String(e.label), String(e.predicted)],
        )
        const ce = Number(r.ce)
        assert.ok(Math.abs(ce - e.ce) <= 1e-12 * Math.max(1, e.ce), `row ${i}`)
        assert.equal(Number(r.fl_0), ce)
        const pt = Number(r.pt)
        assert.ok(Math.abs(Number(r.fl_2) - (1 - pt) ** 2 * ce) <= 1e-12 * Math.max(1, ce), `fl_2 row ${i}`)
        sum += ce
      })
      assert.ok(Math.abs(sum - total) <= 1e-9 * total, `Σ ce ${sum} vs ${total}`)

      const again = runReportJson([a, b, '--rows-out', arrow, '--threads', threads, '--gammas', '0,2']).json
      const table = tableFromIPC(readFileSync(arrow))
      assert.equal(table.numRows, all.length)
      assert.deepEqual(
        table.schema.fields.map((f) => f.name),
        ['file', 'row', 'label', 'predicted', 'pt', 'ce', 'fl_0', 'fl_2'],
      )
      const ces = table.getChild('ce')?.toArray() as Float64Array
      const files = table.getChild('file')?.toArray() as string[]
      const rowNumbers = table.getChild('row')?.toArray() as BigInt64Array
      let arrowSum = 0
      for (let i = 0; i < all.length; i++) {
        assert.equal(files[i], all[i].file)
        assert.equal(Number(rowNumbers[i]), all[i].row)
        assert.equal(
          ces[i],
          Number(rows[i].ce),
          `the CSV's shortest round-trip text reads back as the same double, row ${i}`,
        )
        arrowSum += ces[i]
      }
      assert.ok(Math.abs(arrowSum - (again.totals as {ce: {sum: number}}).ce.sum) <= 1e-9 * total)
    }
  })

  it('several batches (150 K rows): threads 1 (written in place) and 2 (Arrow: written behind) give the same bytes', () => {
    // Binary logits, so the run takes the fused kernel's path; 150 K rows fill two 64 K Arrow batches and
    // part of a third, and the CSV several 1 MiB buffers: slots are lent, written and lent again.
    const big = file('big.csv')
    let s = 5
    const next = (): number => ((s = (s * 16807) % 2147483647) - 1) / 2147483646
    const lines = ['label,logit']
    for (let i = 0; i < 150_000; i++) lines.push(`${next() < 0.1 ? 1 : 0},${((next() - 0.7) * 12).toFixed(4)}`)
    writeFileSync(big, `${lines.join('\n')}\n`)
    for (const ext of ['arrow', 'csv']) {
      const [one, two] = ['1', '2'].map((threads) => {
        const out = file(`big-${threads}.${ext}`)
        const {json} = runReportJson([big, '--rows-out', out, '--threads', threads, '--gammas', '0,0.5,2,5'])
        return {bytes: readFileSync(out), total: (json.totals as {ce: {sum: number}}).ce.sum}
      })
      assert.ok(one.bytes.equals(two.bytes), `${ext}: threads 1 and 2 wrote different files`)
      if (ext === 'arrow') {
        const table = tableFromIPC(one.bytes)
        assert.equal(table.numRows, 150_000)
        assert.equal(table.batches.length, 3)
        const rowNumbers = table.getChild('row')?.toArray() as BigInt64Array
        const ces = table.getChild('ce')?.toArray() as Float64Array
        let sum = 0
        for (let i = 0; i < 150_000; i++) {
          assert.equal(Number(rowNumbers[i]), i)
          sum += ces[i]
        }
        assert.ok(Math.abs(sum - one.total) <= 1e-9 * one.total, `Σ ce ${sum} vs ${one.total}`)
      }
    }
  })

  it('multi-label: one record per element, with its class and target', () => {
    const out = file('ml-rows.csv')
    const {json} = runReportJson(['fixtures/multilabel.csv', '--rows-out', out])
    const rows = readCsv(out)
    const K = (json.input as {classes: string[]}).classes.length
    assert.equal(rows.length, (json.input as {rows: number}).rows * K)
    assert.deepEqual(Object.keys(rows[0]).slice(0, 5), ['file', 'row', 'class', 'label', 'predicted'])
    const sum = rows.reduce((t, r) => t + Number(r.ce), 0)
    const total = (json.totals as {ce: {sum: number}}).ce.sum
    assert.ok(Math.abs(sum - total) <= 1e-9 * total)
  })

  it('refuses a bad extension, an input as output, and leaves an old file whole when the run fails', () => {
    const bad = runCli(['report', a, '--rows-out', file('rows.txt')])
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /--rows-out: expected a file name ending in \.csv or \.arrow, got ".*rows\.txt"/)
    const onto = runCli(['report', a, '--rows-out', a])
    assert.equal(onto.status, 2)
    assert.match(onto.stderr, /--rows-out/)
    assert.equal(readFileSync(a, 'utf8'), made[0].text)
    // A file with a bad row: the run stops (exit 2) and the old rows file is as it was, no temp file left.
    const broken = file('broken.csv', 'label,logit_0,logit_1,logit_2\n0,1,2,3\n1,1,x,3\n')
    const old = file('old-rows.csv', 'old content\n')
    const failed = runCli(['report', broken, '--rows-out', old])
    assert.equal(failed.status, 2)
    assert.match(failed.stderr, /broken\.csv:3/)
    assert.equal(readFileSync(old, 'utf8'), 'old content\n')
    assert.deepEqual(
      readdirSync(dirname(old)).filter((name) => name.endsWith('.tmp')),
      [],
    )
    writeFileSync(old, 'old content\n')
  })
})

describe('report --id-col', () => {
  /** A 3-class file whose ids look like numbers, or hold a comma, a quote, a line break, an escape. */
  const ids = ['17', '"cat, ""tabby""\nb.png"', 'x/y/z.png', '"\u001b[31mred"', '0.5']
  const texts = ['17', 'cat, "tabby"\nb.png', 'x/y/z.png', '\u001b[31mred', '0.5']
  const idFile = file(
    'ids.csv',
    'id,label,logit_0,logit_1,logit_2\n' +
      ids.map((id, i) => `${id},${i % 3},${i},${(i * 7) % 5},${-i}`).join('\n') +
      '\n',
  )

  it('names each hardest row by its id, in JSON as written and in the table escaped, on one line', () => {
    const {json} = runReportJson([idFile, '--id-col', 'id', '--top', '5'])
    assert.ok(validateReport(json), JSON.stringify(validateReport.errors))
    const rows = (json.hardest as {rows: {row: number; id: string}[]}).rows
    assert.deepEqual(
      rows.map((r) => r.id),
      rows.map((r) => texts[r.row]),
    )
    assert.deepEqual((json.input as {classes: string[]}).classes, ['0', '1', '2'], 'the id column is no score')
    const table = runCli(['report', idFile, '--id-col', 'id', '--top', '5'])
    assert.equal(table.status, 0, table.stderr)
    assert.ok(!table.stdout.includes('\u001b'), 'no escape sequence from an id reaches the terminal')
    assert.match(table.stdout, /\\u001b\[31mred/)
    assert.match(table.stdout, /cat, "tabby"\\nb\.png/)
  })

  it('writes an id column to --rows-out (CSV and Arrow) that joins back row for row', () => {
    const csv = file('id-rows.csv')
    runReportJson([idFile, '--id-col', 'id', '--rows-out', csv])
    const [head, ...records] = parseCsv(readFileSync(csv, 'utf8'))
    assert.deepEqual(head.slice(0, 4), ['file', 'row', 'id', 'label'])
    assert.deepEqual(
      records.map((r) => r[2]),
      texts,
    )
    const arrow = file('id-rows.arrow')
    runReportJson([idFile, '--id-col', 'id', '--rows-out', arrow])
    const table = tableFromIPC(readFileSync(arrow))
    assert.deepEqual(
      table.schema.fields.slice(0, 3).map((f) => f.name),
      ['file', 'row', 'id'],
    )
    assert.deepEqual([...(table.getChild('id')?.toArray() as string[])], texts)
  })

  it('refuses a missing id column or the label column, with exit 2 and one line', () => {
    const missing = runCli(['report', idFile, '--id-col', 'image'])
    assert.equal(missing.status, 2)
    assert.match(missing.stderr, /--id-col: no column "image" \(columns: id, label, logit_0/)
    assert.equal(missing.stderr.trim().split('\n').length, 1)
    const label = runCli(['report', idFile, '--id-col', 'label'])
    assert.equal(label.status, 2)
    assert.match(label.stderr, /--id-col "label" is the label column/)
  })

  it('refuses an id that is not one value (an Arrow list, a Parquet list) or a Parquet INT64 beyond 2^53', async () => {
    const oneLine = (result: {status: number | null; stderr: string}, pattern: RegExp): void => {
      assert.equal(result.status, 2, result.stderr)
      assert.match(result.stderr, pattern)
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
    }
    // Arrow: an id column that is a FixedSizeList of 2 floats.
    const pair = new FixedSizeList(2, new Field('item', new Float64(), false))
    const schema = new Schema([
      new Field('id', pair, false),
      new Field('label', new Int32(), false),
      new Field('logit', new Float64(), false),
    ])
    const children = [
      makeData({type: pair, length: 2, child: makeData({type: new Float64(), data: Float64Array.of(1, 2, 3, 4)})}),
      makeData({type: new Int32(), data: Int32Array.of(0, 1)}),
      makeData({type: new Float64(), data: Float64Array.of(-1, 2)}),
    ]
    const batch = new RecordBatch(schema, makeData({type: new Struct(schema.fields), length: 2, children}))
    const arrow = file('list-id.arrow', tableToIPC(new Table([batch]), 'file'))
    oneLine(
      runCli(['report', arrow, '--id-col', 'id', '--top', '1']),
      /list-id\.arrow \(batch 1\).*--id-col "id": expected a column of strings or numbers, got FixedSizeList/,
    )

    const db = await DuckDBInstance.create(':memory:', {threads: '1'})
    const sql = await db.connect()
    const listId = file('list-id.parquet')
    const bigId = file('big-id.parquet')
    await sql.run(`COPY (SELECT [1, 2] AS id, 1 AS label, 0.5::DOUBLE AS logit) TO '${listId}' (FORMAT parquet)`)
    await sql.run(
      `COPY (SELECT 9007199254740993::BIGINT AS id, 1 AS label, 0.5::DOUBLE AS logit) TO '${bigId}' (FORMAT parquet)`,
    )
    sql.closeSync()
    oneLine(
      runCli(['report', listId, '--id-col', 'id', '--top', '1']),
      /list-id\.parquet \(row group 1\): column "id": --id-col: expected a column of strings or numbers, got a list of/,
    )
    oneLine(
      runCli(['report', bigId, '--id-col', 'id', '--top', '1']),
      /big-id\.parquet \(row group 1, row 1\): column "id": expected an integer id within ±2\^53 \(exact as a double\), got one beyond it \(≈ 9007199254740992\); write the id column as strings/,
    )
  })
})
