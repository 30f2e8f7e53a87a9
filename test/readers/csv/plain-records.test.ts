import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {IGNORED, LABEL} from '../../../src/readers/csv/bytes.js'
import {parsePlainRecords, plainRecordsEnd} from '../../../src/readers/csv/plain-records.js'
import {decimalText, isPlain} from '../../helpers/decimal-text.js'

/**
 * Two score columns, written into a row of width 2: `label,score,x,score` (any layout: a role per field)
 * or `label,score,score` (the label-first loop).
 */
const LAYOUTS = {
  'any layout': {roles: [LABEL, 0, IGNORED, 1], line: (l: number | string, a: string, b: string) => `${l},${a},x,${b}`},
  'label first': {roles: [LABEL, 0, 1], line: (l: number | string, a: string, b: string) => `${l},${a},${b}`},
  // A pandas index column first: WebAssembly skips it (the JavaScript loop for what it leaves is parseAnyLayout).
  'index first': {
    roles: [IGNORED, LABEL, 0, 1],
    line: (l: number | string, a: string, b: string) => `17,${l},${a},${b}`,
  },
}
type LayoutName = keyof typeof LAYOUTS

function targetFor(rows: number, layout: LayoutName = 'any layout'): Parameters<typeof parsePlainRecords>[3] {
  return {
    labels: new Int32Array(rows),
    scores: new Float64Array(rows * 2),
    width: 2,
    numClasses: 3,
    roles: Int32Array.from(LAYOUTS[layout].roles),
    storeId: () => assert.fail('no id column in these layouts'),
  }
}

const labelText = fc
  .tuple(fc.integer({min: 0, max: 4}), fc.integer({min: 0, max: 2}))
  .map(([zeros, label]) => '0'.repeat(zeros) + String(label))

describe('parsePlainRecords', () => {
  it('gives exactly Number(text) for every record it takes, and stops at the first it does not', () => {
    fc.assert(
      fc.property(
        // Labels with up to 4 leading zeros: 1 to 5 digits, past the label loop's unrolled steps.
        fc.array(fc.tuple(labelText, decimalText, decimalText), {minLength: 1, maxLength: 30}),
        fc.constantFrom('\n', '\r\n'),
        fc.constantFrom<LayoutName>('any layout', 'label first', 'index first'),
        (records, eol, layout) => {
          const line = LAYOUTS[layout].line
          const text = records.map(([label, a, b]) => line(label, a, b) + eol).join('')
          const buf = Buffer.from(text)
          const target = targetFor(records.length, layout)
          const taken = parsePlainRecords(buf, 0, buf.length, target, 0, records.length)
          for (let i = 0; i < taken; i++) {
            const [label, a, b] = records[i]
            assert.equal(target.labels[i], Number(label))
            assert.ok(Object.is(target.scores[2 * i], Number(a)), `${a} → ${target.scores[2 * i]}`)
            assert.ok(Object.is(target.scores[2 * i + 1], Number(b)), `${b} → ${target.scores[2 * i + 1]}`)
          }
          // It stops exactly after the records it took: the general parser starts there.
          const consumed = records.slice(0, taken).reduce((n, [l, a, b]) => n + (line(l, a, b) + eol).length, 0)
          assert.equal(plainRecordsEnd, consumed)
          // A record it left is one it could not take as it stands: not a plain decimal, too many digits, or
          // an exponent beyond the exact range.
          if (taken < records.length) {
            const [, a, b] = records[taken]
            assert.ok(!isPlain(a) || !isPlain(b), `left ${a}, ${b}`)
          }
        },
      ),
      {numRuns: 2000},
    )
  })

  for (const layout of Object.keys(LAYOUTS) as LayoutName[]) {
    it(`takes the usual spellings of scores (so the fast path is really used): ${layout}`, () => {
      const line = LAYOUTS[layout].line
      const text = `${line(1, '0.25', '-3.5e-3')}\n${line(0, '-0.000123', '12345678901234')}\r\n${line(2, '+7.', '.5E+2')}\n`
      const buf = Buffer.from(text)
      const target = targetFor(3, layout)
      assert.equal(parsePlainRecords(buf, 0, buf.length, target, 0, 3), 3)
      assert.deepEqual([...target.scores], [0.25, -0.0035, -0.000123, 12345678901234, 7, 50])
      assert.deepEqual([...target.labels], [1, 0, 2])
    })
  }

  for (const layout of Object.keys(LAYOUTS) as LayoutName[]) {
    it(`takes full-precision scores (16 to 19 significant digits) exactly, on the fast path: ${layout}`, () => {
      const line = LAYOUTS[layout].line
      // repr / %.17g / toPrecision(17..19) output, as Python and most writers of full precision give it.
      const values = [-4.234567890123456, 0.1, 1 / 3, 2.5e-3, 123456.789, -0.000123].flatMap((x) =>
        [16, 17, 18, 19].map((d) => x.toPrecision(d)),
      )
      const text = values.map((v, i) => `${line(i % 3, v, values[values.length - 1 - i])}\n`).join('')
      const buf = Buffer.from(text)
      const target = targetFor(values.length, layout)
      assert.equal(parsePlainRecords(buf, 0, buf.length, target, 0, values.length), values.length)
      for (let i = 0; i < values.length; i++) {
        assert.ok(Object.is(target.scores[2 * i], Number(values[i])), values[i])
        assert.ok(Object.is(target.scores[2 * i + 1], Number(values[values.length - 1 - i])))
      }
    })
  }

  it('leaves a record cut by the end of the buffer, labels that are not classes, and short or long records', () => {
    const cut = Buffer.from('1,0.5,x,0.25\n0,0.75,x,0.1')
    assert.equal(parsePlainRecords(cut, 0, cut.length, targetFor(2), 0, 2), 1)
    for (const layout of Object.keys(LAYOUTS) as LayoutName[]) {
      const line = LAYOUTS[layout].line
      for (const text of [line(3, '0.5', '0.25'), line(1, '0.5', '0.25') + ',0.1', '1,0.5', `${line(1, '0.5', '')}`]) {
        const buf = Buffer.from(`${text}\n`)
        assert.equal(parsePlainRecords(buf, 0, buf.length, targetFor(1, layout), 0, 1), 0, `${layout}: ${text}`)
      }
    }
  })
})
