/**
 * Parquet as a PredictionSource: the footer and schema (open-parquet.ts), then row group by row group,
 * decoding only the columns the layout needs (read-row-group.ts). A file splits into groups of row groups,
 * which threads claim one at a time; a group's rows are numbered from the read's start (rebased).
 * Standard input is spooled to a temp file first: the footer is at the end.
 */
import type {PredictionChunk} from '../../core/chunk.js'
import type {StreamBytes} from '../byte-source.js'
import {type Layout, resolveLayout} from '../layout.js'
import {
  MIN_PARALLEL_BYTES,
  piecesPerUnit,
  type PlanTuning,
  type PredictionSource,
  type ReaderFormat,
  type ReadFlags,
  type ReadOptions,
  type SourceRead,
  type UnitPlan,
  type UnitReader,
  type UnitTask,
} from '../prediction-source.js'
import {spoolStream} from '../spool-stream.js'
import {openParquet, PARQUET_MAGIC, type ParquetSource} from './open-parquet.js'
import {readParquetRowGroup} from './read-row-group.js'

export interface ParquetUnitTask extends UnitTask {
  format: 'parquet'
  /** Unit u is row groups [u · groupsPerUnit, (u + 1) · groupsPerUnit). */
  groupsPerUnit: number
}

/**
 * Row groups [from, to) as chunks, yielding to the event loop between chunks (Ctrl-C and the progress bar
 * stay live), each row's data row counted from `from`'s first row; `extent` tells the rows read.
 */
function readGroups(
  parquet: ParquetSource,
  layout: Layout,
  from: number,
  to: number,
  options: ReadOptions,
): SourceRead {
  const extent = {rows: 0, lines: 0}
  const end = Math.min(to, parquet.numRowGroups)
  async function* chunks(): AsyncGenerator<PredictionChunk> {
    for (let g = from; g < end; g++) {
      for (const chunk of readParquetRowGroup(parquet, g, layout, options.skip, {rowBase: extent.rows})) {
        await new Promise<void>((resolve) => setImmediate(resolve))
        yield chunk
      }
      const group = parquet.rowGroups[g]
      extent.rows += group.rows
      options.onBytes?.(group.end - group.start)
    }
  }
  return {chunks: chunks(), extent}
}

function layoutOrClose(parquet: ParquetSource, flags: ReadFlags, name: string): Layout {
  try {
    return resolveLayout(parquet.columns, flags, name)
  } catch (error) {
    void parquet.close()
    throw error
  }
}

function parquetSource(name: string, path: string, parquet: ParquetSource, layout: Layout): PredictionSource {
  return {
    path: name,
    format: 'parquet',
    layout,
    size: parquet.size,
    read: (options) => readGroups(parquet, layout, 0, parquet.numRowGroups, options),
    async plan(threads: number, tuning: PlanTuning = {}): Promise<UnitPlan | null> {
      const groups = parquet.numRowGroups
      if (threads < 2 || groups < 2 || parquet.size < (tuning.minBytes ?? MIN_PARALLEL_BYTES)) return null
      const groupsPerUnit = piecesPerUnit(groups, parquet.size, tuning.unitBytes)
      const units = Math.ceil(groups / groupsPerUnit)
      const task: ParquetUnitTask = {format: 'parquet', path, layout, groupsPerUnit}
      return {task, units, threads: Math.min(threads, units)}
    },
    close: () => parquet.close(),
  }
}

export const parquetFormat: ReaderFormat = {
  format: 'parquet',
  extensions: ['.parquet', '.pq'],
  sniff: (head) => head.length >= 4 && Buffer.from(head.subarray(0, 4)).toString('latin1') === PARQUET_MAGIC,

  async open(path: string, flags: ReadFlags, name = path): Promise<PredictionSource> {
    const parquet = await openParquet(path, name)
    return parquetSource(name, path, parquet, layoutOrClose(parquet, flags, name))
  },

  async openStream(name: string, bytes: StreamBytes, flags: ReadFlags): Promise<PredictionSource> {
    const parquet = await spoolStream(name, bytes, 'Parquet', '.parquet', (file) => openParquet(file, name))
    // Units would reopen the copy by its path: a spooled file is read on this thread.
    return {...parquetSource(name, '', parquet, layoutOrClose(parquet, flags, name)), plan: async () => null}
  },

  async openUnits(task: UnitTask): Promise<UnitReader> {
    const {path, layout, groupsPerUnit} = task as ParquetUnitTask
    const parquet = await openParquet(path)
    return {
      read: (unit, options) => readGroups(parquet, layout, unit * groupsPerUnit, (unit + 1) * groupsPerUnit, options),
      close: () => parquet.close(),
    }
  },
}
