import type {EvaluationConfig} from '../../src/core/config.js'
import {Evaluation, type EvaluationOptions} from '../../src/core/evaluation.js'
import type {PredictionChunk} from '../../src/core/chunk.js'
import {compensatedValue} from '../../src/core/state/merge-rules.js'
import {type PartialState, type Settings, settingsOf} from '../../src/core/state/partial-state.js'
import {buildReport} from '../../src/report/build-report.js'
import type {Report} from '../../src/report/types.js'
import {makeChunk} from './make-chunk.js'

/** The settings of a config, with class names "0", "1", … unless given. */
export function settingsFor(config: EvaluationConfig, classes?: string[], softLabels = false): Settings {
  return settingsOf(config, classes ?? Array.from({length: config.numClasses}, (_, c) => String(c)), softLabels)
}

/** Rows of `width` scores each, fed to a fresh Evaluation in chunks cut at `cuts`: the file's state. */
export function evaluateRows(
  config: EvaluationConfig,
  labels: number[],
  scores: number[],
  width: number,
  cuts: number[] = [],
  options: EvaluationOptions & {classes?: string[]; softLabels?: boolean} = {},
): PartialState {
  const evaluation = new Evaluation(settingsFor(config, options.classes, options.softLabels), options)
  const rows = labels.length
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < rows).sort((a, b) => a - b), rows]
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [from, to] = [bounds[i], bounds[i + 1]]
    evaluation.update(makeChunk(labels.slice(from, to), scores.slice(from * width, to * width), width))
  }
  return evaluation.take({path: 'test', order: 0})
}

/** Chunks as given, through one Evaluation. */
export function evaluateChunks(
  config: EvaluationConfig,
  chunks: Iterable<PredictionChunk>,
  options: EvaluationOptions & {classes?: string[]; softLabels?: boolean} = {},
): PartialState {
  const evaluation = new Evaluation(settingsFor(config, options.classes, options.softLabels), options)
  for (const chunk of chunks) evaluation.update(chunk)
  return evaluation.take({path: 'test', order: 0})
}

/** The report of a state (format csv, no warnings). */
export function reportOf(state: PartialState): Report {
  return buildReport(state, {format: 'csv'})
}

/** Every sum of a state's breakdown as one list of numbers (compensated sums as their values), to compare states. */
export function breakdownValues(state: PartialState): number[] {
  const b = state.breakdown
  const values = (c: {sum: Float64Array; comp: Float64Array}): number[] =>
    Array.from(c.sum, (_, i) => compensatedValue(c, i))
  return [
    ...b.count,
    ...values(b.ce),
    ...values(b.focal),
    ...values(b.targetCe),
    ...values(b.targetFocal),
    ...values(b.poly),
    ...values(b.squares),
    ...values(b.cross),
    ...values(b.hsq),
  ]
}
