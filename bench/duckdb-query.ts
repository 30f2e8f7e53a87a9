/**
 * DuckDB's side of the benchmark, run as its own process so its wall time and peak RSS are measured
 * the same way as focalscope's:
 *
 *   node --import tsx bench/duckdb-query.ts --kind binary --format csv --file F --gammas 0,0.5,1,2,5
 *   node --import tsx bench/duckdb-query.ts --kind multiclass --classes 20 --format parquet --layout wide --file F
 *
 * Prints one JSON object: {figures, queryMs, duckdb, threads}. Also importable (runDuckdbQuery).
 * bench/run.ts runs a plain-JS transpile of this file and lib/sql.ts (bench/.data/js/), so that
 * tsx's start-up (~0.3 s, ~35 MB) is not counted against DuckDB; `--duckdb-tsx` runs this file as is.
 */
import {pathToFileURL} from 'node:url'
import {parseArgs} from 'node:util'

import {DuckDBInstance} from '@duckdb/node-api'

import {buildQuery, combineGroups, type Figures, type GroupRow, type MultiLayout, type QuerySource} from './lib/sql.js'

export interface DuckdbResult {
  figures: Figures
  /** Time of the query alone (no process start-up, no module loading). */
  queryMs: number
  duckdb: string
  threads: number
}

export async function runDuckdbQuery(
  src: QuerySource,
  gammas: number[],
  options: {threads?: number; easyThreshold?: number} = {},
): Promise<DuckdbResult> {
  const config: Record<string, string> = {}
  if (options.threads !== undefined) config.threads = String(options.threads)
  const instance = await DuckDBInstance.create(':memory:', config)
  const connection = await instance.connect()
  try {
    const sql = buildQuery(src, {gammas, easyThreshold: options.easyThreshold})
    // A wide row's Σ exp(…) is a chain of K additions: 1,000 classes pass DuckDB's default depth limit (1000).
    if ((src.classes ?? 0) > 200) await connection.run(`SET max_expression_depth TO ${4 * (src.classes ?? 0) + 100}`)
    const started = performance.now()
    const reader = await connection.runAndReadAll(sql)
    const queryMs = performance.now() - started
    const groups = reader.getRowObjectsJS().map((row) => {
      const out: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(row)) out[key] = typeof value === 'bigint' ? Number(value) : value
      return out as unknown as GroupRow
    })
    const classes = src.kind === 'binary' ? 2 : (src.classes as number)
    const figures = combineGroups(groups, gammas, classes)
    const meta = (
      await connection.runAndReadAll(`SELECT version() AS v, current_setting('threads') AS t`)
    ).getRowObjectsJS()[0] as {v: string; t: bigint}
    return {figures, queryMs, duckdb: meta.v, threads: Number(meta.t)}
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

async function main(): Promise<void> {
  const {values} = parseArgs({
    options: {
      kind: {type: 'string'},
      format: {type: 'string'},
      file: {type: 'string'},
      gammas: {type: 'string', default: '0,0.5,1,2,5'},
      classes: {type: 'string'},
      layout: {type: 'string', default: 'wide'},
      threads: {type: 'string'},
      'easy-threshold': {type: 'string'},
    },
  })
  const kind = values.kind
  const format = values.format
  if ((kind !== 'binary' && kind !== 'multiclass') || (format !== 'csv' && format !== 'parquet') || !values.file) {
    throw new Error('usage: duckdb-query.ts --kind binary|multiclass --format csv|parquet --file F [--classes K]')
  }
  const src: QuerySource = {
    kind,
    format,
    path: values.file,
    classes: values.classes ? Number(values.classes) : undefined,
    layout: values.layout as MultiLayout,
  }
  const gammas = values.gammas.split(',').map(Number)
  const result = await runDuckdbQuery(src, gammas, {
    threads: values.threads ? Number(values.threads) : undefined,
    easyThreshold: values['easy-threshold'] ? Number(values['easy-threshold']) : undefined,
  })
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`duckdb-query: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  })
}
