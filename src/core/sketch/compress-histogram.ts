/**
 * A sketch histogram read as few runs as its error budget allows: within each octave of the key, adjacent
 * buckets merged into aligned blocks as wide as the loss they carry permits. A report reads every run once
 * per γ and group and runs once per process (cold code): 40 000 buckets read one by one took ~90 ms, the
 * same figures from the runs a few.
 *
 * The bound. Read each element at a representative loss ℓ̂ instead of its loss ℓ; the top-m sum of the ℓ̂
 * is then within E = Σ |ℓ̂ − ℓ| of the true top-m sum (for any set S of m elements, Σ_S ℓ̂ and Σ_S ℓ differ
 * by at most E, so the largest of each do too), and a share within E / L of the exact one (L the exact total).
 * - A bucket left alone is read at its geometric midpoint, within a factor ρ of each of its elements'
 *   losses (loss-histogram.ts): |ℓ̂ − ℓ| ≤ (ρ − 1) ℓ, at most (ρ − 1) L over all of them.
 * - A block of width w in the key, in an octave where the loss's slope is at most M, read at its geometric
 *   midpoint, is off by at most 0.586 w M on each element (MIDDLE), and an octave of N elements cut into
 *   blocks of width W / 2^j by at most 0.586 N W M / 2^j in all (`spent`, per loss function).
 * So every share is within (ρ − 1) + spent / L of the exact one. Small histograms are read as they are.
 *
 * How wide. With K = N W M for an octave and a_e of the budget B allowed to it, it needs 2^j ≥ K / a_e
 * blocks; spreading B as a_e ∝ √K_e gives the fewest blocks in all ((Σ √K)² / B, by Lagrange): octaves of
 * easy elements, whose loss is tiny, become one block; the octaves that carry the loss keep their buckets.
 */
import {lowerBound, type SparseHistogram} from './loss-histogram.js'

/** Pieces of an octave whose slope bounds are taken apart (their largest bounds the octave's slope). */
const SLOPE_PARTS = 8
/**
 * A block [lo, hi) within an octave (hi ≤ 2 lo) read at its geometric midpoint g is off by at most
 * max(f(hi) − f(g), f(g) − f(lo)) ≤ M (hi − g), and (hi − g) / (hi − lo) = √r / (√r + 1) ≤ √2 / (√2 + 1)
 * for r = hi / lo ≤ 2.
 */
const MIDDLE = Math.SQRT2 / (Math.SQRT2 + 1)

/** A histogram as runs of buckets, in increasing key order: parallel arrays. */
export interface HistogramRuns {
  count: Float64Array
  /** Each run's representative key: the geometric midpoint of its bounds (of its bucket's, unmerged). */
  key: Float64Array
  /** Values that were exactly 0 (never merged). */
  zero: number
  /** A bound on Σ |ℓ̂ − ℓ| over the histogram's elements, per loss function, in loss units. */
  error: Float64Array
}

export interface CompressOptions {
  bits: number
  /** How many loss functions there are (one per γ for a CE histogram); each grows with the key. */
  functions: number
  /** Writes into `out` an upper bound of each loss function's slope over keys in [lo, hi]. */
  slopes: (lo: number, hi: number, out: Float64Array) => void
  /** The error allowed per loss function, in loss units. */
  budget: Float64Array
  /** (ρ − 1) times the histogram's loss, per function: the error of its buckets read as they are. */
  fineError: Float64Array
  /** Keys no run may span (a table's bin edges): a block holding one keeps its buckets. Increasing. */
  breaks?: readonly number[]
  /** A histogram of at most this many buckets (default 2048) is read as it is: cheap, and most exact. */
  runs?: number
}

export function compressHistogram(h: SparseHistogram, options: CompressOptions): HistogramRuns {
  const {bits, functions: F, budget} = options
  const breaks = options.breaks ?? []
  const enough = options.runs ?? 2048
  const n = h.index.length
  const page = 2 ** bits
  // Elements per octave (the key's exponent: a bucket index is exponent · 2^bits + its top mantissa bits).
  const octaveCount = new Float64Array(2048)
  for (let i = 0; i < n; i++) octaveCount[Math.floor(h.index[i] / page)] += h.count[i]
  // K = N W M per octave and function; octaves 0 (subnormals, down to 0) and 2047 (to Infinity) stay as
  // they are, as does any octave whose bound is not finite.
  const octaves: number[] = []
  for (let e = 1; e < 2047; e++) if (octaveCount[e] > 0) octaves.push(e)
  const K = new Float64Array(octaves.length * F)
  const roots = new Float64Array(F)
  const slope = new Float64Array(F)
  const partSlope = new Float64Array(F)
  octaves.forEach((e, o) => {
    const lo = lowerBound(e * page, bits)
    const hi = lowerBound((e + 1) * page, bits)
    // The slope's bound over the octave, as the largest of its bounds over eighths of it (a bound over the
    // whole octave, a product of each factor's largest, was ~2.5 times the true slope at γ = 5).
    slope.fill(0)
    for (let part = 0; part < SLOPE_PARTS; part++) {
      const from = lo + ((hi - lo) * part) / SLOPE_PARTS
      const to = part === SLOPE_PARTS - 1 ? hi : lo + ((hi - lo) * (part + 1)) / SLOPE_PARTS
      options.slopes(from, to, partSlope)
      for (let f = 0; f < F; f++) slope[f] = Math.max(slope[f], partSlope[f])
    }
    for (let f = 0; f < F; f++) {
      const k = MIDDLE * octaveCount[e] * (hi - lo) * slope[f]
      K[o * F + f] = k >= 0 && k < Infinity ? k : Infinity
      if (k >= 0 && k < Infinity) roots[f] += Math.sqrt(k)
    }
  })
  // Elements in octaves without a slope bound (subnormal keys, keys to Infinity, a bound that overflowed).
  let unbounded = octaveCount[0] + octaveCount[2047]
  octaves.forEach((e, o) => {
    for (let f = 0; f < F; f++) if (K[o * F + f] === Infinity) unbounded += octaveCount[e]
  })
  // Two ways to account for the error, the first that fits: every octave by its slope bound, merged or not
  // (the budget then covers all of it: what the hard octaves need, where the loss grows like CE^1-2 and ρ,
  // made for CE^(γ+1), overstates them), or buckets left alone by ρ (`fineError`) and merged octaves by
  // their slope bound, within what is left.
  const bySlope = unbounded === 0 ? plan(K, octaves, roots, budget, n, enough, bits, true) : null
  const fits = bySlope !== null && bySlope.error.every((error, f) => error <= budget[f])
  const chosen = fits
    ? bySlope
    : plan(
        K,
        octaves,
        roots,
        budget.map((b, f) => Math.max(0, b - options.fineError[f])),
        n,
        enough,
        bits,
        false,
      )
  const error = fits ? chosen.error : chosen.error.map((merged, f) => merged + options.fineError[f])
  // Nothing merged: the smaller of the two bounds holds.
  if (!chosen.shift.some((d) => d > 0) && unbounded === 0) {
    const slopeBound = plan(K, octaves, roots, new Float64Array(F), n, enough, bits, true).error
    for (let f = 0; f < F; f++) error[f] = Math.min(slopeBound[f], options.fineError[f])
  }
  const {shift} = chosen
  // One pass, octave by octave (a bucket index is octave · 2^bits + slot): a block's buckets summed into
  // one run, unless a break lies inside the block. Bounds by arithmetic within an octave (base · (1 +
  // slot / 2^bits), exact: base is a power of two), as lowerBound gives them, outside the octaves of
  // subnormal values and of Infinity; breaks passed as keys increase.
  const count = new Float64Array(n)
  const key = new Float64Array(n)
  let runs = 0
  let nextBreak = 0
  let octave = -1
  let d = 0
  let width = 1
  let first = 0
  let exact = false
  let base = 0
  let block = -1
  let whole = false
  for (let i = 0; i < n; i++) {
    const index = h.index[i]
    if (index >= first + page || octave < 0) {
      octave = Math.floor(index / page)
      d = shift[octave]
      width = 2 ** d
      first = octave * page
      exact = octave > 0 && octave < 2046
      base = lowerBound(first, bits)
      block = -1
      whole = false
    }
    const slot = index - first
    const id = d > 0 ? Math.floor(slot / width) : slot
    if (d > 0 && whole && id === block) {
      count[runs - 1] += h.count[i]
      continue
    }
    const from = d > 0 ? id * width : slot
    const to = d > 0 ? (id + 1) * width : slot + 1
    const lo = exact ? base * (1 + from / page) : lowerBound(first + from, bits)
    const hi = exact ? base * (1 + to / page) : lowerBound(first + to, bits)
    if (d > 0) {
      block = id
      while (nextBreak < breaks.length && breaks[nextBreak] <= lo) nextBreak++
      whole = !(nextBreak < breaks.length && breaks[nextBreak] < hi)
      if (!whole) {
        // This bucket alone, and each of the block's others as it comes.
        count[runs] = h.count[i]
        key[runs++] = geometricMiddle(
          exact ? base * (1 + slot / page) : lowerBound(first + slot, bits),
          exact ? base * (1 + (slot + 1) / page) : lowerBound(first + slot + 1, bits),
        )
        continue
      }
    }
    count[runs] = h.count[i]
    key[runs++] = geometricMiddle(lo, hi)
  }
  return {count: count.slice(0, runs), key: key.slice(0, runs), zero: h.zero, error}
}

/**
 * √(lo · hi), within [lo, hi]: the top bucket's bound is Infinity, above ~1e154 the product overflows and
 * below ~1e-154 it loses digits or underflows — roots apart there (as representativeValues does).
 */
function geometricMiddle(lo: number, hi: number): number {
  const upper = Math.min(hi, Number.MAX_VALUE)
  const product = lo * upper
  return product < Infinity && product >= 2.2250738585072014e-308
    ? Math.sqrt(product)
    : Math.sqrt(lo) * Math.sqrt(upper)
}

/**
 * Each octave's block size (a shift of the bucket index; 0: its buckets as they are) for a budget spread as
 * a_e ∝ √K_e, and the error bound that gives: Σ K / 2^j over the merged octaves, and over the others too
 * when `withFine` (their slope bound at j = bits).
 */
function plan(
  K: Float64Array,
  octaves: number[],
  roots: Float64Array,
  budget: Float64Array,
  n: number,
  enough: number,
  bits: number,
  withFine: boolean,
): {shift: Int32Array; error: Float64Array} {
  const F = roots.length
  const shift = new Int32Array(2048)
  const error = new Float64Array(F)
  // (Σ √K)² / B blocks in all: the whole budget, but nothing on a small histogram.
  const spend = n <= enough ? new Float64Array(F) : budget
  octaves.forEach((_, o) => {
    let j = 0
    for (let f = 0; f < F; f++) {
      const k = K[o * F + f]
      if (k === 0) continue
      const allowed = roots[f] > 0 ? (spend[f] * Math.sqrt(k)) / roots[f] : 0
      if (!(allowed > 0 && k < Infinity)) {
        j = bits
        break
      }
      while (j < bits && k / 2 ** j > allowed) j++
    }
    if (j < bits) shift[octaves[o]] = bits - j
    if (j < bits || withFine) for (let f = 0; f < F; f++) error[f] += K[o * F + f] / 2 ** j
  })
  return {shift, error}
}
