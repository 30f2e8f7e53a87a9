/** Decimal spellings for the CSV number parsers' property tests, and what their fast paths promise to take. */
import fc from 'fast-check'

/** Decimal spellings people's tools write: fixed, precision, exponent, leading zeros, signs, long digit runs. */
export const decimalText = fc.oneof(
  fc.double({min: -1e6, max: 1e6, noNaN: true}).chain((x) =>
    fc.oneof(
      fc.integer({min: 0, max: 20}).map((d) => x.toFixed(d)),
      fc.integer({min: 1, max: 21}).map((d) => x.toPrecision(d)),
      fc.integer({min: 0, max: 20}).map((d) => x.toExponential(d)),
      fc.constant(String(x)),
    ),
  ),
  fc
    .tuple(
      fc.constantFrom('', '-', '+'),
      fc.stringMatching(/^[0-9]{0,12}$/),
      fc.boolean(),
      fc.stringMatching(/^[0-9]{0,12}$/),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '-', '+'), fc.integer({min: 0, max: 400}))),
    )
    .map(([sign, whole, dot, fraction, exp]) => {
      const body = dot ? `${whole}.${fraction}` : whole + fraction
      return sign + body + (exp ? `${exp[0]}${exp[1]}${exp[2]}` : '')
    }),
)

/**
 * What the fast path promises to take: ≤ 15 digits, decimal exponent within ±22 of the digits (it takes
 * more — up to 19 digits, when it can round them exactly — but promises only this).
 */
export function isPlain(text: string): boolean {
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/.exec(text)
  if (!m) return false
  const whole = m[1]
  const fraction = m[2] ?? ''
  const digits = whole.length + fraction.length
  if (digits === 0 || digits > 15) return false
  const e = Number(m[3] ?? 0) - fraction.length
  return e >= -22 && e <= 22
}
