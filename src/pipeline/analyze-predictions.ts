import {statSync} from 'node:fs'

import {type AlphaSpec, DEFAULT_PROB_TOLERANCE, type EvaluationConfig} from '../core/config.js'
import {InputError, UsageError} from '../core/errors.js'
import {
  LossBreakdownEvaluator,
  type LossBreakdownState,
  probabilityEvidence,
} from '../core/evaluators/loss-breakdown.js'
import {buildReport} from '../report/build-report.js'
import {korniaClassAlpha, type PresetName, presetSettings} from '../core/presets.js'
import type {Reduction} from '../core/reduction.js'
import type {FileFormat, LossVariant, ScoreKind, Task} from '../core/kinds.js'
import type {Report} from '../report/types.js'
import {evaluateArrowParallel, evaluateCsvParallel, MIN_PARALLEL_BYTES} from './parallel/evaluate-parallel.js'
import type {LayoutFlags} from '../readers/layout.js'
import {SkipLog} from '../core/skip-log.js'
import {expandPaths} from '../readers/expand-paths.js'
import {assertSameLayout, type OpenedPredictions, openPredictions} from '../readers/open-predictions.js'

export interface AnalyzeOptions extends LayoutFlags {
  format?: FileFormat
  gammas: number[]
  alpha: number | null
  easyThreshold: number
  eps: number
  /** --scores, only when given: absent, the kind is told from the column names. */
  scores?: ScoreKind
  /** Worker threads for large files; 1 reads in the main thread only. */
  threads: number
  /** 'fail' stops at the first unusable row; 'skip' leaves such rows out, counted per reason. */
  onInvalid: 'fail' | 'skip'
  rowSumTolerance: number
  rowSumPolicy: 'refuse' | 'renormalize'
  /** Names for the classes of an index-labelled file, in index order (replaces "0", "1", …). */
  classNames?: string[]
  /** The full α option (per-class list, class-balanced); `alpha` is its scalar, if any. */
  alphaSpec?: AlphaSpec
  /** A reference's defaults for γ, α and reduction; `explicit` says which of γ, α the user gave. */
  preset?: PresetName
  explicit?: {gammas: boolean; alpha: boolean}
  loss?: LossVariant
  polyEpsilon?: number
  reduction?: Reduction
  /** A CSV record longer than this many bytes stops the run (default 64 MiB), so a line cannot fill memory. */
  maxRecordBytes?: number
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
 * start, read the footer and warm its own JIT (~0.15 s). Batches that focalscope decodes itself reuse one
 * body buffer per thread, so a thread adds ~20 MB, not the ~60 MB of spent apache-arrow buffers it used
 * to. Measured on 2 cores, 3 runs each: 10 M binary rows (120 MB) 0.79–0.89 s with 2 threads vs
 * 0.98–1.22 s with 1 (RSS 90 vs 70 MB); 2 M × 20 (328 MB) 1.24–1.30 s vs 1.23–1.87 s (110 vs 80 MB).
 */
const MIN_PARALLEL_ARROW_BYTES = 1 << 24
/**
 * Batches apache-arrow decodes (strings, dictionaries, compression) leave ~60 MB of spent buffers per
 * thread: the 10 M binary file read that way gained 10–15 % on 2 threads for +45 MB (160 MB). Such files
 * are split from this size.
 */
const MIN_PARALLEL_APACHE_ARROW_BYTES = 1 << 27

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
    const {header, maxRecordBytes} = opened.csv
    const options = {threads, size: opened.size, onBytes, maxRecordBytes}
    return evaluateCsvParallel(path, header, opened.layout, config, evaluator, state, options)
  }
  const minArrowBytes = opened.arrowNative ? MIN_PARALLEL_ARROW_BYTES : MIN_PARALLEL_APACHE_ARROW_BYTES
  if (opened.arrowBatches !== undefined && opened.arrowBatches >= 2 && opened.size >= minArrowBytes) {
    const options = {
      threads: Math.min(threads, opened.arrowBatches),
      batches: opened.arrowBatches,
      size: opened.size,
      onBytes,
    }
    // The threads open the file themselves. This one's handle is closed only once they have read it (or
    // thrown its first bad value): when they give up, the sequential reader reads through it.
    let done = true
    try {
      done = await evaluateArrowParallel(path, opened.layout, config, evaluator, state, options)
      return done
    } finally {
      if (done) await opened.release()
    }
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
    easyThreshold: options.easyThreshold,
    eps: options.eps,
    probTolerance: DEFAULT_PROB_TOLERANCE,
    rowSumTolerance: options.rowSumTolerance,
    rowSumPolicy: options.rowSumPolicy,
    ...lossOptions(options, first.layout.task, first.layout.classes.length),
    elementLayout: first.layout.elementLayout,
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
    const rows = state.rows
    fileRows.push(rows - rowsBefore)
    rowsBefore = rows
  }
  const warnings: string[] = []
  // Probabilities read as logits give wrong figures and no error: when the scores look like probabilities,
  // a kind told from the column names stops the run; --scores logits (the user's word) gets a warning.
  const evidence = probabilityEvidence(state, config)
  if (evidence !== null) {
    if (options.scores === undefined) {
      const column = first.layout.listColumn ?? first.layout.scoreColumns[0]
      throw new InputError(
        `expected logits (told from the column name "${column}"), got scores that look like probabilities: ` +
          `${evidence}; pass --scores probs to read them as probabilities, or --scores logits if they are logits`,
        {file: files.join(', ')},
      )
    }
    warnings.push(`the scores look like probabilities (${evidence}) but are read as logits, as --scores logits says`)
  }
  const report = buildReport(state, config, {
    files,
    format: first.format,
    classes,
    fileRows,
    warnings,
    softLabels: options.softLabels === true,
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

/**
 * γ, α, loss and reduction after the preset (whose values give way to explicit flags), checked against
 * the task: varifocal is a sigmoid loss, a per-class α needs one value per class.
 */
export function lossOptions(
  options: Pick<
    AnalyzeOptions,
    'gammas' | 'alpha' | 'alphaSpec' | 'preset' | 'explicit' | 'loss' | 'polyEpsilon' | 'reduction'
  >,
  task: Task,
  numClasses: number,
): Pick<
  EvaluationConfig,
  'gammas' | 'alpha' | 'alphaSpec' | 'loss' | 'polyEpsilon' | 'preset' | 'reduction' | 'reductionSource' | 'korniaTerms'
> {
  const loss = options.loss ?? 'focal'
  if (loss === 'varifocal' && task === 'multiclass') {
    throw new UsageError(
      '--loss varifocal: expected a binary or multi-label input (a sigmoid loss), got a multi-class one',
    )
  }
  let gammas = options.gammas
  let alphaSpec: AlphaSpec =
    options.alphaSpec ?? (options.alpha === null ? {kind: 'none'} : {kind: 'scalar', value: options.alpha})
  let reduction = options.reduction
  let reductionSource: string | undefined
  if (options.preset) {
    const preset = presetSettings(options.preset, task, loss)
    if (!options.explicit?.gammas) gammas = preset.gammas
    if (!options.explicit?.alpha) alphaSpec = preset.alpha
    // ultralytics applies α only when it is > 0 (`if (self.alpha > 0).any()`).
    if (options.preset === 'ultralytics' && alphaSpec.kind === 'scalar' && alphaSpec.value <= 0)
      alphaSpec = {kind: 'none'}
    // kornia ≥ 0.7's softmax focal loss turns a scalar α into the vector [1 − α, α, …, α].
    if (options.preset === 'kornia' && task === 'multiclass' && alphaSpec.kind === 'scalar') {
      alphaSpec = korniaClassAlpha(alphaSpec.value, numClasses)
    }
    if (reduction === undefined) {
      reduction = preset.reduction
      reductionSource = preset.source
    }
  }
  if (loss === 'ce') gammas = [0]
  if (alphaSpec.kind === 'list' && alphaSpec.values.length !== numClasses) {
    throw new UsageError(`--alpha: expected ${numClasses} values, one per class, got ${alphaSpec.values.length}`)
  }
  return {
    gammas,
    alpha: alphaSpec.kind === 'scalar' ? alphaSpec.value : null,
    alphaSpec,
    loss,
    polyEpsilon: options.polyEpsilon ?? 1,
    preset: options.preset,
    reduction,
    reductionSource,
    // kornia's focal losses differ from focalscope's sum on these inputs (a binary file's 0/1 labels match exactly).
    korniaTerms: options.preset === 'kornia' && task !== 'binary' && (loss === 'focal' || loss === 'ce'),
  }
}
