/**
 * Arrow IPC (file and stream format) as a PredictionSource. A file splits into groups of record batches,
 * which threads claim one at a time and read by random access through the footer; batch numbers are the
 * file's own, so only the 0-based data row of a group's rows needs rebasing.
 */
import {stat} from 'node:fs/promises'

import {InputError} from '../../core/errors.js'
import type {StreamBytes} from '../byte-source.js'
import {resolveLayout, type Layout} from '../layout.js'
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
import {ARROW_FILE_MAGIC, type ArrowSource, openArrow, openArrowStream} from './open-arrow.js'
import {readArrowChunks} from './read-arrow-chunks.js'
import {spoolStream} from '../spool-stream.js'

/**
 * Arrow columns are read in place, so a file costs little more than the maths; a second thread must also
 * start, read the footer and warm its own JIT (~0.15 s). Batches that focalscope decodes itself reuse one
 * body buffer per thread, so a thread adds ~20 MB, not the ~60 MB of spent apache-arrow buffers it used
 * to. Measured on 2 cores, 3 runs each: 10 M binary rows (120 MB) 0.79–0.89 s with 2 threads vs
 * 0.98–1.22 s with 1 (RSS 90 vs 70 MB); 2 M × 20 (328 MB) 1.24–1.30 s vs 1.23–1.87 s (110 vs 80 MB).
 */
const MIN_PARALLEL_ARROW_BYTES = Math.max(MIN_PARALLEL_BYTES, 1 << 24)
/**
 * Batches apache-arrow decodes (strings, dictionaries, compression) leave ~60 MB of spent buffers per
 * thread: the 10 M binary file read that way gained 10–15 % on 2 threads for +45 MB (160 MB). Such files
 * are split from this size.
 */
const MIN_PARALLEL_APACHE_ARROW_BYTES = 1 << 27
export interface ArrowUnitTask extends UnitTask {
  format: 'arrow'
  /** Unit u is batches [u · batchesPerUnit, (u + 1) · batchesPerUnit). */
  batchesPerUnit: number
  /** The file's bytes and batches, for progress (each batch an equal share). */
  size: number
  batches: number
}

const ARROW_STREAM_CONTINUATION = [0xff, 0xff, 0xff, 0xff]

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b)
}

function isArrowFile(head: Uint8Array): boolean {
  return head.length >= 6 && Buffer.from(head.subarray(0, 6)).toString('latin1') === ARROW_FILE_MAGIC
}

function layoutOrClose(source: ArrowSource, flags: ReadFlags, name: string): Layout {
  try {
    return resolveLayout(source.columns, flags, name)
  } catch (error) {
    void source.close()
    throw error
  }
}

/** A source over an opened Arrow file or stream; `path` opens units (a plain file), null for a stream. */
function arrowSource(
  name: string,
  path: string | null,
  arrow: ArrowSource,
  layout: Layout,
  size: number,
): PredictionSource {
  return {
    path: name,
    format: 'arrow',
    layout,
    size,
    read(options: ReadOptions): SourceRead {
      const extent = {rows: 0, lines: 0}
      // Progress by batches: each stands for an equal share of the file's bytes.
      const onBatch = () => options.onBytes?.(size / (arrow.numBatches ?? 1))
      return {
        chunks: readArrowChunks(name, arrow.columns, arrow.batches, layout, {...options, onBatch, extent}),
        extent,
      }
    },
    async plan(threads: number, tuning: PlanTuning = {}): Promise<UnitPlan | null> {
      const batches = arrow.numBatches
      const minBytes = tuning.minBytes ?? (arrow.native ? MIN_PARALLEL_ARROW_BYTES : MIN_PARALLEL_APACHE_ARROW_BYTES)
      if (path === null || threads < 2 || batches === undefined || batches < 2 || size < minBytes) return null
      const batchesPerUnit = piecesPerUnit(batches, size, tuning.unitBytes)
      const units = Math.ceil(batches / batchesPerUnit)
      const task: ArrowUnitTask = {format: 'arrow', path, layout, batchesPerUnit, size, batches}
      return {task, units, threads: Math.min(threads, units)}
    },
    close: () => arrow.close(),
  }
}

export const arrowFormat: ReaderFormat = {
  format: 'arrow',
  extensions: ['.arrow', '.arrows', '.feather', '.ipc'],
  sniff: (head) => isArrowFile(head) || startsWith(head, ARROW_STREAM_CONTINUATION),

  async open(path: string, flags: ReadFlags, name = path): Promise<PredictionSource> {
    const arrow = await openArrow(path, name)
    const {size} = await stat(path)
    return arrowSource(name, path, arrow, layoutOrClose(arrow, flags, name), size)
  },

  async openStream(name: string, bytes: StreamBytes, flags: ReadFlags): Promise<PredictionSource> {
    const head = await bytes.peek(8)
    // The IPC file format needs random access (its footer is at the end): spool it to a temp file.
    const arrow = isArrowFile(head)
      ? await spoolStream(name, bytes, 'Arrow', '.arrow', (file) => openArrow(file, name))
      : await openArrowStream(name, bytes.remaining())
    return arrowSource(name, null, arrow, layoutOrClose(arrow, flags, name), 0)
  },

  async openUnits(task: UnitTask): Promise<UnitReader> {
    const {path, layout, batchesPerUnit, size, batches} = task as ArrowUnitTask
    const arrow = await openArrow(path)
    const batchesIn = arrow.batchesIn
    if (batchesIn === undefined) {
      await arrow.close()
      throw new InputError('expected an Arrow IPC file (random access), got a stream', {file: path})
    }
    return {
      read(unit: number, options: ReadOptions): SourceRead {
        const extent = {rows: 0, lines: 0}
        const onBatch = () => options.onBytes?.(size / batches)
        const from = unit * batchesPerUnit
        const chunks = readArrowChunks(path, arrow.columns, batchesIn(from, from + batchesPerUnit), layout, {
          ...options,
          onBatch,
          extent,
        })
        return {chunks, extent}
      },
      close: () => arrow.close(),
    }
  },
}
