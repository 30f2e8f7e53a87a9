/**
 * Numerically stable building blocks. None of these return NaN or ±Infinity for finite input.
 */

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
