/**
 * Reads every chunk a reader yields into plain arrays (labels, row-major scores, each row's location), so
 * two readers of the same data can be compared value for value.
 */
import type {PredictionChunk} from '../../src/core/chunk.js'
import type {InputLocation} from '../../src/core/errors.js'
import {SkipLog} from '../../src/core/skip-log.js'
import type {Layout, LayoutFlags} from '../../src/readers/layout.js'
import {resolveLayout} from '../../src/readers/layout.js'
import {openSource} from '../../src/readers/open-source.js'
import {formatLocation} from '../../src/core/errors.js'
import {openParquet, readParquetChunks} from '../../src/readers/parquet/from-parquet.js'

export interface Collected {
  layout: Layout
  rows: number
  width: number
  labels: number[]
  scores: number[]
  /** Where each row came from (`locate(row)`), in order. */
  locations: InputLocation[]
  chunks: number
}

export async function collect(chunks: AsyncIterable<PredictionChunk>, layout: Layout): Promise<Collected> {
  const out: Collected = {layout, rows: 0, width: 0, labels: [], scores: [], locations: [], chunks: 0}
  for await (const chunk of chunks) {
    out.chunks++
    out.rows += chunk.rows
    out.width = chunk.width
    for (let i = 0; i < chunk.rows; i++) {
      out.labels.push(chunk.labels[i])
      for (let j = 0; j < chunk.width; j++) out.scores.push(chunk.scores[i * chunk.width + j])
      // The data row (dataRow) is left out here: row identity is tested in test/readers/unit-locations.test.ts.
      const {dataRow: _dataRow, ...where} = chunk.locate(i)
      out.locations.push(where)
    }
  }
  return out
}

export const FLAGS: LayoutFlags = {labelCol: 'label'}

/** A CSV (or Arrow) file through the readers the CLI uses today. */
export async function collectFile(path: string, flags: Partial<LayoutFlags> = {}, skip?: SkipLog): Promise<Collected> {
  const source = await openSource(path, {...FLAGS, ...flags})
  try {
    return await collect(source.read({skip}).chunks, source.layout)
  } finally {
    await source.close()
  }
}

/** A Parquet file through the Parquet reader. */
export async function collectParquet(
  path: string,
  flags: Partial<LayoutFlags> = {},
  skip?: SkipLog,
  options: {chunkRows?: number; budgetBytes?: number} = {},
): Promise<Collected> {
  const source = await openParquet(path)
  let layout: Layout
  try {
    layout = resolveLayout(source.columns, {...FLAGS, ...flags}, path)
  } catch (error) {
    await source.close()
    throw error
  }
  return collect(readParquetChunks(path, source, layout, skip, options), layout)
}

/** The message of what `run` throws (the test fails if it does not throw). */
export async function errorOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected an error, got none')
}

export {SkipLog}

/** A skip log's counts per reason (in the order first seen) and each reason's first message, as the report words it. */
export function skippedOf(skip: SkipLog): {counts: [string, number][]; first: Map<string, string>} {
  const entries = skip.take(0)
  return {
    counts: entries.map((e) => [e.reason, e.count]),
    first: new Map(entries.map((e) => [e.reason, `${formatLocation(e.first.location)}: ${e.first.problem}`])),
  }
}
