import {statSync} from 'node:fs'

import {DEFAULT_PROB_TOLERANCE, type EvaluationConfig} from './core/config.js'
import {InputError, UsageError} from './core/errors.js'
import {LossBreakdownEvaluator, type LossBreakdownState} from './core/evaluators/loss-breakdown.js'
import {buildReport} from './core/report.js'
import type {FileFormat, Report, ScoreKind} from './core/result.js'
import {evaluateArrowParallel, evaluateCsvParallel, MIN_PARALLEL_BYTES} from './parallel/evaluate-parallel.js'
import type {LayoutFlags} from './readers/layout.js'
import {SkipLog} from './core/skip-log.js'
import {expandPaths} from './readers/expand-paths.js'
import {assertSameLayout, type OpenedPredictions, openPredictions} from './readers/open-predictions.js'

export interface AnalyzeOptions extends LayoutFlags {
  format?: FileFormat
  gammas: number[]
  alpha: number | null
  easyThreshold: number
  eps: number
  scores?: ScoreKind
  /** Worker threads for large files; 1 reads in the main thread only. */
  threads: number
  /** 'fail' stops at the first unusable row; 'skip' leaves such rows out, counted per reason. */
  onInvalid: 'fail' | 'skip'
  rowSumTolerance: number
  rowSumPolicy: 'refuse' | 'renormalize'
  /** Names for the classes of an index-labelled file, in index order (replaces "0", "1", …). */
  classNames?: string[]
  /** Told the bytes read so far out of the total size of the (plain) input files, as reading goes. */
  onProgress?: (done: number, total: number) => void
}

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0 // openPredictions reports the real problem with the file
  }
}

/**
 * Arrow columns are read in place, so a file costs little more than the maths; a second thread must also
 * read the footer, decode its own batches and warm its own JIT, and each one adds ~50 MB of RSS. Measured
 * on 10 M binary rows (120 MB) and 2 M × 20 (328 MB) on 2 cores: no gain or a loss in wall time, +50–100 MB.
 * So only very large Arrow files are split.
 */
const MIN_PARALLEL_ARROW_BYTES = 1 << 30

/**
 * Large files are split across worker threads: a CSV by byte ranges, an Arrow IPC file by record batches.
 * False means "read it on this thread" (small file, one thread, a stream, or a part that gave up).
 */
async function tryParallel(
  path: string,
  opened: OpenedPredictions,
  config: EvaluationConfig,
  evaluator: LossBreakdownEvaluator,
  state: LossBreakdownState,
  threads: number,
  onBytes: (bytes: number) => void,
): Promise<boolean> {
  if (threads < 2 || opened.size < MIN_PARALLEL_BYTES) return false
  if (opened.csv) {
    const {header} = opened.csv
    return evaluateCsvParallel(path, header, opened.layout, config, evaluator, state, threads, opened.size, onBytes)
  }
  if (opened.arrowBatches !== undefined && opened.arrowBatches >= 2 && opened.size >= MIN_PARALLEL_ARROW_BYTES) {
    await opened.release()
    return evaluateArrowParallel(path, opened.layout, config, evaluator, state, Math.min(threads, opened.arrowBatches))
  }
  return false
}

/**
 * The whole job of `report`: stream every file (one dataset) through the loss-breakdown evaluator and
 * build the report. Files are read one after another, chunk by chunk, so memory does not grow with size.
 */
export async function analyzePredictions(paths: string[], options: AnalyzeOptions): Promise<Report> {
  const files = expandPaths(paths)
  // Skipped rows are logged on this thread, so skip mode reads sequentially.
  const skip = options.onInvalid === 'skip' ? new SkipLog() : undefined
  const threads = skip ? 1 : options.threads
  // Progress: bytes read out of the plain files' total size (streams have no size and report nothing).
  const total = files.reduce((sum, f) => sum + (f === '-' ? 0 : fileSize(f)), 0)
  let done = 0
  const onBytes = (bytes: number): void => {
    done += bytes
    options.onProgress?.(Math.min(done, total), total)
  }
  const first = await openPredictions(files[0], options, options.format, skip, onBytes)
  const classes = options.classNames ?? first.layout.classes
  if (classes.length !== first.layout.classes.length) {
    throw new UsageError(
      `--class-names: expected ${first.layout.classes.length} names for the ${first.layout.classes.length} classes, got ${classes.length}`,
    )
  }
  const config: EvaluationConfig = {
    task: first.layout.task,
    scores: first.layout.scores,
    numClasses: first.layout.classes.length,
    gammas: options.gammas,
    alpha: options.alpha,
    easyThreshold: options.easyThreshold,
    eps: options.eps,
    probTolerance: DEFAULT_PROB_TOLERANCE,
    rowSumTolerance: options.rowSumTolerance,
    rowSumPolicy: options.rowSumPolicy,
  }
  const evaluator = new LossBreakdownEvaluator(config)
  const state = evaluator.init()
  const fileRows: number[] = []
  let rowsBefore = 0
  for (let f = 0; f < files.length; f++) {
    const opened = f === 0 ? first : await openPredictions(files[f], options, options.format, skip, onBytes)
    if (f > 0) assertSameLayout(first.layout, opened.layout, files[f])
    if (!(await tryParallel(files[f], opened, config, evaluator, state, threads, onBytes))) {
      for await (const chunk of opened.chunks) evaluator.update(state, chunk, skip)
    }
    // Sum the pending rows so the count is per file (blocks then restart at each file).
    evaluator.finish(state)
    const rows = state.count.reduce((a, b) => a + b, 0)
    fileRows.push(rows - rowsBefore)
    rowsBefore = rows
  }
  const report = buildReport(state, config, {
    files,
    format: first.format,
    classes,
    fileRows,
    skipped: skip
      ? [...skip.counts].map(([reason, count]) => ({reason, count, first: skip.first.get(reason) ?? ''}))
      : [],
  })
  // An empty dataset has no loss to break down; a gate must not pass on it.
  if (report.input.rows === 0) {
    const why = skip && skip.total > 0 ? ` (all ${skip.total} rows were skipped as invalid)` : ''
    throw new InputError(`expected at least one data row, got none${why}`, {file: files.join(', ')})
  }
  return report
}
