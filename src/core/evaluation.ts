/**
 * One evaluation of prediction chunks on one thread: each chunk's rows are prepared once (prepare-rows.ts)
 * into a block that every evaluator reads, and `take` hands over everything read since the last take as a
 * PartialState. The pipeline makes one per thread and takes a state per unit of work (a file, a byte range,
 * a group of batches); states merge in the pipeline. Pure: no I/O.
 *
 * Example: `const e = new Evaluation(settings); e.update(chunk); const state = e.take({path: 'a.csv', order: 0})`.
 */
import type {PredictionChunk} from './chunk.js'
import type {InputError} from './errors.js'
import type {Evaluator} from './evaluators/evaluator.js'
import {type SectionName, sectionsFor} from './evaluators/sections.js'
import {KERNEL_CALL_ROWS, LossBreakdownEvaluator} from './evaluators/loss-breakdown.js'
import {OneVsRest} from './rows/one-vs-rest.js'
import {elementsPerRow, type PrepareContext, type PrepareRows, rowPreparer} from './rows/prepare-rows.js'
import {FOLD_ROWS, type PreparedRows, preparedRows} from './rows/prepared-rows.js'
import {scanScoreRange} from './rows/score-range.js'
import {SkipLog} from './skip-log.js'
import {emptyInputFacts, type InputFacts} from './state/input-facts.js'
import type {Sections} from './evaluators/sections.js'
import {PARTIAL_STATE_VERSION, type PartialState, type Settings} from './state/partial-state.js'

export interface EvaluationOptions {
  /** --on-invalid skip: rows that cannot be used are logged and left out instead of stopping the run. */
  skip?: boolean
  /** Σ CE of the dataset before these rows (earlier files), for the check that the CE sum stays finite. */
  ceBefore?: number
  /**
   * Binary logits are summed as read, in the fused kernel, unless an evaluator needs each element — or this
   * is false (the tests compare both ways: the same doubles).
   */
  fuse?: boolean
  /** --rows-out: handed every prepared element as it is read, in input order (not part of the state). */
  rowSink?: RowSink
}

/** Receives prepared elements [from, to) of `rows`, read from `chunk` (valid during the call only). */
export interface RowSink {
  write(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void
}

export class Evaluation {
  readonly settings: Settings
  /** Under --on-invalid skip, where the readers (and the preparer) log the rows they leave out. */
  readonly skip: SkipLog | undefined
  private readonly breakdown: LossBreakdownEvaluator
  /** The evaluators of the optional sections these settings keep (evaluators/sections.ts). */
  private readonly sections: {name: SectionName; evaluator: Evaluator<object, unknown>}[]
  /** Those that read the prepared rows (fused: all but the one whose CE histograms the kernel fills). */
  private readonly rowSections: {name: SectionName; evaluator: Evaluator<object, unknown>}[]
  private readonly prepare: PrepareRows
  private readonly rows: PreparedRows
  private readonly perRow: number
  private readonly context: PrepareContext
  private facts: InputFacts = emptyInputFacts()
  /** Binary logits with nothing that needs each element: the breakdown sums them as read. */
  private readonly fused: boolean
  private readonly rowSink: RowSink | undefined
  /** Fused, and every row reader keeps only the hardest rows: the kernel writes only candidates. */
  private readonly packed: boolean
  /** The smallest CE a row needs to change a row reader's state (its `candidateThreshold`). */
  private readonly candidateThreshold = (): number => {
    let least = Infinity
    for (const {evaluator} of this.rowSections) least = Math.min(least, evaluator.candidateThreshold?.() ?? -Infinity)
    return least
  }
  /** --positive-class: each multi-class chunk is read as binary first. */
  private readonly oneVsRest: OneVsRest | undefined

  constructor(settings: Settings, options: EvaluationOptions = {}) {
    this.settings = settings
    this.skip = options.skip ? new SkipLog() : undefined
    this.perRow = elementsPerRow(settings)
    const capacity = Math.max(FOLD_ROWS, this.perRow)
    this.rows = preparedRows(capacity, settings.task === 'multilabel', settings.metrics === true)
    this.sections = sectionsFor(settings).map((entry) => ({
      name: entry.name,
      evaluator: entry.create(settings, capacity) as Evaluator<object, unknown>,
    }))
    // Binary logits are summed as read (the fused kernel), which also counts each row's CE in the histograms
    // of a section that keeps only those (the concentration's); when another section needs each row, the
    // kernel also writes them to the block (four stores a row), which costs far less than preparing them apart.
    const binaryLogits = settings.task === 'binary' && settings.scores === 'logits'
    this.fused = binaryLogits && options.fuse !== false
    const histogramSection = this.fused
      ? this.sections.find(({evaluator}) => evaluator.ceHistograms?.() !== undefined)
      : undefined
    // Likewise the metrics' counts: the kernel adds each row's to block sums the section folds.
    const kernelSection = this.fused
      ? this.sections.find(({evaluator}) => evaluator.kernelSums?.() !== undefined)
      : undefined
    this.rowSections = this.sections.filter((section) => section !== histogramSection && section !== kernelSection)
    this.rowSink = options.rowSink
    // When the only readers of rows keep the hardest, the kernel writes only the rows that could enter.
    this.packed =
      this.fused &&
      this.rowSink === undefined &&
      this.rowSections.length > 0 &&
      this.rowSections.every(({evaluator}) => evaluator.candidateThreshold !== undefined)
    this.breakdown = new LossBreakdownEvaluator(
      settings,
      options.ceBefore,
      this.fused && (this.rowSections.length > 0 || this.rowSink !== undefined),
      histogramSection?.evaluator.ceHistograms?.(),
      settings.metrics === true && kernelSection === undefined,
      kernelSection?.evaluator.kernelSums?.(),
      this.packed,
    )
    this.prepare = rowPreparer(settings)
    this.oneVsRest = settings.positiveClass === undefined ? undefined : new OneVsRest(settings, settings.positiveClass)
    const facts = (): InputFacts => this.facts
    this.context = {
      config: settings,
      get facts() {
        return facts()
      },
      reject: this.reject.bind(this),
    }
  }

  /** Adds a chunk's rows (it may be reused by its reader once this returns). */
  update(input: PredictionChunk): void {
    const chunk = this.oneVsRest ? this.oneVsRest.convert(input, this.facts, this.context.reject) : input
    if (this.settings.scores === 'logits') scanScoreRange(this.settings, this.facts, chunk)
    if (this.fused) {
      if (this.rowSections.length === 0 && this.rowSink === undefined) {
        this.facts.rows += this.breakdown.updateFused(chunk, this.context.reject)
        return
      }
      const {rows} = this
      this.facts.rows += this.breakdown.updateFused(
        chunk,
        this.context.reject,
        rows,
        (from, to) => {
          for (const {evaluator} of this.rowSections) evaluator.update(rows, from, to, chunk)
          this.rowSink?.write(rows, from, to, chunk)
          // A packed block ends while it still has room for a whole kernel call (updateFused's `room`).
          if (rows.count === rows.capacity || (this.packed && rows.count > rows.capacity - KERNEL_CALL_ROWS)) {
            this.endBlock()
          }
        },
        this.packed ? this.candidateThreshold : undefined,
      )
      return
    }
    const {rows, perRow} = this
    for (let start = 0; start < chunk.rows;) {
      // Whole rows only, so multi-label blocks are cut at absolute row numbers too.
      const end = Math.min(chunk.rows, start + Math.floor((rows.capacity - rows.count) / perRow))
      const from = rows.count
      this.prepare(this.context, chunk, start, end, rows)
      const kept = rows.count - from
      this.facts.rows += perRow === 1 ? kept : kept / perRow
      this.breakdown.update(rows, from, rows.count, chunk)
      for (const {evaluator} of this.sections) evaluator.update(rows, from, rows.count, chunk)
      this.rowSink?.write(rows, from, rows.count, chunk)
      if (rows.count + perRow > rows.capacity) this.endBlock()
      start = end
    }
  }

  /**
   * Everything read since the last take, as the partial state of file `path` (at position `order` on the
   * command line); the evaluation starts empty again (a new block, so any cut of a file into units gives
   * the same blocks within each unit). `threadParts: false` leaves what merges exactly in any order (the
   * concentration's histograms) with the evaluators, for a last take of the thread to hand over.
   */
  take(file: {path: string; order: number}, options: {threadParts?: boolean} = {}): PartialState {
    this.endBlock()
    // The open fused block's metrics sums go to the metrics' state before it is taken.
    if (this.fused) this.breakdown.flushFused()
    const facts = this.facts
    this.facts = emptyInputFacts()
    facts.files = [{path: file.path, order: file.order, rows: facts.rows}]
    facts.skipped = this.skip?.take(file.order) ?? []
    const sections: Sections = {}
    const threadParts = options.threadParts !== false
    for (const {name, evaluator} of this.sections) {
      ;(sections as Record<string, object>)[name] = evaluator.state(threadParts, file)
    }
    return {
      kind: 'focalscope-partial-state',
      version: PARTIAL_STATE_VERSION,
      settings: this.settings,
      input: facts,
      breakdown: this.breakdown.state(),
      sections,
    }
  }

  /** Σ CE of a state (plainly: whether merging it would keep the dataset's CE sum finite). */
  static ceTotal(state: PartialState): number {
    let total = 0
    for (const x of state.breakdown.ce.sum) total += x
    return total
  }

  private endBlock(): void {
    if (this.rows.count === 0) return
    // Fused: the breakdown summed the block's rows as it wrote them.
    if (!this.fused) this.breakdown.endBlock(this.rows)
    for (const {evaluator} of this.sections) evaluator.endBlock(this.rows)
    this.rows.count = 0
  }

  /** A row that cannot be used: stop with its location, or under --on-invalid skip log it. */
  private reject(error: InputError): void {
    if (!this.skip || !error.reason) throw error
    this.skip.add(error)
  }
}

/** An empty state of these settings: merge's identity, and the shapes a decoded state is checked against. */
export function emptyPartialState(settings: Settings): PartialState {
  const state = new Evaluation(settings).take({path: '', order: 0})
  state.input.files = []
  return state
}
