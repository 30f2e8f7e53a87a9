/**
 * 10^e as an unevaluated sum of two doubles, hi + lo (hi = 10^e correctly rounded, lo ≈ 10^e − hi), for
 * the CSV fast path's conversion of decimals whose exponent is past the exactly representable powers of
 * ten (plain-scores.wat, $scaled_decimal): |10^e − (hi + lo)| ≤ 2^-100 · 10^e, so M · 10^e is known to
 * ~2^-100 of itself from three products, far closer than the 2^-75 its midpoint check allows.
 */

/** The exact value of a finite double x > 0 as mantissa · 2^exponent (integers). */
function exactParts(x: number): {mantissa: bigint; exponent: number} {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  const raw = view.getBigUint64(0)
  const biased = Number(raw >> 52n)
  const fraction = raw & ((1n << 52n) - 1n)
  return biased === 0
    ? {mantissa: fraction, exponent: -1074}
    : {mantissa: fraction | (1n << 52n), exponent: biased - 1075}
}

/** Bits of n > 0, to within 3 (from its hexadecimal digits: far cheaper than its binary text). */
function roughBits(n: bigint): number {
  return 4 * n.toString(16).length
}

/** num / den (den > 0) as a double, to ~2^-60 of itself (then rounded): scaled so the quotient has ≥ 61 bits. */
function ratio(num: bigint, den: bigint): number {
  if (num === 0n) return 0
  const negative = num < 0n
  const n = negative ? -num : num
  // 2^shift · n / den lands in [2^60, 2^69).
  const shift = 64 - (roughBits(n) - roughBits(den))
  const q = shift >= 0 ? (n << BigInt(shift)) / den : n / (den << BigInt(-shift))
  const value = Number(q) * 2 ** -shift
  return negative ? -value : value
}

/**
 * hi, lo of 10^e for e = from … to, in that order ([hi_from, lo_from, hi_from+1, …]). `from`/`to` must keep
 * 10^e and its low part normal doubles (here: −280 … 280).
 */
export function powersOfTenPairs(from: number, to: number): Float64Array {
  const out = new Float64Array(2 * (to - from + 1))
  // 10^0 … 10^max(|from|, |to|), by one multiplication each.
  const powers = [1n]
  while (powers.length <= Math.max(-from, to)) powers.push(powers[powers.length - 1] * 10n)
  for (let e = from; e <= to; e++) {
    // Number() of the decimal text is correctly rounded (ECMA-262 StringToNumber).
    const hi = Number(`1e${e}`)
    const {mantissa, exponent} = exactParts(hi)
    // 10^e − mantissa · 2^exponent, as one fraction num / den.
    const ten = powers[Math.abs(e)]
    const twos = 1n << BigInt(Math.abs(exponent))
    let num: bigint
    let den: bigint
    if (e >= 0) {
      num = exponent >= 0 ? ten - (mantissa << BigInt(exponent)) : ten * twos - mantissa
      den = exponent >= 0 ? 1n : twos
    } else {
      // 1 / 10^k − m · 2^x = (1 − m · 2^x · 10^k) / 10^k; x < 0 here, so scale by 2^−x.
      num = exponent >= 0 ? 1n - mantissa * twos * ten : twos - mantissa * ten
      den = exponent >= 0 ? ten : ten * twos
    }
    out[2 * (e - from)] = hi
    out[2 * (e - from) + 1] = ratio(num, den)
  }
  return out
}
