/**
 * CSV as a PredictionSource: a header (header.ts), then records scanned from bytes (read-csv-chunks.ts).
 * A large file splits into ~4 MB byte ranges cut at line starts, which threads claim one at a time; a range
 * does not know the lines before it, so its rows are numbered from its start (the pipeline rebases them).
 */
import {stat} from 'node:fs/promises'

import type {StreamBytes} from '../byte-source.js'
import {resolveLayout, type Layout} from '../layout.js'
import {
  MAX_UNITS,
  MIN_PARALLEL_BYTES,
  type PlanTuning,
  type PredictionSource,
  type ReaderFormat,
  type ReadFlags,
  type ReadOptions,
  type SourceRead,
  type UnitPlan,
  type UnitReader,
  type UnitTask,
  UNIT_BYTES,
} from '../prediction-source.js'
import {assertCsvColumns, type CsvHeader, readCsvHeader, readCsvHeaderFrom} from './header.js'
import {type CsvScanBuffers, readCsvChunks} from './read-csv-chunks.js'
import {splitAtLineStarts} from './split-at-line-starts.js'

export interface CsvUnitTask extends UnitTask {
  format: 'csv'
  header: CsvHeader
  /** Unit u is bytes [cuts[u], cuts[u + 1]), each cut a record start. */
  cuts: number[]
  maxRecordBytes?: number
}

function layoutOf(header: CsvHeader, flags: ReadFlags, name: string): Layout {
  assertCsvColumns(header, name)
  return resolveLayout(
    header.columns.map((column) => ({name: column})),
    flags,
    name,
  )
}

function newRead(
  make: (extent: SourceRead['extent']) => AsyncIterable<import('../../core/chunk.js').PredictionChunk>,
): SourceRead {
  const extent = {rows: 0, lines: 0}
  return {chunks: make(extent), extent}
}

export const csvFormat: ReaderFormat = {
  format: 'csv',
  extensions: ['.csv'],
  // CSV has no magic bytes: it is what a file is when no other format claims it.
  sniff: () => false,

  async open(path: string, flags: ReadFlags, name = path): Promise<PredictionSource> {
    const header = await readCsvHeader(path)
    const layout = layoutOf(header, flags, name)
    const {size} = await stat(path)
    const {maxRecordBytes} = flags
    return {
      path: name,
      format: 'csv',
      layout,
      size,
      read: (options: ReadOptions) =>
        newRead((extent) =>
          (async function* () {
            options.onBytes?.(header.dataOffset) // the header counts towards the file's bytes too
            yield* readCsvChunks(path, header, layout, {...options, maxRecordBytes, extent})
          })(),
        ),
      async plan(threads: number, tuning: PlanTuning = {}): Promise<UnitPlan | null> {
        if (threads < 2 || size < (tuning.minBytes ?? MIN_PARALLEL_BYTES)) return null
        const unitBytes = tuning.unitBytes ?? UNIT_BYTES
        const units = Math.min(MAX_UNITS, Math.max(1, Math.ceil((size - header.dataOffset) / unitBytes)))
        const cuts = await splitAtLineStarts(path, header.dataOffset, size, units)
        const task: CsvUnitTask = {format: 'csv', path, layout, header, cuts, maxRecordBytes}
        return {task, units: cuts.length - 1, threads: Math.min(threads, cuts.length - 1)}
      },
      close: async () => undefined,
    }
  },

  async openStream(name: string, bytes: StreamBytes, flags: ReadFlags): Promise<PredictionSource> {
    const {header, bytes: head} = await readCsvHeaderFrom(bytes, name)
    bytes.unshift(head.subarray(header.dataOffset))
    const layout = layoutOf(header, flags, name)
    return {
      path: name,
      format: 'csv',
      layout,
      size: 0,
      read: (options: ReadOptions) =>
        newRead((extent) =>
          readCsvChunks(name, header, layout, {
            ...options,
            source: bytes,
            maxRecordBytes: flags.maxRecordBytes,
            extent,
          }),
        ),
      plan: async () => null,
      close: () => bytes.close(),
    }
  },

  async openUnits(task: UnitTask): Promise<UnitReader> {
    const {path, header, layout, cuts, maxRecordBytes} = task as CsvUnitTask
    // A thread reads range after range into the same buffers (~3 MB less garbage per range).
    const buffers: CsvScanBuffers = {}
    return {
      read: (unit: number, options: ReadOptions) =>
        newRead((extent) =>
          readCsvChunks(path, header, layout, {
            ...options,
            range: {start: cuts[unit], end: cuts[unit + 1]},
            refuseQuotes: true,
            buffers,
            maxRecordBytes,
            extent,
          }),
        ),
      close: async () => undefined,
    }
  },
}
