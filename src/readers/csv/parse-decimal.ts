/**
 * Decimal number parsing straight from CSV bytes, without making a string per field.
 *
 * Fast path (Clinger 1990): when the significant digits fit in 15 decimal digits and the decimal
 * exponent is within ±22, mantissa × 10^e (or ÷ 10^−e) is a single correctly rounded IEEE operation,
 * so the result is the same double `Number(text)` gives; 16 to 19 digits, and exponents past ±22 up to
 * ±280, are converted exactly by parseLongDecimal. Anything else — more digits, larger exponents, "NaN", stray characters — takes the
 * slow path through `Number()` on the decoded text.
 */

import {COMMA, CR, DOT, LF, LOWER_E, MINUS, NINE, PLUS, POW10, UPPER_E, ZERO} from './bytes.js'
import {parseLongDecimal} from './long-decimal.js'

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** Where the last parse stopped: the index of the delimiter (or `end`) after the field. */
export let fieldEnd = 0

function isDelimiter(c: number): boolean {
  return c === COMMA || c === LF || c === CR
}

/**
 * Parses the unquoted field that starts at `start` and runs to the next comma, CR, LF or `end`.
 * Sets `fieldEnd`. Returns NaN for text that is not a decimal number (callers look at the text to
 * say what it was); "NaN" and "Infinity" spelled out come back as NaN and ±Infinity.
 * `more`: bytes after `end` are still to come, so a field that runs to `end` is cut off and its value
 * unused; the slow path then returns NaN without decoding it (a 64 MB field read in growing pieces
 * was decoded into a string at every piece).
 */
export function parseDecimalField(buf: Uint8Array, start: number, end: number, more = false): number {
  let p = start
  let negative = false
  let c = p < end ? buf[p] : COMMA
  if (c === MINUS || c === PLUS) {
    negative = c === MINUS
    p++
  }
  const digitsStart = p
  let mantissa = 0
  let digits = 0 // significant digits kept in mantissa
  let fraction = 0 // digits after the point
  let sawDigit = false
  // Integer part.
  while (p < end && (c = buf[p]) >= ZERO && c <= NINE) {
    sawDigit = true
    if (mantissa !== 0 || c !== ZERO) {
      mantissa = mantissa * 10 + (c - ZERO)
      digits++
    }
    p++
  }
  if (p < end && buf[p] === DOT) {
    p++
    while (p < end && (c = buf[p]) >= ZERO && c <= NINE) {
      sawDigit = true
      if (mantissa !== 0 || c !== ZERO) {
        mantissa = mantissa * 10 + (c - ZERO)
        digits++
      }
      fraction++
      p++
    }
  }
  const digitsEnd = p
  let exponent = 0
  if (sawDigit && p < end && ((c = buf[p]) === LOWER_E || c === UPPER_E)) {
    p++
    let expNegative = false
    if (p < end && ((c = buf[p]) === MINUS || c === PLUS)) {
      expNegative = c === MINUS
      p++
    }
    let expDigits = 0
    while (p < end && (c = buf[p]) >= ZERO && c <= NINE) {
      if (exponent < 100000) exponent = exponent * 10 + (c - ZERO)
      expDigits++
      p++
    }
    if (expDigits === 0) return slowParse(buf, start, end, more)
    if (expNegative) exponent = -exponent
  }
  if (!sawDigit || (p < end && !isDelimiter(buf[p]))) return slowParse(buf, start, end, more)
  fieldEnd = p
  const e = exponent - fraction
  if (digits > 15 || e > 22 || e < -22) {
    const long = parseLongDecimal(buf, digitsStart, digitsEnd, e)
    if (long !== long) return slowParse(buf, start, end, more)
    return negative ? -long : long
  }
  let value: number
  if (mantissa === 0) value = 0
  else if (e === 0) value = mantissa
  else value = e > 0 ? mantissa * POW10[e] : mantissa / POW10[-e]
  return negative ? -value : value
}

/** Text of bytes [start, end) — Latin-1 is enough for anything a number can contain. */
function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1')
}

function slowParse(buf: Uint8Array, start: number, end: number, more: boolean): number {
  let p = start
  while (p < end && !isDelimiter(buf[p])) p++
  fieldEnd = p
  if (p === end && more) return NaN
  return parseDecimalText(latin1(buf, start, p))
}

/**
 * Spaces and tabs around a value. Not String#trim: it also drops Unicode spaces, and so accepted a cell
 * ending in the byte 0xA0 (NBSP when unquoted cells were decoded as Latin-1) as a number, or a quoted
 * "1\u3000" that the same bytes unquoted were refused as.
 */
export function trimSpaces(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '')
}

/** The slow, strict path: plain decimal notation (optionally padded with spaces or tabs), NaN, ±Infinity. */
export function parseDecimalText(text: string): number {
  const t = trimSpaces(text)
  if (DECIMAL.test(t)) return Number(t)
  const lower = t.toLowerCase()
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return NaN
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity
  if (lower === '-inf' || lower === '-infinity') return -Infinity
  return NaN
}

/** True when `text` names a NaN or an infinity (as opposed to not being a number at all). */
export function isNonFiniteLiteral(text: string): boolean {
  return /^[+-]?(nan|inf|infinity)$/i.test(trimSpaces(text))
}
