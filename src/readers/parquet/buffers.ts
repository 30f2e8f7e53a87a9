/**
 * Memory a Parquet reader reuses from page to page and row group to row group, so a long file leaves no
 * trail of per-page garbage (with 20 columns of ~1 MB pages that trail was 350 MB of allocations a file,
 * and 40–60 MB more peak RSS). One source is read one row group at a time (per thread), so each column
 * needs one set: the current page's decompressed bytes, levels and dictionary indices.
 */

/** The read buffer the columns share (see ChunkBytes in pages.ts). */
export class ReadBuffer {
  buffer = Buffer.alloc(0)
  owner: unknown = null
  start = 0
  length = 0
}

/** One column's page memory. */
export class ColumnBuffers {
  page: Uint8Array = new Uint8Array(0)
  definitions: Int32Array = new Int32Array(0)
  repetitions: Int32Array = new Int32Array(0)
  indices: Int32Array = new Int32Array(0)
  /** BYTE_STREAM_SPLIT values put back together. */
  split: Uint8Array = new Uint8Array(0)
}

/**
 * A chunk's arrays, reused from chunk to chunk (a chunk is consumed before the next is read).
 */
export class ChunkScratch {
  private labels = new Int32Array(0)
  private scores = new Float64Array(0)
  private keptLabels = new Int32Array(0)
  private keptScores = new Float64Array(0)
  private rowMap = new Int32Array(0)
  private rejected = new Uint8Array(0)
  /** Rows left out so far in this chunk (all 0). */
  rejectedFor(n: number): Uint8Array {
    if (this.rejected.length < n) this.rejected = new Uint8Array(n)
    return this.rejected.subarray(0, n).fill(0)
  }
  labelsFor(n: number): Int32Array {
    if (this.labels.length < n) this.labels = new Int32Array(n)
    return this.labels.subarray(0, n)
  }
  scoresFor(n: number): Float64Array {
    if (this.scores.length < n) this.scores = new Float64Array(n)
    return this.scores.subarray(0, n)
  }
  kept(rows: number, width: number): {labels: Int32Array; scores: Float64Array; rowMap: Int32Array} {
    if (this.keptLabels.length < rows) {
      this.keptLabels = new Int32Array(rows)
      this.rowMap = new Int32Array(rows)
    }
    if (this.keptScores.length < rows * width) this.keptScores = new Float64Array(rows * width)
    return {
      labels: this.keptLabels.subarray(0, rows),
      scores: this.keptScores.subarray(0, rows * width),
      rowMap: this.rowMap.subarray(0, rows),
    }
  }
}

export class ReaderBuffers {
  readonly read = new ReadBuffer()
  readonly chunk = new ChunkScratch()
  private readonly columns = new Map<number, ColumnBuffers>()

  /** The buffers of leaf column `index`. */
  column(index: number): ColumnBuffers {
    let buffers = this.columns.get(index)
    if (!buffers) {
      buffers = new ColumnBuffers()
      this.columns.set(index, buffers)
    }
    return buffers
  }
}

/** `array` if it holds `count` values, else a new one that does (the old contents are not kept). */
export function grown(array: Int32Array, count: number): Int32Array {
  return array.length >= count ? array : new Int32Array(count)
}
