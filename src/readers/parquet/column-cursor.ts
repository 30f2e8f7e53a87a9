/**
 * A position in one column chunk, row by row: hands the values of the next n rows to the chunk builder
 * (runs of present values, and each null), loading pages as it goes. Flat columns have one entry per row;
 * list columns delimit rows by repetition level 0.
 */
import {type ColumnPages, type DataPage, PageError, type PageValues} from './pages.js'
import type {Leaf} from './schema.js'

/** What the values of a run are, for a reader that writes numbers. */
export type NumberSource = Float64Array | Float32Array | Int32Array | Uint8Array

/** A problem with one row of a list column: its list or an element is null, or its length is not K. */
export const LIST_NULL = -1

export class ColumnCursor {
  private page: DataPage | null = null
  private entry = 0
  private value = 0
  private ended = false

  constructor(
    private readonly pages: ColumnPages,
    readonly leaf: Leaf,
    /** List columns: the definition level of a present (maybe empty) list; see TopColumn. */
    private readonly listDefinition = -1,
  ) {}

  /** Loads pages until one has an entry left; false at the end of the column chunk. */
  private ensure(): boolean {
    while (!this.page || this.entry >= this.page.count) {
      if (this.ended) return false
      this.page = this.pages.next()
      this.entry = 0
      this.value = 0
      if (!this.page) {
        this.ended = true
        return false
      }
    }
    return true
  }

  /** Flat columns: the rows left in the current page (loading the next one when it is used up); 0 at the end. */
  rowsInPage(): number {
    return this.ensure() ? (this.page as DataPage).count - this.entry : 0
  }

  /** Flat columns: the next n rows as one typed-array view, when they are in one page, float, without nulls. */
  viewFloats(n: number): Float64Array | Float32Array | null {
    if (!this.ensure()) return null
    const page = this.page as DataPage
    const values = page.values
    if (page.count - this.entry < n || page.definitions || values.kind !== 'number') return null
    if (!(values.data instanceof Float64Array || values.data instanceof Float32Array)) return null
    const view = values.data.subarray(this.value, this.value + n)
    this.entry += n
    this.value += n
    return view
  }

  /**
   * Flat columns: the next n rows. `run(values, from, row, count)` is called for each stretch of rows whose
   * values are present (rows row … row + count − 1 of the n, values from … from + count − 1), `onNull(row)`
   * for each null.
   */
  readFlat(
    n: number,
    run: (values: PageValues, from: number, row: number, count: number) => void,
    onNull: (row: number) => void,
  ): void {
    let row = 0
    while (row < n) {
      if (!this.ensure()) throw new PageError(`the column chunk ends ${n - row} rows before the row group does`)
      const page = this.page as DataPage
      const take = Math.min(n - row, page.count - this.entry)
      const definitions = page.definitions
      if (!definitions) {
        run(page.values, this.value, row, take)
        this.value += take
      } else {
        const max = this.leaf.maxDefinition
        const base = this.entry
        let i = 0
        while (i < take) {
          let j = i
          while (j < take && definitions[base + j] === max) j++
          if (j > i) {
            run(page.values, this.value, row + i, j - i)
            this.value += j - i
          }
          while (j < take && definitions[base + j] !== max) onNull(row + j++)
          i = j
        }
      }
      this.entry += take
      row += take
    }
  }

  /**
   * List columns: the next n rows, each a list of K numbers written to out[row · stride + offset + j].
   * `bad(row, length)` is told of a row whose list or an element is null (length LIST_NULL) or whose list
   * does not hold exactly K values (its length); what was written for it is left to the caller to ignore.
   * The values must be numbers or a dictionary of numbers (checked by the caller from the leaf's type).
   */
  readList(
    n: number,
    k: number,
    out: Float64Array,
    stride: number,
    offset: number,
    bad: (row: number, length: number) => void,
  ): void {
    const maxDefinition = this.leaf.maxDefinition
    const listDefinition = this.listDefinition
    let row = -1
    let length = 0
    let isNull = false
    let at = 0
    const finishRow = (): void => {
      if (isNull) bad(row, LIST_NULL)
      else if (length !== k) bad(row, length)
    }
    for (;;) {
      if (!this.ensure()) {
        // The end of the column chunk ends the last row.
        if (row < n - 1) throw new PageError(`the column chunk ends ${n - 1 - row} rows before the row group does`)
        finishRow()
        return
      }
      const page = this.page as DataPage
      const repetitions = page.repetitions as Int32Array
      const definitions = page.definitions
      const values = page.values
      const numbers = numberSource(values)
      const indices = values.kind === 'dict' ? values.indices : null
      let e = this.entry
      let v = this.value
      const count = page.count
      if (!definitions && values.kind === 'number') {
        // No nulls and no empty lists in the page: every entry is a value (entry e holds value v), and a
        // row is a run of entries from a repetition level 0 to the next. Whole rows are copied at once.
        const data = values.data
        while (e < count) {
          if (repetitions[e] !== 0) {
            // A row carried over from the previous page.
            if (row < 0) throw new PageError('a page starts in the middle of a list (a repetition level above 0 first)')
            if (length < k) out[at + length] = data[v]
            length++
            e++
            v++
            continue
          }
          if (row >= 0) finishRow()
          if (++row === n) {
            this.entry = e
            this.value = v
            return
          }
          isNull = false
          at = row * stride + offset
          let end = e + 1
          while (end < count && repetitions[end] !== 0) end++
          length = end - e
          const copy = length < k ? length : k
          for (let j = 0; j < copy; j++) out[at + j] = data[v + j]
          v += length
          e = end
        }
        this.entry = e
        this.value = v
        continue
      }
      for (; e < count; e++) {
        if (repetitions[e] === 0) {
          if (row >= 0) finishRow()
          if (++row === n) {
            this.entry = e
            this.value = v
            return
          }
          length = 0
          isNull = false
          at = row * stride + offset
        } else if (row < 0) {
          throw new PageError('a page starts in the middle of a list (a repetition level above 0 first)')
        }
        const d = definitions ? definitions[e] : maxDefinition
        if (d === maxDefinition) {
          if (length < k) out[at + length] = indices ? numbers[indices[v]] : numbers[v]
          v++
          length++
        } else if (d < listDefinition) {
          isNull = true
        } else if (d > listDefinition) {
          // A null element.
          isNull = true
          length++
        }
        // d === listDefinition: an empty list (length stays 0).
      }
      this.entry = e
      this.value = v
    }
  }

  /**
   * List columns: the number of entries of the first row whose list is not null (K of a list<double>
   * column), or -1 when every row is null. Reads from the start of the chunk; the cursor is spent.
   */
  firstListLength(): number {
    const listDefinition = this.listDefinition
    let length = -1
    while (this.ensure()) {
      const page = this.page as DataPage
      const repetitions = page.repetitions as Int32Array
      for (let e = this.entry; e < page.count; e++) {
        if (repetitions[e] === 0 && length >= 0) return length
        const d = page.definitions ? page.definitions[e] : this.leaf.maxDefinition
        if (repetitions[e] === 0) length = d < listDefinition ? -1 : d === listDefinition ? 0 : 1
        else if (length >= 0) length++
      }
      this.entry = page.count
    }
    return length
  }

  /** Frees the column's share of the page budget. */
  release(): void {
    this.pages.release()
  }

  /** Whether the column chunk holds nothing past what was read (more entries would be rows past the group). */
  atEnd(): boolean {
    return !this.ensure()
  }
}

/** The numbers behind a page's values (a dictionary's entries for indices); empty for text. */
function numberSource(values: PageValues): ArrayLike<number> {
  if (values.kind === 'number') return values.data
  if (values.kind === 'dict' && values.dictionary.kind === 'number') return values.dictionary.data
  return EMPTY
}
const EMPTY = new Float64Array(0)
