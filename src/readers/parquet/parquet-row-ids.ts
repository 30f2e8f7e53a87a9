/**
 * --id-col for Parquet: a scalar column of strings, integers, floats or booleans read as text into one
 * array per chunk. INT64 ids beyond 2^53 are refused, not rounded: the page decoder reads INT64 as doubles,
 * and an id that comes back as a neighbouring number would join onto the wrong row.
 */
import type {RowIds} from '../../core/chunk.js'
import type {ColumnCursor} from './column-cursor.js'
import {PageError, type PageValues} from './pages.js'
import type {Leaf} from './schema.js'

/** Whether a leaf can be an id column (a scalar of a kind read as text). */
export function isIdLeaf(leaf: Leaf): boolean {
  return leaf.kind !== 'other'
}

export class ParquetIdReader {
  private ids: (string | null)[] = []

  constructor(
    private readonly cursor: ColumnCursor,
    private readonly leaf: Leaf,
  ) {}

  /** Reads the next `n` rows' ids; the RowIds are valid until the next call. */
  read(n: number): (string | null)[] {
    if (this.ids.length < n) this.ids = new Array<string | null>(n).fill(null)
    const ids = this.ids
    this.cursor.readFlat(
      n,
      (values, from, row, count) => {
        for (let i = 0; i < count; i++) ids[row + i] = this.textOf(values, from + i)
      },
      (row) => (ids[row] = null),
    )
    return ids
  }

  private textOf(values: PageValues, i: number): string {
    if (values.kind === 'text') return values.data.text(i)
    if (values.kind === 'dict') {
      const d = values.indices[i]
      const dictionary = values.dictionary
      return dictionary.kind === 'text' ? dictionary.data.text(d) : this.numberText(dictionary.data[d])
    }
    return this.numberText(values.data[i])
  }

  private numberText(v: number): string {
    const {kind} = this.leaf
    if (kind === 'boolean') return v === 1 ? 'true' : 'false'
    if ((kind === 'int64' || kind === 'uint64') && !Number.isSafeInteger(v)) {
      throw new PageError(
        `an id beyond 2^53 (${v}) cannot be kept exactly; write the id column as strings (pandas: df["id"].astype(str))`,
      )
    }
    return String(v)
  }
}

/** A chunk's ids from the array `read` filled, through `rowOf` (rows left out under skip). */
export function parquetRowIds(ids: (string | null)[], rowOf: (row: number) => number): RowIds {
  return {text: (row) => ids[rowOf(row)]}
}
