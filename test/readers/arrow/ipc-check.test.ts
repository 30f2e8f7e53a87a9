/**
 * The Arrow IPC metadata checker against files apache-arrow writes: valid metadata passes (with the shape
 * the schema implies), and any single byte flipped in a message's metadata is either still valid or a
 * CorruptMetadata — never another exception, and never a count that would let a decoder run past the bytes.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {
  compressionRegistry,
  CompressionType,
  Field,
  FixedSizeList,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  RecordBatchStreamWriter,
  Table,
  tableToIPC,
} from 'apache-arrow'
import fc from 'fast-check'

import {
  checkFooter,
  checkMessage,
  CorruptMetadata,
  HEADER_RECORD_BATCH,
  HEADER_SCHEMA,
  IpcStreamChecker,
  messageFlatbuffer,
} from '../../../src/readers/arrow/ipc-check.js'
import {arrowMessages} from '../../helpers/mutate.js'

/** Two batches of (label int32, logit float64, scores FixedSizeList<3, float64>). */
function sampleTable(): Table {
  const list = new FixedSizeList(3, new Field('item', new Float64(), false))
  const schema = new Schema([
    new Field('label', new Int32(), false),
    new Field('logit', new Float64(), false),
    new Field('scores', list, false),
  ])
  const batch = (n: number): RecordBatch => {
    const children = [
      makeData({type: new Int32(), data: Int32Array.from({length: n}, (_, i) => i % 3)}),
      makeData({type: new Float64(), data: Float64Array.from({length: n}, (_, i) => i / 7 - 1)}),
      makeData({
        type: list,
        length: n,
        child: makeData({type: new Float64(), data: Float64Array.from({length: 3 * n}, (_, i) => i / 11)}),
      }),
    ]
    return new RecordBatch(schema, makeData({type: new Struct(schema.fields), length: n, children}))
  }
  return new Table([batch(4), batch(3)])
}

const stream = Buffer.from(tableToIPC(sampleTable(), 'stream'))
const messages = arrowMessages(stream)
const metadataOf = (m: (typeof messages)[number], bytes: Uint8Array = stream): Uint8Array =>
  bytes.subarray(m.metadataStart, m.metadataStart + m.metadataLength)

describe('checkMessage', () => {
  it('accepts what apache-arrow writes; the schema shape counts a list column as two field nodes', () => {
    const schema = checkMessage(metadataOf(messages[0]), undefined)
    assert.equal(schema.headerType, HEADER_SCHEMA)
    assert.deepEqual(schema.shape?.nodesPerColumn, [1, 1, 2])
    for (const m of messages.slice(1)) {
      const checked = checkMessage(metadataOf(m), schema.shape, HEADER_RECORD_BATCH)
      assert.equal(checked.bodyLength, m.bodyLength)
    }
  })

  it('names the codec of a compressed batch (LZ4_FRAME when the field is left at its default), null when plain', () => {
    // A stand-in encoder, registered for the writing only; the checker reads the metadata, not the body.
    const header = {LZ4_FRAME: [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82], ZSTD: [0x28, 0xb5, 0x2f, 0xfd, 0, 0]}
    const shape = checkMessage(metadataOf(messages[0]), undefined).shape
    assert.equal(checkMessage(metadataOf(messages[1]), shape).codec, null)
    for (const codec of ['LZ4_FRAME', 'ZSTD'] as const) {
      compressionRegistry.set(CompressionType[codec], {encode: (data) => Uint8Array.from([...header[codec], ...data])})
      let bytes: Uint8Array
      try {
        const writer = new RecordBatchStreamWriter({compressionType: CompressionType[codec]})
        for (const batch of sampleTable().batches) writer.write(batch)
        writer.finish()
        bytes = writer.toUint8Array(true)
      } finally {
        compressionRegistry.set(CompressionType[codec], {})
      }
      const written = arrowMessages(bytes)
      const checked = checkMessage(metadataOf(written[1], bytes), shape, HEADER_RECORD_BATCH)
      assert.equal(checked.codec, codec)
      assert.equal(checked.layout?.codec, codec)
      if (codec !== 'ZSTD') continue
      // The codec byte (1) set to 2, which names no codec: refused as corrupt, wherever that byte is.
      const metadata = Buffer.from(metadataOf(written[1], bytes))
      const refusals = new Set<string>()
      for (let i = 0; i < metadata.length; i++) {
        if (metadata[i] !== 1) continue
        const changed = Buffer.from(metadata)
        changed[i] = 2
        try {
          checkMessage(changed, shape)
        } catch (error) {
          assert.ok(error instanceof CorruptMetadata)
          refusals.add(error.message)
        }
      }
      assert.ok(refusals.has('the batch says it is compressed with an unknown codec (2)'), [...refusals].join('; '))
    }
  })

  it('refuses a message of another type than the one expected', () => {
    assert.throws(() => checkMessage(metadataOf(messages[0]), undefined, HEADER_RECORD_BATCH), CorruptMetadata)
  })

  it('refuses a nodes count larger than the metadata, and a batch whose columns disagree with its length', () => {
    const shape = checkMessage(metadataOf(messages[0]), undefined).shape
    const bytes = Buffer.from(stream)
    bytes.writeUInt32LE(1000, messages[1].nodesLengthAt)
    assert.throws(() => checkMessage(metadataOf(messages[1], bytes), shape), /"nodes" claims 1000 entries/)
    // One node fewer than the schema needs (the count shrinks; the bytes are still in bounds).
    bytes.writeUInt32LE(3, messages[1].nodesLengthAt)
    assert.throws(() => checkMessage(metadataOf(messages[1], bytes), shape), /3 field nodes where the schema needs 4/)
  })

  it('refuses a plain body buffer that does not start at a multiple of 8, in the body or not (fuzz find)', () => {
    // A flipped offset that still lay in the body was read as values: the sums of other bytes, exit 0.
    const shape = checkMessage(metadataOf(messages[0]), undefined).shape
    const bytes = Buffer.from(stream)
    const first = messages[1].buffersLengthAt + 4
    const count = bytes.readUInt32LE(messages[1].buffersLengthAt)
    // The first buffer with data: moved 4 bytes on and shortened by 8, so that it still lies in the body.
    let at = first
    while (at < first + 16 * count && bytes.readBigInt64LE(at + 8) <= 8n) at += 16
    assert.ok(at < first + 16 * count)
    const offset = bytes.readBigInt64LE(at)
    bytes.writeBigInt64LE(offset + 4n, at)
    bytes.writeBigInt64LE(bytes.readBigInt64LE(at + 8) - 8n, at + 8)
    assert.throws(
      () => checkMessage(metadataOf(messages[1], bytes), shape),
      new RegExp(`buffer ${(at - first) / 16 + 1} starts at byte ${offset + 4n} of the body, not at a multiple of 8`),
    )
  })

  it('refuses a FixedSizeList whose values are not lists × size, and a length beyond 2^53 (fuzz finds)', () => {
    const shape = checkMessage(metadataOf(messages[0]), undefined).shape
    const bytes = Buffer.from(stream)
    // Nodes: label, logit, the list column, its values (4 rows × 3 = 12 in batch 1).
    const valuesLengthAt = messages[1].nodesLengthAt + 4 + 3 * 16
    assert.equal(bytes.readBigInt64LE(valuesLengthAt), 12n)
    bytes.writeBigInt64LE(13n, valuesLengthAt)
    assert.throws(
      () => checkMessage(metadataOf(messages[1], bytes), shape),
      /column 3 holds 4 lists of 3, but its values number 13/,
    )
    bytes.writeBigInt64LE(2n ** 53n + 640n, valuesLengthAt)
    assert.throws(
      () => checkMessage(metadataOf(messages[1], bytes), shape),
      /field node 4 says 9007199254741632 values/,
    )
  })

  it('refuses a format version before V4, and a vtable that runs past the metadata (fuzz finds)', () => {
    const metadata = Buffer.from(metadataOf(messages[1]))
    const message = metadata.readUInt32LE(0)
    const vtable = message - metadata.readInt32LE(message)
    const versionAt = message + metadata.readUInt16LE(vtable + 4)
    assert.equal(metadata.readInt16LE(versionAt), 4) // V5
    metadata.writeInt16LE(0, versionAt)
    assert.throws(() => checkMessage(metadata, undefined), /format version V1/)
    metadata.writeInt16LE(4, versionAt)
    metadata.writeUInt16LE(metadata.readUInt16LE(vtable) + 0x8000, vtable)
    assert.throws(() => checkMessage(metadata, undefined), /a vtable points outside the metadata/)
  })

  it('any one byte flipped in any message: valid, or CorruptMetadata (fast-check)', () => {
    const shape = checkMessage(metadataOf(messages[0]), undefined).shape
    fc.assert(
      fc.property(
        fc.integer({min: 0, max: messages.length - 1}),
        fc.nat(),
        fc.integer({min: 1, max: 255}),
        (which, at, xor) => {
          const m = messages[which]
          const bytes = Buffer.from(metadataOf(m))
          bytes[at % bytes.length] ^= xor
          try {
            checkMessage(bytes, which === 0 ? undefined : shape)
          } catch (error) {
            if (!(error instanceof CorruptMetadata)) throw error
          }
        },
      ),
      {seed: 20261129, numRuns: 2000},
    )
  })
})

describe('checkFooter', () => {
  it("finds the file's batches where apache-arrow wrote them", () => {
    const file = Buffer.from(tableToIPC(sampleTable(), 'file'))
    const footerLength = file.readInt32LE(file.length - 10)
    const footerStart = file.length - 10 - footerLength
    const footer = checkFooter(file.subarray(footerStart, footerStart + footerLength), footerStart)
    assert.deepEqual(footer.shape.nodesPerColumn, [1, 1, 2])
    assert.equal(footer.recordBatches.length, 2)
    for (const block of footer.recordBatches) {
      const metadata = messageFlatbuffer(file.subarray(block.offset, block.offset + block.metadataLength))
      assert.equal(checkMessage(metadata, footer.shape, HEADER_RECORD_BATCH).bodyLength, block.bodyLength)
    }
  })

  it('refuses a block that points past the footer', () => {
    const file = Buffer.from(tableToIPC(sampleTable(), 'file'))
    const footerLength = file.readInt32LE(file.length - 10)
    const footerStart = file.length - 10 - footerLength
    assert.throws(() => checkFooter(file.subarray(footerStart, footerStart + footerLength), 100), /points outside/)
  })
})

describe('IpcStreamChecker', () => {
  it('follows the framing whatever the chunk sizes (fast-check), and counts the batches', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({min: 1, max: 64}), {minLength: 1, maxLength: 20}), (sizes) => {
        const checker = new IpcStreamChecker()
        for (let at = 0, i = 0; at < stream.length; i++) {
          const size = sizes[i % sizes.length]
          checker.push(stream.subarray(at, at + size))
          at += size
        }
        assert.equal(checker.batches, 2)
      }),
      {seed: 7, numRuns: 200},
    )
  })

  it('is complete only after the end-of-stream marker', () => {
    const checker = new IpcStreamChecker()
    checker.push(stream.subarray(0, stream.length - 8))
    assert.equal(checker.complete, false, 'cut before the marker')
    checker.push(stream.subarray(stream.length - 8, stream.length - 4))
    assert.equal(checker.complete, false, 'half a marker')
    checker.push(stream.subarray(stream.length - 4))
    assert.equal(checker.complete, true)
  })

  it('throws on the chunk that holds a corrupt count, before it is passed on', () => {
    const bytes = Buffer.from(stream)
    bytes.writeUInt32LE(2 ** 28, messages[2].nodesLengthAt)
    const checker = new IpcStreamChecker()
    checker.push(bytes.subarray(0, messages[2].offset))
    assert.throws(
      () => checker.push(bytes.subarray(messages[2].offset)),
      (error: unknown) => {
        assert.ok(error instanceof CorruptMetadata)
        assert.equal(error.batch, 2)
        return true
      },
    )
  })
})
