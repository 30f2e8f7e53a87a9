/**
 * Mutation fuzzing of the Parquet reader, shared by test/fuzz/parquet-fuzz.test.ts (a few cases, fixed
 * seed) and scripts/fuzz-parquet.ts (many). A case flips bytes of a valid fixture — anywhere, in the
 * footer, or in the first bytes of a column chunk where page headers are — or cuts it short. The property,
 * as for the CSV and Arrow readers (test/helpers/mutate.ts): the reader (test/helpers/parquet-summary.ts,
 * bundled once, in a child process with a heap limit and a timeout) either
 *  - exits 0 with the rows, label sum and scores DuckDB reads from the same bytes, or
 *  - exits 2 with exactly one line `focalscope: error: …` naming the file, without JavaScript internals,
 * and never crashes, hangs or runs out of memory.
 */
import {readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {build} from 'esbuild'
import fc from 'fast-check'

import {openParquet} from '../../src/readers/parquet/from-parquet.js'
import {decodePageHeader} from '../../src/readers/parquet/metadata.js'
import {chunkRange} from '../../src/readers/parquet/open-parquet.js'
import {
  applyMutations,
  describeMutations,
  JS_INTERNALS,
  type Mutation,
  RUN_HEAP_MB,
  RUN_TIMEOUT_MS,
  runProcess,
  type Verdict,
} from './mutate.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * The fixtures mutated: DuckDB v1 pages with a dictionary, a list column, v2 pages in 3 row groups, and
 * wide multi-class columns `logit_0 …`.
 */
export const PARQUET_FUZZ_FIXTURES = [
  'binary-snappy.parquet',
  'multiclass-list.parquet',
  'binary-hyparquet.parquet',
  'multiclass.parquet',
] as const

export interface ParquetFuzzFixture {
  name: string
  bytes: Buffer
  /** The footer's first byte, where each column chunk starts, and each page header's [start, end). */
  footerStart: number
  chunkStarts: number[]
  headers: [number, number][]
  /** How DuckDB sums the same figures: one `logit` column, a `logits` list, or wide `logit_*` columns. */
  shape: ScoreShape
}

export async function loadParquetFixture(name: string): Promise<ParquetFuzzFixture> {
  const path = `${ROOT}fixtures/parquet/${name}`
  const source = await openParquet(path)
  await source.close()
  const bytes = readFileSync(path)
  const chunkStarts: number[] = []
  const headers: [number, number][] = []
  for (const rg of source.internal.meta.rowGroups) {
    for (const chunk of rg.columns) {
      const meta = chunk.meta
      if (!meta) continue
      const {start, end} = chunkRange(meta)
      chunkStarts.push(start)
      // Every page header's bytes (to restore them for the reference; see runParquetCase).
      for (let at = start; at < end;) {
        const header = decodePageHeader(bytes, at, end)
        headers.push([at, at + header.headerLength])
        at += header.headerLength + header.compressedSize
      }
    }
  }
  return {
    name,
    bytes,
    footerStart: source.internal.footerStart,
    chunkStarts,
    headers,
    shape: source.columns.some((c) => c.listSize !== undefined)
      ? 'list'
      : source.columns.some((c) => c.name.startsWith('logit_'))
        ? 'wide'
        : 'binary',
  }
}

/** 1 to 3 flips (anywhere, in the footer, in a page header) or cuts. */
export function parquetMutations(fixture: ParquetFuzzFixture): fc.Arbitrary<Mutation[]> {
  const size = fixture.bytes.length
  const xor = fc.integer({min: 1, max: 255})
  const flip = (at: fc.Arbitrary<number>): fc.Arbitrary<Mutation> =>
    fc.record({op: fc.constant('flip' as const), at, xor})
  // Cuts all fail the same way (no closing magic): rarely.
  const one = fc.oneof(
    {weight: 3, arbitrary: flip(fc.nat({max: size - 1}))},
    {weight: 3, arbitrary: flip(fc.integer({min: fixture.footerStart, max: size - 9}))},
    {
      weight: 3,
      arbitrary: flip(
        fc
          .constantFrom(...fixture.chunkStarts)
          .chain((start) => fc.integer({min: start, max: Math.min(size - 9, start + 40)})),
      ),
    },
    {weight: 1, arbitrary: fc.record({op: fc.constant('truncate' as const), at: fc.nat({max: size - 1})})},
  )
  return fc.array(one, {minLength: 1, maxLength: 3})
}

let runner: Promise<string> | undefined

/** test/helpers/parquet-summary.ts as one plain script (each case then starts in ~50 ms, not tsx's ~400). */
function summaryScript(): Promise<string> {
  runner ??= (async () => {
    const outfile = join(tmpdir(), `focalscope-parquet-summary-${process.pid}.mjs`)
    await build({
      entryPoints: [`${ROOT}test/helpers/parquet-summary.ts`],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'warning',
    })
    process.on('exit', () => rmSync(outfile, {force: true}))
    return outfile
  })()
  return runner
}

interface Summary {
  rows: number
  labelSum: number
  finiteSum: number
  finiteCount: number
  nonFinite: number
}

/** Where a fixture's scores are (ParquetFuzzFixture.shape). */
export type ScoreShape = 'binary' | 'list' | 'wide'

/** DuckDB's figures for the same bytes (in a child process: a library crash must not take the test down). */
async function duckdbSummary(path: string, shape: ScoreShape): Promise<Summary | {error: string}> {
  const file = `read_parquet(${JSON.stringify(path).replace(/"/g, "'")})`
  // Every score as a row x (a list unnested, wide columns unpivoted; NULLs left out, as count(logit) does).
  const from =
    shape === 'list'
      ? `(SELECT unnest(logits) AS x FROM ${file})`
      : shape === 'wide'
        ? `(UNPIVOT (SELECT COLUMNS('^logit_') FROM ${file}) ON COLUMNS(*) INTO NAME k VALUE x)`
        : `(SELECT logit AS x FROM ${file})`
  const query = `SELECT (SELECT count(*) FROM ${file}) AS rows, (SELECT sum(label) FROM ${file}) AS labelSum,
    sum(x) FILTER (WHERE isfinite(x)) AS finiteSum,
    count(x) FILTER (WHERE isfinite(x)) AS finiteCount,
    count(x) FILTER (WHERE NOT isfinite(x)) AS nonFinite FROM ${from}`
  const script = `
    import {DuckDBInstance} from '@duckdb/node-api'
    const db = await DuckDBInstance.create(':memory:', {threads: '1'})
    const sql = await db.connect()
    const row = (await sql.runAndReadAll(process.argv[1])).getRowObjects()[0]
    process.stdout.write(JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? Number(v) : v)))
  `
  const result = await runProcess(['--input-type=module', '-e', script, query])
  if (result.status !== 0) {
    return {
      error: result.timedOut
        ? 'it hangs'
        : (result.stderr.split('\n').find((l) => /Error/.test(l)) ?? `exit ${result.status}`),
    }
  }
  const row = JSON.parse(result.stdout) as Record<string, number | null>
  return {
    rows: row.rows ?? 0,
    labelSum: row.labelSum ?? 0,
    finiteSum: row.finiteSum ?? 0,
    finiteCount: row.finiteCount ?? 0,
    nonFinite: row.nonFinite ?? 0,
  }
}

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))
}

/**
 * Reads `path` with the Parquet reader and judges the outcome against the property above. `withFooter`
 * gives the same bytes with the unmutated footer and page headers: when DuckDB refuses metadata the reader
 * accepted (a flip in statistics or another field focalscope skips), the figures must be those of the
 * data under the original metadata — a flip that changed what the reader relies on would show as
 * different figures.
 */
export async function runParquetCase(
  path: string,
  shape: ScoreShape,
  withFooter?: () => string | null,
  timeoutMs = RUN_TIMEOUT_MS,
): Promise<Verdict> {
  const script = await summaryScript()
  const result = await runProcess([`--max-old-space-size=${RUN_HEAP_MB}`, script, path], timeoutMs)
  const {status, stdout, stderr} = result
  const shown = `exit ${status}${result.signal ? ` (${result.signal})` : ''}, stderr ${JSON.stringify(stderr.slice(0, 500))}`
  const fail = (signature: string, why: string): Verdict => ({ok: false, signature, detail: `${why}\n  ${shown}`})
  const collapse = (text: string): string =>
    text
      .split(path)
      .join('<file>')
      .replace(/\d+(\.\d+)?/g, 'N')
      .slice(0, 160)
  if (result.timedOut) return fail('hang', `no answer within ${timeoutMs / 1000} s (a hang)`)
  if (status === 2) {
    const lines = stderr.split('\n').filter((l) => l !== '')
    const signature = `exit 2: ${collapse(lines[0] ?? '')}`
    if (stdout !== '') return fail(`stdout on error: ${signature}`, 'exit 2 but something on stdout')
    if (lines.length !== 1 || !stderr.endsWith('\n'))
      return fail(`${lines.length} lines: ${signature}`, `expected one line on stderr`)
    if (!lines[0].startsWith('focalscope: error: ')) return fail(signature, 'the line is not "focalscope: error: …"')
    if (!lines[0].includes(basename(path))) return fail(signature, 'the message does not name the file')
    if (JS_INTERNALS.test(lines[0])) return fail(`internals: ${signature}`, 'the message shows JavaScript internals')
    return {ok: true, signature, detail: lines[0]}
  }
  if (status !== 0)
    return fail(
      `exit ${status}: ${collapse(stderr.split('\n').find((l) => /Error/.test(l)) ?? '')}`,
      `expected exit 0 or 2`,
    )
  const ours = JSON.parse(stdout) as Summary
  let reference = await duckdbSummary(path, shape)
  if ('error' in reference) {
    const restored = withFooter?.()
    const second = restored ? await duckdbSummary(restored, shape) : reference
    if ('error' in second)
      return fail('exit 0: DuckDB refuses', `exit 0, but DuckDB cannot read it (${reference.error})`)
    reference = second
  }
  const differences: string[] = []
  if (ours.rows !== reference.rows) differences.push(`rows ${ours.rows}, DuckDB ${reference.rows}`)
  if (ours.labelSum !== reference.labelSum) differences.push(`label sum ${ours.labelSum}, DuckDB ${reference.labelSum}`)
  if (ours.finiteCount !== reference.finiteCount || ours.nonFinite !== reference.nonFinite) {
    differences.push(
      `scores ${ours.finiteCount} finite + ${ours.nonFinite}, DuckDB ${reference.finiteCount} + ${reference.nonFinite}`,
    )
  }
  if (!near(ours.finiteSum, reference.finiteSum))
    differences.push(`score sum ${ours.finiteSum}, DuckDB ${reference.finiteSum}`)
  if (differences.length > 0) return fail('exit 0: other figures', `exit 0 with ${differences.join('; ')}`)
  return {ok: true, signature: 'exit 0', detail: 'exit 0, the figures DuckDB reads'}
}

let mutants = 0

/** Writes the mutated fixture to `file(name)` and runs it. */
export async function runParquetMutant(
  fixture: ParquetFuzzFixture,
  mutations: Mutation[],
  file: (name: string, content: Uint8Array) => string,
  timeoutMs = RUN_TIMEOUT_MS,
): Promise<Verdict> {
  const bytes = applyMutations(fixture.bytes, mutations)
  const path = file(`mutant-${++mutants}-${fixture.name}`, bytes)
  const restoredPath = `${path}.footer.parquet`
  const withFooter = (): string | null => {
    if (bytes.length !== fixture.bytes.length) return null
    const restored = Buffer.from(bytes)
    fixture.bytes.copy(restored, fixture.footerStart, fixture.footerStart)
    for (const [start, end] of fixture.headers) fixture.bytes.copy(restored, start, start, end)
    return file(basename(restoredPath), restored)
  }
  try {
    const verdict = await runParquetCase(path, fixture.shape, withFooter, timeoutMs)
    return {...verdict, detail: `${fixture.name} with ${describeMutations(mutations)}: ${verdict.detail}`}
  } finally {
    rmSync(path, {force: true})
    rmSync(restoredPath, {force: true})
  }
}
