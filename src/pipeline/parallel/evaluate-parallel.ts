import {open} from 'node:fs/promises'

import type {EvaluationConfig} from '../../core/config.js'
import type {LossBreakdownEvaluator, LossBreakdownState} from '../../core/evaluators/loss-breakdown.js'
import type {CsvHeader} from '../../readers/csv/from-csv.js'
import type {Layout} from '../../readers/layout.js'
import {
  evaluatePart,
  type PartMessage,
  type PartResult,
  type PartTask,
  rebuildPartError,
} from './evaluate-part-worker.js'
import {createWorkQueue} from './work-queue.js'
import {takeWorker} from './worker-pool.js'

export {MIN_PARALLEL_BYTES} from './worker-pool.js'

/**
 * A file is cut into units of about this many bytes (CSV) or batches of about this size (Arrow), at most
 * MAX_UNITS: small enough that the threads finish within a unit's time of each other, large enough that a
 * unit's start-up (opening the range, a state per unit) costs nothing. The cuts depend on the file alone,
 * so every thread count gives the same sums.
 */
const UNIT_BYTES = 4 << 20
const MAX_UNITS = 256

/**
 * Cuts bytes [dataOffset, size) into `parts` ranges that each start at a record start: every cut is
 * moved forward to just after the next LF. Reads a small window at each cut, never the whole file.
 */
export async function splitAtLineStarts(
  path: string,
  dataOffset: number,
  size: number,
  parts: number,
): Promise<number[]> {
  const cuts = [dataOffset]
  const fh = await open(path, 'r')
  try {
    const window = Buffer.alloc(1 << 16)
    for (let i = 1; i < parts; i++) {
      let at = Math.max(cuts[cuts.length - 1], Math.floor(dataOffset + ((size - dataOffset) * i) / parts))
      for (;;) {
        const {bytesRead} = await fh.read(window, 0, window.length, at)
        if (bytesRead === 0) {
          at = size
          break
        }
        const lf = window.subarray(0, bytesRead).indexOf(0x0a)
        if (lf >= 0) {
          at += lf + 1
          break
        }
        at += bytesRead
      }
      if (at > cuts[cuts.length - 1] && at < size) cuts.push(at)
    }
  } finally {
    await fh.close()
  }
  cuts.push(size)
  return cuts
}

function runWorker(task: PartTask, onBytes?: (bytes: number) => void): Promise<PartResult> {
  return new Promise((resolve, reject) => {
    const worker = takeWorker(task)
    worker.on('message', (message: PartMessage) => {
      if (message.kind === 'progress') {
        onBytes?.(message.bytes)
        return
      }
      resolve(message)
      void worker.terminate()
    })
    worker.once('error', reject)
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with code ${code}`))
    })
  })
}

/**
 * Evaluates a CSV file on `threads` threads (this one and workers), which claim its byte ranges one at a
 * time, and merges the ranges' states in file order. Returns false when the file must be read
 * sequentially instead: a range met a quoted field (its cut may sit inside one) or a bad value (the
 * sequential reader names the exact line, which a range cannot know: it does not count the lines before it).
 */
export async function evaluateCsvParallel(
  path: string,
  header: CsvHeader,
  layout: Layout,
  config: EvaluationConfig,
  evaluator: LossBreakdownEvaluator,
  into: LossBreakdownState,
  options: ParallelOptions & {size: number; unitBytes?: number; maxRecordBytes?: number},
): Promise<boolean> {
  const {size, unitBytes = UNIT_BYTES, maxRecordBytes} = options
  const units = Math.min(MAX_UNITS, Math.max(1, Math.ceil((size - header.dataOffset) / unitBytes)))
  const cuts = await splitAtLineStarts(path, header.dataOffset, size, units)
  const queue = createWorkQueue()
  const task: PartTask = {kind: 'csv', path, header, layout, config, queue, cuts, maxRecordBytes}
  return runAndMerge(task, options, evaluator, into, false)
}

/**
 * Evaluates an Arrow IPC file of `batches` record batches on `threads` threads, which claim groups of
 * batches one at a time (the file format allows random access to batches). A bad value or a corrupt batch
 * is thrown as the first one in file order, named by its batch and row in the file — what the sequential
 * reader says. Returns false when it must be read sequentially instead: a thread failed for a reason
 * that is not the input's (a worker that could not open the file).
 */
export async function evaluateArrowParallel(
  path: string,
  layout: Layout,
  config: EvaluationConfig,
  evaluator: LossBreakdownEvaluator,
  into: LossBreakdownState,
  options: ParallelOptions & {batches: number; size?: number},
): Promise<boolean> {
  const batchesPerUnit = Math.max(1, Math.ceil(options.batches / MAX_UNITS))
  const queue = createWorkQueue()
  const task: PartTask = {kind: 'arrow', path, layout, config, queue, batchesPerUnit, size: options.size ?? 0}
  return runAndMerge(task, options, evaluator, into, true)
}

export interface ParallelOptions {
  /** This thread and threads − 1 workers. */
  threads: number
  /** Told how many more bytes were read (for a progress bar). */
  onBytes?: (bytes: number) => void
}

/**
 * Runs the task on every thread; merges the units' states in unit (file) order only when all succeeded.
 * `throwsInputErrors`: a unit's input errors locate themselves in the file (Arrow batches), so the first
 * failed unit's error is thrown; otherwise any failure returns false for the sequential reader.
 *
 * Why the first failed unit's error is the sequential reader's: units are claimed in increasing order and
 * a thread that fails only stops the others from claiming more, so every unit before the first failed one
 * was read to its end without an error, and a unit is read in file order.
 */
async function runAndMerge(
  task: PartTask,
  {threads, onBytes}: ParallelOptions,
  evaluator: LossBreakdownEvaluator,
  into: LossBreakdownState,
  throwsInputErrors: boolean,
): Promise<boolean> {
  // The main thread takes part itself: it is already warm, and one worker fewer starts.
  const results = await Promise.all(
    Array.from({length: threads}, (_, i) => (i === 0 ? evaluatePart(task, onBytes) : runWorker(task, onBytes))),
  )
  let firstFailure: Extract<PartResult, {kind: 'failed'}> | undefined
  for (const result of results) {
    if (result.kind === 'quoted') return false
    if (result.kind === 'failed' && (!firstFailure || result.unit < firstFailure.unit)) firstFailure = result
  }
  if (firstFailure) {
    if (throwsInputErrors && firstFailure.error.kind !== 'other') throw rebuildPartError(firstFailure.error)
    return false
  }
  const units = []
  for (const result of results) if (result.kind === 'done') units.push(...result.units)
  units.sort((a, b) => a.unit - b.unit)
  // Units whose CE sums are finite apart may overflow together: then read the file on this thread, whose
  // update() names the row that takes the sum past the largest double.
  const total = units.reduce((sum, {state}) => sum + evaluator.ceTotal(state), evaluator.ceTotal(into))
  if (total - total !== 0) return false
  for (const {state} of units) evaluator.merge(into, state)
  return true
}
