/**
 * The hardest rows (issue 18, `--top N`): the N elements (rows; multi-label: one per row and class) with the
 * largest loss, kept in a bounded min-heap as the rows stream by, and optionally the N per class
 * (`--top-per-class`). The loss ranked by is CE, or (1 − p_t)^γ · CE at `--top-gamma γ` (any γ ≥ 0, computed
 * for it, α not applied: α is a weight per class, not a property of the row).
 *
 * Order: loss descending, then input order — file (position on the command line, then path), data row,
 * element — a total order, so the kept rows equal the first N of a stable sort of every row by loss, and
 * merging heaps (threads, units, files, shards) is associative and commutative: the first N of the union.
 *
 * Cost: one compare per element against the heap's smallest loss (the focal power only for elements whose
 * CE beats it, as (1 − p_t)^γ ≤ 1); an element that enters allocates its entry and asks the chunk where it
 * came from (`locate`). Within a unit rows arrive in input order, so an equal loss never displaces a kept row.
 */
import type {PredictionChunk} from '../chunk.js'
import type {EvaluationConfig, HardestSettings} from '../config.js'
import type {PreparedRows} from '../rows/prepared-rows.js'
import {predictedOf, ptOf, targetOf} from '../rows/row-values.js'
import {MergeMismatch, type MergeRule} from '../state/merge-rules.js'
import type {Evaluator} from './evaluator.js'

export type {HardestSettings} from '../config.js'

/** The largest --top / --top-per-class: the lists are JSON in the report and the state. */
export const MAX_TOP = 100_000

/**
 * One kept element. Plain JSON. `row` is the 0-based data row within its file; `line` the 1-based physical
 * line where a CSV record starts (header = line 1), else null; `batch`/`batchRow` the Arrow batch (Parquet:
 * row group) and row within it, 1-based as error messages number them, else null.
 */
export interface HardEntry {
  file: string
  /** The file's position on the command line (0 for each shard of separate runs). */
  order: number
  row: number
  /** Multi-label: the element's class (wide: the column; long: the row's class); else the label. */
  cls: number
  line: number | null
  batch: number | null
  batchRow: number | null
  id: string | null
  /** Binary, multi-class: the label's class index; multi-label: the target y. */
  label: number
  /** Argmax class (the first on ties); sigmoid: 1 when p > 0.5. */
  predicted: number
  pt: number
  ce: number
  loss: number
}

/** A kept list and its bound, together so that the merge rule needs nothing else. */
export interface HardList {
  limit: number
  /** Hardest first, at most `limit`. */
  entries: HardEntry[]
}

export interface HardestState {
  /** The kept elements (limit 0 without --top). */
  rows: HardList
  /** Per class (limit 0 and no lists without --top-per-class). */
  byClass: {limit: number; lists: HardEntry[][]}
}

/** Input order of two elements: file (order, path), data row, class. */
export function compareInputOrder(a: HardEntry, b: HardEntry): number {
  return a.order - b.order || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.row - b.row || a.cls - b.cls
}

/** The ranking: larger loss first, ties in input order. */
export function compareHardness(a: HardEntry, b: HardEntry): number {
  return b.loss - a.loss || compareInputOrder(a, b)
}

/** The first `limit` of both lists by compareHardness (each already sorted). */
export function mergeHardLists(a: HardEntry[], b: HardEntry[], limit: number): HardEntry[] {
  return [...a, ...b].sort(compareHardness).slice(0, limit)
}

function sameLimit(a: number, b: number, name: string): void {
  if (a !== b) throw new MergeMismatch(`${name}.limit`, String(a), String(b))
}

/** How the section merges: each list the first `limit` of the union, by compareHardness. */
export const HARDEST_RULES: Record<keyof HardestState, MergeRule> = {
  rows: {
    kind: 'custom',
    merge: (a, b) => {
      const x = a as HardList
      const y = b as HardList
      sameLimit(x.limit, y.limit, 'sections.hardest.rows')
      return {limit: x.limit, entries: mergeHardLists(x.entries, y.entries, x.limit)}
    },
    decode: (json, name) => {
      const value = json as {limit?: unknown; entries?: unknown}
      const limit = decodeLimit(value, name)
      return {limit, entries: decodeList(value.entries, `${name}.entries`, limit)}
    },
  },
  byClass: {
    kind: 'custom',
    merge: (a, b) => {
      const x = a as HardestState['byClass']
      const y = b as HardestState['byClass']
      sameLimit(x.limit, y.limit, 'sections.hardest.byClass')
      if (x.lists.length !== y.lists.length) {
        throw new MergeMismatch('sections.hardest.byClass (classes)', String(x.lists.length), String(y.lists.length))
      }
      return {limit: x.limit, lists: x.lists.map((list, c) => mergeHardLists(list, y.lists[c], x.limit))}
    },
    decode: (json, name) => {
      const value = json as {limit?: unknown; lists?: unknown}
      const limit = decodeLimit(value, name)
      if (!Array.isArray(value.lists)) throw new Error(`${name}.lists: expected a list of lists`)
      return {limit, lists: value.lists.map((list, c) => decodeList(list, `${name}.lists[${c}]`, limit))}
    },
  },
}

function decodeLimit(value: {limit?: unknown} | null, name: string): number {
  if (typeof value !== 'object' || value === null) throw new Error(`${name}: expected an object`)
  const {limit} = value
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
    throw new Error(`${name}.limit: expected a whole number ≥ 0`)
  }
  return limit
}

const NUMBER_FIELDS = ['order', 'row', 'cls', 'label', 'predicted', 'pt', 'ce', 'loss'] as const
const NULLABLE_NUMBERS = ['line', 'batch', 'batchRow'] as const

/** A decoded list of entries, checked field by field (a state file may be corrupt or hand-edited). */
function decodeList(json: unknown, name: string, limit: number): HardEntry[] {
  if (!Array.isArray(json)) throw new Error(`${name}: expected a list of rows`)
  if (json.length > limit) throw new Error(`${name}: expected at most ${limit} rows, got ${json.length}`)
  const out = json.map((value, i) => {
    const entry = value as Record<string, unknown>
    const where = `${name}[${i}]`
    if (typeof entry !== 'object' || entry === null) throw new Error(`${where}: expected an object`)
    if (typeof entry.file !== 'string') throw new Error(`${where}.file: expected a string`)
    for (const field of NUMBER_FIELDS) {
      const v = entry[field]
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}.${field}: expected a finite number`)
    }
    for (const field of NULLABLE_NUMBERS) {
      const v = entry[field]
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw new Error(`${where}.${field}: expected a number or null`)
      }
    }
    if (entry.id !== null && typeof entry.id !== 'string') throw new Error(`${where}.id: expected a string or null`)
    return {
      file: entry.file,
      order: entry.order,
      row: entry.row,
      cls: entry.cls,
      line: entry.line,
      batch: entry.batch,
      batchRow: entry.batchRow,
      id: entry.id,
      label: entry.label,
      predicted: entry.predicted,
      pt: entry.pt,
      ce: entry.ce,
      loss: entry.loss,
    } as HardEntry
  })
  return out.sort(compareHardness)
}

/** Moves a unit's entries (rows and lines counted from the unit's start) to the file's numbering. */
export function rebaseHardest(state: HardestState, base: {rows: number; lines: number}): void {
  const move = (entry: HardEntry): void => {
    entry.row += base.rows
    if (entry.line !== null) entry.line += base.lines
  }
  state.rows.entries.forEach(move)
  for (const list of state.byClass.lists) list.forEach(move)
}

const BITS = new Float64Array(1)
const WORD = new BigInt64Array(BITS.buffer)

/** The largest double below `x` (−∞ for −∞); losses are ≥ 0, so x is −∞ or ≥ 0. */
function justBelow(x: number): number {
  if (x === -Infinity) return x
  if (x === 0) return -Number.MIN_VALUE
  BITS[0] = x
  WORD[0] -= 1n
  return BITS[0]
}

/**
 * A bounded min-heap of entries by compareHardness: the root is the least hard kept entry, the one an
 * entering element displaces.
 */
class HardHeap {
  readonly items: HardEntry[] = []
  /**
   * The least loss of a full list this heap handed over (`take`), −∞ before: those `limit` entries reach
   * the merge, so an element of smaller loss cannot be among the dataset's first `limit`, whichever unit it
   * is in. Without it each unit of a thread started from −∞, and on 10 M binary rows the heaps took ~100
   * entries a unit, each allocated and located, where a few suffice.
   */
  private floor = -Infinity
  constructor(readonly limit: number) {}

  /**
   * The loss an element must exceed to enter: the smallest kept loss when the heap is full, else just below
   * the floor (an element as hard as the floor may still come first in input order).
   */
  get threshold(): number {
    return this.items.length < this.limit ? justBelow(this.floor) : this.items[0].loss
  }

  push(entry: HardEntry): void {
    const {items} = this
    if (items.length < this.limit) {
      items.push(entry)
      this.up(items.length - 1)
    } else {
      items[0] = entry
      this.down(0)
    }
  }

  /** The kept entries, hardest first; leaves the heap empty. */
  take(): HardEntry[] {
    const out = this.items.splice(0).sort(compareHardness)
    if (this.limit > 0 && out.length === this.limit) this.floor = Math.max(this.floor, out[out.length - 1].loss)
    return out
  }

  // Parent before child when the parent is the less hard: compareHardness(parent, child) > 0.
  private up(i: number): void {
    const {items} = this
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (compareHardness(items[parent], items[i]) >= 0) break
      ;[items[parent], items[i]] = [items[i], items[parent]]
      i = parent
    }
  }

  private down(i: number): void {
    const {items} = this
    const n = items.length
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let least = i
      if (l < n && compareHardness(items[l], items[least]) > 0) least = l
      if (r < n && compareHardness(items[r], items[least]) > 0) least = r
      if (least === i) return
      ;[items[least], items[i]] = [items[i], items[least]]
      i = least
    }
  }
}

export class HardestRowsEvaluator implements Evaluator<HardestState, HardestState> {
  readonly rules = HARDEST_RULES
  private readonly config: EvaluationConfig
  private readonly top: HardestSettings
  private readonly multilabel: boolean
  private readonly classShift: number
  private readonly heap: HardHeap
  private readonly classHeaps: HardHeap[]
  constructor(config: EvaluationConfig, top: HardestSettings) {
    this.config = config
    this.top = top
    this.multilabel = config.task === 'multilabel'
    this.classShift = this.multilabel ? 2 : 1
    this.heap = new HardHeap(top.rows)
    this.classHeaps = this.newClassHeaps()
  }

  private newClassHeaps(): HardHeap[] {
    return this.top.perClass > 0
      ? Array.from({length: this.config.numClasses}, () => new HardHeap(this.top.perClass))
      : []
  }

  empty(): HardestState {
    const {perClass} = this.top
    return {
      rows: {limit: this.top.rows, entries: []},
      byClass: {limit: perClass, lists: Array.from({length: perClass > 0 ? this.config.numClasses : 0}, () => [])},
    }
  }

  update(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void {
    const {ce, q, bucket} = rows
    const gamma = this.top.gamma
    const {heap, classHeaps, classShift} = this
    const perClass = classHeaps.length > 0
    let threshold = heap.limit > 0 ? heap.threshold : Infinity
    for (let k = from; k < to; k++) {
      const c = ce[k]
      // (1 − p_t)^γ ≤ 1: an element whose CE does not beat a threshold cannot beat it with the focal factor.
      if (c > threshold) {
        const loss = gamma === null ? c : Math.pow(q[k], gamma) * c
        if (loss > threshold) {
          heap.push(this.entry(rows, k, chunk, loss))
          threshold = heap.threshold
        }
      }
      if (perClass) {
        const h = classHeaps[bucket[k] >> classShift]
        const t = h.threshold
        if (c > t) {
          const loss = gamma === null ? c : Math.pow(q[k], gamma) * c
          if (loss > t) h.push(this.entry(rows, k, chunk, loss))
        }
      }
    }
  }

  endBlock(): void {}

  /** (1 − p_t)^γ ≤ 1: an element whose CE does not beat every list's threshold cannot enter any list. */
  candidateThreshold(): number {
    let least = this.heap.limit > 0 ? this.heap.threshold : Infinity
    for (const h of this.classHeaps) least = Math.min(least, h.threshold)
    return least
  }

  /** `file` names the unit's entries (Evaluation.take passes it). */
  state(_threadParts?: boolean, file?: {path: string; order: number}): HardestState {
    const name = (list: HardEntry[]): HardEntry[] => {
      for (const entry of list) {
        entry.file = file?.path ?? ''
        entry.order = file?.order ?? 0
      }
      return list
    }
    return {
      rows: {limit: this.top.rows, entries: name(this.heap.take())},
      byClass: {limit: this.top.perClass, lists: this.classHeaps.map((h) => name(h.take()))},
    }
  }

  evaluate(state: HardestState): HardestState {
    return state
  }

  /** The entry of element k (chunk row rows.row[k]): only for elements that enter a heap. */
  private entry(rows: PreparedRows, k: number, chunk: PredictionChunk, loss: number): HardEntry {
    const i = rows.row[k]
    const loc = chunk.locate(i)
    const {config} = this
    const cls = rows.bucket[k] >> this.classShift
    let label: number
    let soft = false
    if (this.multilabel) {
      label = targetOf(config, chunk, i, cls)
      soft = label !== 0 && label !== 1
    } else {
      label = chunk.labels[i]
    }
    const predicted = predictedOf(config, chunk, i, cls)
    return {
      file: '',
      order: 0,
      row: loc.dataRow ?? 0,
      cls,
      line: loc.line ?? null,
      batch: loc.batch ?? loc.rowGroup ?? null,
      batchRow: loc.row ?? null,
      id: chunk.ids?.text(i) ?? null,
      label,
      predicted,
      pt: ptOf(rows.ce[k], rows.q[k], soft),
      ce: rows.ce[k],
      loss,
    }
  }
}
