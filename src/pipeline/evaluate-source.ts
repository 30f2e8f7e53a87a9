import {Evaluation, type RowSink} from '../core/evaluation.js'
import type {PartialState, Settings} from '../core/state/partial-state.js'
import type {PlanTuning, PredictionSource} from '../readers/prediction-source.js'
import {evaluateUnits} from './parallel/evaluate-units.js'

export interface SourceOptions {
  /** This thread and threads − 1 workers, when the source splits into units. */
  threads: number
  /** --on-invalid skip. */
  skip: boolean
  /** The file's position on the command line. */
  order: number
  /** Σ CE of the dataset's earlier files (for the check that the sum stays finite). */
  ceBefore: number
  onBytes?: (bytes: number) => void
  /** Plan sizes (tests split small files). */
  tuning?: PlanTuning
  /** --rows-out: every element, in input order — so the file is read on this thread. */
  rowSink?: RowSink
}

/**
 * One file's partial state: its units on several threads when it splits (evaluate-units.ts), else — or
 * when a unit gave up — all of it on this thread. Closes the source.
 */
export async function evaluateSource(
  source: PredictionSource,
  settings: Settings,
  options: SourceOptions,
): Promise<PartialState> {
  const file = {path: source.path, order: options.order}
  try {
    const plan =
      options.threads >= 2 && options.rowSink === undefined ? await source.plan(options.threads, options.tuning) : null
    if (plan !== null) {
      const state = await evaluateUnits(plan, {...options, settings, file})
      if (state !== 'sequential') return state
    }
    const evaluation = new Evaluation(settings, {
      skip: options.skip,
      ceBefore: options.ceBefore,
      rowSink: options.rowSink,
    })
    const read = source.read({skip: evaluation.skip, onBytes: options.onBytes})
    for await (const chunk of read.chunks) evaluation.update(chunk)
    return evaluation.take(file)
  } finally {
    await source.close()
  }
}
