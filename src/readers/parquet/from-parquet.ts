/**
 * Parquet input: the public surface, shaped like the Arrow reader's (from-arrow.ts).
 *
 *   const source = await openParquet(path)            // footer, schema → source.columns (ColumnInfo[])
 *   const layout = resolveLayout(source.columns, flags, path)
 *   for await (const chunk of readParquetChunks(path, source, layout, skip)) …   // closes the source
 *
 * or, to spread row groups over threads, each thread opens the file and reads the row groups it picks with
 * `readParquetRowGroup(source, g, layout, skip)` (a synchronous generator of chunks), then `source.close()`.
 */
import type {PredictionChunk} from '../../core/chunk.js'
import type {SkipLog} from '../../core/skip-log.js'
import type {Layout} from '../layout.js'
import type {ParquetSource} from './open-parquet.js'
import {readParquetRowGroup, type RowGroupReadOptions} from './read-row-group.js'

export {openParquet, PARQUET_MAGIC, type ParquetRowGroupInfo, type ParquetSource} from './open-parquet.js'
export {readParquetRowGroup, type RowGroupReadOptions} from './read-row-group.js'

/**
 * Which row group to read next: called once the previous one has been read; an index past the last ends
 * the reading. Threads sharing a file each read the row groups they pick.
 */
export type RowGroupPicker = () => number

/**
 * Streams every row group (or those `pick` hands out) as PredictionChunks, yielding to the event loop
 * between chunks (Ctrl-C and a progress bar stay responsive), and closes the source at the end. (`_path`
 * keeps the Arrow reader's signature; the source knows its path.)
 */
export async function* readParquetChunks(
  _path: string,
  source: ParquetSource,
  layout: Layout,
  skip?: SkipLog,
  options: RowGroupReadOptions & {pick?: RowGroupPicker; onRowGroup?: (g: number) => void} = {},
): AsyncGenerator<PredictionChunk> {
  try {
    let next = 0
    const pick = options.pick ?? ((): number => next++)
    for (let g = pick(); g < source.numRowGroups; g = pick()) {
      for (const chunk of readParquetRowGroup(source, g, layout, skip, options)) {
        await new Promise<void>((resolve) => setImmediate(resolve))
        yield chunk
      }
      options.onRowGroup?.(g)
    }
  } finally {
    await source.close()
  }
}
