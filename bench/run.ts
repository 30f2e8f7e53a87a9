/**
 * focalscope vs DuckDB on generated prediction files, each case also against its limits (the evaluation
 * alone on rows in memory; the raw read of the file). See bench/README.md.
 *
 *   npm run bench -- [--runs N] [--rows N] [--only binary-csv,binary-arrow,multi-csv,multi-arrow,wide-csv,
 *                    binary-parquet,binary-parquet-zstd,multi-parquet,arrow-lz4,version,gammas,top,rows-out,
 *                    concentration,metrics]
 *                    [--formats d3,d9,d17,sci] [--scale-check] [--multi-rows N] [--duckdb-threads N]
 *                    [--multi-parquet wide|list] [--verify-data] [--skip-limits]
 */
import {existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, totalmem} from 'node:os'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

import {DuckDBInstance} from '@duckdb/node-api'
import ts from 'typescript'

import type {DuckdbResult} from './duckdb-query.js'
import {
  type BinarySpec,
  generateBinary,
  generateMulti,
  GENERATOR_VERSION,
  isCurrent,
  type MultiSpec,
  NUMBER_FORMATS,
  type NumberFormat,
  readMarker,
  sha256OfFile,
  writeMarker,
} from './lib/generate.js'
import {buildComputeLimit, type ComputeLimit, measureComputeLimit, measureReadLimit} from './lib/limits.js'
import {measureNode, type Measurement, rssMethod, scrubbedHere} from './lib/measure.js'
import {buildCopyToParquet, type Figures, type MultiLayout, type QuerySource} from './lib/sql.js'
import {writeCompressedArrow} from '../scripts/lib/compressed-arrow.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DATA = join(ROOT, 'bench', '.data')
const FOCALSCOPE_BIN = join(ROOT, 'bin', 'run.cjs')
const DUCKDB_QUERY = join(ROOT, 'bench', 'duckdb-query.ts')
/** duckdb-query.ts and its one import, transpiled to plain JS so the DuckDB child starts without tsx. */
const DUCKDB_JS_DIR = join(DATA, 'js')
const DUCKDB_QUERY_JS = join(DUCKDB_JS_DIR, 'duckdb-query.js')

const GAMMAS = [0, 0.5, 1, 2, 5]
const GAMMAS_9 = [0, 0.25, 0.5, 1, 1.5, 2, 3, 4, 5]
const GAMMAS_1 = [2]
const TOLERANCE = 1e-9
const BINARY_SEED = 20240601
const MULTI_SEED = 20240602
const WIDE_SEED = 20240603
const FORMAT_LABELS: Record<NumberFormat, string> = {
  d3: 'with 3 significant digits',
  d9: 'with 9 significant digits',
  d17: 'with 17 significant digits',
  sci: "as C's %.6e",
}
const CASE_IDS = [
  'binary-csv',
  'binary-arrow',
  'multi-csv',
  'multi-arrow',
  'wide-csv',
  'binary-parquet',
  'binary-parquet-zstd',
  'multi-parquet',
  'arrow-lz4',
  'version',
  'gammas',
  'top',
  'rows-out',
  'concentration',
  'metrics',
] as const
type CaseId = (typeof CASE_IDS)[number]

// ---------------------------------------------------------------------------------------------
// Options

const {values: argv} = parseArgs({
  options: {
    runs: {type: 'string', default: '3'},
    rows: {type: 'string', default: '10000000'},
    'multi-rows': {type: 'string', default: '2000000'},
    classes: {type: 'string', default: '20'},
    'wide-rows': {type: 'string', default: '20000'},
    'wide-classes': {type: 'string', default: '1000'},
    only: {type: 'string'},
    formats: {type: 'string'},
    'skip-limits': {type: 'boolean', default: false},
    'limit-repeat': {type: 'string', default: '5'},
    'scale-check': {type: 'boolean', default: false},
    'scale-rows': {type: 'string', default: '100000000'},
    'duckdb-threads': {type: 'string'},
    'multi-parquet': {type: 'string', default: 'wide'},
    'version-runs': {type: 'string', default: '10'},
    'verify-data': {type: 'boolean', default: false},
    'generate-only': {type: 'boolean', default: false},
    'duckdb-tsx': {type: 'boolean', default: false},
    help: {type: 'boolean', short: 'h', default: false},
  },
})

if (argv.help) {
  process.stdout.write(`usage: npm run bench -- [options]
  --runs N              timed runs per tool and file, interleaved A B A B … (default 3)
  --rows N              rows of the binary files (default 10000000)
  --multi-rows N        rows of the 20-class files (default 2000000)
  --only LIST           comma-separated: ${CASE_IDS.join(', ')}
  --formats LIST        also binary CSVs of --rows rows whose logits are written otherwise, comma-separated:
                        d3, d9, d17 (that many significant digits), sci (C's %.6e), or all
  --wide-rows N         rows of the wide multi-class CSV (default 20000)
  --wide-classes N      classes of the wide multi-class CSV (default 1000)
  --skip-limits         do not measure the compute and read limits
  --limit-repeat N      in-memory evaluations per compute limit, the first one a warm-up (default 5)
  --scale-check         also build a 100M-row binary CSV and compare peak RSS with the 10M one
  --scale-rows N        rows for --scale-check (default 100000000)
  --duckdb-threads N    DuckDB's threads setting (default: DuckDB's own, the core count)
  --multi-parquet L     multi-class Parquet layout for DuckDB: wide (20 DOUBLE columns) or list (DOUBLE[20])
  --verify-data         re-hash existing data files against their markers instead of trusting the size
  --generate-only       make the data files (for the selected cases) and stop
  --duckdb-tsx          run bench/duckdb-query.ts through tsx (default: a plain-JS transpile, no tsx start-up)
`)
  process.exit(0)
}

function positiveInt(name: string, text: string): number {
  const n = Number(text.replace(/_/g, ''))
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer, got "${text}"`)
  return n
}

const RUNS = positiveInt('runs', argv.runs)
const BINARY_ROWS = positiveInt('rows', argv.rows)
const MULTI_ROWS = positiveInt('multi-rows', argv['multi-rows'])
const CLASSES = positiveInt('classes', argv.classes)
const WIDE_ROWS = positiveInt('wide-rows', argv['wide-rows'])
const WIDE_CLASSES = positiveInt('wide-classes', argv['wide-classes'])
const LIMIT_REPEAT = Math.max(2, positiveInt('limit-repeat', argv['limit-repeat']))
const FORMATS: NumberFormat[] =
  argv.formats === undefined
    ? []
    : argv.formats === 'all'
      ? [...NUMBER_FORMATS]
      : argv.formats.split(',').map((s) => {
          const f = s.trim() as NumberFormat
          if (!NUMBER_FORMATS.includes(f)) {
            throw new Error(`--formats: unknown format "${s}" (known: ${NUMBER_FORMATS.join(', ')}, all)`)
          }
          return f
        })
const SCALE_ROWS = positiveInt('scale-rows', argv['scale-rows'])
const VERSION_RUNS = positiveInt('version-runs', argv['version-runs'])
const DUCKDB_THREADS = argv['duckdb-threads'] ? positiveInt('duckdb-threads', argv['duckdb-threads']) : undefined
const MULTI_LAYOUT = argv['multi-parquet'] as MultiLayout
if (MULTI_LAYOUT !== 'wide' && MULTI_LAYOUT !== 'list') throw new Error('--multi-parquet: wide or list')
const ONLY = new Set<CaseId>(
  argv.only
    ? argv.only.split(',').map((s) => {
        const id = s.trim() as CaseId
        if (!CASE_IDS.includes(id)) throw new Error(`--only: unknown case "${s}" (known: ${CASE_IDS.join(', ')})`)
        return id
      })
    : argv.formats !== undefined
      ? []
      : CASE_IDS,
)

// ---------------------------------------------------------------------------------------------
// Small helpers

function log(line: string): void {
  process.stdout.write(`${line}\n`)
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function relDiff(a: number, b: number): number {
  if (a === b) return 0
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b))
}

/** Megabytes of 10^6 bytes (throughput and RSS alike). */
function mb(bytes: number): number {
  return bytes / 1e6
}

function rssMB(kib: number | null): number | null {
  return kib === null ? null : mb(kib * 1024)
}

function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—'
  return x.toFixed(digits)
}

function rate(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`
  return x.toFixed(0)
}

function rel(path: string): string {
  return relative(ROOT, path) || path
}

function passFail(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL'
}

// ---------------------------------------------------------------------------------------------
// Data

interface FileInfo {
  path: string
  bytes: number
  /** Seconds spent making it in this run; 0 when it was reused. */
  generatedSeconds: number
  reused: boolean
}

const generation: Record<string, FileInfo> = {}

function binarySpec(rows: number, numberFormat?: NumberFormat): BinarySpec {
  const spec: BinarySpec = {kind: 'binary', rows, seed: BINARY_SEED, positiveRate: 0.01}
  // Only when given: the markers of the default files stay as they were.
  if (numberFormat !== undefined) spec.numberFormat = numberFormat
  return spec
}

function multiSpec(): MultiSpec {
  return {kind: 'multiclass', rows: MULTI_ROWS, classes: CLASSES, seed: MULTI_SEED}
}

/** The wide file: an ImageNet-sized head (1,000 logits a row, several KB of text). */
function wideSpec(): MultiSpec {
  return {kind: 'multiclass', rows: WIDE_ROWS, classes: WIDE_CLASSES, seed: WIDE_SEED}
}

function info(path: string, seconds: number, reused: boolean): FileInfo {
  const fi = {path, bytes: statSync(path).size, generatedSeconds: seconds, reused}
  generation[rel(path)] = fi
  return fi
}

/** Makes (or reuses) the CSV and, when asked, the Arrow file of one spec, in one pass. */
async function ensureGenerated(
  spec: BinarySpec | MultiSpec,
  base: string,
  wantArrow: boolean,
): Promise<{csv: FileInfo; arrow?: FileInfo}> {
  const csvPath = `${base}.csv`
  const arrowPath = `${base}.arrow`
  const verify = argv['verify-data']
  const csvOk = isCurrent(csvPath, {...spec, format: 'csv'}, verify)
  const arrowOk = !wantArrow || isCurrent(arrowPath, {...spec, format: 'arrow'}, verify)
  if (csvOk && arrowOk) {
    return {csv: info(csvPath, 0, true), arrow: wantArrow ? info(arrowPath, 0, true) : undefined}
  }
  const what = [!csvOk && rel(csvPath), !arrowOk && rel(arrowPath)].filter(Boolean).join(' + ')
  process.stdout.write(`· generating ${what} (${spec.rows.toLocaleString('en-US')} rows) …`)
  const started = performance.now()
  const opts = {
    csvPath: csvOk ? undefined : csvPath,
    arrowPath: arrowOk ? undefined : arrowPath,
    progress: (rows: number) => {
      if (process.stdout.isTTY)
        process.stdout.write(`\r· generating ${what}: ${((100 * rows) / spec.rows).toFixed(0)}% `)
    },
  }
  if (spec.kind === 'binary') await generateBinary(spec, opts)
  else await generateMulti(spec, opts)
  const seconds = (performance.now() - started) / 1000
  process.stdout.write(` ${seconds.toFixed(1)} s\n`)
  return {
    csv: info(csvPath, csvOk ? 0 : seconds, csvOk),
    arrow: wantArrow ? info(arrowPath, arrowOk ? 0 : seconds, arrowOk) : undefined,
  }
}

let duckdbVersion: string | undefined

async function getDuckdbVersion(): Promise<string> {
  if (!duckdbVersion) {
    const instance = await DuckDBInstance.create(':memory:')
    const connection = await instance.connect()
    duckdbVersion = String((await connection.runAndReadAll('SELECT version() AS v')).getRowObjectsJS()[0].v)
    connection.closeSync()
    instance.closeSync()
  }
  return duckdbVersion
}

/** DuckDB writes the Parquet copy of a generated CSV itself (COPY … TO … (FORMAT parquet)). */
async function ensureParquet(src: QuerySource, csv: FileInfo, target: string): Promise<FileInfo> {
  const spec = {
    from: rel(csv.path),
    fromSha256: readMarker(csv.path).sha256,
    layout: src.kind === 'multiclass' ? (src.layout ?? 'wide') : undefined,
    duckdb: await getDuckdbVersion(),
    format: 'parquet',
  }
  if (isCurrent(target, spec, argv['verify-data'])) return info(target, 0, true)
  process.stdout.write(`· DuckDB: COPY ${rel(csv.path)} TO ${rel(target)} …`)
  const started = performance.now()
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    await connection.run(buildCopyToParquet(src, `${target}.tmp`))
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
  renameSync(`${target}.tmp`, target)
  const seconds = (performance.now() - started) / 1000
  process.stdout.write(` ${seconds.toFixed(1)} s\n`)
  writeMarker(target, {
    generatorVersion: GENERATOR_VERSION,
    spec,
    bytes: statSync(target).size,
    sha256: sha256OfFile(target),
    seconds,
  })
  return info(target, seconds, false)
}

/**
 * A copy of `source` made by `make(tmpPath)` (another codec or compression of the same rows), reused
 * while its marker says it was made from the same source bytes by the same recipe.
 */
async function ensureDerived(
  source: FileInfo,
  target: string,
  recipe: string,
  make: (tmp: string) => Promise<void>,
): Promise<FileInfo> {
  const spec = {derivedFrom: rel(source.path), sourceBytes: source.bytes, recipe}
  if (isCurrent(target, spec, argv['verify-data'])) return info(target, 0, true)
  process.stdout.write(`· ${recipe}: ${rel(source.path)} → ${rel(target)} …`)
  const started = performance.now()
  await make(`${target}.tmp`)
  renameSync(`${target}.tmp`, target)
  const seconds = (performance.now() - started) / 1000
  writeMarker(target, {
    generatorVersion: GENERATOR_VERSION,
    spec,
    bytes: statSync(target).size,
    sha256: sha256OfFile(target),
    seconds,
  })
  process.stdout.write(` ${seconds.toFixed(1)} s\n`)
  return info(target, seconds, false)
}

/** DuckDB rewrites a Parquet file with ZSTD pages (same rows, same row groups). */
function zstdParquet(source: FileInfo, target: string): Promise<FileInfo> {
  return ensureDerived(source, target, 'DuckDB COPY … (COMPRESSION zstd)', async (tmp) => {
    const instance = await DuckDBInstance.create(':memory:')
    const connection = await instance.connect()
    const quoted = (p: string): string => `'${p.replace(/'/g, "''")}'`
    try {
      await connection.run(
        `COPY (SELECT * FROM read_parquet(${quoted(source.path)})) TO ${quoted(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
      )
    } finally {
      connection.closeSync()
      instance.closeSync()
    }
  })
}

/**
 * The Arrow file with LZ4_FRAME-compressed bodies as pyarrow writes them (scripts/lib/compressed-arrow.ts:
 * the lz4 tool per buffer; buffers it does not shrink, the random logits, are stored with length −1).
 */
function lz4Arrow(source: FileInfo, target: string): Promise<FileInfo> {
  return ensureDerived(source, target, 'LZ4_FRAME Arrow (lz4 tool)', async (tmp) => {
    const {tableFromIPC} = await import('apache-arrow')
    const table = tableFromIPC(readFileSync(source.path))
    writeFileSync(tmp, writeCompressedArrow(table.batches, 'lz4', 'file'))
  })
}

// ---------------------------------------------------------------------------------------------
// The two tools

interface ToolRun {
  wallMs: number
  maxRssKiB: number | null
  cpuMs: number | null
  figures?: Figures
  /** DuckDB only: the query alone. */
  queryMs?: number
  error?: string
}

function failure(m: Measurement, what: string): string {
  const lines = m.stderr.trim().split('\n').filter(Boolean)
  return `${what} exited with ${m.exitCode}: ${lines.slice(-3).join(' | ') || '(no stderr)'}`
}

interface FocalscopeJson {
  input: {rows: number}
  totals: {ce: {sum: number}}
  sweep: {gamma: number; sum: number}[]
  split: {easy: {ce: number}; hard: {ce: number}}
  classes: {class: string; ce: {sum: number}}[]
}

function figuresFromFocalscope(json: FocalscopeJson, gammas: number[], classes: number): Figures {
  if (json.sweep.length !== gammas.length || json.sweep.some((s, i) => s.gamma !== gammas[i])) {
    throw new Error(`focalscope sweep has γ ${json.sweep.map((s) => s.gamma).join(',')}, asked ${gammas.join(',')}`)
  }
  const classCe = Array.from({length: classes}, () => NaN)
  for (const c of json.classes) {
    const index = Number(c.class)
    if (Number.isInteger(index) && index >= 0 && index < classes) classCe[index] = c.ce.sum
  }
  return {
    rows: json.input.rows,
    ce: json.totals.ce.sum,
    focal: json.sweep.map((s) => s.sum),
    easyCe: json.split.easy.ce,
    hardCe: json.split.hard.ce,
    classCe,
  }
}

async function runFocalscope(
  file: string,
  gammas: number[],
  classes: number,
  parse = true,
  extra: string[] = [],
): Promise<ToolRun> {
  const m = await measureNode([FOCALSCOPE_BIN, 'report', file, '--json', '--gammas', gammas.join(','), ...extra], {
    cwd: ROOT,
  })
  const run: ToolRun = {wallMs: m.wallMs, maxRssKiB: m.maxRssKiB, cpuMs: m.cpuMs}
  if (m.exitCode !== 0) run.error = failure(m, 'focalscope')
  else if (parse) {
    try {
      run.figures = figuresFromFocalscope(JSON.parse(m.stdout) as FocalscopeJson, gammas, classes)
    } catch (error) {
      run.error = `focalscope output: ${error instanceof Error ? error.message : String(error)}`
    }
  }
  return run
}

/**
 * Transpiles bench/duckdb-query.ts and bench/lib/sql.ts (types stripped, nothing bundled) into
 * bench/.data/js/, so the DuckDB child is `node bench/.data/js/duckdb-query.js`: loading tsx costs
 * ~0.3 s and ~35 MB of RSS per process, which would count against DuckDB.
 */
function buildDuckdbRunner(): void {
  for (const file of ['duckdb-query.ts', join('lib', 'sql.ts')]) {
    const source = readFileSync(join(ROOT, 'bench', file), 'utf8')
    const out = ts.transpileModule(source, {
      compilerOptions: {module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false},
      fileName: file,
    })
    const target = join(DUCKDB_JS_DIR, file.replace(/\.ts$/, '.js'))
    mkdirSync(join(target, '..'), {recursive: true})
    writeFileSync(target, out.outputText)
  }
}

async function runDuckdb(src: QuerySource, gammas: number[]): Promise<ToolRun> {
  const entry = argv['duckdb-tsx'] ? ['--import', 'tsx', DUCKDB_QUERY] : [DUCKDB_QUERY_JS]
  const args = [...entry, '--kind', src.kind, '--format', src.format, '--file', src.path]
  args.push('--gammas', gammas.join(','))
  if (src.classes) args.push('--classes', String(src.classes))
  if (src.layout) args.push('--layout', src.layout)
  if (DUCKDB_THREADS) args.push('--threads', String(DUCKDB_THREADS))
  const m = await measureNode(args, {cwd: ROOT})
  const run: ToolRun = {wallMs: m.wallMs, maxRssKiB: m.maxRssKiB, cpuMs: m.cpuMs}
  if (m.exitCode !== 0) run.error = failure(m, 'duckdb-query')
  else {
    const result = JSON.parse(m.stdout) as DuckdbResult
    run.figures = result.figures
    run.queryMs = result.queryMs
  }
  return run
}

// ---------------------------------------------------------------------------------------------
// Comparison of the figures

interface Agreement {
  pass: boolean
  maxRelDiff: number
  worst: string
  mismatches: string[]
}

function compareFigures(a: Figures, b: Figures, gammas: number[]): Agreement {
  const items: [string, number, number][] = [
    ['CE sum', a.ce, b.ce],
    ...gammas.map((g, i): [string, number, number] => [`FL sum γ=${g}`, a.focal[i], b.focal[i]]),
    ['easy CE', a.easyCe, b.easyCe],
    ['hard CE', a.hardCe, b.hardCe],
    ...a.classCe.map((x, c): [string, number, number] => [`class ${c} CE`, x, b.classCe[c]]),
  ]
  const mismatches: string[] = []
  if (a.rows !== b.rows) mismatches.push(`rows ${a.rows} vs ${b.rows}`)
  let maxRelDiff = 0
  let worst = ''
  for (const [name, x, y] of items) {
    const d = relDiff(x, y)
    if (!(d <= maxRelDiff)) {
      maxRelDiff = d
      worst = name
    }
    if (!(d <= TOLERANCE)) mismatches.push(`${name}: ${x} vs ${y} (rel ${d.toExponential(2)})`)
  }
  return {pass: mismatches.length === 0, maxRelDiff, worst, mismatches}
}

// ---------------------------------------------------------------------------------------------
// Cases

interface Target {
  what: string
  target: string
  value: string
  pass: boolean
}

interface ToolSummary {
  runs: ToolRun[]
  medianWallS: number | null
  medianCpuS: number | null
  peakRssMB: number | null
  medianQueryS?: number | null
  errors: string[]
}

interface FileCaseResult {
  id: string
  file: string
  bytes: number
  rows: number
  duckdbFile: string
  duckdbFileBytes: number
  focalscope: ToolSummary
  duckdb: ToolSummary
  rowsPerS: number | null
  /** rows / (median wall − median `--version` time): the rate once the CLI is up. Informational. */
  rowsPerSNetOfStartup: number | null
  mbPerS: number | null
  /**
   * The headline: runs are paired (focalscope, then DuckDB) and this is the median over the pairs of
   * DuckDB's wall time / focalscope's — steadier on a noisy machine than a ratio of medians.
   */
  ratioDuckdbOverFocalscope: number | null
  /** Every pair's ratio, in run order. */
  pairRatios: number[]
  /** The same on CPU time (user + system, all threads): waiting for a core is not in it. */
  cpuRatioDuckdbOverFocalscope: number | null
  /** Median wall / median DuckDB wall, the figure before issue 20 (for reference). */
  ratioOfMedians: number | null
  limits: CaseLimits | null
  agreement: Agreement | null
  targets: Target[]
  /** 1-minute load average when the case started (other work on the machine makes timings noisy). */
  loadAverageBefore: number
}

function summarize(runs: ToolRun[]): ToolSummary {
  const ok = runs.filter((r) => !r.error)
  const rss = ok.map((r) => r.maxRssKiB).filter((x): x is number => x !== null)
  const queries = ok.map((r) => r.queryMs).filter((x): x is number => x !== undefined)
  const cpu = ok.map((r) => r.cpuMs).filter((x): x is number => x !== null)
  return {
    runs,
    medianWallS: ok.length ? median(ok.map((r) => r.wallMs)) / 1000 : null,
    medianCpuS: cpu.length ? median(cpu) / 1000 : null,
    peakRssMB: rss.length ? rssMB(Math.max(...rss)) : null,
    medianQueryS: queries.length ? median(queries) / 1000 : undefined,
    errors: [...new Set(runs.filter((r) => r.error).map((r) => r.error as string))],
  }
}

interface FileCase {
  id: string
  label: string
  focalFile: FileInfo
  duckdbSource: QuerySource
  duckdbFile: FileInfo
  rows: number
  classes: number
  targets: (r: FileCaseResult) => Target[]
}

/** Median `--version` time, when measured: subtracted for the informational "net of start-up" rate. */
let startupMs: number | undefined

/** The bundled compute-limit child (made once per bench run), unless --skip-limits. */
let computeLimitScript: string | undefined

/** A case's limits and focalscope's distance from them. */
interface CaseLimits {
  /** The evaluation alone on the rows in memory, same threads: median of the warm runs, wall and CPU. */
  compute: {medianS: number; medianCpuS: number; runsMs: number[]; threads: number; loadMs: number} | null
  /** Reading the file's bytes, one thread, 1 MiB at a time (median of 3). */
  readS: number
  /** focalscope's median wall time / each limit. */
  overCompute: number | null
  overRead: number | null
  /** focalscope's median CPU time / the compute limit's CPU time. */
  cpuOverCompute: number | null
  /** Σ CE of the in-memory evaluation against DuckDB's (the limit computed the same thing). */
  ceRelDiff: number | null
  error?: string
}

function pairedMedian(
  a: ToolRun[],
  b: ToolRun[],
  value: (r: ToolRun) => number | null,
): {median: number | null; ratios: number[]} {
  const ratios: number[] = []
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = value(a[i])
    const y = value(b[i])
    if (a[i].error || b[i].error || x === null || y === null || !(x > 0)) continue
    ratios.push(y / x)
  }
  return {median: ratios.length ? median(ratios) : null, ratios}
}

async function measureLimits(c: FileCase, fs: ToolSummary, reference: Figures | undefined): Promise<CaseLimits | null> {
  // The scale check's 100M rows would not fit in memory as typed arrays (nor is its speed the question).
  if (!computeLimitScript || c.id === 'scale-binary-csv') return null
  log(`· ${c.id}: limits (${LIMIT_REPEAT} × the evaluation on the rows in memory; 3 × a raw read of the file)`)
  const readS = measureReadLimit(c.focalFile.path, 3)
  const r = await measureComputeLimit(computeLimitScript, c.focalFile.path, GAMMAS, {cwd: ROOT, repeat: LIMIT_REPEAT})
  const over = (x: number | null, limit: number | null): number | null => (x && limit ? x / limit : null)
  if ('error' in r && !('runsMs' in r)) {
    return {
      compute: null,
      readS,
      overCompute: null,
      overRead: over(fs.medianWallS, readS),
      cpuOverCompute: null,
      ceRelDiff: null,
      error: r.error,
    }
  }
  const limit = r as ComputeLimit
  const compute = {
    medianS: limit.medianS,
    medianCpuS: median(limit.cpuMs.slice(1)) / 1000,
    runsMs: limit.runsMs,
    threads: limit.threads,
    loadMs: limit.loadMs,
  }
  return {
    compute,
    readS,
    overCompute: over(fs.medianWallS, compute.medianS),
    overRead: over(fs.medianWallS, readS),
    cpuOverCompute: over(fs.medianCpuS, compute.medianCpuS),
    ceRelDiff: reference ? relDiff(limit.ce, reference.ce) : null,
  }
}

async function runFileCase(c: FileCase): Promise<FileCaseResult> {
  const loadBefore = loadavg()[0]
  log(`· ${c.id}: ${RUNS} × focalscope (${rel(c.focalFile.path)}) ⇄ DuckDB (${rel(c.duckdbFile.path)})`)
  const focal: ToolRun[] = []
  const duck: ToolRun[] = []
  for (let i = 0; i < RUNS; i++) {
    focal.push(await runFocalscope(c.focalFile.path, GAMMAS, c.classes))
    duck.push(await runDuckdb(c.duckdbSource, GAMMAS))
  }
  const fs = summarize(focal)
  const dd = summarize(duck)
  const wallPairs = pairedMedian(focal, duck, (r) => r.wallMs)
  const cpuPairs = pairedMedian(focal, duck, (r) => r.cpuMs)
  // Every run of each tool is checked against DuckDB's first result; the worst comparison is reported.
  let agreement: Agreement | null = null
  const reference = duck.find((r) => r.figures)?.figures
  if (reference && focal.some((r) => r.figures)) {
    const comparisons = [...focal, ...duck].flatMap((r) =>
      r.figures ? [compareFigures(r.figures, reference, GAMMAS)] : [],
    )
    agreement = comparisons.reduce((a, b) => {
      if (a.pass !== b.pass) return a.pass ? b : a
      return b.maxRelDiff > a.maxRelDiff ? b : a
    })
  }
  const result: FileCaseResult = {
    id: c.id,
    file: rel(c.focalFile.path),
    bytes: c.focalFile.bytes,
    rows: c.rows,
    duckdbFile: rel(c.duckdbFile.path),
    duckdbFileBytes: c.duckdbFile.bytes,
    focalscope: fs,
    duckdb: dd,
    rowsPerS: fs.medianWallS ? c.rows / fs.medianWallS : null,
    rowsPerSNetOfStartup:
      fs.medianWallS && startupMs !== undefined && fs.medianWallS > startupMs / 1000
        ? c.rows / (fs.medianWallS - startupMs / 1000)
        : null,
    mbPerS: fs.medianWallS ? mb(c.focalFile.bytes) / fs.medianWallS : null,
    ratioDuckdbOverFocalscope: wallPairs.median,
    pairRatios: wallPairs.ratios,
    cpuRatioDuckdbOverFocalscope: cpuPairs.median,
    ratioOfMedians: fs.medianWallS && dd.medianWallS ? dd.medianWallS / fs.medianWallS : null,
    limits: await measureLimits(c, fs, reference),
    agreement,
    targets: [],
    loadAverageBefore: loadBefore,
  }
  const limitCe = result.limits?.ceRelDiff
  result.targets = [
    {
      what: `figures agree (rel ${TOLERANCE})`,
      target: `≤ ${TOLERANCE}`,
      value: agreement ? `${agreement.maxRelDiff.toExponential(1)} (${agreement.worst})` : '—',
      pass: agreement?.pass ?? false,
    },
    ...(limitCe === undefined || limitCe === null
      ? []
      : [
          {
            what: 'compute limit: CE sum agrees with DuckDB',
            target: `≤ ${TOLERANCE}`,
            value: limitCe.toExponential(1),
            pass: limitCe <= TOLERANCE,
          },
        ]),
    ...c.targets(result),
  ]
  printFileCase(c, result)
  return result
}

function printFileCase(c: FileCase, r: FileCaseResult): void {
  const fs = r.focalscope
  const dd = r.duckdb
  const rows: [string, string, string][] = [
    ['median wall s', fmt(fs.medianWallS), fmt(dd.medianWallS)],
    [
      '  all runs s',
      fs.runs.map((x) => fmt(x.wallMs / 1000, 2)).join(' '),
      dd.runs.map((x) => fmt(x.wallMs / 1000, 2)).join(' '),
    ],
    ['  query only s', '', fmt(dd.medianQueryS)],
    ['rows/s', r.rowsPerS ? rate(r.rowsPerS) : '—', ''],
    ['  net of start-up', r.rowsPerSNetOfStartup ? rate(r.rowsPerSNetOfStartup) : '—', ''],
    ['MB/s (file bytes)', fmt(r.mbPerS, 1), ''],
    ['median CPU s', fmt(fs.medianCpuS), fmt(dd.medianCpuS)],
    ['peak RSS MB', fmt(fs.peakRssMB, 1), fmt(dd.peakRssMB, 1)],
    ['DuckDB / focalscope, paired', times(r.ratioDuckdbOverFocalscope), ''],
    ['  each pair', r.pairRatios.map((x) => x.toFixed(2)).join(' '), ''],
    ['  on CPU time, paired', times(r.cpuRatioDuckdbOverFocalscope), ''],
    ['  ratio of medians', times(r.ratioOfMedians), ''],
  ]
  log('')
  log(`${c.label}: ${rel(c.focalFile.path)} — ${c.rows.toLocaleString('en-US')} rows, ${fmt(mb(r.bytes), 1)} MB`)
  log(`  DuckDB reads ${r.duckdbFile} (${fmt(mb(r.duckdbFileBytes), 1)} MB)`)
  const w0 = Math.max(...rows.map((x) => x[0].length)) + 2
  const w1 = Math.max(12, ...rows.map((x) => x[1].length)) + 2
  log(`  ${''.padEnd(w0)}${'focalscope'.padStart(w1)}  ${'DuckDB'.padStart(12)}`)
  for (const [name, a, b] of rows) log(`  ${name.padEnd(w0)}${a.padStart(w1)}  ${b.padStart(12)}`)
  const l = r.limits
  if (l) {
    const compute = l.compute
      ? `compute limit ${fmt(l.compute.medianS)} s (CPU ${fmt(l.compute.medianCpuS)} s, ${l.compute.threads} threads)`
      : 'compute limit —'
    log(`  limits: ${compute}, read limit ${fmt(l.readS)} s (${fmt(mb(r.bytes) / l.readS, 0)} MB/s)`)
    log(
      `  focalscope: ${times(l.overCompute, 1)} compute limit, ${times(l.overRead, 1)} read limit` +
        ` (CPU: ${times(l.cpuOverCompute, 1)} compute limit)`,
    )
    if (l.error) log(`  error: ${l.error}`)
  }
  for (const t of r.targets) log(`  ${passFail(t.pass)}  ${t.what}: ${t.value}  (target ${t.target})`)
  for (const e of [...fs.errors, ...dd.errors]) log(`  error: ${e}`)
  if (r.agreement && !r.agreement.pass) for (const m of r.agreement.mismatches.slice(0, 8)) log(`  mismatch: ${m}`)
}

function times(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${x.toFixed(digits)}×`
}

function ratioTarget(min: number): (r: FileCaseResult) => Target[] {
  return (r) => [
    {
      what: 'DuckDB time / focalscope time (median of pairs)',
      target: `≥ ${min}`,
      value: times(r.ratioDuckdbOverFocalscope),
      pass: (r.ratioDuckdbOverFocalscope ?? 0) >= min,
    },
  ]
}

/** focalscope's wall time within `max` × its compute limit. */
function computeLimitTarget(max: number): (r: FileCaseResult) => Target[] {
  return (r) =>
    r.limits === null
      ? []
      : [
          {
            what: 'focalscope time / compute limit',
            target: `≤ ${max}`,
            value: times(r.limits.overCompute),
            pass: r.limits.overCompute !== null && r.limits.overCompute <= max,
          },
        ]
}

function rowsTarget(minRowsPerS: number): (r: FileCaseResult) => Target[] {
  return (r) => [
    {
      what: 'focalscope rows/s',
      target: `≥ ${rate(minRowsPerS)}`,
      value: r.rowsPerS ? rate(r.rowsPerS) : '—',
      pass: (r.rowsPerS ?? 0) >= minRowsPerS,
    },
  ]
}

function rssTarget(maxMB: number): (r: FileCaseResult) => Target[] {
  return (r) => [
    {
      what: 'focalscope peak RSS',
      target: `≤ ${maxMB} MB`,
      value: `${fmt(r.focalscope.peakRssMB, 1)} MB`,
      pass: r.focalscope.peakRssMB !== null && r.focalscope.peakRssMB <= maxMB,
    },
  ]
}

function both(...fs: ((r: FileCaseResult) => Target[])[]): (r: FileCaseResult) => Target[] {
  return (r) => fs.flatMap((f) => f(r))
}

/**
 * focalscope on two copies of the same rows (another codec), interleaved A B A B …: the ratio of the
 * median wall times, and the figures of both checked against each other.
 */
interface PairedResult {
  id: string
  a: {file: string; bytes: number; summary: ToolSummary}
  b: {file: string; bytes: number; summary: ToolSummary}
  /** median wall of A / median wall of B */
  ratio: number | null
  agreement: Agreement | null
  target: Target
}

async function runPaired(
  id: string,
  a: FileInfo,
  b: FileInfo,
  classes: number,
  target: (ratio: number | null) => Target,
): Promise<PairedResult> {
  log('')
  log(`· ${id}: ${RUNS} × focalscope ${rel(a.path)} ⇄ focalscope ${rel(b.path)}`)
  const runsA: ToolRun[] = []
  const runsB: ToolRun[] = []
  for (let i = 0; i < RUNS; i++) {
    runsA.push(await runFocalscope(a.path, GAMMAS, classes))
    runsB.push(await runFocalscope(b.path, GAMMAS, classes))
  }
  const sa = summarize(runsA)
  const sb = summarize(runsB)
  const ratio = sa.medianWallS && sb.medianWallS ? sa.medianWallS / sb.medianWallS : null
  const reference = runsB.find((r) => r.figures)?.figures
  const agreement =
    reference && runsA.some((r) => r.figures)
      ? runsA
          .flatMap((r) => (r.figures ? [compareFigures(r.figures, reference, GAMMAS)] : []))
          .reduce((x, y) => (x.pass !== y.pass ? (x.pass ? y : x) : y.maxRelDiff > x.maxRelDiff ? y : x))
      : null
  const result: PairedResult = {
    id,
    a: {file: rel(a.path), bytes: a.bytes, summary: sa},
    b: {file: rel(b.path), bytes: b.bytes, summary: sb},
    ratio,
    agreement,
    target: target(ratio),
  }
  log(
    `${id}: ${rel(a.path)} (${fmt(mb(a.bytes), 1)} MB) median ${fmt(sa.medianWallS)} s, peak ${fmt(sa.peakRssMB, 1)} MB; ` +
      `${rel(b.path)} (${fmt(mb(b.bytes), 1)} MB) median ${fmt(sb.medianWallS)} s, peak ${fmt(sb.peakRssMB, 1)} MB`,
  )
  log(
    `  all runs s: ${runsA.map((r) => fmt(r.wallMs / 1000, 2)).join(' ')} ⇄ ${runsB.map((r) => fmt(r.wallMs / 1000, 2)).join(' ')}`,
  )
  const agree = agreement ? `${agreement.maxRelDiff.toExponential(1)} (${agreement.worst})` : '—'
  log(`  ${passFail(agreement?.pass ?? false)}  figures agree (rel ${TOLERANCE}): ${agree}`)
  log(
    `  ${passFail(result.target.pass)}  ${result.target.what}: ${result.target.value}  (target ${result.target.target})`,
  )
  for (const e of [...sa.errors, ...sb.errors]) log(`  error: ${e}`)
  return result
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const started = performance.now()
  mkdirSync(DATA, {recursive: true})
  const focalscopeBuilt = existsSync(join(ROOT, 'dist', 'bundle', 'focalscope.js'))
  log(`focalscope bench — node ${process.version}, DuckDB ${await getDuckdbVersion()}, ${cpus().length} cores`)
  log(`  runs ${RUNS} (interleaved), peak RSS by ${rssMethod()}, MB = 10^6 bytes`)
  const scrubbed = scrubbedHere()
  if (scrubbed.length > 0) {
    log(`  both tools run without ${scrubbed.join(', ')} (Node 20 parses that file at every start-up)`)
  }
  const loadAtStart = loadavg()[0]
  if (loadAtStart > 0.7) {
    log(
      `  warning: 1-minute load average is ${loadAtStart.toFixed(2)} — something else is running; timings will be noisy`,
    )
  }
  if (!focalscopeBuilt) log('  dist/ is missing: run `npm run build` first (focalscope runs will fail)')

  const want = (id: CaseId): boolean => ONLY.has(id)
  const wantBinaryParquet = want('binary-arrow') || want('binary-parquet') || want('binary-parquet-zstd')
  const needBinary =
    want('binary-csv') ||
    wantBinaryParquet ||
    want('arrow-lz4') ||
    want('gammas') ||
    want('top') ||
    want('rows-out') ||
    want('concentration') ||
    want('metrics') ||
    argv['scale-check']
  const needMulti =
    want('multi-csv') ||
    want('multi-arrow') ||
    want('multi-parquet') ||
    want('top') ||
    want('concentration') ||
    want('metrics')

  // Data first: all of it, so the timed part runs on a warm page cache and an idle disk.
  const genStarted = performance.now()
  const binary = needBinary
    ? await ensureGenerated(
        binarySpec(BINARY_ROWS),
        join(DATA, `binary-${BINARY_ROWS}`),
        want('binary-arrow') || want('arrow-lz4') || want('rows-out'),
      )
    : undefined
  const binaryParquet =
    binary && wantBinaryParquet
      ? await ensureParquet(
          {kind: 'binary', format: 'csv', path: binary.csv.path},
          binary.csv,
          join(DATA, `binary-${BINARY_ROWS}.parquet`),
        )
      : undefined
  const multiBase = join(DATA, `multi-${MULTI_ROWS}x${CLASSES}`)
  const multi = needMulti ? await ensureGenerated(multiSpec(), multiBase, want('multi-arrow')) : undefined
  const multiParquet =
    multi && (want('multi-arrow') || want('multi-parquet'))
      ? await ensureParquet(
          {kind: 'multiclass', format: 'csv', path: multi.csv.path, classes: CLASSES, layout: MULTI_LAYOUT},
          multi.csv,
          `${multiBase}-${MULTI_LAYOUT}.parquet`,
        )
      : undefined
  const wide = want('wide-csv')
    ? await ensureGenerated(wideSpec(), join(DATA, `multi-${WIDE_ROWS}x${WIDE_CLASSES}`), false)
    : undefined
  const formatted: {format: NumberFormat; file: FileInfo}[] = []
  for (const format of FORMATS) {
    const spec = binarySpec(BINARY_ROWS, format)
    const made = await ensureGenerated(spec, join(DATA, `binary-${BINARY_ROWS}-${format}`), false)
    formatted.push({format, file: made.csv})
  }
  const scale = argv['scale-check']
    ? await ensureGenerated(binarySpec(SCALE_ROWS), join(DATA, `binary-${SCALE_ROWS}`), false)
    : undefined
  const binaryZstd =
    binaryParquet && want('binary-parquet-zstd')
      ? await zstdParquet(binaryParquet, join(DATA, `binary-${BINARY_ROWS}-zstd.parquet`))
      : undefined
  const binaryLz4 =
    binary?.arrow && want('arrow-lz4')
      ? await lz4Arrow(binary.arrow, join(DATA, `binary-${BINARY_ROWS}-lz4.arrow`))
      : undefined
  const generationSeconds = (performance.now() - genStarted) / 1000
  log(`· data ready in ${generationSeconds.toFixed(1)} s`)
  if (argv['generate-only']) return
  if (!argv['duckdb-tsx']) buildDuckdbRunner()
  if (!argv['skip-limits']) computeLimitScript = await buildComputeLimit(ROOT, DUCKDB_JS_DIR)

  const cases: FileCase[] = []
  if (binary && want('binary-csv')) {
    cases.push({
      id: 'binary-csv',
      label: 'Binary CSV',
      focalFile: binary.csv,
      duckdbSource: {kind: 'binary', format: 'csv', path: binary.csv.path},
      duckdbFile: binary.csv,
      rows: BINARY_ROWS,
      classes: 2,
      targets: both(ratioTarget(3), rssTarget(100)),
    })
  }
  for (const {format, file} of formatted) {
    cases.push({
      id: `binary-csv-${format}`,
      label: `Binary CSV, logits written ${FORMAT_LABELS[format]}`,
      focalFile: file,
      duckdbSource: {kind: 'binary', format: 'csv', path: file.path},
      duckdbFile: file,
      rows: BINARY_ROWS,
      classes: 2,
      targets: both(ratioTarget(3), rssTarget(100)),
    })
  }
  if (binary?.arrow && binaryParquet && want('binary-arrow')) {
    cases.push({
      id: 'binary-arrow',
      label: 'Binary Arrow (DuckDB: Parquet)',
      focalFile: binary.arrow,
      duckdbSource: {kind: 'binary', format: 'parquet', path: binaryParquet.path},
      duckdbFile: binaryParquet,
      rows: BINARY_ROWS,
      classes: 2,
      targets: both(rowsTarget(25e6), rssTarget(150)),
    })
  }
  if (multi && want('multi-csv')) {
    cases.push({
      id: 'multi-csv',
      label: `${CLASSES}-class CSV`,
      focalFile: multi.csv,
      duckdbSource: {kind: 'multiclass', format: 'csv', path: multi.csv.path, classes: CLASSES},
      duckdbFile: multi.csv,
      rows: MULTI_ROWS,
      classes: CLASSES,
      targets: ratioTarget(3),
    })
  }
  if (wide && want('wide-csv')) {
    cases.push({
      id: 'wide-csv',
      label: `${WIDE_CLASSES}-class CSV`,
      focalFile: wide.csv,
      duckdbSource: {kind: 'multiclass', format: 'csv', path: wide.csv.path, classes: WIDE_CLASSES},
      duckdbFile: wide.csv,
      rows: WIDE_ROWS,
      classes: WIDE_CLASSES,
      targets: ratioTarget(2.5),
    })
  }
  if (multi?.arrow && multiParquet && want('multi-arrow')) {
    cases.push({
      id: 'multi-arrow',
      label: `${CLASSES}-class Arrow FixedSizeList (DuckDB: Parquet, ${MULTI_LAYOUT})`,
      focalFile: multi.arrow,
      duckdbSource: {
        kind: 'multiclass',
        format: 'parquet',
        path: multiParquet.path,
        classes: CLASSES,
        layout: MULTI_LAYOUT,
      },
      duckdbFile: multiParquet,
      rows: MULTI_ROWS,
      classes: CLASSES,
      targets: both(rowsTarget(3e6), computeLimitTarget(1.3)),
    })
  }

  if (binaryParquet && want('binary-parquet')) {
    cases.push({
      id: 'binary-parquet',
      label: 'Binary Parquet, snappy (both tools read it)',
      focalFile: binaryParquet,
      duckdbSource: {kind: 'binary', format: 'parquet', path: binaryParquet.path},
      duckdbFile: binaryParquet,
      rows: BINARY_ROWS,
      classes: 2,
      targets: both(ratioTarget(1.5), rssTarget(100)),
    })
  }
  if (multiParquet && want('multi-parquet')) {
    cases.push({
      id: 'multi-parquet',
      label: `${CLASSES}-class Parquet, ${MULTI_LAYOUT}, snappy (both tools read it)`,
      focalFile: multiParquet,
      duckdbSource: {
        kind: 'multiclass',
        format: 'parquet',
        path: multiParquet.path,
        classes: CLASSES,
        layout: MULTI_LAYOUT,
      },
      duckdbFile: multiParquet,
      rows: MULTI_ROWS,
      classes: CLASSES,
      targets: ratioTarget(1.5),
    })
  }

  // Start-up first: `--version` (no RSS wrapper for the timed runs, one more run for the RSS).
  let version: {runsMs: number[]; medianMs: number; rssMB: number | null; target: Target} | undefined
  let helpTarget: Target | undefined
  if (want('version')) {
    log('')
    log(`· start-up: ${VERSION_RUNS} × node bin/run.cjs --version`)
    const runsMs: number[] = []
    let error: string | undefined
    for (let i = 0; i < VERSION_RUNS; i++) {
      const m = await measureNode([FOCALSCOPE_BIN, '--version'], {cwd: ROOT, measureRss: false})
      if (m.exitCode !== 0) error = failure(m, 'focalscope --version')
      runsMs.push(m.wallMs)
    }
    const medianMs = median(runsMs)
    const rssRun = await measureNode([FOCALSCOPE_BIN, '--version'], {cwd: ROOT})
    version = {
      runsMs,
      medianMs,
      rssMB: rssMB(rssRun.maxRssKiB),
      target: {
        what: 'start-up (--version), median',
        target: '≤ 150 ms',
        value: `${medianMs.toFixed(0)} ms`,
        pass: !error && medianMs <= 150,
      },
    }
    log(`Start-up: median ${medianMs.toFixed(0)} ms (runs ${runsMs.map((x) => x.toFixed(0)).join(' ')})`)
    log(`  peak RSS of --version: ${fmt(version.rssMB, 1)} MB`)
    log(
      `  ${passFail(version.target.pass)}  ${version.target.what}: ${version.target.value}  (target ${version.target.target})`,
    )
    if (error) log(`  error: ${error}`)

    // The help of the largest command: oclif's help renderer on top of start-up (issue 16's budget).
    log(`· start-up: ${VERSION_RUNS} × node bin/run.cjs report --help`)
    const helpMs: number[] = []
    let helpError: string | undefined
    for (let i = 0; i < VERSION_RUNS; i++) {
      const m = await measureNode([FOCALSCOPE_BIN, 'report', '--help'], {cwd: ROOT, measureRss: false})
      if (m.exitCode !== 0) helpError = failure(m, 'focalscope report --help')
      helpMs.push(m.wallMs)
    }
    const helpMedianMs = median(helpMs)
    helpTarget = {
      what: 'report --help, median',
      target: '≤ 250 ms',
      value: `${helpMedianMs.toFixed(0)} ms`,
      pass: !helpError && helpMedianMs <= 250,
    }
    log(`report --help: median ${helpMedianMs.toFixed(0)} ms (runs ${helpMs.map((x) => x.toFixed(0)).join(' ')})`)
    log(`  ${passFail(helpTarget.pass)}  ${helpTarget.what}: ${helpTarget.value}  (target ${helpTarget.target})`)
    if (helpError) log(`  error: ${helpError}`)
  }

  startupMs = version?.medianMs
  const results: FileCaseResult[] = []
  for (const c of cases) results.push(await runFileCase(c))

  // Codecs against each other, focalscope alone, interleaved: ZSTD within 20 % of snappy (issue 19), and
  // LZ4-compressed Arrow at least half the speed of the uncompressed file.
  const paired: PairedResult[] = []
  if (binaryZstd && binaryParquet) {
    paired.push(
      await runPaired('binary-parquet-zstd', binaryZstd, binaryParquet, 2, (ratio) => ({
        what: 'ZSTD Parquet time / snappy Parquet time',
        target: '≤ 1.20',
        value: ratio ? `${ratio.toFixed(2)}×` : '—',
        pass: ratio !== null && ratio <= 1.2,
      })),
    )
  }
  if (binaryLz4 && binary?.arrow) {
    paired.push(
      await runPaired('arrow-lz4', binaryLz4, binary.arrow, 2, (ratio) => ({
        what: 'LZ4 Arrow speed / uncompressed Arrow speed',
        target: '≥ 0.50',
        value: ratio ? `${(1 / ratio).toFixed(2)}` : '—',
        pass: ratio !== null && 1 / ratio >= 0.5,
      })),
    )
  }

  // γ sweep cost: 9 γ against 1 γ on the binary CSV, interleaved.
  let gammaSweep: {nine: ToolSummary; one: ToolSummary; ratio: number | null; target: Target} | undefined
  if (binary && want('gammas')) {
    log('')
    log(
      `· γ sweep: ${RUNS} × (--gammas ${GAMMAS_9.join(',')} ⇄ --gammas ${GAMMAS_1.join(',')}) on ${rel(binary.csv.path)}`,
    )
    const nine: ToolRun[] = []
    const one: ToolRun[] = []
    for (let i = 0; i < RUNS; i++) {
      nine.push(await runFocalscope(binary.csv.path, GAMMAS_9, 2))
      one.push(await runFocalscope(binary.csv.path, GAMMAS_1, 2))
    }
    const n = summarize(nine)
    const o = summarize(one)
    const ratio = n.medianWallS && o.medianWallS ? n.medianWallS / o.medianWallS : null
    gammaSweep = {
      nine: n,
      one: o,
      ratio,
      target: {
        what: '9 γ / 1 γ wall time',
        target: '≤ 1.25',
        value: ratio ? `${ratio.toFixed(3)}×` : '—',
        pass: ratio !== null && ratio <= 1.25,
      },
    }
    log(`γ sweep: 9 γ ${fmt(n.medianWallS)} s, 1 γ ${fmt(o.medianWallS)} s (medians)`)
    log(
      `  ${passFail(gammaSweep.target.pass)}  ${gammaSweep.target.what}: ${gammaSweep.target.value}  (target ${gammaSweep.target.target})`,
    )
    for (const e of [...n.errors, ...o.errors]) log(`  error: ${e}`)
  }

  // Issue 18: what --top 100 and --rows-out cost against the plain report, runs interleaved in pairs.
  const extras: {id: string; label: string; base: ToolSummary; with: ToolSummary; targets: Target[]}[] = []
  const withAndWithout = async (
    id: string,
    label: string,
    file: string,
    classes: number,
    extra: string[],
    targets: (base: ToolSummary, withExtra: ToolSummary) => Target[],
  ): Promise<void> => {
    log('')
    log(`· ${label}: ${RUNS} × (report ${extra.join(' ')} ⇄ report) on ${rel(file)}`)
    const runsWith: ToolRun[] = []
    const runsBase: ToolRun[] = []
    for (let i = 0; i < RUNS; i++) {
      runsWith.push(await runFocalscope(file, GAMMAS, classes, false, extra))
      runsBase.push(await runFocalscope(file, GAMMAS, classes, false))
    }
    const w = summarize(runsWith)
    const b = summarize(runsBase)
    const t = targets(b, w)
    extras.push({id, label, base: b, with: w, targets: t})
    log(
      `${label}: with ${fmt(w.medianWallS)} s, without ${fmt(b.medianWallS)} s (medians); peak RSS ${fmt(w.peakRssMB, 1)} MB`,
    )
    for (const target of t)
      log(`  ${passFail(target.pass)}  ${target.what}: ${target.value}  (target ${target.target})`)
    for (const e of [...w.errors, ...b.errors]) log(`  error: ${e}`)
  }
  const costTarget =
    (max: number) =>
    (b: ToolSummary, w: ToolSummary): Target[] => {
      const ratio = w.medianWallS && b.medianWallS ? w.medianWallS / b.medianWallS : null
      return [
        {
          what: 'wall time with / without',
          target: `≤ ${max.toFixed(2)}`,
          value: ratio ? `${ratio.toFixed(3)}×` : '—',
          pass: ratio !== null && ratio <= max,
        },
      ]
    }
  const rssOf = (w: ToolSummary, maxMB: number): Target => ({
    what: 'peak RSS',
    target: `≤ ${maxMB} MB`,
    value: `${fmt(w.peakRssMB, 1)} MB`,
    pass: w.peakRssMB !== null && w.peakRssMB <= maxMB,
  })
  if (want('top') && binary) {
    await withAndWithout(
      'top-binary-csv',
      '--top 100, binary CSV',
      binary.csv.path,
      2,
      ['--top', '100'],
      costTarget(1.1),
    )
  }
  if (want('top') && multi) {
    const label = `--top 100, ${CLASSES}-class CSV`
    await withAndWithout('top-multi-csv', label, multi.csv.path, CLASSES, ['--top', '100'], costTarget(1.1))
  }
  // Issues 17 and 18: the opt-in sections' cost on the plain report (each is to cost ≤ 10 % to be on by
  // default; concentration and metrics are opt-in while they cost more).
  for (const [id, flag] of [
    ['concentration', '--concentration'],
    ['metrics', '--metrics'],
  ] as const) {
    if (!want(id)) continue
    if (binary)
      await withAndWithout(`${id}-binary-csv`, `${flag}, binary CSV`, binary.csv.path, 2, [flag], costTarget(1.1))
    if (multi) {
      const label = `${flag}, ${CLASSES}-class CSV`
      await withAndWithout(`${id}-multi-csv`, label, multi.csv.path, CLASSES, [flag], costTarget(1.1))
    }
  }
  if (want('rows-out') && binary?.arrow) {
    const out = join(DATA, 'rows-out')
    mkdirSync(out, {recursive: true})
    const speed = (b: ToolSummary, w: ToolSummary): Target[] => {
      const share = w.medianWallS && b.medianWallS ? b.medianWallS / w.medianWallS : null
      return [
        {
          what: "speed with --rows-out / the report's own",
          target: '≥ 0.50',
          value: share ? share.toFixed(3) : '—',
          pass: share !== null && share >= 0.5,
        },
        rssOf(w, 150),
      ]
    }
    await withAndWithout(
      'rows-out-arrow',
      '--rows-out .arrow, binary Arrow',
      binary.arrow.path,
      2,
      ['--rows-out', join(out, 'rows.arrow')],
      speed,
    )
    // CSV: formatting ~90 M numbers dominates; only its memory has a target.
    await withAndWithout(
      'rows-out-csv',
      '--rows-out .csv, binary Arrow',
      binary.arrow.path,
      2,
      ['--rows-out', join(out, 'rows.csv')],
      (_b, w) => [rssOf(w, 150)],
    )
    rmSync(out, {recursive: true, force: true})
  }

  // Scale check: peak RSS at 10× the rows should stay flat (streaming, bounded memory).
  let scaleCheck: Record<string, unknown> | undefined
  if (scale && binary) {
    log('')
    const small = results.find((r) => r.id === 'binary-csv')
    let smallRss = small?.focalscope.peakRssMB ?? null
    if (smallRss === null) {
      const runs: ToolRun[] = []
      for (let i = 0; i < RUNS; i++) runs.push(await runFocalscope(binary.csv.path, GAMMAS, 2, false))
      smallRss = summarize(runs).peakRssMB
    }
    const c: FileCase = {
      id: 'scale-binary-csv',
      label: `Scale check: binary CSV ×${SCALE_ROWS / BINARY_ROWS}`,
      focalFile: scale.csv,
      duckdbSource: {kind: 'binary', format: 'csv', path: scale.csv.path},
      duckdbFile: scale.csv,
      rows: SCALE_ROWS,
      classes: 2,
      targets: (r) => {
        const ratio = r.focalscope.peakRssMB !== null && smallRss ? r.focalscope.peakRssMB / smallRss : null
        return [
          {
            what: `peak RSS ${rate(SCALE_ROWS)} rows / ${rate(BINARY_ROWS)} rows (${fmt(r.focalscope.peakRssMB, 1)} / ${fmt(smallRss, 1)} MB)`,
            // The bound: 100 M rows use no more than 10 M rows + 10 %.
            target: '≤ 1.10 (bounded memory)',
            value: ratio ? `${ratio.toFixed(2)}×` : '—',
            pass: ratio !== null && ratio <= 1.1,
          },
        ]
      },
    }
    const r = await runFileCase(c)
    scaleCheck = {...r, smallPeakRssMB: smallRss}
  }

  const totalSeconds = (performance.now() - started) / 1000
  const allTargets = [
    ...results.flatMap((r) => r.targets.map((t) => ({case: r.id, ...t}))),
    ...paired.map((p) => ({case: p.id, ...p.target})),
    ...(version ? [{case: 'version', ...version.target}] : []),
    ...(helpTarget ? [{case: 'version', ...helpTarget}] : []),
    ...(gammaSweep ? [{case: 'gammas', ...gammaSweep.target}] : []),
    ...extras.flatMap((e) => e.targets.map((t) => ({case: e.id, ...t}))),
    ...(scaleCheck ? (scaleCheck.targets as Target[]).map((t) => ({case: 'scale-check', ...t})) : []),
  ]
  log('')
  log('Summary')
  for (const t of allTargets)
    log(`  ${passFail(t.pass)}  ${t.case.padEnd(12)} ${t.what}: ${t.value}  (target ${t.target})`)
  log(`· generation ${generationSeconds.toFixed(1)} s, whole bench ${totalSeconds.toFixed(1)} s`)

  const out = {
    date: new Date().toISOString(),
    node: process.version,
    duckdb: await getDuckdbVersion(),
    machine: {cpu: cpus()[0]?.model, cores: cpus().length, memoryGB: totalmem() / 1e9},
    loadAverage: {start: loadAtStart, end: loadavg()[0]},
    rssMethod: rssMethod(),
    removedFromChildEnvironment: scrubbed,
    options: {
      runs: RUNS,
      rows: BINARY_ROWS,
      multiRows: MULTI_ROWS,
      classes: CLASSES,
      wideRows: WIDE_ROWS,
      wideClasses: WIDE_CLASSES,
      formats: FORMATS,
      limits: !argv['skip-limits'],
      limitRepeat: LIMIT_REPEAT,
      only: [...ONLY],
      scaleCheck: argv['scale-check'],
      duckdbThreads: DUCKDB_THREADS ?? 'default',
      multiParquet: MULTI_LAYOUT,
      gammas: GAMMAS,
      tolerance: TOLERANCE,
    },
    generation: {seconds: generationSeconds, files: generation},
    cases: results,
    paired,
    version,
    gammaSweep,
    extras,
    scaleCheck,
    targets: allTargets,
    totalSeconds,
  }
  writeFileSync(join(DATA, 'last-run.json'), `${JSON.stringify(out, null, 2)}\n`)
  log(`· wrote ${rel(join(DATA, 'last-run.json'))}`)
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
