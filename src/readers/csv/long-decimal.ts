/**
 * Decimals with 16 to 19 significant digits — what full-precision writers print (`repr`, `%.17g`,
 * `toPrecision(17)`) — converted exactly, without a string: the CSV fast path's Clinger form covers 15
 * digits only, and a file of 17-digit numbers otherwise went through `Number()` on decoded text, value by
 * value (issue 20 measured it at the speed of DuckDB rather than 3× it).
 *
 * With M the digits as an integer (M < 10^19 < 2^64) and v = M × 10^e, |e| ≤ 22 (10^|e| exact):
 *   1. M exactly as H + L, H = fl(M): the first 15 digits times 10^r by an exact product (the factor 10^r
 *      < 2^14 times each 26-bit half of the 15 digits is exact), plus the last r digits, by two-sums.
 *   2. q = fl(H / 10^k) (or fl(H · 10^e)), and the remainder M − q·10^k from Dekker's exact product: the
 *      correction c = remainder / 10^k is known to ~2^-50 of an ulp of q.
 *   3. r = fl(q + c) is the correctly rounded v unless v lies within that error of a midpoint between two
 *      doubles: t = (q − r) + c is v − r to ~2^-50 ulp, so |t| more than 2^-30 ulp from half an ulp proves
 *      r right. Otherwise (one value in ~10^9 at random, and exact ties) the caller falls back to Number().
 * Checked against Number() on random and near-midpoint inputs in test/readers/csv/long-decimal.test.ts.
 */
import {DOT, ZERO} from './bytes.js'

/** The scratch views that read a double's bits (for its ulp). */
const bits = (() => {
  const f64 = new Float64Array(1)
  return {f64, u32: new Uint32Array(f64.buffer)}
})()

/** 10^0 … 10^22, exact. */
const POW10 = Float64Array.from({length: 23}, (_, i) => Number(`1e${i}`))

/** Veltkamp's splitter for 53-bit doubles: 2^27 + 1. */
const SPLIT = 134217729

/** Set by the last twoProduct: the rounding error of its product. */
let productError = 0

/** a · b rounded, with the exact error left in productError (Dekker; no FMA in JavaScript). */
function twoProduct(a: number, b: number): number {
  const p = a * b
  let t = SPLIT * a
  const ah = t - (t - a)
  const al = a - ah
  t = SPLIT * b
  const bh = t - (t - b)
  const bl = b - bh
  productError = al * bl - (p - ah * bh - al * bh - ah * bl)
  return p
}

/**
 * Whether r = fl(v) given t ≈ v − r (to ~2^-50 of an ulp): false when v may be within reach of a midpoint,
 * or when r is a power of two (the midpoint below is then a quarter of its ulp away, not a half).
 */
function roundedSafely(r: number, t: number): boolean {
  const {f64, u32} = bits
  f64[0] = r
  const high = u32[1]
  const exponent = (high >>> 20) & 0x7ff
  if ((high & 0xfffff) === 0 && u32[0] === 0) return false
  // ulp(r) = 2^(exponent − 1075); built as a double with that exponent (r is normal and far from 2^-970).
  u32[1] = (exponent - 52) << 20
  u32[0] = 0
  const ulp = f64[0]
  const distance = Math.abs(Math.abs(t) - 0.5 * ulp)
  return distance > ulp * 9.313225746154785e-10 // 2^-30
}

/**
 * The value of the unsigned decimal whose digits (with at most one '.') are bytes [start, end) of `buf`,
 * times 10^exponent10 (the field's exponent minus its fraction digits, as the caller counted them).
 * NaN when it cannot be done exactly here (more than 19 significant digits, |exponent10| > 22, a value
 * too close to a midpoint): the caller then parses the text with Number().
 */
export function parseLongDecimal(buf: Uint8Array, start: number, end: number, exponent10: number): number {
  if (exponent10 > 22 || exponent10 < -22) return NaN
  // The significant digits: the first 15 in `head`, the rest (up to 4) in `tail`.
  let head = 0
  let tail = 0
  let tailDigits = 0
  let significant = 0
  for (let p = start; p < end; p++) {
    const c = buf[p]
    if (c === DOT) continue
    const d = c - ZERO
    if (significant === 0 && d === 0) continue // leading zeros
    if (significant < 15) head = head * 10 + d
    else {
      tail = tail * 10 + d
      tailDigits++
    }
    significant++
  }
  if (significant > 19) return NaN
  if (tailDigits === 0) {
    // Leading zeros made it look long: 15 digits or fewer, Clinger's exact form.
    if (exponent10 === 0) return head
    return exponent10 < 0 ? head / POW10[-exponent10] : head * POW10[exponent10]
  }
  // M = head · 10^tailDigits + tail exactly as hi + lo (hi = fl(M)). head < 2^50 splits into two 25-bit
  // halves, and each times 10^tailDigits (< 2^14) is exact.
  const scale = POW10[tailDigits]
  const headHigh = Math.floor(head / 33554432) * 33554432 // 2^25
  const a = headHigh * scale
  const b = (head - headHigh) * scale
  // Two-sum of a + b, then of that + tail: every part is an integer below 2^64, every error a small one.
  let hi = a + b
  let lo = b - (hi - a)
  const s = hi + tail
  const bv = s - hi
  lo += hi - (s - bv) + (tail - bv)
  hi = s + lo
  lo -= hi - s
  let q: number
  let c: number
  if (exponent10 === 0) return hi
  if (exponent10 < 0) {
    const d = POW10[-exponent10]
    q = hi / d
    const p = twoProduct(q, d)
    // M − q·d: hi − p is exact (they are within a few ulps), the rest are small.
    c = (hi - p - productError + lo) / d
  } else {
    const d = POW10[exponent10]
    q = twoProduct(hi, d)
    c = productError + lo * d
  }
  const r = q + c
  return roundedSafely(r, q - r + c) ? r : NaN
}
