/** Number formatting for people. The JSON keeps full precision; these are for tables only. */

/** A loss sum or mean: 6 significant digits, exponent form for very small or large values. */
export function formatLoss(value: number | null): string {
  if (value === null) return '–'
  if (value === 0) return '0'
  const abs = Math.abs(value)
  if (abs >= 1e7 || abs < 1e-4) return value.toExponential(3)
  return Number(value.toPrecision(6)).toString()
}

/** A share in [0, 1] as a percentage with one decimal. */
export function formatShare(value: number | null): string {
  if (value === null) return '–'
  return `${(value * 100).toFixed(1)}%`
}

/**
 * A count with thousands separators, as toLocaleString('en-US') writes it. Written out because the first
 * toLocaleString call loads ICU's number formatting: ~20 ms of every table report.
 */
export function formatCount(value: number): string {
  if (!Number.isSafeInteger(value)) return value.toLocaleString('en-US')
  const digits = String(Math.abs(value))
  let grouped = digits.slice(0, ((digits.length - 1) % 3) + 1)
  for (let i = grouped.length; i < digits.length; i += 3) grouped += `,${digits.slice(i, i + 3)}`
  return value < 0 ? `-${grouped}` : grouped
}

export function formatRatio(value: number | null, digits = 3): string {
  if (value === null) return '–'
  return Number(value.toPrecision(digits)).toString()
}
