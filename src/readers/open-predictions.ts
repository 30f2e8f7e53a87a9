import {stat} from 'node:fs/promises'
import {extname} from 'node:path'

import type {PredictionChunk} from '../core/chunk.js'
import {InputError, UsageError} from '../core/errors.js'
import type {FileFormat} from '../core/result.js'
import type {SkipLog} from '../core/skip-log.js'
import {openArrow, readArrowChunks} from './from-arrow.js'
import {assertCsvColumns, type CsvHeader, readCsvChunks, readCsvHeader} from './from-csv.js'
import {type Layout, type LayoutFlags, resolveLayout} from './layout.js'

const ARROW_EXTENSIONS = new Set(['.arrow', '.arrows', '.feather', '.ipc'])

/** The format from the file extension: .arrow/.arrows/.feather/.ipc are Arrow IPC, anything else CSV. */
export function formatOf(path: string, override?: FileFormat): FileFormat {
  if (override) return override
  return ARROW_EXTENSIONS.has(extname(path).toLowerCase()) ? 'arrow' : 'csv'
}

export interface OpenedPredictions {
  layout: Layout
  format: FileFormat
  /** Lazy: nothing is read until the first chunk is asked for. */
  chunks: AsyncIterable<PredictionChunk>
  size: number
  /** For CSV: the header, so the file can be split across worker threads at line starts. */
  csv?: {header: CsvHeader}
  /** For an Arrow IPC file: how many record batches it has (undefined for a stream). */
  arrowBatches?: number
  /** Closes what was opened when the chunks will not be read here (the workers read the file instead). */
  release(): Promise<void>
}

/** Turns fs errors into one-line input errors that name the file. */
async function checkReadable(path: string): Promise<number> {
  try {
    const info = await stat(path)
    if (info.isDirectory()) throw new InputError('expected a file, got a directory', {file: path})
    return info.size
  } catch (error) {
    if (error instanceof InputError) throw error
    throw fsError(error, path)
  }
}

export function fsError(error: unknown, path: string): InputError {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return new InputError('no such file', {file: path})
  if (code === 'EACCES' || code === 'EPERM') return new InputError('permission denied', {file: path})
  if (code === 'EISDIR') return new InputError('expected a file, got a directory', {file: path})
  return new InputError(`could not read the file (${(error as Error).message})`, {file: path})
}

/** Opens one predictions file: detects the layout from its header or schema, and streams its chunks. */
export async function openPredictions(
  path: string,
  flags: LayoutFlags,
  formatOverride?: FileFormat,
  skip?: SkipLog,
): Promise<OpenedPredictions> {
  const size = await checkReadable(path)
  const format = formatOf(path, formatOverride)
  try {
    if (format === 'arrow') {
      const source = await openArrow(path)
      let layout: Layout
      try {
        layout = resolveLayout(source.columns, flags, path)
      } catch (error) {
        await source.close()
        throw error
      }
      return {
        layout,
        format,
        chunks: readArrowChunks(path, source, layout, skip),
        size,
        arrowBatches: source.numBatches,
        release: () => source.close(),
      }
    }
    const header = await readCsvHeader(path)
    assertCsvColumns(header, path)
    const layout = resolveLayout(
      header.columns.map((name) => ({name})),
      flags,
      path,
    )
    return {
      layout,
      format,
      chunks: readCsvChunks(path, header, layout, {skip}),
      size,
      csv: {header},
      release: async () => undefined,
    }
  } catch (error) {
    if (error instanceof InputError || error instanceof UsageError) throw error
    throw fsError(error, path)
  }
}

/** Several files are one dataset only when their layouts agree on task, scores and classes. */
export function assertSameLayout(first: Layout, other: Layout, path: string): void {
  const same =
    first.task === other.task &&
    first.scores === other.scores &&
    first.classes.length === other.classes.length &&
    first.classes.every((c, i) => c === other.classes[i])
  if (!same) {
    throw new UsageError(
      `${path}: expected the same task, score kind and classes as the first file ` +
        `(${first.task}, ${first.scores}, ${first.classes.length} classes), got ${other.task}, ${other.scores}, ${other.classes.length} classes`,
    )
  }
}
