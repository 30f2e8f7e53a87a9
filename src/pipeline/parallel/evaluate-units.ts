/**
 * A file's units (CSV byte ranges, groups of Arrow batches) read on several threads — this one and
 * workers — which claim units one at a time from a shared queue, each thread evaluating its units into a
 * partial state per unit. The states are merged in unit (file) order, so every thread count of 2 or more
 * gives the same doubles.
 *
 * A unit numbers its rows (and CSV lines) from its own start: once all units are in, each unit's base is the
 * rows and lines of the units before it, and its locations (the first skipped row of each reason, an error)
 * are moved to the file's numbering. The first failed unit's error is the one the sequential reader would
 * give: units are claimed in increasing order and a failure only stops further claims, so every unit before
 * the first failed one was read to its end.
 */
import {InputError, type InputLocation, rebaseLocation, UsageError} from '../../core/errors.js'
import {Evaluation} from '../../core/evaluation.js'
import {rebaseHardest} from '../../core/evaluators/hardest-rows.js'
import {rebaseInputFacts} from '../../core/state/input-facts.js'
import {mergeStatesInto, type PartialState, type Settings} from '../../core/state/partial-state.js'
import type {ReadExtent, UnitPlan} from '../../readers/prediction-source.js'
import {evaluatePart, type PartError, type PartMessage, type PartResult, type PartTask} from './evaluate-part-worker.js'
import {createWorkQueue} from './work-queue.js'
import {takeWorker} from './worker-pool.js'

export interface UnitsOptions {
  settings: Settings
  skip: boolean
  /** The file, and its position on the command line. */
  file: {path: string; order: number}
  /** Σ CE of the dataset's earlier files (for the check that the sum stays finite). */
  ceBefore: number
  onBytes?: (bytes: number) => void
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

/** A PartError as the error it was, its location moved to the file's numbering. */
function rebuildPartError({kind, problem, location, reason}: PartError, base: ReadExtent): Error {
  if (kind === 'usage') return new UsageError(problem)
  if (kind === 'other') return new Error(problem)
  return new InputError(
    problem,
    location === undefined ? undefined : rebaseLocation(location as InputLocation, base),
    reason,
  )
}

/**
 * Evaluates the plan's units and returns the file's merged state; 'sequential' when the file must be read
 * on this thread instead: a unit gave up (a CSV quoted field: a cut may sit inside it), a thread failed for
 * a reason that is not the input's, or parts whose CE sums are finite apart overflow together (the
 * sequential read names the row that takes the sum past the largest double).
 */
export async function evaluateUnits(plan: UnitPlan, options: UnitsOptions): Promise<PartialState | 'sequential'> {
  const task: PartTask = {
    unit: plan.task,
    units: plan.units,
    settings: options.settings,
    skip: options.skip,
    file: options.file,
    queue: createWorkQueue(),
  }
  // The main thread takes part itself: it is already warm, and one worker fewer starts.
  const results = await Promise.all(
    Array.from({length: plan.threads}, (_, i) =>
      i === 0 ? evaluatePart(task, options.onBytes) : runWorker(task, options.onBytes),
    ),
  )
  if (results.some((r) => r.kind === 'gave-up')) return 'sequential'
  const units = results.flatMap((r) => (r.kind === 'gave-up' ? [] : r.units)).sort((a, b) => a.unit - b.unit)
  // Where a unit starts in the file: the rows and lines of the units before it (all read to their end).
  const baseOf = (unit: number): ReadExtent => {
    const base = {rows: 0, lines: 0}
    for (const done of units) {
      if (done.unit >= unit) break
      base.rows += done.extent.rows
      base.lines += done.extent.lines
    }
    return base
  }
  let firstFailure: Extract<PartResult, {kind: 'failed'}> | undefined
  for (const result of results) {
    if (result.kind === 'failed' && (!firstFailure || result.unit < firstFailure.unit)) firstFailure = result
  }
  if (firstFailure) {
    if (firstFailure.error.kind === 'other') return 'sequential'
    throw rebuildPartError(firstFailure.error, baseOf(firstFailure.unit))
  }
  let ce = options.ceBefore
  for (const {state} of units) ce += Evaluation.ceTotal(state)
  if (ce - ce !== 0) return 'sequential'
  let merged: PartialState | undefined
  for (const {unit, state} of units) {
    rebaseInputFacts(state.input, baseOf(unit))
    if (state.sections.hardest !== undefined) rebaseHardest(state.sections.hardest, baseOf(unit))
    merged = merged === undefined ? state : mergeStatesInto(merged, state)
  }
  merged ??= new Evaluation(options.settings).take(options.file)
  for (const result of results) if (result.kind === 'done') mergeStatesInto(merged, result.thread)
  return merged
}
