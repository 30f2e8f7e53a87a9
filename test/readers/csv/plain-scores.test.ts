import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {compileWat, WASM_MODULES} from '../../../scripts/build-wasm.mjs'
import {LABEL} from '../../../src/readers/csv/bytes.js'
import {parsePlainRecords, plainRecordsEnd} from '../../../src/readers/csv/plain-records.js'
import {PlainScoresParser, plainScoresEnd, plainScoresParser} from '../../../src/readers/csv/plain-scores.js'
import {decimalText, isPlain} from '../../helpers/decimal-text.js'

/** Scores as writers spell them, within what the WebAssembly loop takes (≤ 15 digits, |e| ≤ 22). */
const score = decimalText.filter(isPlain)

function parseWasm(text: string, width: number, numClasses: number, maxRows: number, skip = 0) {
  const buf = Buffer.from(text)
  const labels = new Int32Array(maxRows)
  const scores = new Float64Array(maxRows * width)
  const rows = plainScoresParser().parse(buf, 0, buf.length, labels, scores, width, numClasses, 0, maxRows, skip)
  return {rows, labels, scores, end: plainScoresEnd}
}

/**
 * Each text of `texts` as the one score of a record: taken as exactly Number(text), or left to the
 * JavaScript path — and left in fewer than 1 % of 20 000 cases.
 */
function assertTakenAsNumber(texts: fc.Arbitrary<string>): void {
  let left = 0
  let runs = 0
  fc.assert(
    fc.property(texts, (text) => {
      const got = parseWasm(`0,${text}\n`, 1, 1, 1)
      runs++
      if (got.rows === 0) left++
      else assert.ok(Object.is(got.scores[0], Number(text)), `${text} → ${got.scores[0]}, Number: ${Number(text)}`)
    }),
    {numRuns: 20_000},
  )
  assert.ok(left < runs / 100, `left ${left} of ${runs}`)
}

describe('the CSV fast path in WebAssembly', () => {
  it('is built from its .wat (run node scripts/build-wasm.mjs after editing it)', async () => {
    for (const [wat, generated, name] of WASM_MODULES) {
      const bytes = await compileWat(wat)
      const source = readFileSync(generated, 'utf8')
      assert.ok(source.includes(`export const ${name} =`), generated)
      assert.ok(source.includes(`'${bytes.toString('base64')}'`), `${generated} is not ${wat} compiled`)
    }
  })

  it('takes every plain record itself, giving exactly Number(text), at any width', () => {
    fc.assert(
      fc.property(
        fc.integer({min: 1, max: 6}),
        fc.array(fc.tuple(fc.integer({min: 0, max: 4}), fc.array(score, {minLength: 6, maxLength: 6})), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.constantFrom('\n', '\r\n'),
        (width, records, eol) => {
          const text = records.map(([l, s]) => `${l},${s.slice(0, width).join(',')}${eol}`).join('')
          const got = parseWasm(text, width, 5, records.length)
          assert.equal(got.rows, records.length)
          assert.equal(got.end, Buffer.byteLength(text))
          records.forEach(([label, s], i) => {
            assert.equal(got.labels[i], label)
            for (let j = 0; j < width; j++) {
              assert.ok(Object.is(got.scores[i * width + j], Number(s[j])), `${s[j]} → ${got.scores[i * width + j]}`)
            }
          })
        },
      ),
      {numRuns: 1000},
    )
  })

  it('takes 16 to 19 digits itself (what repr and %.17g write), giving exactly Number(text)', () => {
    // Doubles as full-precision writers print them, and random digit strings of 16 to 19 digits with
    // exponents up to ±22 past them: the WebAssembly long form must give Number()'s double or leave the
    // record (too near a midpoint) — and leave almost none.
    const long = fc.oneof(
      // Magnitudes 1e-4 to 1e6, where 17 digits stay within 10^±22 (repr writes 1e-4 as 0.0001…: 17
      // significant digits after the leading zeros).
      fc
        .tuple(fc.constantFrom(1, -1), fc.double({noNaN: true, min: 1e-4, max: 1e6}))
        .map(([sign, x]) => sign * x)
        .chain((x) => fc.constantFrom(String(x), x.toPrecision(17), x.toPrecision(16), x.toExponential(16))),
      fc
        .tuple(
          fc.constantFrom('', '-'),
          fc.stringMatching(/^[1-9][0-9]{15,18}$/),
          fc.integer({min: 0, max: 16}),
          fc.integer({min: -22, max: 22}),
        )
        .map(
          ([sign, digits, point, e]) =>
            `${sign}${digits.slice(0, point)}.${digits.slice(point)}e${e + digits.length - point}`,
        ),
    )
    // Left: past 10^±22, and exact ties (an integer past 2^53 that ends in zeros), as parseLongDecimal.
    assertTakenAsNumber(long)
  })

  it('takes one digit, a point and 8 to 20 more (the long shape) in one record of many, exactly as Number(text)', () => {
    // The shape repr and %.17g give logits (-2.1724387337015716, 0.97815195315838999), zeros after the
    // point included, between other scores and at the line's end, with LF and CRLF; more than 18 digits
    // after the point go the general way. Every score must come out as Number() gives it.
    const long = fc
      .tuple(
        fc.constantFrom('', '-', '+'),
        fc.integer({min: 0, max: 9}),
        fc.integer({min: 0, max: 12}),
        fc.stringMatching(/^[0-9]{1,20}$/),
      )
      .map(([sign, d, zeros, digits]) => `${sign}${d}.${'0'.repeat(zeros)}${digits}`.slice(0, 24))
      .filter((text) => text.split('.')[1].length >= 8)
    let records = 0
    let left = 0
    fc.assert(
      fc.property(fc.array(long, {minLength: 3, maxLength: 3}), fc.constantFrom('\n', '\r\n'), (texts, end) => {
        const got = parseWasm(`1,${texts.join(',')}${end}`, 3, 2, 1)
        records++
        if (got.rows === 0) {
          left++
          return
        }
        texts.forEach((text, j) =>
          assert.ok(Object.is(got.scores[j], Number(text)), `${text} → ${got.scores[j]}, Number: ${Number(text)}`),
        )
      }),
      {numRuns: 20_000},
    )
    // Left: a number of more than 19 digits in the record, or too near a midpoint to be sure.
    assert.ok(left < records / 2, `left ${left} of ${records}`)
  })

  it('takes one digit, a point, digits and an exponent (%e, numpy’s %.18e) in one record of many, exactly as Number(text)', () => {
    // Near the printf forms: e or E, a sign or none, 0 to 4 exponent digits (none is no number), 1 to 19
    // digits after the point, any power of ten. Whatever is taken must be Number()'s.
    const wild = fc
      .tuple(
        fc.constantFrom('', '-'),
        fc.integer({min: 0, max: 9}),
        fc.stringMatching(/^[0-9]{1,19}$/),
        fc.constantFrom('e', 'E'),
        fc.constantFrom('', '+', '-'),
        fc.stringMatching(/^[0-9]{0,4}$/),
      )
      .map(([sign, d, digits, e, expSign, exp]) => `${sign}${d}.${digits}${e}${expSign}${exp}`)
    fc.assert(
      fc.property(fc.array(wild, {minLength: 2, maxLength: 2}), fc.constantFrom('\n', '\r\n'), (texts, end) => {
        const got = parseWasm(`0,${texts.join(',')}${end}`, 2, 1, 1)
        // Left (no exponent digits, more than 19 digits, past 10^±280, near a tie): the JavaScript path's.
        if (got.rows === 0) {
          return
        }
        texts.forEach((text, j) =>
          assert.ok(Object.is(got.scores[j], Number(text)), `${text} → ${got.scores[j]}, Number: ${Number(text)}`),
        )
      }),
      {numRuns: 20_000},
    )
    // The printf forms themselves — C's %.6e (-9.781520e-01) and numpy's savetxt default %.18e
    // (9.781519531583899034e-01) of doubles from 1e-30 to 1e30 — are taken, all but a few near a tie.
    const printf = fc
      .tuple(fc.constantFrom(1, -1), fc.double({noNaN: true, min: 1e-30, max: 1e30}), fc.constantFrom(6, 18))
      .map(([sign, x, digits]) => (sign * x).toExponential(digits).replace(/e([+-])(\d)$/, 'e$10$2'))
    assertTakenAsNumber(printf)
  })

  it('takes exponents past 10^±22 (to ±280) with up to 19 digits, giving exactly Number(text)', () => {
    // What repr writes for small probabilities (6.618758648525413e-15), and random digit strings of 1 to 19
    // digits anywhere in 10^±280; none may come out as another double than Number()'s.
    const scaled = fc.oneof(
      fc
        .tuple(fc.constantFrom(1, -1), fc.double({noNaN: true, min: 1e-262, max: 1e262}))
        .map(([sign, x]) => sign * x)
        .chain((x) => fc.constantFrom(String(x), x.toPrecision(17), x.toExponential(15), x.toExponential(3))),
      fc
        .tuple(fc.stringMatching(/^[1-9][0-9]{0,18}$/), fc.integer({min: -280, max: 260}))
        .map(([digits, e]) => `${digits}e${e}`),
    )
    assertTakenAsNumber(scaled)
  })

  it('makes the table of powers of ten at the first number past 10^±22, and goes on from that record', () => {
    // A parser of its own, so the table is not there yet: the scan stops at 1e-30 for want of it, the
    // wrapper lays it out and calls again from that record, within the same call.
    const parser = new PlainScoresParser()
    const text = '0,0.5\n1,1e-30\n0,6.618758648525413e-15\n1,2\n'
    const labels = new Int32Array(4)
    const scores = new Float64Array(4)
    const buf = Buffer.from(text)
    assert.equal(parser.parse(buf, 0, buf.length, labels, scores, 1, 2, 0, 4), 4)
    assert.equal(plainScoresEnd, buf.length)
    assert.deepEqual([...scores], [0.5, 1e-30, 6.618758648525413e-15, 2])
    assert.deepEqual([...labels], [0, 1, 0, 1])
  })

  it('gives scaled forms right next to a midpoint between two doubles, or leaves them — never a wrong double', () => {
    // The midpoint between x and the next double up, x across 10^±250, written with 17 to 19 digits: the
    // nearest decimals on either side of a tie, where an error of 2^-60 would round the wrong way.
    let taken = 0
    for (let k = 0; k < 4000; k++) {
      const x = (1 + ((k * 7919) % 10007) / 10007) * 2 ** ((k % 1660) - 830)
      const next = x + x * Number.EPSILON
      for (const digits of [17, 18, 19]) {
        // toPrecision rounds the decimal expansion of the double nearest the midpoint: within 10^-19 of it.
        const text = ((x + next) / 2).toExponential(digits - 1)
        const got = parseWasm(`0,${text}\n`, 1, 1, 1)
        if (got.rows === 0) continue
        taken++
        assert.ok(Object.is(got.scores[0], Number(text)), `${text} → ${got.scores[0]}, Number: ${Number(text)}`)
      }
    }
    assert.ok(taken > 1000, `took ${taken}`)
  })

  it('gives long forms right next to a midpoint between two doubles, or leaves them — never a wrong double', () => {
    // The exact midpoint between x and the next double up, cut to 17–19 significant digits: within an ulp
    // of a tie, where a naive conversion rounds the wrong way.
    let leftTies = 0
    for (let k = 0; k < 3000; k++) {
      const x = (1 + ((k * 7919) % 10007) / 10007) * 2 ** ((k % 40) - 20)
      const next = x + x * Number.EPSILON
      const mid = ((x + next) / 2).toPrecision(19)
      for (const text of [mid, (x + (next - x) / 2).toPrecision(17), x.toPrecision(18)]) {
        const got = parseWasm(`0,${text}\n`, 1, 1, 1)
        if (got.rows === 0) {
          leftTies++
          continue
        }
        assert.ok(Object.is(got.scores[0], Number(text)), `${text} → ${got.scores[0]}, Number: ${Number(text)}`)
      }
    }
    assert.ok(leftTies < 9000)
  })

  it('stops at the first record it does not take, after the rows it took, and at maxRows', () => {
    const good = '1,0.5,-2e-3\n0,12345,+7.\r\n'
    for (const bad of [
      '3,0.5,0.5\n', // a label that is no class
      '1,0.5\n', // too few scores
      '1,0.5,0.5,0.5\n', // too many
      '1,"0.5",0.5\n', // quoted
      '1,0.12345678901234567891,0.5\n', // 20 significant digits: past the exact long form's 19
      '1,1234567890123456.7e-280,0.5\n', // 10^-281: past the table of powers of ten
      '1,1e281,0.5\n', // past the table of powers of ten
      '1,1e,0.5\n',
      '\n',
      '01234567890,0.5,0.5\n', // a label of more than 9 digits
      '1,.,0.5\n',
      '1,0.5,0.5\r\r\n',
    ]) {
      const got = parseWasm(good + bad + good, 2, 3, 10)
      assert.equal(got.rows, 2, bad)
      assert.equal(got.end, good.length, bad)
      assert.deepEqual([...got.scores.subarray(0, 4)], [0.5, -0.002, 12345, 7])
    }
    const capped = parseWasm(good + good, 2, 3, 3)
    assert.equal(capped.rows, 3)
    assert.equal(capped.end, good.length + good.indexOf('\n') + 1)
  })

  it('skips leading fields (a pandas index column), and leaves a record whose skipped field is quoted', () => {
    const got = parseWasm('0,1,0.5,-2\n1,0,3,4e1\nabc x,2,.25,7\n', 2, 3, 5, 1)
    assert.equal(got.rows, 3)
    assert.deepEqual([...got.labels.subarray(0, 3)], [1, 0, 2])
    assert.deepEqual([...got.scores.subarray(0, 6)], [0.5, -2, 3, 40, 0.25, 7])
    const two = parseWasm(',,1,0.5\n7,x,0,1\n', 1, 2, 5, 2)
    assert.equal(two.rows, 2)
    assert.deepEqual([...two.scores.subarray(0, 2)], [0.5, 1])
    for (const bad of ['"0",1,0.5\n', '\n', '0\n1,0.5\n']) {
      const left = parseWasm(`3,1,0.5\n${bad}`, 1, 2, 5, 1)
      assert.equal(left.rows, 1, bad)
      assert.equal(left.end, 8, bad)
    }
  })

  it('reads a long run in growing slices, and leaves a line longer than a slice to the caller', () => {
    const lines = Array.from({length: 60_000}, (_, i) => `${i % 3},${(i * 0.001 - 7).toFixed(4)},${i}e-3\n`)
    const text = lines.join('')
    const got = parseWasm(text, 2, 3, lines.length)
    assert.equal(got.rows, lines.length)
    assert.equal(got.end, text.length)
    for (const i of [0, 1, 9999, 30_000, 59_999]) {
      assert.equal(got.labels[i], i % 3)
      assert.ok(Object.is(got.scores[2 * i], Number((i * 0.001 - 7).toFixed(4))))
      assert.ok(Object.is(got.scores[2 * i + 1], Number(`${i}e-3`)))
    }
    // Wide rows: batches of a few rows (the module holds 16,384 scores at a time), many to a slice.
    const wide = Array.from(
      {length: 50},
      (_, i) => `${i % 3},${Array.from({length: 3000}, (_, j) => (i - j) / 8).join(',')}\n`,
    )
    const wideGot = parseWasm(wide.join(''), 3000, 3, 50)
    assert.equal(wideGot.rows, 50)
    for (const i of [0, 10, 11, 49]) {
      assert.equal(wideGot.labels[i], i % 3)
      for (const j of [0, 2999]) assert.equal(wideGot.scores[i * 3000 + j], (i - j) / 8)
    }
    const long = `1,${'1,'.repeat(200_000)}1\n`
    assert.equal(parseWasm(long, 200_001, 2, 1).rows, 0)
  })

  it('is what parsePlainRecords uses for label-first files, with JavaScript for the records it leaves', () => {
    // 17-digit scores among plain ones: the JavaScript loop takes those, WebAssembly the runs between.
    const lines = Array.from({length: 5000}, (_, i) =>
      i % 97 === 5 ? `${i % 2},${(i / 7).toPrecision(17)}\n` : `${i % 2},${(i / 7).toFixed(5)}\n`,
    )
    const buf = Buffer.from(lines.join(''))
    const target = {
      labels: new Int32Array(lines.length),
      scores: new Float64Array(lines.length),
      width: 1,
      numClasses: 2,
      roles: Int32Array.of(LABEL, 0),
      storeId: () => assert.fail('no id column'),
    }
    assert.equal(parsePlainRecords(buf, 0, buf.length, target, 0, lines.length), lines.length)
    assert.equal(plainRecordsEnd, buf.length)
    lines.forEach((line, i) => assert.ok(Object.is(target.scores[i], Number(line.slice(2, -1))), line))
  })
})
