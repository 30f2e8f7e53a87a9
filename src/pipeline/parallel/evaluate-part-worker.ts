/**
 * Worker thread entry (and the main thread's share of the work, evaluatePart): claims units of a file from a
 * shared queue, evaluates each into a partial state, and posts back one state per unit with what the unit
 * covered (its rows and lines, for the rebase). See evaluate-units.ts.
 */
import {parentPort, workerData} from 'node:worker_threads'

import {InputError, type InputLocation, type SkipReason, UsageError} from '../../core/errors.js'
import {Evaluation} from '../../core/evaluation.js'
import type {PartialState, Settings} from '../../core/state/partial-state.js'
import {type ReadExtent, UnitGaveUp, type UnitTask} from '../../readers/prediction-source.js'
import {openUnits} from '../../readers/registry.js'
import {claimUnit, closeQueue, type WorkQueue} from './work-queue.js'
import {AWAIT_TASK} from './worker-pool.js'

/** What every thread gets: the format's unit task, the run's settings, the file, and the shared queue. */
export interface PartTask {
  unit: UnitTask
  units: number
  settings: Settings
  skip: boolean
  file: {path: string; order: number}
  queue: WorkQueue
}

/** The state of one unit, and the data rows and lines it covered. */
export interface UnitResult {
  unit: number
  state: PartialState
  extent: ReadExtent
}

/**
 * An error as it crosses from a worker to the main thread (a structured clone keeps no class): `kind` says
 * which it was, InputError and UsageError being the input's fault, anything else (`other`) not.
 */
export interface PartError {
  kind: 'input' | 'usage' | 'other'
  problem: string
  location?: InputLocation
  reason?: SkipReason
}

/** `units`: the units read to their end (a failed thread's too, for the rebase); `unit`: the one that failed. */
export type PartResult =
  | {kind: 'done'; units: UnitResult[]; thread: PartialState}
  | {kind: 'gave-up'}
  | {kind: 'failed'; unit: number; error: PartError; units: UnitResult[]}

/** A worker's message: bytes read so far (for the progress bar), then exactly one result. */
export type PartMessage = PartResult | {kind: 'progress'; bytes: number}

function partError(error: unknown): PartError {
  if (error instanceof InputError) {
    return {kind: 'input', problem: error.problem, location: error.location, reason: error.reason}
  }
  if (error instanceof UsageError) return {kind: 'usage', problem: error.message}
  return {kind: 'other', problem: error instanceof Error ? error.message : String(error)}
}

/** Claims and evaluates units until none is left; runs in a worker, or on the main thread. */
export async function evaluatePart(task: PartTask, onBytes?: (bytes: number) => void): Promise<PartResult> {
  const units: UnitResult[] = []
  let unit = -1
  try {
    const evaluation = new Evaluation(task.settings, {skip: task.skip})
    const reader = await openUnits(task.unit)
    try {
      for (unit = claimUnit(task.queue); unit < task.units; unit = claimUnit(task.queue)) {
        const read = reader.read(unit, {skip: evaluation.skip, onBytes})
        for await (const chunk of read.chunks) evaluation.update(chunk)
        units.push({unit, state: evaluation.take(task.file, {threadParts: false}), extent: {...read.extent}})
      }
    } finally {
      await reader.close()
    }
    // What the thread kept across its units (counts that merge in any order), handed over once.
    return {kind: 'done', units, thread: evaluation.take(task.file)}
  } catch (error) {
    closeQueue(task.queue)
    if (error instanceof UnitGaveUp) return {kind: 'gave-up'}
    return {kind: 'failed', unit, error: partError(error), units}
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
