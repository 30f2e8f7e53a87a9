/**
 * The whole job of `report` and `gate`: open every file (one dataset), evaluate each — on several threads
 * when it is large — into a partial state, merge the states, and build the report. Files are read one after
 * another, chunk by chunk, so memory does not grow with their size.
 */
import {statSync} from 'node:fs'

import {type AlphaSpec, DEFAULT_PROB_TOLERANCE, type EvaluationConfig} from '../core/config.js'
import {InputError, UsageError} from '../core/errors.js'
import type {HardestSettings} from '../core/evaluators/hardest-rows.js'
import {Evaluation} from '../core/evaluation.js'
import type {FileFormat, ScoreKind, Task} from '../core/kinds.js'
import {type LossFlags, lossOptions} from '../core/loss-options.js'
import {probabilityEvidence} from '../core/rows/score-range.js'
import {mergeStatesInto, type PartialState, type Settings, settingsOf} from '../core/state/partial-state.js'
import {expandPaths} from '../readers/expand-paths.js'
import {assertSameLayout, openSource, STDIN} from '../readers/open-source.js'
import type {Layout} from '../readers/layout.js'
import type {PredictionSource, ReadFlags} from '../readers/prediction-source.js'
import {buildReport} from '../report/build-report.js'
import type {Report} from '../report/types.js'
import {evaluateSource} from './evaluate-source.js'
import {type ByteSink, openRowsOut, type RowsFormat} from './rows-out/rows-out.js'

export interface AnalyzeOptions extends ReadFlags, LossFlags {
  format?: FileFormat
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
  /** Told the bytes read so far out of the total size of the (plain) input files, as reading goes. */
  onProgress?: (done: number, total: number) => void
  /** Loss concentration (default off here; `report` and `gate` turn it on unless --no-concentration). */
  concentration?: boolean
  /** Accuracy, confusions, calibration (default off here; --metrics). */
  metrics?: boolean
  /** --class-ece: multi-class classwise ECE. */
  classEce?: boolean
  /** --positive-class: a multi-class input read as this class (name or index) vs the rest. */
  positiveClass?: string
  /** --alphas: the γ × α grid. */
  alphas?: number[]
  /** --top, --top-per-class, --top-gamma: keep the hardest elements. */
  hardest?: HardestSettings
  /** --rows-out: every element's values, in this format, to this sink (files are then read on one thread). */
  rowsOut?: {format: RowsFormat; sink: ByteSink}
}

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0 // openSource reports the real problem with the file
  }
}

/** The evaluation config of a dataset whose first file has this layout (also `sql`'s, from flags). */
export function evaluationConfig(layout: Layout, options: AnalyzeOptions): EvaluationConfig {
  const positive = positiveClassIndex(layout, options)
  // --positive-class: the binary task "C vs the rest", of two classes.
  const task = positive === undefined ? layout.task : 'binary'
  const K = positive === undefined ? layout.classes.length : 2
  return {
    task,
    scores: layout.scores,
    numClasses: K,
    easyThreshold: options.easyThreshold,
    eps: options.eps,
    probTolerance: DEFAULT_PROB_TOLERANCE,
    rowSumTolerance: options.rowSumTolerance,
    rowSumPolicy: options.rowSumPolicy,
    ...lossOptions(options, task, K),
    elementLayout: layout.elementLayout,
    ...(positive === undefined ? {} : {positiveClass: positive}),
    ...(options.concentration ? {concentration: true} : {}),
    ...(options.hardest === undefined ? {} : {hardest: options.hardest}),
    ...(options.metrics ? {metrics: true} : {}),
    ...(options.metrics && options.classEce && layout.task === 'multiclass' ? {classEce: true} : {}),
    ...(options.alphas === undefined ? {} : {gridAlphas: gridAlphas(options, task, K)}),
  }
}

/**
 * --positive-class C: C's index among the input's classes (a class name, after --class-names, or an index);
 * undefined without the flag. A UsageError for an input that is not multi-class or a class it does not have.
 */
export function positiveClassIndex(layout: Layout, options: AnalyzeOptions): number | undefined {
  const wanted = options.positiveClass
  if (wanted === undefined) return undefined
  if (layout.task !== 'multiclass') {
    throw new UsageError(`--positive-class: expected a multi-class input, got a ${layout.task} one`)
  }
  const names = options.classNames ?? layout.classes
  const byName = names.indexOf(wanted)
  if (byName >= 0) return byName
  const index = /^\d+$/.test(wanted) ? Number(wanted) : -1
  if (index >= 0 && index < names.length) return index
  const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ')
  throw new UsageError(
    `--positive-class: expected a class name (${shown}) or an index below ${names.length}, got ${JSON.stringify(wanted)}`,
  )
}

/** The class names of the settings: with --positive-class, "not C" and C (labels 0 and 1). */
export function settingsClasses(config: EvaluationConfig, classes: string[]): string[] {
  if (config.positiveClass === undefined) return classes
  const name = classes[config.positiveClass]
  return [`not ${name}`, name]
}

/** Each α of --alphas as `--alpha A` would apply it (a preset may turn it into a list, as kornia does). */
function gridAlphas(options: AnalyzeOptions, task: Task, classes: number): {alpha: number; spec: AlphaSpec}[] {
  return (options.alphas ?? []).map((alpha) => ({
    alpha,
    spec: lossOptions(
      {
        ...options,
        alphaSpec: {kind: 'scalar', value: alpha},
        explicit: {gammas: options.explicit?.gammas ?? true, alpha: true},
      },
      task,
      classes,
    ).alphaSpec,
  }))
}

/** Evaluates every file into one merged partial state (the dataset's). */
export async function analyzeToState(
  paths: string[],
  options: AnalyzeOptions,
): Promise<{state: PartialState; first: PredictionSource; files: string[]; formats: FileFormat[]}> {
  const files = expandPaths(paths)
  // Progress: bytes read out of the plain files' total size (streams have no size and report nothing).
  const total = files.reduce((sum, f) => sum + (f === STDIN ? 0 : fileSize(f)), 0)
  let done = 0
  const onBytes = (bytes: number): void => {
    done += bytes
    options.onProgress?.(Math.min(done, total), total)
  }
  const first = await openSource(files[0], options, options.format)
  const classes = options.classNames ?? first.layout.classes
  if (classes.length !== first.layout.classes.length) {
    await first.close()
    throw new UsageError(
      `--class-names: expected ${first.layout.classes.length} names for the ${first.layout.classes.length} classes, got ${classes.length}`,
    )
  }
  const config = evaluationConfig(first.layout, options)
  const settings = settingsOf(config, settingsClasses(config, classes), options.softLabels === true)
  let state: PartialState | undefined
  const formats: FileFormat[] = []
  const rowsOut =
    options.rowsOut === undefined
      ? undefined
      : await openRowsOut(options.rowsOut.format, {settings, files, idColumn: options.idCol}, options.rowsOut.sink)
  for (let f = 0; f < files.length; f++) {
    const source = f === 0 ? first : await openSource(files[f], options, options.format)
    formats.push(source.format)
    if (f > 0) assertSameLayout(first.layout, source.layout, files[f])
    const ceBefore = state === undefined ? 0 : Evaluation.ceTotal(state)
    rowsOut?.startFile(f)
    const options_ = {
      threads: options.threads,
      skip: options.onInvalid === 'skip',
      order: f,
      ceBefore,
      onBytes,
      rowSink: rowsOut,
    }
    const fileState = await evaluateSource(source, settings, options_)
    state = state === undefined ? fileState : mergeStatesInto(state, fileState)
  }
  rowsOut?.end()
  return {state: state as PartialState, first, files, formats}
}

/** What the report of a state needs besides the state. */
export interface StateReportContext {
  /** The format of the first file. */
  format: FileFormat
  /** --scores was given (else the kind was told from the column names). */
  scoresGiven: boolean
  /** What the input is called in messages: the files, or the state files. */
  source: string
  /** The score column the kind was told from, when known. */
  scoreColumn?: string
  /** Lines for `input.warnings` known before the report (e.g. sections an SQL query does not compute). */
  warnings?: string[]
  /** merge --top / --top-per-class: show fewer hardest rows than the state kept. */
  top?: {rows?: number; perClass?: number}
}

/**
 * The report of a dataset's state: refuses one with no rows (a gate must not pass on it) and probabilities
 * read as logits (a wrong number with no error), unless --scores logits said so (then a warning).
 */
export function reportOfState(state: PartialState, context: StateReportContext): Report {
  const {input, settings} = state
  if (input.rows === 0) {
    const skipped = input.skipped.reduce((n, s) => n + s.count, 0)
    const why = skipped > 0 ? ` (all ${skipped} rows were skipped as invalid)` : ''
    throw new InputError(`expected at least one data row, got none${why}`, {file: context.source})
  }
  const warnings: string[] = [...(context.warnings ?? [])]
  const evidence = probabilityEvidence(input, settings)
  if (evidence !== null) {
    if (!context.scoresGiven) {
      const told = context.scoreColumn === undefined ? 'the column names' : `the column name "${context.scoreColumn}"`
      throw new InputError(
        `expected logits (told from ${told}), got scores that look like probabilities: ` +
          `${evidence}; pass --scores probs to read them as probabilities, or --scores logits if they are logits`,
        {file: context.source},
      )
    }
    warnings.push(`the scores look like probabilities (${evidence}) but are read as logits, as --scores logits says`)
  }
  return buildReport(state, {format: context.format, warnings, top: context.top})
}

/** The report of the dataset, with the state it was built from and each file's format (for --state-out). */
export async function analyzeWithState(
  paths: string[],
  options: AnalyzeOptions,
): Promise<{report: Report; state: PartialState; formats: FileFormat[]}> {
  const {state, first, files, formats} = await analyzeToState(paths, options)
  const report = reportOfState(state, {
    format: first.format,
    scoresGiven: options.scores !== undefined,
    source: files.join(', '),
    scoreColumn: first.layout.listColumn ?? first.layout.scoreColumns[0],
  })
  return {report, state, formats}
}

/** The report of the dataset (analyzeWithState without the state). */
export async function analyzePredictions(paths: string[], options: AnalyzeOptions): Promise<Report> {
  return (await analyzeWithState(paths, options)).report
}

/** analyzePredictions, with the settings the figures were computed with (compare reads the rows again with them). */
export async function analyzeDataset(
  paths: string[],
  options: AnalyzeOptions,
): Promise<{report: Report; settings: Settings}> {
  const {report, state} = await analyzeWithState(paths, options)
  return {report, settings: state.settings}
}
