/**
 * exp and log1p for the evaluators' hot loops, in plain float arithmetic that V8 inlines.
 *
 * Math.exp and Math.log1p are calls into V8's C library (fdlibm): on this project's 2-core machine
 * they cost 15–30 ns each, and a binary row needs one of each. These table-driven forms (Tang 1989)
 * take a few nanoseconds inside an optimised loop. Both are faithful: within 1 ulp of the correctly
 * rounded result (Math.exp and Math.log1p promise the same), checked against a 200-bit reference in
 * test/core/table-exp.test.ts.
 */

const N = 128
const N_OVER_LN2 = N / Math.LN2
// ln 2 / N in two parts (fdlibm's ln2_hi has 32 trailing zero bits, so k · hi is exact for |k| < 2^20).
const LN2_N_HI = 6.9314718036912381649e-1 / N
const LN2_N_LO = 1.90821492927058770002e-10 / N
/** x + ROUND − ROUND rounds x to an integer (ties to even) for |x| < 2^51, without Math.round's slow path. */
const ROUND = 6755399441055744 // 1.5 · 2^52
const POW2_BIAS = 1100

/** 2^(j/N), j = 0 … N − 1. */
const EXP2_FRACTION = Float64Array.from({length: N}, (_, j) => 2 ** (j / N))
/** 2^(i − POW2_BIAS): the scale of every normal result, without building exponent bits. */
const POW2 = Float64Array.from({length: 2 * POW2_BIAS}, (_, i) => 2 ** (i - POW2_BIAS))

/**
 * e^x. Outside (−708, 709) (subnormal or overflowing results) and for NaN it is Math.exp itself.
 * x = (k/N)·ln 2 + r with |r| ≤ ln 2 / 2N, e^x = 2^⌊k/N⌋ · 2^((k mod N)/N) · e^r, e^r − 1 by its
 * Taylor polynomial to r⁵ (the next term is below 2^−60 relative).
 */
export function tableExp(x: number): number {
  if (!(x > -708 && x < 709)) return Math.exp(x)
  const k = x * N_OVER_LN2 + ROUND - ROUND
  const ki = k | 0
  const r = x - k * LN2_N_HI - k * LN2_N_LO
  const r2 = r * r
  const p = r + r2 * (0.5 + r * (1 / 6)) + r2 * r2 * (1 / 24 + r * (1 / 120))
  const t = EXP2_FRACTION[ki & (N - 1)]
  return POW2[(ki >> 7) + POW2_BIAS] * (t + t * p)
}

/** log1p(j/N) and 1 / (1 + j/N), j = 0 … N. */
const LOG1P_GRID = Float64Array.from({length: N + 1}, (_, j) => Math.log1p(j / N))
const INV_ONE_PLUS_GRID = Float64Array.from({length: N + 1}, (_, j) => 1 / (1 + j / N))

/**
 * log(1 + e) for e in [0, 1] (as e^−|m| in the sigmoid losses). With c = j/N the grid point nearest e,
 * log1p(e) = log1p(c) + log1p(u), u = (e − c)/(1 + c): e − c is exact (Sterbenz), |u| ≤ 1/2N, and
 * log1p(u) by its Taylor polynomial to u⁷ (the next term is below 2^−59 relative). Other e: Math.log1p.
 */
export function tableLog1pUnit(e: number): number {
  if (!(e >= 0 && e <= 1)) return Math.log1p(e)
  const j = e * N + ROUND - ROUND
  const ji = j | 0
  const u = (e - j * (1 / N)) * INV_ONE_PLUS_GRID[ji]
  const u2 = u * u
  const tail = 0.5 - u * (1 / 3) + u2 * (0.25 - u * 0.2) + u2 * u2 * (1 / 6 - u * (1 / 7))
  return LOG1P_GRID[ji] + (u - u2 * tail)
}
