/**
 * exp, log1p and log for the evaluators' hot loops, in plain float arithmetic that V8 inlines.
 *
 * Math.exp and Math.log1p are calls into V8's C library (fdlibm): on this project's 2-core machine
 * they cost 15–30 ns each, and a binary row needs one of each. These table-driven forms (Tang 1989)
 * take a few nanoseconds inside an optimised loop. Both are faithful: within 1 ulp of the correctly
 * rounded result (Math.exp and Math.log1p promise the same), checked against a 200-bit reference in
 * test/core/table-exp.test.ts.
 */

/**
 * The constants, as a const enum so they are literals in the compiled loop (module-level consts are
 * variables in a bundle, loaded from memory on every call).
 */
const enum Tang {
  /** Table points per octave. */
  N = 128,
  /** N / ln 2, as 128 / Math.LN2 gives it. */
  NOverLn2 = 184.6649652337873,
  /** ln 2 / N in two parts (fdlibm's ln2_hi has 32 trailing zero bits, so k · hi is exact for |k| < 2^20). */
  Ln2OverNHi = 6.9314718036912381649e-1 / 128,
  Ln2OverNLo = 1.90821492927058770002e-10 / 128,
  /** x + Round − Round rounds x to an integer (ties to even) for |x| < 2^51, without Math.round's slow path. */
  Round = 6755399441055744,
  Pow2Bias = 1100,
  /** ln 2 in two parts, as fdlibm's ln2_hi and ln2_lo. */
  Ln2Hi = 6.9314718036912381649e-1,
  Ln2Lo = 1.90821492927058770002e-10,
}

/*
 * The tables are consts of this closure, not of the module: a bundle makes module-level consts mutable
 * variables, which V8 reloads and rechecks (map, length, data pointer) at every use in a hot loop, ~8
 * instructions per table access. A closure's consts it compiles into the loop as constants.
 */
const tables = (() => {
  /** 2^(j/N), j = 0 … N − 1. */
  const EXP2_FRACTION = Float64Array.from({length: Tang.N}, (_, j) => 2 ** (j / Tang.N))
  /** 2^(i − Pow2Bias): the scale of every normal result, without building exponent bits. */
  const POW2 = Float64Array.from({length: 2 * Tang.Pow2Bias}, (_, i) => 2 ** (i - Tang.Pow2Bias))

  /**
   * e^x. Outside (−708, 709) (subnormal or overflowing results) and for NaN it is Math.exp itself.
   * x = (k/N)·ln 2 + r with |r| ≤ ln 2 / 2N, e^x = 2^⌊k/N⌋ · 2^((k mod N)/N) · e^r, e^r − 1 by its
   * Taylor polynomial to r⁵ (the next term is below 2^−60 relative).
   */
  function tableExp(x: number): number {
    if (!(x > -708 && x < 709)) return Math.exp(x)
    const k = x * Tang.NOverLn2 + Tang.Round - Tang.Round
    const ki = k | 0
    const r = x - k * Tang.Ln2OverNHi - k * Tang.Ln2OverNLo
    const r2 = r * r
    const p = r + r2 * (0.5 + r * (1 / 6)) + r2 * r2 * (1 / 24 + r * (1 / 120))
    const t = EXP2_FRACTION[ki & (Tang.N - 1)]
    return POW2[(ki >> 7) + Tang.Pow2Bias] * (t + t * p)
  }

  /** log1p(j/N) and 1 / (1 + j/N), j = 0 … N. */
  const LOG1P_GRID = Float64Array.from({length: Tang.N + 1}, (_, j) => Math.log1p(j / Tang.N))
  const INV_ONE_PLUS_GRID = Float64Array.from({length: Tang.N + 1}, (_, j) => 1 / (1 + j / Tang.N))

  /**
   * log(1 + e) for e in [0, 1] (as e^−|m| in the sigmoid losses). With c = j/N the grid point nearest e,
   * log1p(e) = log1p(c) + log1p(u), u = (e − c)/(1 + c): e − c is exact (Sterbenz), |u| ≤ 1/2N, and
   * log1p(u) by its Taylor polynomial to u⁷ (the next term is below 2^−59 relative). Other e: Math.log1p.
   */
  function tableLog1pUnit(e: number): number {
    if (!(e >= 0 && e <= 1)) return Math.log1p(e)
    const j = e * Tang.N + Tang.Round - Tang.Round
    const ji = j | 0
    const u = (e - j * (1 / Tang.N)) * INV_ONE_PLUS_GRID[ji]
    const u2 = u * u
    const tail = 0.5 - u * (1 / 3) + u2 * (0.25 - u * 0.2) + u2 * u2 * (1 / 6 - u * (1 / 7))
    return LOG1P_GRID[ji] + (u - u2 * tail)
  }

  /**
   * log x for x ≥ 1 (a softmax row's Σ e^(x_j − max) lies in [1, K]): x = 2^k · m with m in [1, 2), so
   * log x = k · ln 2 + log1p(m − 1), m − 1 exact. Other x (below 1, beyond 2^31, NaN): Math.log.
   */
  function tableLogAtLeastOne(x: number): number {
    if (!(x >= 1 && x < 2147483648)) return Math.log(x)
    const k = 31 - Math.clz32(x)
    const m = x * POW2[Tang.Pow2Bias - k]
    return k * Tang.Ln2Hi + (k * Tang.Ln2Lo + tableLog1pUnit(m - 1))
  }

  return {tableExp, tableLog1pUnit, tableLogAtLeastOne}
})()

export const {tableExp, tableLog1pUnit, tableLogAtLeastOne} = tables
