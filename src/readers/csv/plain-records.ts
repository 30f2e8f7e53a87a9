/**
 * The CSV fast path: parses as many "plain" records as it can — every field unquoted, labels small
 * non-negative integers, scores decimals with at most 15 digits (leading zeros included; up to 19 through
 * parseLongDecimal) and a small exponent —
 * straight into the chunk's typed arrays. It stops at the first record that is anything else (quotes,
 * a blank line, more digits, a bad value, the end of the buffer) and leaves it to the general parser,
 * which handles it exactly and names the line if it is wrong. Both paths give the same doubles:
 * mantissa × 10^e is one correctly rounded operation in this range (Clinger 1990).
 */

import {
  COMMA,
  CR,
  DOT,
  ID,
  IGNORED,
  LABEL,
  LF,
  LOWER_E,
  MINUS,
  NINE,
  PLUS,
  POW10,
  QUOTE,
  UPPER_E,
  ZERO,
} from './bytes.js'
import {parseLongDecimal} from './long-decimal.js'
import {plainScoresAvailable, plainScoresEnd, plainScoresParser} from './plain-scores.js'

export interface PlainRecordTarget {
  labels: Int32Array
  scores: Float64Array
  width: number
  numClasses: number
  roles: Int32Array
  /** --id-col: keeps bytes [start, end) of the current buffer as row `row`'s id. */
  storeId(row: number, start: number, end: number): void
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
  // Whole lines only: every scan below then stops at the last LF at the latest, so bytes are read without
  // a bounds check (a record cut by the end of the buffer is left to the next call or the general parser).
  while (end > pos && buf[end - 1] !== LF) end--
  const skip = fieldsBeforeLabelThenScores(target.roles)
  const javascript = skip === 0 ? parseLabelThenScores : parseAnyLayout
  const next =
    skip >= 0 && plainScoresAvailable
      ? parsePlainScoresFast(buf, pos, end, target, row, maxRows, skip, javascript)
      : javascript(buf, pos, end, target, row, maxRows)
  return next - row
}

/**
 * For `label,score_0,…,score_{K−1}` (0: the usual layout, parseLabelThenScores's) after ignored fields
 * (pandas writes its index first): how many ignored fields come first; −1 for any other layout.
 */
function fieldsBeforeLabelThenScores(roles: Int32Array): number {
  let skip = 0
  while (skip < roles.length && roles[skip] === IGNORED) skip++
  if (roles[skip] !== LABEL) return -1
  for (let j = skip + 1; j < roles.length; j++) if (roles[j] !== j - skip - 1) return -1
  return skip
}

/**
 * `label,score_0,…` (after `skip` ignored fields): runs of records in WebAssembly (plain-scores.ts), the
 * records it does not take in `javascript` (parseLabelThenScores, or parseAnyLayout with fields to skip),
 * which takes scores of 16 to 19 digits too. The first record is tried in JavaScript: a call that stops
 * there (a file of quoted fields calls once a record) then copies nothing. After two WebAssembly calls in
 * a row that took nothing (17-digit scores), the rest is JavaScript's.
 */
function parsePlainScoresFast(
  buf: Uint8Array,
  pos: number,
  end: number,
  target: PlainRecordTarget,
  row: number,
  maxRows: number,
  skip: number,
  javascript: typeof parseAnyLayout,
): number {
  const {labels, scores, width, numClasses} = target
  const wasm = plainScoresParser()
  let next = javascript(buf, pos, end, target, row, Math.min(maxRows, row + 1))
  let misses = 0
  while (next > row && next < maxRows) {
    row = next
    next = wasm.parse(buf, plainRecordsEnd, end, labels, scores, width, numClasses, row, maxRows, skip)
    plainRecordsEnd = plainScoresEnd
    if (next === maxRows || plainRecordsEnd >= end) return next
    misses = next === row ? misses + 1 : 0
    row = next
    next = javascript(buf, plainRecordsEnd, end, target, row, misses > 1 ? maxRows : row + 1)
  }
  return next
}

/*
 * The loops below return the next row (not a count) and store nothing but plainRecordsEnd after the loop:
 * V8 compiles such a loop on stack replacement before the code after it has run, and arithmetic there,
 * lacking type feedback, deoptimised each of them once per thread.
 */

function parseAnyLayout(
  buf: Uint8Array,
  pos: number,
  end: number,
  target: PlainRecordTarget,
  row: number,
  maxRows: number,
): number {
  const {labels, scores, width, numClasses, roles} = target
  const lastField = roles.length - 1
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
        // Every digit goes into the mantissa, leading zeros too: the digit count is then a pointer
        // difference, and the loops test one thing per byte. d >>> 0 <= 9 is "d is a digit" (a negative
        // d becomes a huge unsigned number).
        let mantissa = 0
        const intStart = p
        let d = c - ZERO
        while (d >>> 0 <= 9) {
          mantissa = mantissa * 10 + d
          d = buf[++p] - ZERO
        }
        let digits = p - intStart
        let fraction = 0
        if (d === DOT - ZERO) {
          const fractionStart = ++p
          d = buf[p] - ZERO
          while (d >>> 0 <= 9) {
            mantissa = mantissa * 10 + d
            d = buf[++p] - ZERO
          }
          fraction = p - fractionStart
          digits += fraction
        }
        c = d + ZERO
        const digitsEnd = p
        let exponent = 0
        if (c === LOWER_E || c === UPPER_E) {
          c = buf[++p]
          let expNegative = false
          if (c === MINUS || c === PLUS) {
            expNegative = c === MINUS
            c = buf[++p]
          }
          const expStart = p
          while (c >= ZERO && c <= NINE && p - expStart < 4) {
            exponent = exponent * 10 + (c - ZERO)
            c = buf[++p]
          }
          if (p === expStart) break records
          if (expNegative) exponent = -exponent
        }
        if (digits === 0) break records
        const e = exponent - fraction
        let value: number
        // More than 15 digits (leading zeros included) may not be exact in a double, nor a power of ten past
        // 10^22: the exact long form, and where it cannot decide, the general parser.
        if (digits > 15 || e > 22 || e < -22) {
          value = parseLongDecimal(buf, intStart, digitsEnd, e)
          if (value !== value) break records
        } else if (e === 0) value = mantissa
        else value = e < 0 ? mantissa / POW10[-e] : mantissa * POW10[e]
        scores[scoreBase + role] = negative ? -value : value
      } else if (role === LABEL) {
        let value = 0
        const labelStart = p
        let d = c - ZERO
        while (d >>> 0 <= 9) {
          value = value * 10 + d
          d = buf[++p] - ZERO
        }
        c = d + ZERO
        if (p === labelStart || p - labelStart > 9 || value >= numClasses) break records
        labels[row] = value
      } else {
        const fieldStart = p
        while (c !== COMMA && c !== LF && c !== CR && c !== QUOTE) c = buf[++p]
        // (A quoted id stops the scan at its quote, and the record goes to the general parser.)
        if (role === ID && c !== QUOTE) target.storeId(row, fieldStart, p)
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
  return row
}

/**
 * parsePlainRecords for `label,score_0,…,score_{K−1}`, the layout nearly every file has: the same scan,
 * without a role lookup and dispatch per field (1.4–1.8× faster on the binary bench file). The number
 * scan is written out here and in parseAnyLayout on purpose: moved into one shared function (which V8
 * inlines, handing the end position back through a module variable), both loops were 10–20 % slower,
 * bundled as shipped (min of 11: 301 → 366 ms on the binary bench file, 1555 → 1774 ms on 20 classes).
 * d is always "byte − '0'": ',' is −4, '.' is −2, '−' is −3, '+' is −5, LF is −38, CR is −35.
 *
 * The digit loops are unrolled (the first 2 label, 4 integer and 8 fraction digits are straight-line
 * code, then a loop for any more): at each loop back edge V8 checks for interrupts and then checks
 * `buf`'s map and reloads its length and data pointer, ~10 instructions per byte. Unrolled, the 20-class
 * bench file parses ~15 % faster (in memory, bundled as shipped: 50 → 42.5 ns a value), the binary ~10 %.
 */
function parseLabelThenScores(
  buf: Uint8Array,
  pos: number,
  end: number,
  target: PlainRecordTarget,
  row: number,
  maxRows: number,
): number {
  const {labels, scores, width, numClasses} = target
  let p = pos
  records: while (row < maxRows && p < end) {
    let label = 0
    const labelStart = p
    let d = buf[p] - ZERO
    labelDigits: {
      if (d >>> 0 > 9) break labelDigits
      label = label * 10 + d
      d = buf[++p] - ZERO
      if (d >>> 0 > 9) break labelDigits
      label = label * 10 + d
      d = buf[++p] - ZERO
      while (d >>> 0 <= 9) {
        label = label * 10 + d
        d = buf[++p] - ZERO
      }
    }
    if (d !== COMMA - ZERO || p === labelStart || p - labelStart > 9 || label >= numClasses) break
    const scoreBase = row * width
    for (let j = 0; j < width; j++) {
      // At the comma before score j.
      d = buf[++p] - ZERO
      let negative = false
      if (d === MINUS - ZERO) {
        negative = true
        d = buf[++p] - ZERO
      } else if (d === PLUS - ZERO) {
        d = buf[++p] - ZERO
      }
      let mantissa = 0
      const intStart = p
      intDigits: {
        if (d >>> 0 > 9) break intDigits
        mantissa = mantissa * 10 + d
        d = buf[++p] - ZERO
        if (d >>> 0 > 9) break intDigits
        mantissa = mantissa * 10 + d
        d = buf[++p] - ZERO
        if (d >>> 0 > 9) break intDigits
        mantissa = mantissa * 10 + d
        d = buf[++p] - ZERO
        if (d >>> 0 > 9) break intDigits
        mantissa = mantissa * 10 + d
        d = buf[++p] - ZERO
        while (d >>> 0 <= 9) {
          mantissa = mantissa * 10 + d
          d = buf[++p] - ZERO
        }
      }
      let digits = p - intStart
      let fraction = 0
      if (d === DOT - ZERO) {
        const fractionStart = ++p
        d = buf[p] - ZERO
        fractionDigits: {
          if (d >>> 0 > 9) break fractionDigits
          mantissa = mantissa * 10 + d
          d = buf[++p] - ZERO
          if (d >>> 0 > 9) break fractionDigits
          mantissa = mantissa * 10 + d
          d = buf[++p] - ZERO
          if (d >>> 0 > 9) break fractionDigits
          mantissa = mantissa * 10 + d
          d = buf[++p] - ZERO
          if (d >>> 0 > 9) break fractionDigits
          mantissa = mantissa * 10 + d
          d = buf[++p] - ZERO
          if (d >>> 0 > 9) break fractionDigits
          mantissa = mantissa * 10 + d
          d = buf[++p] - ZERO
          if (d >>> 0 > 9) break fractionDigits
          mantissa = mantissa * 10 + d
          d = buf[++p] - ZERO
          if (d >>> 0 > 9) break fractionDigits
          mantissa = mantissa * 10 + d
          d = buf[++p] - ZERO
          if (d >>> 0 > 9) break fractionDigits
          mantissa = mantissa * 10 + d
          d = buf[++p] - ZERO
          while (d >>> 0 <= 9) {
            mantissa = mantissa * 10 + d
            d = buf[++p] - ZERO
          }
        }
        fraction = p - fractionStart
        digits += fraction
      }
      let e = 0 - fraction // not -fraction: -0 for an integer field deoptimised the loop
      const digitsEnd = p
      if (d === LOWER_E - ZERO || d === UPPER_E - ZERO) {
        let c = buf[++p]
        let expNegative = false
        if (c === MINUS || c === PLUS) {
          expNegative = c === MINUS
          c = buf[++p]
        }
        let exponent = 0
        const expStart = p
        while (c >= ZERO && c <= NINE && p - expStart < 4) {
          exponent = exponent * 10 + (c - ZERO)
          c = buf[++p]
        }
        if (p === expStart) break records
        e += expNegative ? -exponent : exponent
        d = c - ZERO
      }
      if (digits === 0) break records
      let value: number
      if (digits > 15 || e > 22 || e < -22) {
        value = parseLongDecimal(buf, intStart, digitsEnd, e)
        if (value !== value) break records
      } else if (e === 0) value = mantissa
      else value = e < 0 ? mantissa / POW10[-e] : mantissa * POW10[e]
      scores[scoreBase + j] = negative ? -value : value
      if (j < width - 1 && d !== COMMA - ZERO) break records
    }
    if (d === LF - ZERO) p++
    else if (d === CR - ZERO && buf[p + 1] === LF) p += 2
    else break
    labels[row] = label
    row++
    pos = p
  }
  plainRecordsEnd = pos
  return row
}
