/**
 * focalscope's own decoding of plain Arrow record batches against apache-arrow's, on random tables
 * (fast-check): every column type it takes (signed and unsigned integers of 8–64 bits, Float32/Float64,
 * Bool, FixedSizeLists of them), with and without nulls, over several batches, with bodies at aligned and
 * unaligned addresses. Each value and each validity bit must be the same; anything else (strings,
 * dictionaries) must be left to apache-arrow.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {
  Bool,
  type DataType,
  Dictionary,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Table,
  tableFromIPC,
  tableToIPC,
  Uint8,
  Uint16,
  Uint32,
  Utf8,
  vectorFromArray,
} from 'apache-arrow'
import fc from 'fast-check'

import {checkFooter, checkMessage, messageFlatbuffer} from '../../../src/readers/arrow/ipc-check.js'
import {decodeNativeBatch, decodesNatively, type NativeColumn} from '../../../src/readers/arrow/native-batch.js'

const PRIMITIVES: [string, () => DataType, (r: number) => unknown][] = [
  ['Int8', () => new Int8(), (r) => Math.round(r * 200 - 100)],
  ['Int16', () => new Int16(), (r) => Math.round(r * 60000 - 30000)],
  ['Int32', () => new Int32(), (r) => Math.round(r * 4e9 - 2e9)],
  ['Int64', () => new Int64(), (r) => BigInt(Math.round(r * 1e15 - 5e14))],
  ['Uint8', () => new Uint8(), (r) => Math.round(r * 255)],
  ['Uint16', () => new Uint16(), (r) => Math.round(r * 65535)],
  ['Uint32', () => new Uint32(), (r) => Math.round(r * 4e9)],
  ['Float32', () => new Float32(), (r) => Math.fround(r * 20 - 10)],
  ['Float64', () => new Float64(), (r) => r * 1e3 - 500],
  ['Bool', () => new Bool(), (r) => r < 0.5],
]

interface ColumnSpec {
  primitive: number
  /** 0: a plain column; K > 0: a FixedSizeList of K. */
  listSize: number
  nulls: boolean
}

/** A file of `batches` batches with the given columns, from a seeded generator. */
function makeFile(columns: ColumnSpec[], batchRows: number[], seed: number): Uint8Array {
  let state = seed || 1
  const random = (): number => ((state = (state * 16807) % 2147483647) - 1) / 2147483646
  const fields = columns.map((c, i) => {
    const type = PRIMITIVES[c.primitive][1]()
    return new Field(
      `c${i}`,
      c.listSize ? new FixedSizeList(c.listSize, new Field('item', type, c.nulls)) : type,
      c.nulls,
    )
  })
  const schema = new Schema(fields)
  const batches = batchRows.map((rows) => {
    const vectors = columns.map((c, i) => {
      const make = PRIMITIVES[c.primitive][2]
      const value = (): unknown => (c.nulls && random() < 0.2 ? null : make(random()))
      const values = Array.from({length: rows}, () =>
        c.listSize ? (c.nulls && random() < 0.2 ? null : Array.from({length: c.listSize}, value)) : value(),
      )
      return vectorFromArray(values, fields[i].type)
    })
    return new Table(Object.fromEntries(vectors.map((v, i) => [`c${i}`, v]))).batches[0]
  })
  return tableToIPC(
    new Table(
      schema,
      batches.map((b) => new RecordBatch(schema, b.data)),
    ),
    'file',
  )
}

/** The value at flat position i of a decoded column's values (bits for Bool). */
function nativeValue(column: NativeColumn, i: number): unknown {
  if (column.type.typeId === 6) return ((column.values as Uint8Array)[i >> 3] >> (i & 7)) & 1 ? true : false
  return (column.values as ArrayLike<unknown>)[i]
}

describe('decodeNativeBatch', () => {
  it('decodes what apache-arrow decodes, value for value and null for null (fast-check)', () => {
    const column = fc.record({
      primitive: fc.integer({min: 0, max: PRIMITIVES.length - 1}),
      listSize: fc.constantFrom(0, 0, 1, 3),
      nulls: fc.boolean(),
    })
    fc.assert(
      fc.property(
        fc.array(column, {minLength: 1, maxLength: 4}),
        fc.array(fc.integer({min: 0, max: 40}), {minLength: 1, maxLength: 3}),
        fc.integer({min: 1, max: 1e6}),
        (columns, batchRows, seed) => {
          const file = Buffer.from(makeFile(columns, batchRows, seed))
          const footerLength = file.readInt32LE(file.length - 10)
          const footerStart = file.length - 10 - footerLength
          const footer = checkFooter(file.subarray(footerStart, footerStart + footerLength), footerStart)
          assert.ok(decodesNatively(footer.shape))
          const expected = tableFromIPC(file).batches
          assert.equal(footer.recordBatches.length, expected.length)
          footer.recordBatches.forEach((block, b) => {
            const metadata = messageFlatbuffer(file.subarray(block.offset, block.offset + block.metadataLength))
            const {layout} = checkMessage(metadata, footer.shape)
            assert.ok(layout)
            const bodyStart = block.offset + block.metadataLength
            // Every other batch's body at an odd address: views must not depend on where the body sits
            // (unaligned values are copied).
            const shift = b % 2
            const body = Buffer.alloc(block.bodyLength + shift).subarray(shift)
            file.copy(body, 0, bodyStart, bodyStart + block.bodyLength)
            const batch = decodeNativeBatch(footer.shape, layout, body)
            assert.equal(batch.numRows, expected[b].numRows)
            columns.forEach((spec, c) => {
              const mine = batch.getChildAt(c)?.data[0] as NativeColumn
              const theirs = expected[b].getChildAt(c)
              assert.ok(theirs)
              assert.equal(mine.length, theirs.length)
              assert.equal(String(mine.type), String(theirs.type), 'type names as apache-arrow prints them')
              for (let r = 0; r < theirs.length; r++) {
                const value = theirs.get(r) as unknown
                assert.equal(mine.getValid(r), value !== null, `batch ${b} column ${c} row ${r} validity`)
                if (value === null) continue
                if (!spec.listSize) {
                  assert.equal(nativeValue(mine, r), value, `batch ${b} column ${c} row ${r}`)
                  continue
                }
                const child = mine.children[0]
                const list = [...(value as Iterable<unknown>)]
                list.forEach((v, j) => {
                  const at = r * spec.listSize + j
                  assert.equal(child.getValid(at), v !== null, `list element ${at} validity`)
                  if (v !== null) assert.equal(nativeValue(child, at), v, `list element ${at}`)
                })
              }
            })
          })
        },
      ),
      {seed: 2026_1129, numRuns: 150},
    )
  })

  it('leaves strings and dictionaries to apache-arrow', () => {
    const shapeOf = (table: Table): Parameters<typeof decodesNatively>[0] => {
      const file = Buffer.from(tableToIPC(table, 'file'))
      const footerLength = file.readInt32LE(file.length - 10)
      const footerStart = file.length - 10 - footerLength
      return checkFooter(file.subarray(footerStart, footerStart + footerLength), footerStart).shape
    }
    const logit = vectorFromArray([0.5, -1], new Float64())
    assert.equal(decodesNatively(shapeOf(new Table({label: vectorFromArray([0, 1], new Int32()), logit}))), true)
    assert.equal(decodesNatively(shapeOf(new Table({id: vectorFromArray(['a', 'b'], new Utf8()), logit}))), false)
    const names = vectorFromArray(['cat', 'dog'], new Dictionary(new Utf8(), new Int32()))
    assert.equal(decodesNatively(shapeOf(new Table({label: names, logit}))), false)
  })
})
