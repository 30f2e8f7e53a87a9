/**
 * Worker thread entry: evaluates units of a file — byte ranges of a CSV file, groups of an Arrow IPC file's
 * record batches — claimed one at a time from a shared queue, and posts back one evaluator state per unit.
 * The main thread runs the same loop (evaluatePart) alongside. See evaluate-parallel.ts.
 */
import {parentPort, workerData} from 'node:worker_threads'

import type {EvaluationConfig} from '../../core/config.js'
import {formatLocation, InputError, type InputLocation, type SkipReason, UsageError} from '../../core/errors.js'
import {LossBreakdownEvaluator, type LossBreakdownState} from '../../core/evaluators/loss-breakdown.js'
import {openArrow, readArrowChunks} from '../../readers/arrow/from-arrow.js'
import {type CsvHeader, type CsvScanBuffers, QuotedFieldInRange, readCsvChunks} from '../../readers/csv/from-csv.js'
import type {Layout} from '../../readers/layout.js'
import {claimUnit, closeQueue, type WorkQueue} from './work-queue.js'
import {AWAIT_TASK} from './worker-pool.js'

export type PartTask = {path: string; layout: Layout; config: EvaluationConfig; queue: WorkQueue} &
  /** Unit u is bytes [cuts[u], cuts[u + 1]), each cut a record start. */
  (
    | {kind: 'csv'; header: CsvHeader; cuts: number[]; maxRecordBytes?: number}
    /** Unit u is batches [u · batchesPerUnit, (u + 1) · batchesPerUnit); `size`: the file's bytes, for progress. */
    | {kind: 'arrow'; batchesPerUnit: number; size: number}
  )

/** The sums of one unit. */
export interface UnitState {
  unit: number
  state: LossBreakdownState
}

/**
 * An error as it crosses from a worker to the main thread (a structured clone keeps no class): `kind` says
 * which it was, InputError and UsageError being the input's fault, anything else (`other`) not.
 */
export interface PartError {
  kind: 'input' | 'usage' | 'other'
  message: string
  location?: InputLocation
  reason?: SkipReason
}

/** Unit: the unit being read when the error was thrown (-1 before the first). */
export type PartResult =
  {kind: 'done'; units: UnitState[]} | {kind: 'quoted'} | {kind: 'failed'; unit: number; error: PartError}

/** A worker's message: bytes read so far (for the progress bar), then exactly one result. */
export type PartMessage = PartResult | {kind: 'progress'; bytes: number}

/** One state reused for every unit a thread reads, its sums taken out when the thread moves on. */
class UnitSums {
  readonly units: UnitState[] = []
  readonly state: LossBreakdownState
  private unit = -1

  constructor(private readonly evaluator: LossBreakdownEvaluator) {
    this.state = evaluator.init()
  }

  /** The rows from now on are unit u's (the previous unit's are all in). */
  start(unit: number): void {
    this.end()
    this.unit = unit
  }

  end(): void {
    if (this.unit >= 0 && this.state.rows > 0)
      this.units.push({unit: this.unit, state: this.evaluator.takePartial(this.state)})
    this.unit = -1
  }

  /** The unit being read (-1 between units). */
  get current(): number {
    return this.unit
  }
}

function partError(error: unknown): PartError {
  if (error instanceof InputError) {
    return {kind: 'input', message: error.message, location: error.location, reason: error.reason}
  }
  if (error instanceof UsageError) return {kind: 'usage', message: error.message}
  return {kind: 'other', message: error instanceof Error ? error.message : String(error)}
}

/** A PartError as the error it was on the thread that threw it (InputError, UsageError or Error). */
export function rebuildPartError({kind, message, location, reason}: PartError): Error {
  if (kind === 'usage') return new UsageError(message)
  if (kind === 'other') return new Error(message)
  // InputError prefixes its location to the message it is given: give it the message without it.
  const prefix = location ? `${formatLocation(location)}: ` : ''
  if (location && message.startsWith(prefix)) return new InputError(message.slice(prefix.length), location, reason)
  return new InputError(message, undefined, reason)
}

/** Claims and evaluates units until none is left; runs in a worker, or on the main thread. */
export async function evaluatePart(task: PartTask, onBytes?: (bytes: number) => void): Promise<PartResult> {
  const evaluator = new LossBreakdownEvaluator(task.config)
  const sums = new UnitSums(evaluator)
  try {
    if (task.kind === 'csv') {
      const {cuts} = task
      const buffers: CsvScanBuffers = {}
      for (let unit = claimUnit(task.queue); unit < cuts.length - 1; unit = claimUnit(task.queue)) {
        sums.start(unit)
        const range = {start: cuts[unit], end: cuts[unit + 1]}
        const options = {range, refuseQuotes: true, onBytes, buffers, maxRecordBytes: task.maxRecordBytes}
        const chunks = readCsvChunks(task.path, task.header, task.layout, options)
        for await (const chunk of chunks) evaluator.update(sums.state, chunk)
      }
    } else {
      // The reader asks for its next batch once the last one is summed: a new unit starts there.
      const per = task.batchesPerUnit
      let next = 0
      let end = 0
      const pick = (): number => {
        if (next === end) {
          const unit = claimUnit(task.queue)
          sums.start(unit)
          next = unit * per
          end = next + per
        }
        return next++
      }
      const source = await openArrow(task.path, pick)
      const perBatch = task.size / (source.numBatches || 1)
      const chunks = readArrowChunks(task.path, source, task.layout, undefined, () => onBytes?.(perBatch))
      for await (const chunk of chunks) evaluator.update(sums.state, chunk)
    }
    sums.end()
    return {kind: 'done', units: sums.units}
  } catch (error) {
    closeQueue(task.queue)
    if (error instanceof QuotedFieldInRange) return {kind: 'quoted'}
    return {kind: 'failed', unit: sums.current, error: partError(error)}
  }
}

if (parentPort && workerData !== null) {
  const port = parentPort
  const progress = (bytes: number): void => port.postMessage({kind: 'progress', bytes} satisfies PartMessage)
  const run = (task: PartTask): void => {
    void evaluatePart(task, progress).then((result) => port.postMessage(result))
  }
  // A prestarted worker (worker-pool.ts) gets its task as the first message.
  if (workerData === AWAIT_TASK) port.once('message', run)
  else run(workerData as PartTask)
}
