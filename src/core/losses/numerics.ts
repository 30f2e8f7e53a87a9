/**
 * Numerically stable building blocks. None of these return NaN or ±Infinity for finite input.
 */

/**
 * log σ(m) = −softplus(−m) = −(max(−m, 0) + log1p(exp(−|m|))).
 * The naive log(1 / (1 + exp(−m))) overflows for m < −709 and loses everything below m ≈ −37.
 */
export function logSigmoid(m: number): number {
  const l = Math.log1p(Math.exp(-Math.abs(m)))
  return m >= 0 ? -l : m - l
}

/** σ(m) = 1 / (1 + exp(−m)), evaluated so exp never overflows. */
export function sigmoid(m: number): number {
  if (m >= 0) return 1 / (1 + Math.exp(-m))
  const e = Math.exp(m)
  return e / (1 + e)
}

/** log Σ exp(x_j) over one row of `width` values starting at `offset`, shifted by the row maximum. */
export function logSumExp(values: ArrayLike<number>, offset: number, width: number): number {
  let max = -Infinity
  for (let j = 0; j < width; j++) if (values[offset + j] > max) max = values[offset + j]
  let sum = 0
  for (let j = 0; j < width; j++) sum += Math.exp(values[offset + j] - max)
  return max + Math.log(sum)
}

/**
 * How (1 − p_t)^γ is evaluated for one γ. A generic Math.pow per row and γ is about 3× slower than
 * these special cases, and they give the same doubles for the integer and half-integer γ people use.
 */
export const enum PowerKind {
  One = 0, // γ = 0: 1 even when the base is 0
  Identity = 1, // γ = 1
  Square = 2, // γ = 2
  Sqrt = 3, // γ = 0.5
  SqrtCube = 4, // γ = 1.5
  Integer = 5, // γ = 3, 4, … repeated multiplication
  General = 6, // anything else: Math.pow
}

export function powerKindOf(gamma: number): PowerKind {
  if (gamma === 0) return PowerKind.One
  if (gamma === 1) return PowerKind.Identity
  if (gamma === 2) return PowerKind.Square
  if (gamma === 0.5) return PowerKind.Sqrt
  if (gamma === 1.5) return PowerKind.SqrtCube
  if (Number.isInteger(gamma) && gamma > 2 && gamma <= 16) return PowerKind.Integer
  return PowerKind.General
}

/** base^γ with the evaluation strategy `kind` (see PowerKind). */
export function powerOf(base: number, gamma: number, kind: PowerKind): number {
  switch (kind) {
    case PowerKind.One:
      return 1
    case PowerKind.Identity:
      return base
    case PowerKind.Square:
      return base * base
    case PowerKind.Sqrt:
      return Math.sqrt(base)
    case PowerKind.SqrtCube:
      return base * Math.sqrt(base)
    case PowerKind.Integer: {
      let r = base
      for (let k = 1; k < gamma; k++) r *= base
      return r
    }
    default:
      return Math.pow(base, gamma)
  }
}

/**
 * Neumaier's compensated summation over parallel arrays: `sum[i]` plus the lost low-order bits in
 * `comp[i]`. The value is sum[i] + comp[i]. Keeps 10 M-term sums within ~1e-15 relative.
 */
export function addCompensated(sum: Float64Array, comp: Float64Array, i: number, x: number): void {
  const s = sum[i]
  const t = s + x
  if (Math.abs(s) >= Math.abs(x)) comp[i] += s - t + x
  else comp[i] += x - t + s
  sum[i] = t
}

/** Compensated sum of plain numbers (used when deriving totals from a few partial sums). */
export function compensatedSum(values: Iterable<number>): number {
  let sum = 0
  let comp = 0
  for (const x of values) {
    const t = sum + x
    if (Math.abs(sum) >= Math.abs(x)) comp += sum - t + x
    else comp += x - t + sum
    sum = t
  }
  return sum + comp
}
