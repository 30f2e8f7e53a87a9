/**
 * Fast decimal output with 6 significant digits, straight into a byte buffer.
 *
 * `round6(x)` gives the double that the written text parses to, and `writeRound6` writes the text in
 * JavaScript's normal form — what `String(round6(x))` prints: no trailing zeros, plain notation for
 * 1e-7 < |x| < 1e21, exponent notation ("1.5e-7") below. The 6-digit mantissa M and exponent are
 * exact, so the value M / 10^k (k ≤ 22) is one correctly rounded division: the same double any
 * correct CSV parser produces from the text. Rounding x to 6 digits can differ from x.toPrecision(6)
 * at exact ties of the scaled product; that changes which 6-digit value a row gets, never whether the
 * text and the double agree.
 */

const POW10 = Float64Array.from({length: 23}, (_, i) => Number(`1e${i}`))

/** Values this small are written as 0 (keeps every exponent within the exact powers of ten). */
const TINY = 1e-15

const NEG_POW10 = Float64Array.from({length: 23}, (_, i) => Number(`1e-${i}`))

/** Largest magnitude written (keeps every exponent within the exact powers of ten). */
const HUGE = 1e21

// Scratch state of the last decomposition (avoids allocating a tuple per value).
let mant = 0 // 100000 … 999999
let exp10 = 0 // decimal exponent of the first digit

/** ax × 10^(5 − e) rounded to an integer (ax > 0). Integer ops only: Math.round/floor are slow calls on some CPUs. */
function scaled(ax: number, e: number): number {
  const y = e <= 5 ? ax * POW10[5 - e] : ax / POW10[e - 5]
  return (y + 0.5) | 0
}

function decompose(ax: number): void {
  let e = 0
  if (ax >= 1) {
    while (e < 21 && ax >= POW10[e + 1]) e++
  } else {
    e = -1
    while (e > -16 && ax < NEG_POW10[-e]) e--
  }
  let m = scaled(ax, e)
  if (m >= 1000000) {
    e += 1
    m = scaled(ax, e)
  } else if (m < 100000) {
    e -= 1
    m = scaled(ax, e)
  }
  if (m >= 1000000) {
    // 999999.5 rounded up after the shift: 1.00000 × 10^(e+1).
    m = 100000
    e += 1
  }
  mant = m
  exp10 = e
}

/** x rounded to 6 significant digits, as the double its decimal text parses to. */
export function round6(x: number): number {
  const ax = Math.abs(x)
  if (!(ax >= TINY)) return 0
  if (!(ax < HUGE)) throw new RangeError(`cannot write ${x}`)
  decompose(ax)
  const v = exp10 <= 5 ? mant / POW10[5 - exp10] : mant * POW10[exp10 - 5]
  return x < 0 ? -v : v
}

const DIGITS = new Uint8Array(6)

/** The double that the last `writeRound6` call wrote (round6 of its argument). */
export let lastValue = 0

/**
 * Writes round6(x) as text at `pos`; returns the position after it and leaves the value written in
 * `lastValue`. Needs at most 14 bytes.
 */
export function writeRound6(buf: Uint8Array, pos: number, x: number): number {
  const ax = Math.abs(x)
  if (!(ax >= TINY)) {
    buf[pos] = 0x30
    lastValue = 0
    return pos + 1
  }
  if (!(ax < HUGE)) throw new RangeError(`cannot write ${x}`)
  decompose(ax)
  const v = exp10 <= 5 ? mant / POW10[5 - exp10] : mant * POW10[exp10 - 5]
  lastValue = x < 0 ? -v : v
  if (x < 0) buf[pos++] = 0x2d
  let m = mant
  for (let i = 5; i >= 0; i--) {
    const q = (m / 10) | 0
    DIGITS[i] = m - q * 10
    m = q
  }
  let n = 6 // significant digits after trimming trailing zeros
  while (n > 1 && DIGITS[n - 1] === 0) n--
  const e = exp10
  if (e >= 0 && e < 21) {
    // Plain notation: e + 1 integer digits.
    const intDigits = e + 1
    for (let i = 0; i < intDigits; i++) buf[pos++] = i < n ? 0x30 + DIGITS[i] : 0x30
    if (n > intDigits) {
      buf[pos++] = 0x2e
      for (let i = intDigits; i < n; i++) buf[pos++] = 0x30 + DIGITS[i]
    }
  } else if (e < 0 && e >= -6) {
    buf[pos++] = 0x30
    buf[pos++] = 0x2e
    for (let i = -1; i > e; i--) buf[pos++] = 0x30
    for (let i = 0; i < n; i++) buf[pos++] = 0x30 + DIGITS[i]
  } else {
    buf[pos++] = 0x30 + DIGITS[0]
    if (n > 1) {
      buf[pos++] = 0x2e
      for (let i = 1; i < n; i++) buf[pos++] = 0x30 + DIGITS[i]
    }
    buf[pos++] = 0x65
    buf[pos++] = e < 0 ? 0x2d : 0x2b
    const ae = Math.abs(e)
    if (ae >= 10) buf[pos++] = 0x30 + ((ae / 10) | 0)
    buf[pos++] = 0x30 + (ae % 10)
  }
  return pos
}
