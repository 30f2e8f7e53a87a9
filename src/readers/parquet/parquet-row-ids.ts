/**
 * --id-col for Parquet: a scalar column of strings, integers, floats or booleans read as text into one
 * array per chunk. INT64 ids beyond 2^53 are refused, not rounded: the page decoder reads INT64 as doubles,
 * and an id that comes back as a neighbouring number would join onto the wrong row.
 */
import type {RowIds} from '../../core/chunk.js'
import type {ColumnCursor} from './column-cursor.js'
import type {PageValues} from './pages.js'
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

  /**
   * Reads the next `n` rows' ids (valid until the next call); an id that cannot be kept is handed to `bad`
   * with its row (0-based in the `n`), which throws.
   */
  read(n: number, bad: (row: number, message: string) => never): (string | null)[] {
    if (this.ids.length < n) this.ids = new Array<string | null>(n).fill(null)
    const ids = this.ids
    this.cursor.readFlat(
      n,
      (values, from, row, count) => {
        for (let i = 0; i < count; i++) {
          const text = this.textOf(values, from + i)
          ids[row + i] =
            text ??
            bad(
              row + i,
              `expected an integer id within ±2^53 (exact as a double), got one beyond it (≈ ${this.number(values, from + i)}); write the id column as strings (pandas: df["id"].astype(str))`,
            )
        }
      },
      (row) => (ids[row] = null),
    )
    return ids
  }

  /** The id as text; null for an INT64 that the page decoder could not read exactly (beyond 2^53). */
  private textOf(values: PageValues, i: number): string | null {
    if (values.kind === 'text') return values.data.text(i)
    if (values.kind === 'dict' && values.dictionary.kind === 'text')
      return values.dictionary.data.text(values.indices[i])
    const v = this.number(values, i)
    const {kind} = this.leaf
    if (kind === 'boolean') return v === 1 ? 'true' : 'false'
    if ((kind === 'int64' || kind === 'uint64') && !Number.isSafeInteger(v)) return null
    return String(v)
  }

  private number(values: PageValues, i: number): number {
    if (values.kind === 'number') return values.data[i]
    if (values.kind === 'dict' && values.dictionary.kind === 'number') return values.dictionary.data[values.indices[i]]
    return NaN
  }
}

/** A chunk's ids from the array `read` filled, through `rowOf` (rows left out under skip). */
export function parquetRowIds(ids: (string | null)[], rowOf: (row: number) => number): RowIds {
  return {text: (row) => ids[rowOf(row)]}
}
