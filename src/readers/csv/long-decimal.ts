/**
 * Decimals with 16 to 19 significant digits — what full-precision writers print (`repr`, `%.17g`,
 * `toPrecision(17)`) — and any of up to 19 digits past 10^±22 (scaledDecimal, below), converted exactly,
 * without a string: the CSV fast path's Clinger form covers 15
 * digits only, and a file of 17-digit numbers otherwise went through `Number()` on decoded text, value by
 * value (issue 20 measured it at the speed of DuckDB rather than 3× it).
 *
 * With M the digits as an integer (M < 10^19 < 2^64) and v = M × 10^e, |e| ≤ 22 (10^|e| exact):
 *   1. M exactly as H + L, H = fl(M): the first 15 digits times 10^r by an exact product (the factor 10^r
 *      < 2^14 times each 26-bit half of the 15 digits is exact), plus the last r digits, by two-sums.
 *   2. q = fl(H / 10^k) (or fl(H · 10^e)), and the remainder M − q·10^k from Dekker's exact product: the
 *      correction c = remainder / 10^k is known to ~2^-50 of an ulp of q.
 *   3. fl(q + c) is the correctly rounded v unless v lies within that error of a midpoint between two
 *      doubles: if q + (c + ε) and q + (c − ε) round to the same double for an ε of 2^-23 ulp (far above
 *      the error, far below half an ulp), that double is right. Otherwise (one value in ~4 million at
 *      random, and exact ties) the caller falls back to Number().
 * The plain version it replaces, and what the tests compare it with: `Number(text)` of the field's text.
 * Checked against Number() on random and near-midpoint inputs in test/readers/csv/long-decimal.test.ts.
 */
import {DOT, ZERO} from './bytes.js'
import {powersOfTenPairs} from './pow10-pairs.js'

/*
 * The function and its table are consts of a closure, not of the module: a bundle makes module-level consts
 * mutable variables, which V8 reloads and rechecks at every use (see table-exp.ts).
 */
const longDecimal = (() => {
  /** 10^0 … 10^22, exact. */
  const POW10 = Float64Array.from({length: 23}, (_, i) => Number(`1e${i}`))
  /** 10^e as pairs of doubles past 10^±22, made at the first such number. */
  const PAIRS_FROM = -280
  const PAIRS_TO = 280
  let pairs: Float64Array | undefined

  /**
   * The value of the unsigned decimal whose digits (with at most one '.') are bytes [start, end) of `buf`,
   * times 10^exponent10 (the field's exponent minus its fraction digits, as the caller counted them).
   * NaN when it cannot be done exactly here (more than 19 significant digits, |exponent10| > 280, a value
   * too close to a midpoint): the caller then parses the text with Number().
   */
  function parseLongDecimal(buf: Uint8Array, start: number, end: number, exponent10: number): number {
    if (exponent10 > PAIRS_TO || exponent10 < PAIRS_FROM) return NaN
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
    const scaled = exponent10 > 22 || exponent10 < -22
    if (tailDigits === 0) {
      // 15 digits or fewer (leading zeros made it look long, or the exponent is past 10^±22): Clinger's
      // exact form, or the scaled form with M = head exactly.
      if (scaled) return scaledDecimal(head, 0, exponent10)
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
    if (exponent10 === 0) return hi
    if (scaled) return scaledDecimal(hi, lo, exponent10)
    let q: number
    let c: number
    const d = POW10[exponent10 < 0 ? -exponent10 : exponent10]
    // Dekker's exact product x · d = p + error (Veltkamp splits by 2^27 + 1; no FMA in JavaScript).
    let t = 134217729 * d
    const dh = t - (t - d)
    const dl = d - dh
    if (exponent10 < 0) {
      q = hi / d
      const p = q * d
      t = 134217729 * q
      const qh = t - (t - q)
      const ql = q - qh
      const error = ql * dl - (p - qh * dh - ql * dh - qh * dl)
      // M − q·d: hi − p is exact (they are within a few ulps), the rest are small.
      c = (hi - p - error + lo) / d
    } else {
      q = hi * d
      t = 134217729 * hi
      const hh = t - (t - hi)
      const hl = hi - hh
      c = hl * dl - (q - hh * dh - hl * dh - hh * dl) + lo * d
    }
    // v = q + c to within ~2^-50 of an ulp. If every real within 2^-23 ulp of that rounds to one double,
    // v does too; otherwise (a near or exact tie, one value in ~4 million at random) give up.
    const eps = (q < 0 ? -q : q) * 2.6469779601696886e-23 // 2^-75
    const r = q + (c + eps)
    return r === q + (c - eps) ? r : NaN
  }

  /**
   * M · 10^e for 22 < |e| ≤ 280, M = hi + lo: 10^e as the pair ph + pl (pow10-pairs.ts, within 2^-100), so
   * v = q + c to ~2^-100 of itself with q = fl(hi · ph) and c = (hi · ph − q, exactly by Dekker's product) +
   * hi · pl + lo · ph; then the same midpoint check. The WebAssembly loop's $scaled_decimal, step for step.
   */
  function scaledDecimal(hi: number, lo: number, e: number): number {
    pairs ??= powersOfTenPairs(PAIRS_FROM, PAIRS_TO)
    const ph = pairs[2 * (e - PAIRS_FROM)]
    const pl = pairs[2 * (e - PAIRS_FROM) + 1]
    const q = hi * ph
    let t = 134217729 * hi
    const hh = t - (t - hi)
    const hl = hi - hh
    t = 134217729 * ph
    const pph = t - (t - ph)
    const ppl = ph - pph
    const c = hl * ppl - (q - hh * pph - hl * pph - hh * ppl) + (hi * pl + lo * ph)
    const eps = (q < 0 ? -q : q) * 2.6469779601696886e-23 // 2^-75
    const r = q + (c + eps)
    return r === q + (c - eps) ? r : NaN
  }

  return parseLongDecimal
})()

export const parseLongDecimal = longDecimal
