/**
 * A histogram of positive doubles (per-element losses) with relative bucket width at most 2^-bits: a bucket
 * is the double's exponent and its top `bits` mantissa bits, read from the high 32 bits of the value —
 * no log, one shift. Counts only, so merging is exact integer addition in any order (the same histogram
 * however the rows were split among threads and files), and memory follows the octaves the values span
 * (pages of 2^bits counts per exponent, allocated on first use), never the number of values.
 *
 * Every value in bucket i lies in [lowerBound(i), upperBound(i)), and upperBound / lowerBound ≤ 1 + 2^-bits
 * for normal doubles (subnormal values, below 2.2e-308, share wider buckets: they weigh nothing next to a
 * loss of any size). Zero is counted apart.
 *
 * Example: with bits 10, 1.0 and 1.0009 share bucket (1023 << 10) + 0; 1.001 is in the next one.
 */

/** The sparse, plain form of a histogram (a partial state's): occupied buckets in increasing order. */
export interface SparseHistogram {
  /** Bucket indices, increasing (as doubles: indices reach 2^(11 + bits)). */
  index: Float64Array
  count: Float64Array
  /** Values that were exactly 0. */
  zero: number
}

/** Values staged before they are counted (768 KiB a set of histograms, allocated when first staged). */
const STAGED = 1 << 16

const F64 = new Float64Array(1)
const U32 = new Uint32Array(F64.buffer)
/** The high word of a double is U32[1] on little-endian machines (every platform Node runs on here). */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0

export function emptySparseHistogram(): SparseHistogram {
  return {index: new Float64Array(0), count: new Float64Array(0), zero: 0}
}

/** The smallest value of bucket `index`. */
export function lowerBound(index: number, bits: number): number {
  // The bucket's bit pattern, low bits zero: the high word is index << (20 − bits).
  F64[0] = 0
  U32[HIGH] = index * 2 ** (20 - bits)
  U32[1 - HIGH] = 0
  return F64[0]
}

/** The smallest value of the next bucket (the bound above every value of `index`). */
export function upperBound(index: number, bits: number): number {
  return lowerBound(index + 1, bits)
}

/**
 * Each bucket's representative value, the geometric midpoint √(lower · upper) of its bounds, for a list of
 * bucket indices: one tight loop (a report reads every occupied bucket once per histogram).
 */
export function representativeValues(index: Float64Array, bits: number): Float64Array {
  const out = new Float64Array(index.length)
  const scale = 2 ** (20 - bits)
  for (let i = 0; i < index.length; i++) {
    F64[0] = 0
    U32[1 - HIGH] = 0
    U32[HIGH] = index[i] * scale
    const lower = F64[0]
    U32[HIGH] = (index[i] + 1) * scale
    // The top bucket's bound is Infinity, above ~1e154 the product overflows and below ~1e-154 it loses
    // digits or underflows: roots apart there, so the middle is finite and within the bucket.
    const upper = Math.min(F64[0], Number.MAX_VALUE)
    const product = lower * upper
    out[i] =
      product < Infinity && product >= 2.2250738585072014e-308
        ? Math.sqrt(product)
        : Math.sqrt(lower) * Math.sqrt(upper)
  }
  return out
}

/**
 * Dense pages of counts for a set of histograms (one thread's, or one unit's): what `add` writes to. The
 * histograms share one pool of pages, found by `pageOf[histogram << 11 | exponent]`, so a loop that counts
 * into any of them holds three arrays. Values can also be staged and counted in batches (`stageAll`, and
 * the fused binary-logits kernel, which writes its rows' CE to the stage as it reads).
 */
export class LossHistograms {
  readonly bits: number
  readonly size: number
  /** (histogram << 11 | exponent) → offset of its page in `pool`, or −1. */
  readonly pageOf: Int32Array
  /**
   * Pages of 2^bits counts; replaced by a larger pool when full (`newPage`). 32-bit counts: half the cache
   * footprint of doubles in the kernel's random increments; `counted` spills them before any can wrap.
   */
  pool: Uint32Array
  /** Values that were exactly 0, per histogram. */
  readonly zero: Float64Array
  private pages = 0
  /** Values counted in the pool since it was last emptied, and the most it may hold (< 2^32). */
  private inPool = 0
  private readonly spillAt: number
  /** Counts spilled from the pool (as doubles), merged into the next `take`. */
  private spilled: SparseHistogram[] | null = null

  constructor(size: number, bits: number, spillAt = 2 ** 31) {
    this.size = size
    this.bits = bits
    this.spillAt = spillAt
    this.pageOf = new Int32Array(size * 2048).fill(-1)
    // Room for 2^18 counts (256 pages at 10 bits) from the start: untouched memory costs nothing, and each
    // doubling of a pool that had grown from a few pages cost ~1.5 ms (a fresh buffer, zeroed and copied into).
    this.pool = new Uint32Array(Math.max(4, Math.min(size * 2048, 2 ** 18 / 2 ** bits)) << bits)
    this.zero = new Float64Array(size)
  }

  /**
   * Tells the set that `values` more were counted (by `addAll` or a generated loop; `add` tells itself):
   * past `spillAt` the pool's counts move into double counts, so no 32-bit count can wrap.
   */
  counted(values: number): void {
    this.inPool += values
    if (this.inPool >= this.spillAt) {
      const counts = this.takePool()
      this.spilled = this.spilled === null ? counts : this.spilled.map((h, i) => mergeSparseHistograms(h, counts[i]))
    }
  }

  /** Counts a value ≥ 0 in histogram `h` (the caller passes losses, never NaN or negative values). */
  add(h: number, value: number): void {
    this.counted(1)
    this.countOne(h, value)
  }

  /**
   * Counts values[k] in histogram `cells[k] >> cellShift`, for k in [from, to): `add` in one loop (the
   * concentration's per-class CE, cells being the prepared rows' buckets).
   */
  addAll(values: Float64Array, cells: Int32Array, cellShift: number, from: number, to: number): void {
    this.counted(to - from)
    const {pageOf, zero} = this
    const shift = 20 - this.bits
    const mask = (1 << this.bits) - 1
    // Each value's high word read in place, not through a store to F64 and a load back: ~2× faster.
    const words = new Uint32Array(values.buffer, values.byteOffset, 2 * values.length)
    // `pool` is constant in the inner loop (V8 then keeps its base and length in registers): a new page,
    // which may replace it, ends the inner loop and the value is counted again in the next.
    for (let k = from; k < to;) {
      const pool = this.pool
      for (; k < to; k++) {
        const h = cells[k] >> cellShift
        const high = words[2 * k + HIGH]
        // Exponent 0: zero, or a subnormal value (counted in the pages like any other).
        if (high < 0x100000 && values[k] === 0) {
          zero[h]++
          continue
        }
        const key = (h << 11) | (high >>> 20)
        const page = pageOf[key]
        if (page < 0) {
          this.newPage(key)
          break
        }
        pool[page + ((high >>> shift) & mask)]++
      }
    }
  }

  /** A page for `key` (histogram << 11 | exponent): its offset. `pool` may be replaced by a larger one. */
  newPage(key: number): number {
    const pageSize = 1 << this.bits
    const offset = this.pages * pageSize
    if (offset + pageSize > this.pool.length) {
      const bigger = new Uint32Array(this.pool.length * 2)
      bigger.set(this.pool)
      this.pool = bigger
      // The staged values' counting loop holds the pool as a constant: made again for the new one.
      this.counter = null
    }
    this.pageOf[key] = offset
    this.pages++
    return offset
  }

  /** The counts as sparse histograms (buckets in increasing order); the histograms start empty again. */
  take(): SparseHistogram[] {
    // Nothing counted into the pages yet (fewer values than a stage holds, as in most runs of a few
    // thousand rows): the staged values are sorted by bucket instead, which costs their number, where
    // counting them would open and scan pages of 2^bits counts for every octave they touch.
    if (this.pages === 0 && this.spilled === null) return this.takeStaged()
    this.countStaged()
    const counts = this.takePool()
    const spilled = this.spilled
    this.spilled = null
    return spilled === null ? counts : spilled.map((h, i) => mergeSparseHistograms(h, counts[i]))
  }

  /**
   * The staged values as sparse histograms, when the pages are empty: each value's bucket index (the same
   * as `addAll` counts it under: zero apart, subnormals in exponent 0's page) offset by its histogram,
   * sorted, and runs of equal keys counted. The zeros `add` counted are kept. Starts empty again.
   */
  private takeStaged(): SparseHistogram[] {
    const n = this.staged
    const {zero, size} = this
    // A histogram's buckets take indices below 2^(11 + bits): the key is histogram · that + index.
    const span = 2 ** (11 + this.bits)
    const keys = new Float64Array(n)
    let m = 0
    if (n > 0 && this.stage !== null) {
      const {values, cells} = this.stage
      const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n)
      const shift = 20 - this.bits
      for (let k = 0; k < n; k++) {
        const high = words[2 * k + HIGH]
        if (high < 0x100000 && values[k] === 0) zero[cells[k]]++
        else keys[m++] = cells[k] * span + (high >>> shift)
      }
      keys.subarray(0, m).sort()
    }
    const out: SparseHistogram[] = []
    let at = 0
    for (let h = 0; h < size; h++) {
      const end = h * span + span
      const from = at
      let runs = 0
      for (let k = at; k < m && keys[k] < end; k++) if (k === at || keys[k] !== keys[k - 1]) runs++
      const index = new Float64Array(runs)
      const count = new Float64Array(runs)
      let r = -1
      for (; at < m && keys[at] < end; at++) {
        if (at === from || keys[at] !== keys[at - 1]) index[++r] = keys[at] - h * span
        count[r]++
      }
      out.push({index, count, zero: zero[h]})
    }
    this.staged = 0
    zero.fill(0)
    this.inPool = 0
    return out
  }

  /** The pool's counts as sparse histograms; the pool and the zeros start empty again. One pass per page. */
  private takePool(): SparseHistogram[] {
    const pageSize = 1 << this.bits
    const {pool, pageOf} = this
    const out: SparseHistogram[] = []
    // At most every slot of every open page is occupied.
    const index = new Float64Array(this.pages * pageSize)
    const count = new Float64Array(this.pages * pageSize)
    for (let h = 0; h < this.size; h++) {
      let k = 0
      for (let exponent = 0; exponent < 2048; exponent++) {
        const page = pageOf[(h << 11) | exponent]
        if (page < 0) continue
        const first = exponent * pageSize
        for (let slot = 0; slot < pageSize; slot++) {
          const n = pool[page + slot]
          if (n === 0) continue
          index[k] = first + slot
          count[k++] = n
        }
      }
      out.push({index: index.slice(0, k), count: count.slice(0, k), zero: this.zero[h]})
    }
    pool.fill(0, 0, this.pages * pageSize)
    pageOf.fill(-1)
    this.zero.fill(0)
    this.pages = 0
    this.inPool = 0
    return out
  }

  /**
   * Values waiting to be counted, at [0, staged) of `stageValues` and `stageCells` (the histogram of each):
   * `stageAll` and the fused binary-logits kernel write there, and they are counted STAGED at a time. Not
   * block by block: between two blocks the reader and the other evaluators stream megabytes through the
   * cache, and the pages of counts were fetched from memory at nearly every count (20 classes: ~150 ns a
   * value in the pipeline, ~25 ns for the same counts in one long run).
   */
  staged = 0
  private stage: {values: Float64Array; cells: Int32Array} | null = null

  private staging(): {values: Float64Array; cells: Int32Array} {
    return (this.stage ??= {values: new Float64Array(STAGED), cells: new Int32Array(STAGED)})
  }

  get stageValues(): Float64Array {
    return this.staging().values
  }

  get stageCells(): Int32Array {
    return this.staging().cells
  }

  /** Counts what is staged first if `values` more would not fit (before a kernel call of that many rows). */
  makeRoom(values: number): void {
    if (this.staged + values > STAGED) this.countStaged()
  }

  /** Stages values[k] for histogram `cells[k] >> cellShift`, k in [from, to): addAll, counted later. */
  stageAll(values: Float64Array, cells: Int32Array, cellShift: number, from: number, to: number): void {
    const {values: stagedValues, cells: stagedCells} = this.staging()
    for (let at = from; at < to;) {
      const n = Math.min(to - at, STAGED - this.staged)
      stagedValues.set(values.subarray(at, at + n), this.staged)
      for (let k = 0; k < n; k++) stagedCells[this.staged + k] = cells[at + k] >> cellShift
      this.staged += n
      at += n
      if (this.staged === STAGED) this.countStaged()
    }
  }

  /**
   * Counts the staged values: `addAll` over the stage, by a loop made for this set's arrays (`counter`), and
   * `add`'s path for the values it leaves (zero and subnormal values, a histogram's first value in an
   * octave).
   */
  countStaged(): void {
    const n = this.staged
    if (n === 0 || this.stage === null) return
    this.staged = 0
    this.counted(n)
    const {values, cells} = this.stage
    for (let k = 0; k < n; k++) {
      this.counter ??= stagedCounter(this.pool, this.pageOf, this.stage, this.bits)
      k = this.counter(k, n)
      if (k < n) this.countOne(cells[k], values[k])
    }
  }

  /** Counts one value, as `add` does, without telling `counted` (the caller has). */
  private countOne(h: number, value: number): void {
    if (value === 0) {
      this.zero[h]++
      return
    }
    F64[0] = value
    const high = U32[HIGH]
    const key = (h << 11) | (high >>> 20)
    let page = this.pageOf[key]
    if (page < 0) page = this.newPage(key)
    this.pool[page + ((high >>> (20 - this.bits)) & ((1 << this.bits) - 1))]++
  }

  /** The loop countStaged counts with, for the current pool (null: to be made). */
  private counter: ((from: number, to: number) => number) | null = null
}

/**
 * addAll's loop over a stage, with the pool, the page table and the stage as constants of the function
 * (made with `new Function`, so V8 compiles them into the loop as it does the kernels' tables): it counts
 * values from `from` on and returns where it stopped — `to`, or a value it leaves to the caller (an
 * exponent of 0, i.e. zero or subnormal, or an octave without a page yet). ~3.5 ns a value where addAll,
 * which reloads its arrays' lengths and data pointers in the loop, takes ~10 (4 M CE values of the bench's
 * binary file, counted 64 Ki at a time).
 */
function stagedCounter(
  pool: Uint32Array,
  pageOf: Int32Array,
  stage: {values: Float64Array; cells: Int32Array},
  bits: number,
): (from: number, to: number) => number {
  const words = new Uint32Array(stage.values.buffer, stage.values.byteOffset, 2 * stage.values.length)
  const make = new Function(
    'pool',
    'pageOf',
    'words',
    'cells',
    `return function countStagedValues(from, to) {
  for (let k = from; k < to; k++) {
    const high = words[2 * k + ${HIGH}]
    if (high < 0x100000) return k
    const page = pageOf[(cells[k] << 11) | (high >>> 20)]
    if (page < 0) return k
    pool[page + ((high >>> ${20 - bits}) & ${(1 << bits) - 1})]++
  }
  return to
}`,
  ) as (
    pool: Uint32Array,
    pageOf: Int32Array,
    words: Uint32Array,
    cells: Int32Array,
  ) => (from: number, to: number) => number
  return make(pool, pageOf, words, stage.cells)
}

/**
 * The sum of two sparse histograms (exact: counts are integers). Associative and commutative. Neither
 * operand is changed, and the result may be one of them when the other has no buckets: a pipeline merges
 * many unit states whose histograms are empty (they are taken once per thread), and copying the full one
 * each time cost more than the report's whole walk of it. Nothing changes a histogram after it is made.
 */
export function mergeSparseHistograms(a: SparseHistogram, b: SparseHistogram): SparseHistogram {
  if (b.index.length === 0) return b.zero === 0 ? a : {index: a.index, count: a.count, zero: a.zero + b.zero}
  if (a.index.length === 0) return a.zero === 0 ? b : {index: b.index, count: b.count, zero: a.zero + b.zero}
  const index = new Float64Array(a.index.length + b.index.length)
  const count = new Float64Array(index.length)
  let i = 0
  let j = 0
  let k = 0
  while (i < a.index.length || j < b.index.length) {
    const x = i < a.index.length ? a.index[i] : Infinity
    const y = j < b.index.length ? b.index[j] : Infinity
    if (x === y) {
      index[k] = x
      count[k++] = a.count[i++] + b.count[j++]
    } else if (x < y) {
      index[k] = x
      count[k++] = a.count[i++]
    } else {
      index[k] = y
      count[k++] = b.count[j++]
    }
  }
  return {index: index.slice(0, k), count: count.slice(0, k), zero: a.zero + b.zero}
}

/**
 * The sum of several sparse histograms of `bits` mantissa bits, in one pass: counts added into a dense
 * table over the occupied octaves, then read back in order. Exact, and the same as folding
 * mergeSparseHistograms over them; K lists of n buckets cost ~K·n adds instead of a merge tree's
 * K·n·log K steps (the report merges a multi-class run's classes into its "all" group this way).
 */
export function sumSparseHistograms(list: readonly SparseHistogram[], bits: number): SparseHistogram {
  const page = 2 ** bits
  let zero = 0
  // Dense offset of each occupied octave's page; −1 for an empty octave.
  const pageAt = new Int32Array(2048).fill(-1)
  let pages = 0
  for (const h of list) {
    zero += h.zero
    for (let i = 0; i < h.index.length; i++) {
      const octave = Math.floor(h.index[i] / page)
      if (pageAt[octave] < 0) pageAt[octave] = pages++
    }
  }
  // Pages in octave order, so reading them back gives increasing indices.
  for (let octave = 0, next = 0; octave < 2048; octave++) if (pageAt[octave] >= 0) pageAt[octave] = next++ * page
  const dense = new Float64Array(pages * page)
  for (const h of list) {
    for (let i = 0; i < h.index.length; i++) {
      const index = h.index[i]
      const octave = Math.floor(index / page)
      dense[pageAt[octave] + (index - octave * page)] += h.count[i]
    }
  }
  let n = 0
  for (let k = 0; k < dense.length; k++) if (dense[k] !== 0) n++
  const index = new Float64Array(n)
  const count = new Float64Array(n)
  let k = 0
  for (let octave = 0; octave < 2048; octave++) {
    const at = pageAt[octave]
    if (at < 0) continue
    for (let slot = 0; slot < page; slot++) {
      const c = dense[at + slot]
      if (c === 0) continue
      index[k] = octave * page + slot
      count[k++] = c
    }
  }
  return {index, count, zero}
}

/**
 * The same histogram at `bits − drop` mantissa bits: each run of 2^drop adjacent buckets summed into one
 * (a bucket's index is its value's top bits, so the coarse index is the fine one shifted right). Exact.
 */
export function coarsenHistogram(h: SparseHistogram, drop: number): SparseHistogram {
  if (drop === 0) return h
  const step = 2 ** drop
  const index = new Float64Array(h.index.length)
  const count = new Float64Array(h.index.length)
  let k = -1
  for (let i = 0; i < h.index.length; i++) {
    const coarse = Math.floor(h.index[i] / step)
    if (k < 0 || index[k] !== coarse) index[++k] = coarse
    count[k] += h.count[i]
  }
  return {index: index.slice(0, k + 1), count: count.slice(0, k + 1), zero: h.zero}
}

/**
 * The fewest mantissa bits (at most `most`) whose share error for a loss growing like the `exponent`-th
 * power of its key stays within `bound`: a report reads each γ's losses at its own resolution (γ = 0 needs
 * 7 bits where γ = 5 needs 10), which is 2^(most − bits) times fewer buckets to walk.
 */
export function coarsestBits(exponent: number, bound: number, most: number): number {
  for (let bits = 1; bits < most; bits++) if (shareErrorBound(bits, exponent) <= bound) return bits
  return most
}

/**
 * The mantissa bits a histogram needs so that a bucket's representative value (its geometric midpoint)
 * is within a factor ρ = (1 + 2^-bits)^(e/2) of every value keyed into it, with ρ − 1 ≤ `bound`, when a
 * loss grows at most like the e-th power of its key (e = γ + 1 for focal loss keyed on CE).
 */
export function histogramBits(exponent: number, bound: number): number {
  for (let bits = 10; bits < 16; bits++) if (shareErrorBound(bits, exponent) <= bound) return bits
  return 16
}

/** ρ − 1 for a histogram of `bits` and a loss growing at most like the `exponent`-th power of its key. */
export function shareErrorBound(bits: number, exponent: number): number {
  return Math.expm1((exponent / 2) * Math.log1p(2 ** -bits))
}
