/**
 * One interface for every input format: a source owns what it opened (a file handle, a stream) and yields
 * the file's rows as PredictionChunks — all of them on this thread (`read`), or as work units that threads
 * read on their own (`plan`, then the format's `openUnits` on each thread). Every chunk row has a row
 * identity: `chunk.locate(row)` gives the file, the 0-based data row (`dataRow`) and the CSV line or the
 * Arrow batch and row — relative to the unit for a unit (rebaseLocation moves it to the file's numbering
 * from the extents of the units before it).
 *
 * A format is registered in registry.ts: its extensions, a sniff of its first bytes, and how to open a file,
 * a stream and a unit task.
 */
import type {PredictionChunk} from '../core/chunk.js'
import type {FileFormat} from '../core/kinds.js'
import type {SkipLog} from '../core/skip-log.js'
import type {StreamBytes} from './byte-source.js'
import type {Layout, LayoutFlags} from './layout.js'

/** Below this many bytes a file is read on one thread: a worker's start-up costs more than it saves. */
export const MIN_PARALLEL_BYTES = 16 << 20

/**
 * A file is cut into units of about this many bytes (CSV ranges, groups of Arrow batches or Parquet row
 * groups), at most MAX_UNITS: small enough that the threads finish within a unit's time of each other,
 * large enough that a unit's start-up and the merge of its state on the main thread after the threads are
 * done (0.1–0.2 ms a unit: the 10 M-row Arrow file's 153 one-batch units took 15–25 ms) cost little. The
 * cuts depend on the file alone, so every thread count gives the same sums.
 */
export const UNIT_BYTES = 4 << 20
export const MAX_UNITS = 256

/** How many consecutive pieces (batches, row groups) of a file of `bytes` a unit of about `unitBytes` takes. */
export function piecesPerUnit(pieces: number, bytes: number, unitBytes = UNIT_BYTES): number {
  const units = Math.min(MAX_UNITS, Math.max(1, Math.ceil(bytes / unitBytes)))
  return Math.max(1, Math.ceil(pieces / units))
}

/** How to read a predictions file: its layout flags, and the longest CSV record (bytes; default 64 MiB). */
export interface ReadFlags extends LayoutFlags {
  maxRecordBytes?: number
}

/** What a read has covered: data rows (skipped ones included) and physical lines (CSV; 0 otherwise). */
export interface ReadExtent {
  rows: number
  lines: number
}

export interface ReadOptions {
  /** Under --on-invalid skip: where rows that cannot be used are logged. */
  skip?: SkipLog
  /** Told how many more bytes were read (progress). */
  onBytes?: (bytes: number) => void
}

/** A read in progress: its chunks, and (once they are consumed) what it covered. */
export interface SourceRead {
  chunks: AsyncIterable<PredictionChunk>
  readonly extent: ReadExtent
}

/** How a source splits into units: a structured-cloneable task that each thread opens with openUnits. */
export interface UnitPlan {
  task: UnitTask
  units: number
  /** Threads worth starting (at most the units). */
  threads: number
}

/** What a thread needs to read a file's units: the format's own fields besides these. */
export interface UnitTask {
  format: FileFormat
  path: string
  layout: Layout
}

/** Sizes a plan uses: the smallest file worth splitting, and a unit's bytes. */
export interface PlanTuning {
  minBytes?: number
  unitBytes?: number
}

/** A thread's reader of one file's units. */
export interface UnitReader {
  read(unit: number, options: ReadOptions): SourceRead
  close(): Promise<void>
}

/** A unit gave up on something only the sequential reader can judge (a CSV quoted field: a cut may sit in it). */
export class UnitGaveUp extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'UnitGaveUp'
  }
}

export interface PredictionSource {
  /** The path as given ('-' for standard input). */
  readonly path: string
  readonly format: FileFormat
  readonly layout: Layout
  /** Bytes on disk, for progress and the parallel decision; 0 for a stream. */
  readonly size: number
  /** Every row, in file order, on this thread (once). */
  read(options: ReadOptions): SourceRead
  /**
   * Work units for up to `threads` threads, or null when the source is better read whole here. `tuning`
   * overrides the sizes (tests split small files into many units).
   */
  plan(threads: number, tuning?: PlanTuning): Promise<UnitPlan | null>
  /** Releases what the source holds (idempotent). */
  close(): Promise<void>
}

export interface ReaderFormat {
  format: FileFormat
  /** Lower-case extensions (".arrow"); a file with none of any format's is read as CSV. */
  extensions: string[]
  /** Whether a file's first bytes are this format's (magic bytes). */
  sniff(head: Uint8Array): boolean
  /** Opens a file by path; `name` is the file messages name (standard input's `-` for a spooled copy). */
  open(path: string, flags: ReadFlags, name?: string): Promise<PredictionSource>
  /** Opens a stream (standard input, a decompressor), when the format can be read as one. */
  openStream?(name: string, bytes: StreamBytes, flags: ReadFlags): Promise<PredictionSource>
  /** On any thread: a reader of a planned task's units. */
  openUnits(task: UnitTask): Promise<UnitReader>
}
