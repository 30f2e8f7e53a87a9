/**
 * The CSV fast path: parses as many "plain" records as it can — every field unquoted, labels small
 * non-negative integers, scores decimals with at most 15 significant digits and a small exponent —
 * straight into the chunk's typed arrays. It stops at the first record that is anything else (quotes,
 * a blank line, more digits, a bad value, the end of the buffer) and leaves it to the general parser,
 * which handles it exactly and names the line if it is wrong. Both paths give the same doubles:
 * mantissa × 10^e is one correctly rounded operation in this range (Clinger 1990).
 */

import {COMMA, CR, DOT, LABEL, LF, LOWER_E, MINUS, NINE, PLUS, POW10, QUOTE, UPPER_E, ZERO} from './csv-bytes.js'

export interface PlainRecordTarget {
  labels: Int32Array
  scores: Float64Array
  width: number
  numClasses: number
  roles: Int32Array
}

/** Where the fast path stopped: the byte offset of the first record it did not take. */
export let plainRecordsEnd = 0

/**
 * Parses plain records from `pos` into rows `row`, `row + 1`, … (at most `maxRows - row` of them).
 * Returns the number of rows added; `plainRecordsEnd` is where parsing stopped.
 */
export function parsePlainRecords(
  buf: Uint8Array,
  pos: number,
  end: number,
  target: PlainRecordTarget,
  row: number,
  maxRows: number,
): number {
  const {labels, scores, width, numClasses, roles} = target
  const lastField = roles.length - 1
  const firstRow = row
  // Whole lines only: every scan below then stops at the last LF at the latest, so bytes are read without
  // a bounds check (a record cut by the end of the buffer is left to the next call or the general parser).
  while (end > pos && buf[end - 1] !== LF) end--
  let p = pos
  // `pos` moves only when a whole record was taken; `break records` leaves it at that record's start.
  records: while (row < maxRows && p < end) {
    const scoreBase = row * width
    let field = 0
    for (;;) {
      const role = roles[field]
      let c = buf[p]
      if (role >= 0) {
        let negative = false
        if (c === MINUS || c === PLUS) {
          negative = c === MINUS
          c = buf[++p]
        }
        let mantissa = 0
        let digits = 0
        let fraction = 0
        let sawDigit = false
        while (c >= ZERO && c <= NINE) {
          sawDigit = true
          if (mantissa !== 0 || c !== ZERO) {
            mantissa = mantissa * 10 + (c - ZERO)
            digits++
          }
          c = buf[++p]
        }
        if (c === DOT) {
          c = buf[++p]
          while (c >= ZERO && c <= NINE) {
            sawDigit = true
            if (mantissa !== 0 || c !== ZERO) {
              mantissa = mantissa * 10 + (c - ZERO)
              digits++
            }
            fraction++
            c = buf[++p]
          }
        }
        let exponent = 0
        if (c === LOWER_E || c === UPPER_E) {
          c = buf[++p]
          let expNegative = false
          if (c === MINUS || c === PLUS) {
            expNegative = c === MINUS
            c = buf[++p]
          }
          let expDigits = 0
          while (c >= ZERO && c <= NINE && expDigits < 4) {
            exponent = exponent * 10 + (c - ZERO)
            expDigits++
            c = buf[++p]
          }
          if (expDigits === 0) break records
          if (expNegative) exponent = -exponent
        }
        if (!sawDigit || digits > 15) break records
        const e = exponent - fraction
        let value: number
        if (mantissa === 0) value = 0
        else if (e === 0) value = mantissa
        else if (e > 0 && e <= 22) value = mantissa * POW10[e]
        else if (e < 0 && e >= -22) value = mantissa / POW10[-e]
        else break records
        scores[scoreBase + role] = negative ? -value : value
      } else if (role === LABEL) {
        let value = 0
        let digits = 0
        while (c >= ZERO && c <= NINE && digits < 9) {
          value = value * 10 + (c - ZERO)
          digits++
          c = buf[++p]
        }
        if (digits === 0 || value >= numClasses) break records
        labels[row] = value
      } else {
        while (c !== COMMA && c !== LF && c !== CR && c !== QUOTE) c = buf[++p]
      }
      // Now at the delimiter after the field.
      if (c === COMMA) {
        if (field === lastField) break records
        field++
        p++
        continue
      }
      if (field !== lastField) break records
      if (c === LF) {
        p++
        break
      }
      if (c === CR && buf[p + 1] === LF) {
        p += 2
        break
      }
      break records
    }
    row++
    pos = p
  }
  plainRecordsEnd = pos
  return row - firstRow
}
