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

/** Dense pages of counts for one thread's (or one unit's) values: what `add` writes to. */
export class LossHistogram {
  readonly bits: number
  private readonly pageSize: number
  private readonly shift: number
  /** Exponent (11 bits) → offset of its page in `pool`, or −1. */
  private readonly pageOf = new Int32Array(2048).fill(-1)
  private pool: Float64Array
  private pages = 0
  zero = 0

  constructor(bits: number) {
    this.bits = bits
    this.pageSize = 1 << bits
    this.shift = 20 - bits
    this.pool = new Float64Array(this.pageSize * 4)
  }

  /** Counts a value ≥ 0 (the caller passes losses, never NaN or negative values). */
  add(value: number): void {
    if (value === 0) {
      this.zero++
      return
    }
    F64[0] = value
    const high = U32[HIGH]
    const exponent = high >>> 20
    let page = this.pageOf[exponent]
    if (page < 0) page = this.newPage(exponent)
    this.pool[page + ((high >>> this.shift) & (this.pageSize - 1))]++
  }

  private newPage(exponent: number): number {
    const offset = this.pages * this.pageSize
    if (offset + this.pageSize > this.pool.length) {
      const bigger = new Float64Array(this.pool.length * 2)
      bigger.set(this.pool)
      this.pool = bigger
    }
    this.pageOf[exponent] = offset
    this.pages++
    return offset
  }

  /** The counts as a sparse histogram (buckets in increasing order); the histogram starts empty again. */
  take(): SparseHistogram {
    let occupied = 0
    for (let i = 0; i < this.pages * this.pageSize; i++) if (this.pool[i] !== 0) occupied++
    const index = new Float64Array(occupied)
    const count = new Float64Array(occupied)
    let k = 0
    for (let exponent = 0; exponent < 2048; exponent++) {
      const page = this.pageOf[exponent]
      if (page < 0) continue
      for (let slot = 0; slot < this.pageSize; slot++) {
        const n = this.pool[page + slot]
        if (n === 0) continue
        index[k] = exponent * this.pageSize + slot
        count[k] = n
        k++
      }
    }
    const out = {index, count, zero: this.zero}
    this.pool.fill(0, 0, this.pages * this.pageSize)
    this.pageOf.fill(-1)
    this.pages = 0
    this.zero = 0
    return out
  }
}

/** The sum of two sparse histograms (exact: counts are integers): a new one. Associative and commutative. */
export function mergeSparseHistograms(a: SparseHistogram, b: SparseHistogram): SparseHistogram {
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
