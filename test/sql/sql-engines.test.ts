/**
 * The query `focalscope sql` prints, run on real engines — DuckDB (@duckdb/node-api) and PostgreSQL
 * (@electric-sql/pglite: PostgreSQL 18 compiled to WebAssembly, in process) — over the fixtures and over
 * inputs at the edges of float64 (logits of ±700, ±745, ±800, probabilities of 5e-324), its result saved
 * as CSV, JSON lines or Parquet and read by `merge --from-sql`: every figure equals `report` on the same
 * rows within 1e-9 relative (the engines sum in their own order), or within 1e-300 for sums of subnormal
 * numbers. PostgreSQL raises "value out of range: underflow" wherever a result rounds to 0 from non-zero
 * operands, so these inputs fail the test if any exp, power or product of the query is left unguarded.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {after, before, describe, it} from 'node:test'

import {DuckDBInstance} from '@duckdb/node-api'
import {PGlite} from '@electric-sql/pglite'

import {runCli} from '../helpers/run-cli.js'
import {assertSameReport} from '../helpers/same-report.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

interface Case {
  name: string
  /** The CSV the report reads and the engines load. */
  csv: string
  /** Flags of both `report` and `sql`. */
  flags: string[]
  /** PostgreSQL column types by name (default DOUBLE PRECISION). */
  text?: string[]
}

const fixture = (name: string): string => readFileSync(`fixtures/${name}`, 'utf8')

function csvOf(header: string[], rows: (string | number)[][]): string {
  return `${[header.join(','), ...rows.map((r) => r.map(String).join(','))].join('\n')}\n`
}

/** Rows at the edges: logits where e^−|m| is subnormal or underflows, CE of 1e300. */
const EXTREME_LOGITS = [700, -700, 745, -745, 745.1, -745.1, 746, -746, 800, -800, 1e300, -1e300, 0.3, -2, 5, 1e-320]

const CASES: Case[] = [
  {name: 'binary logits', csv: fixture('binary.csv'), flags: ['--alpha', '0.25', '--gammas', '0,0.5,1,2,5']},
  {name: 'binary probabilities, poly1', csv: fixture('binary-probs.csv'), flags: ['--loss', 'poly1']},
  {name: 'multi-class logits', csv: fixture('multiclass.csv'), flags: ['--gammas', '0,1.5,3,7.3'], text: ['label']},
  {
    name: 'multi-class probabilities, class-balanced α',
    csv: fixture('multiclass-probs.csv'),
    flags: ['--alpha', 'inverse-frequency'],
    text: ['label'],
  },
  {name: 'example (10 classes)', csv: fixture('example.csv'), flags: [], text: ['label']},
  {name: 'multi-label wide logits', csv: fixture('multilabel.csv'), flags: ['--preset', 'torchvision']},
  {name: 'soft binary labels', csv: fixture('binary-soft.csv'), flags: ['--soft-labels', '--preset', 'ultralytics']},
  {
    name: 'multi-label long',
    csv: fixture('multilabel-long.csv'),
    flags: ['--class-col', 'class', '--target-col', 'target', '--class-names', 'car,person,bike,dog'],
    text: ['class'],
  },
  {
    name: 'binary logits of ±700, ±745, ±800, ±1e300',
    csv: csvOf(
      ['label', 'logit'],
      EXTREME_LOGITS.flatMap((x) => [
        [1, x],
        [0, x],
      ]),
    ),
    flags: ['--gammas', '0,0.5,1,2,5', '--loss', 'poly1'],
  },
  {
    name: 'multi-class logits of ±745, ±800',
    csv: csvOf(
      ['label', 'logit_0', 'logit_1', 'logit_2'],
      [
        [0, 800, -800, 0],
        [1, 800, -800, 0],
        [2, -745, 0, 745],
        [0, -745, 0, 745],
        [1, 700, 700, -700],
        [2, 700, 700, -700],
        [0, 745.5, 0, 0],
        [1, 1e-300, 0, -1e-300],
        [2, 0.5, -0.25, 2],
        [0, 40, 0, 0],
      ],
    ),
    flags: ['--gammas', '0,0.5,2,5'],
  },
  {
    name: 'binary probabilities of 5e-324',
    csv: csvOf(
      ['label', 'prob'],
      [5e-324, 1e-300, 0, 1, 0.5, 0.9999999999999999, 1.00005, -0.00005, 0.25].flatMap((p) => [
        [0, p],
        [1, p],
      ]),
    ),
    flags: ['--eps', String(2 ** -53), '--gammas', '0,2,5'],
  },
  {
    name: 'multi-class probabilities of 5e-324, renormalized',
    csv: csvOf(
      ['label', 'prob_0', 'prob_1', 'prob_2'],
      [
        [0, 5e-324, 0.5, 0.5],
        [1, 5e-324, 1, 0],
        [2, 0.3, 0.3, 0.3],
        [2, 1e-300, 0.6, 0.4],
        [1, 0.2, 0.7, 0.1],
      ],
    ),
    flags: ['--row-sum', 'renormalize', '--eps', String(2 ** -53)],
  },
  {
    name: 'multi-label logits of ±745, ±800 and probabilities of 5e-324, soft targets',
    csv: csvOf(
      ['logit_a', 'logit_b', 'target_a', 'target_b'],
      [
        [745, -745, 1, 0],
        [-800, 800, 0.3, 5e-324],
        [700, -700, 1e-300, 0.999],
        [2, -1, 0, 0],
        [-745.1, 746, 0.5, 1],
      ],
    ),
    flags: ['--preset', 'torchvision', '--gammas', '0,1,2,5'],
  },
  {
    name: 'multi-label probabilities of 5e-324',
    csv: csvOf(
      ['prob_a', 'prob_b', 'target_a', 'target_b'],
      [
        [5e-324, 1, 1, 0],
        [1e-300, 0.5, 0.3, 1e-300],
        [0.9, 5e-324, 0, 0],
      ],
    ),
    flags: ['--eps', String(2 ** -53), '--gammas', '0,2'],
  },
]

/**
 * The report's JSON, with what SQL cannot know (file names, where the first skipped row was) set aside, and
 * the warning that the query does not compute the loss concentration (`report` runs without it here).
 */
function comparable(report: Record<string, unknown>): Record<string, unknown> {
  const input = report.input as Record<string, unknown>
  const skipped = (input.skipped as {reason: string; count: number}[]).map(({reason, count}) => ({reason, count}))
  const warnings = ((input.warnings as string[] | undefined) ?? []).filter((w) => !CONCENTRATION_WARNING.test(w))
  return {...report, input: {...input, files: null, fileRows: null, format: null, skipped, warnings}}
}

const CONCENTRATION_WARNING = /^concentration: not computed by the (duckdb|postgres) query: left out of this report$/

function assertWarnsOfConcentration(report: Record<string, unknown>): void {
  const warnings = (report.input as {warnings: string[]}).warnings
  assert.ok(
    warnings.some((w) => CONCENTRATION_WARNING.test(w)),
    `warnings: ${JSON.stringify(warnings)}`,
  )
}

function reportJson(args: string[]): Record<string, unknown> {
  const result = runCli(args)
  assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`)
  return JSON.parse(result.stdout) as Record<string, unknown>
}

/** `focalscope sql` for a case: the query text, with its meta file written. */
function query(c: Case, dialect: string, from: string, meta: string, sample: string): string {
  const result = runCli([
    'sql',
    '--dialect',
    dialect,
    '--from',
    from,
    '--sample',
    sample,
    '--meta-out',
    meta,
    // Asked for, so the merged report must say the query could not compute it (assertWarnsOfConcentration).
    '--concentration',
    ...c.flags,
  ])
  assert.equal(result.status, 0, result.stderr)
  return result.stdout
}

let duck: Awaited<ReturnType<DuckDBInstance['connect']>>
let pg: PGlite

before(async () => {
  duck = await (await DuckDBInstance.create(':memory:')).connect()
  pg = await PGlite.create()
})
after(async () => {
  duck.closeSync()
  await pg.close()
})

describe('the SQL query on DuckDB and PostgreSQL equals report', () => {
  CASES.forEach((c, i) => {
    it(c.name, async () => {
      const csv = file(`case-${i}.csv`, c.csv)
      const expected = comparable(reportJson(['report', csv, ...c.flags, '--no-concentration', '--json']))

      // DuckDB reads the CSV itself; the result goes out as CSV or Parquet.
      const duckMeta = file(`case-${i}.duck.meta.json`)
      const duckSql = query(c, 'duckdb', `read_csv('${csv}', header = true)`, duckMeta, csv)
      const duckOut = file(`case-${i}.duck.${i % 2 === 0 ? 'csv' : 'parquet'}`)
      const format = i % 2 === 0 ? '(HEADER)' : '(FORMAT PARQUET)'
      await duck.run(`COPY (${duckSql}) TO '${duckOut}' ${format}`)
      const fromDuck = reportJson(['merge', '--from-sql', duckOut, '--sql-meta', duckMeta, '--json'])
      assertWarnsOfConcentration(fromDuck)
      assertSameReport(comparable(fromDuck), expected, 1e-9, 1e-300)

      // PostgreSQL: a table of the CSV's columns, loaded with COPY; the result as JSON lines.
      const [header] = c.csv.split('\n')
      const columns = header.split(',')
      const types = columns.map(
        (name) => `${JSON.stringify(name)} ${c.text?.includes(name) ? 'TEXT' : 'DOUBLE PRECISION'}`,
      )
      const table = `case_${i}`
      await pg.exec(`CREATE TABLE ${table} (${types.join(', ')})`)
      await pg.query(`COPY ${table} FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`, [], {blob: new Blob([c.csv])})
      const pgMeta = file(`case-${i}.pg.meta.json`)
      const pgSql = query(c, 'postgres', table, pgMeta, csv)
      const rows = (await pg.query<Record<string, unknown>>(pgSql)).rows
      const pgOut = file(
        `case-${i}.pg.jsonl`,
        rows.map((row) => JSON.stringify(row, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))).join('\n'),
      )
      const fromPg = reportJson(['merge', '--from-sql', pgOut, '--sql-meta', pgMeta, '--json'])
      assertWarnsOfConcentration(fromPg)
      assertSameReport(comparable(fromPg), expected, 1e-9, 1e-300)
    })
  })

  it('Arrow-style list columns (DuckDB lists of K scores and K targets, from Parquet)', async () => {
    for (const [name, flags] of [
      ['multiclass-list.parquet', []],
      ['multilabel-list.parquet', ['--target-col', 'targets']],
    ] as const) {
      const path = `fixtures/parquet/${name}`
      const expected = comparable(reportJson(['report', path, ...flags, '--no-concentration', '--json']))
      const meta = file(`${name}.meta.json`)
      const sql = query({name, csv: '', flags: [...flags]}, 'duckdb', `read_parquet('${path}')`, meta, path)
      const out = file(`${name}.result.csv`)
      await duck.run(`COPY (${sql}) TO '${out}' (HEADER)`)
      assertSameReport(
        comparable(reportJson(['merge', '--from-sql', out, '--sql-meta', meta, '--json'])),
        expected,
        1e-9,
      )
    }
  })

  it('counts invalid rows per reason: merge stops on them, or with --on-invalid skip leaves them out as report does', async () => {
    const csv = file('invalid.csv', 'label,logit\n0,0.5\n2,1.5\n1,nan\n1,-3\n0,inf\n1,\n0,2\n')
    const expected = comparable(reportJson(['report', csv, '--on-invalid', 'skip', '--no-concentration', '--json']))
    for (const onInvalid of ['fail', 'skip']) {
      const meta = file(`invalid-${onInvalid}.meta.json`)
      const text = query(
        {name: '', csv: '', flags: ['--on-invalid', onInvalid]},
        'duckdb',
        `read_csv('${csv}', header = true, columns = {'label': 'DOUBLE', 'logit': 'DOUBLE'})`,
        meta,
        csv,
      )
      const out = file(`invalid-${onInvalid}.csv`)
      await duck.run(`COPY (${text}) TO '${out}' (HEADER)`)
      const merged = runCli(['merge', '--from-sql', out, '--sql-meta', meta, '--json'])
      if (onInvalid === 'fail') {
        assert.equal(merged.status, 2)
        assert.equal(
          merged.stderr,
          `focalscope: error: ${out}: expected every row to be usable, got rows the query left out (1 label, 2 non-finite, 1 null); fix them, or write the query with --on-invalid skip to leave them out\n`,
        )
      } else {
        assert.equal(merged.status, 0, merged.stderr)
        const report = comparable(JSON.parse(merged.stdout) as Record<string, unknown>)
        // The empty cell is "not-a-number" to the CSV reader and NULL to the engine: the one difference.
        const input = expected.input as {skipped: {reason: string; count: number}[]}
        assert.deepEqual(input.skipped, [
          {reason: 'label', count: 1},
          {reason: 'non-finite', count: 2},
          {reason: 'not-a-number', count: 1},
        ])
        input.skipped = [
          {reason: 'label', count: 1},
          {reason: 'non-finite', count: 2},
          {reason: 'null', count: 1},
        ]
        assertSameReport(report, expected, 1e-9)
      }
    }
  })
})
