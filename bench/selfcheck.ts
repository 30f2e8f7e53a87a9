/**
 * Checks the benchmark's own parts before trusting its numbers:
 *   1. the 6-significant-digit writer: text and value agree, and match String(Number(x.toPrecision(6)));
 *   2. the DuckDB queries against a hand-sized example computed in plain JS, on CSV and Parquet,
 *      including logits far beyond exp's range (±800) that a naive formula would turn into Inf/NULL;
 *   3. the generator: the Arrow file holds exactly the doubles the CSV text parses to.
 *
 *   node --import tsx bench/selfcheck.ts
 */
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {DuckDBInstance} from '@duckdb/node-api'
import {tableFromIPC} from 'apache-arrow'

import {runDuckdbQuery} from './duckdb-query.js'
import {lastValue, round6, writeRound6} from './lib/format.js'
import {generateBinary, generateMulti} from './lib/generate.js'
import {Rng} from './lib/prng.js'
import {buildCopyToParquet, type Figures, type QuerySource} from './lib/sql.js'

const DIR = fileURLToPath(new URL('./.data/selfcheck/', import.meta.url))
const GAMMAS = [0, 0.5, 1, 2, 5]
let failures = 0

function check(name: string, ok: boolean, detail = ''): void {
  if (!ok) failures++
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}\n`)
}

function relDiff(a: number, b: number): number {
  if (a === b) return 0
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b))
}

function maxRel(a: Figures, b: Figures): number {
  const pairs: [number, number][] = [
    [a.ce, b.ce],
    [a.easyCe, b.easyCe],
    [a.hardCe, b.hardCe],
    ...a.focal.map((x, i): [number, number] => [x, b.focal[i]]),
    ...a.classCe.map((x, i): [number, number] => [x, b.classCe[i]]),
  ]
  return Math.max(...pairs.map(([x, y]) => relDiff(x, y)))
}

// ---- 1. the number writer --------------------------------------------------------------------
function checkWriter(): void {
  const rng = new Rng(42)
  const buf = Buffer.alloc(32)
  let inconsistent = 0
  let differsFromToPrecision = 0
  const n = 300_000
  for (let i = 0; i < n; i++) {
    const scale = Math.pow(10, Math.floor(rng.uniform() * 30) - 12)
    const x = rng.normal() * scale
    const end = writeRound6(buf, 0, x)
    const text = buf.toString('latin1', 0, end)
    if (Number(text) !== lastValue || String(lastValue) !== text || round6(x) !== lastValue) inconsistent++
    const reference = Math.abs(x) < 1e-15 ? 0 : Number(x.toPrecision(6))
    if (reference !== lastValue) differsFromToPrecision++
  }
  check('writer: text parses to the value it reports, in JS normal form', inconsistent === 0, `${inconsistent} of ${n}`)
  check(
    'writer: same 6-digit value as toPrecision(6) (ties may differ)',
    differsFromToPrecision <= n * 1e-4,
    `${differsFromToPrecision} of ${n} differ`,
  )
  const cases: [number, string][] = [
    [1.5, '1.5'],
    [-0.001234567, '-0.00123457'],
    [123456789, '123457000'],
    [9.9999996, '10'],
    [1.5e-7, '1.5e-7'],
    [0, '0'],
    [-2, '-2'],
  ]
  for (const [x, want] of cases) {
    const got = buf.toString('latin1', 0, writeRound6(buf, 0, x))
    check(`writer: ${x} → "${want}"`, got === want, `got "${got}"`)
  }
}

// ---- 2. DuckDB against plain JS --------------------------------------------------------------
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))
}

/** Straightforward per-row reference: binary. */
function referenceBinary(rows: [number, number][], gammas = GAMMAS): Figures {
  const f: Figures = {rows: rows.length, ce: 0, focal: gammas.map(() => 0), easyCe: 0, hardCe: 0, classCe: [0, 0]}
  for (const [label, logit] of rows) {
    const m = label === 1 ? logit : -logit
    const ce = softplus(-m) // −log σ(m)
    const pt = m >= 0 ? 1 / (1 + Math.exp(-m)) : Math.exp(m) / (1 + Math.exp(m))
    const q = m >= 0 ? Math.exp(-m) / (1 + Math.exp(-m)) : 1 / (1 + Math.exp(m))
    f.ce += ce
    gammas.forEach((g, i) => (f.focal[i] += (g === 0 ? 1 : Math.pow(q, g)) * ce))
    if (pt > 0.5) f.easyCe += ce
    else f.hardCe += ce
    f.classCe[label] += ce
  }
  return f
}

/** Straightforward per-row reference: multi-class softmax. */
function referenceMulti(rows: [number, number[]][], k: number): Figures {
  const f: Figures = {rows: rows.length, ce: 0, focal: GAMMAS.map(() => 0), easyCe: 0, hardCe: 0, classCe: []}
  f.classCe = Array.from({length: k}, () => 0)
  for (const [label, z] of rows) {
    const mx = Math.max(...z)
    const s = z.reduce((a, x) => a + Math.exp(x - mx), 0)
    const ce = Math.log(s) - (z[label] - mx)
    const pt = Math.exp(z[label] - mx) / s
    const q = z.reduce((a, x, j) => (j === label ? a : a + Math.exp(x - mx)), 0) / s
    f.ce += ce
    GAMMAS.forEach((g, i) => (f.focal[i] += (g === 0 ? 1 : Math.pow(q, g)) * ce))
    if (pt > 0.5) f.easyCe += ce
    else f.hardCe += ce
    f.classCe[label] += ce
  }
  return f
}

async function toParquet(src: QuerySource, target: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    await connection.run(buildCopyToParquet(src, target))
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

async function checkDuckdb(): Promise<void> {
  // Binary: ordinary rows, an exact tie (p_t = 0.5 is hard), and logits far outside exp's range.
  const binary: [number, number][] = [
    [1, 2.5],
    [0, -1],
    [0, 3],
    [1, -0.25],
    [0, 0],
    [1, 800],
    [0, 800],
    [1, -745.5],
    [0, -36.75],
  ]
  const bcsv = join(DIR, 'tiny-binary.csv')
  writeFileSync(bcsv, `label,logit\n${binary.map(([l, x]) => `${l},${x}`).join('\n')}\n`)
  const bref = referenceBinary(binary)
  // Hand check of the first row: CE = log(1 + e^−2.5) = 0.0789…, 1 − p_t = σ(−2.5) = 0.0758…
  check(
    'reference: CE of (1, 2.5) is log1p(exp(−2.5))',
    relDiff(referenceBinary([[1, 2.5]]).ce, 0.07888973429254956) < 1e-15,
  )
  const bpq = join(DIR, 'tiny-binary.parquet')
  await toParquet({kind: 'binary', format: 'csv', path: bcsv}, bpq)
  for (const [format, path] of [
    ['csv', bcsv],
    ['parquet', bpq],
  ] as const) {
    const got = await runDuckdbQuery({kind: 'binary', format, path}, GAMMAS)
    const d = maxRel(got.figures, bref)
    check(
      `duckdb binary ${format}: ${got.figures.rows} rows, all figures within 1e-12`,
      got.figures.rows === binary.length && d < 1e-12,
      `max rel diff ${d.toExponential(2)}`,
    )
  }
  // Other γ: the 1.5, small-integer and generic pow() forms of the SQL.
  const otherGammas = [0.25, 1.5, 3, 7.5]
  const other = await runDuckdbQuery({kind: 'binary', format: 'csv', path: bcsv}, otherGammas)
  const dOther = maxRel(other.figures, referenceBinary(binary, otherGammas))
  check(
    `duckdb binary, γ ${otherGammas.join(', ')}: within 1e-12`,
    dOther < 1e-12,
    `max rel diff ${dOther.toExponential(2)}`,
  )

  const k = 3
  const multi: [number, number[]][] = [
    [0, [2, 1, 0.5]],
    [1, [0.1, 0.2, 3]],
    [2, [-1, -1, -1]],
    [2, [1000, -1000, 999.5]],
    [1, [-800, -700, 900]],
  ]
  const mcsv = join(DIR, 'tiny-multi.csv')
  writeFileSync(mcsv, `label,logit_0,logit_1,logit_2\n${multi.map(([l, z]) => `${l},${z.join(',')}`).join('\n')}\n`)
  const mref = referenceMulti(multi, k)
  check(
    'reference: CE of (2, [−1, −1, −1]) is ln 3',
    relDiff(referenceMulti([[2, [-1, -1, -1]]], 3).ce, Math.log(3)) < 1e-15,
  )
  const sources: QuerySource[] = [{kind: 'multiclass', format: 'csv', path: mcsv, classes: k}]
  for (const layout of ['wide', 'list'] as const) {
    const path = join(DIR, `tiny-multi-${layout}.parquet`)
    await toParquet({kind: 'multiclass', format: 'csv', path: mcsv, classes: k, layout}, path)
    sources.push({kind: 'multiclass', format: 'parquet', path, classes: k, layout})
  }
  for (const src of sources) {
    const got = await runDuckdbQuery(src, GAMMAS)
    const d = maxRel(got.figures, mref)
    check(
      `duckdb multi-class ${src.format}${src.layout ? ` (${src.layout})` : ''}: all figures within 1e-12`,
      got.figures.rows === multi.length && d < 1e-12,
      `max rel diff ${d.toExponential(2)}`,
    )
  }
}

// ---- 3. generator: Arrow == parsed CSV --------------------------------------------------------
async function checkGenerator(): Promise<void> {
  const b = {csv: join(DIR, 'gen-binary.csv'), arrow: join(DIR, 'gen-binary.arrow')}
  const m = {csv: join(DIR, 'gen-multi.csv'), arrow: join(DIR, 'gen-multi.arrow')}
  await generateBinary(
    {kind: 'binary', rows: 150_000, seed: 3, positiveRate: 0.01},
    {csvPath: b.csv, arrowPath: b.arrow},
  )
  await generateMulti({kind: 'multiclass', rows: 70_000, classes: 20, seed: 4}, {csvPath: m.csv, arrowPath: m.arrow})
  for (const [name, files, k] of [
    ['binary', b, 1],
    ['multi-class', m, 20],
  ] as const) {
    const lines = readFileSync(files.csv, 'latin1').trimEnd().split('\n')
    const table = tableFromIPC(readFileSync(files.arrow))
    const labels = table.getChildAt(0)
    const scores = table.getChildAt(1)
    let bad = 0
    for (let i = 0; i < table.numRows; i++) {
      const parts = lines[i + 1].split(',')
      if (Number(parts[0]) !== labels?.get(i)) bad++
      const values: number[] =
        k === 1 ? [scores?.get(i) as number] : Array.from(scores?.get(i).toArray() as Float64Array)
      for (let j = 0; j < k; j++) if (Number(parts[j + 1]) !== values[j]) bad++
    }
    check(
      `generator ${name}: Arrow (${table.batches.length} batches) holds exactly the CSV's values`,
      bad === 0 && table.numRows === lines.length - 1,
      `${table.numRows} rows, ${bad} mismatches`,
    )
  }
  // Same seed, same bytes.
  const again = join(DIR, 'gen-binary-again.csv')
  await generateBinary({kind: 'binary', rows: 150_000, seed: 3, positiveRate: 0.01}, {csvPath: again})
  check('generator: deterministic', readFileSync(again).equals(readFileSync(b.csv)))
}

rmSync(DIR, {recursive: true, force: true})
mkdirSync(DIR, {recursive: true})
checkWriter()
await checkDuckdb()
await checkGenerator()
rmSync(DIR, {recursive: true, force: true})
process.stdout.write(failures === 0 ? 'selfcheck: all passed\n' : `selfcheck: ${failures} FAILED\n`)
process.exitCode = failures === 0 ? 0 : 1
