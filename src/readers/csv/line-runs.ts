/**
 * The physical line of each row of a chunk, kept as runs: from row `rows[i]` on, rows are consecutive
 * lines from `lines[i]` on, up to the next run. The fast path adds one run per call instead of a line
 * number per row (a pass over every row that was ~3 % of reading the binary bench file).
 */
export class LineRuns {
  private readonly rows: Int32Array
  private readonly lines: Float64Array
  count = 0

  /** `capacity`: the chunk's rows (at worst every row starts a run). */
  constructor(capacity: number) {
    this.rows = new Int32Array(capacity)
    this.lines = new Float64Array(capacity)
  }

  clear(): void {
    this.count = 0
  }

  /** Row `row` (the next one) is on line `line`. */
  add(row: number, line: number): void {
    const last = this.count - 1
    if (last >= 0 && this.lines[last] + (row - this.rows[last]) === line) return
    this.rows[this.count] = row
    this.lines[this.count] = line
    this.count++
  }

  /** The line of `row`, looking at the first `count` runs. */
  lineOf(row: number, count = this.count): number {
    let lo = 0
    let hi = count - 1
    // The last run starting at or before `row`.
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.rows[mid] <= row) lo = mid
      else hi = mid - 1
    }
    return this.lines[lo] + (row - this.rows[lo])
  }
}
