/**
 * Checks the flatbuffer metadata of Arrow IPC messages and file footers before apache-arrow decodes them.
 *
 * apache-arrow trusts every count in the metadata: a corrupt vector length (2^28 field nodes in a batch of
 * two columns) makes it decode hundreds of millions of structs past the end of the metadata — minutes of a
 * synchronous loop, gigabytes, then "heap out of memory", and Ctrl-C cannot interrupt it. A null column
 * name or an unknown type id surfaces as a JavaScript TypeError. Here every offset and vector is checked
 * against the bytes it lives in, and record batches against the schema, so a corrupt file is refused with a
 * message instead. Only what we read is checked; it is no full flatbuffer verifier.
 *
 * Layouts follow format/Schema.fbs, Message.fbs and File.fbs of the Arrow specification.
 *
 * Over 450 lines on purpose: the checks read one flatbuffer format and share its small readers (offsets,
 * vectors, tables); split apart, each file would have to re-export them.
 */

import {TYPE_FIXED_SIZE_LIST, TYPE_FLOAT, TYPE_INT, TYPE_MAX} from './type-ids.js'

/** The metadata is not what the specification allows; the message says what was wrong, `batch` where. */
export class CorruptMetadata extends Error {
  constructor(
    message: string,
    readonly batch?: number,
  ) {
    super(message)
  }
}

// Message.fbs: MessageHeader union.
export const HEADER_SCHEMA = 1
export const HEADER_DICTIONARY_BATCH = 2
export const HEADER_RECORD_BATCH = 3
const HEADER_NAMES: Record<number, string> = {1: 'schema', 2: 'dictionary batch', 3: 'record batch'}
const FIELD_NODE_BYTES = 16
const BUFFER_BYTES = 16
const BLOCK_BYTES = 24
const MAX_DEPTH = 64

/** A bounds-checked reader of one flatbuffer held in `bytes` (the root table is at its start). */
class Flat {
  private readonly view: DataView
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  private need(at: number, size: number, what: string): void {
    if (!(at >= 0 && at + size <= this.bytes.length)) throw new CorruptMetadata(`${what} points outside the metadata`)
  }

  u8(at: number): number {
    this.need(at, 1, 'a field')
    return this.view.getUint8(at)
  }
  i16(at: number): number {
    this.need(at, 2, 'a field')
    return this.view.getInt16(at, true)
  }
  i32(at: number): number {
    this.need(at, 4, 'a field')
    return this.view.getInt32(at, true)
  }
  i64(at: number): number {
    this.need(at, 8, 'a field')
    return Number(this.view.getBigInt64(at, true))
  }

  root(): number {
    return this.offset(0, 'the root table')
  }

  /** The position an offset field at `at` points to. */
  private offset(at: number, what: string): number {
    this.need(at, 4, what)
    const target = at + this.view.getUint32(at, true)
    this.need(target, 4, what)
    return target
  }

  /** Where field `id` of the table at `table` is, or -1 when absent (its default applies). */
  field(table: number, id: number): number {
    this.need(table, 4, 'a table')
    const vtable = table - this.view.getInt32(table, true)
    this.need(vtable, 4, 'a vtable')
    const vtableSize = this.view.getUint16(vtable, true)
    // The whole vtable, not just this entry: other readers look up fields this checker does not.
    this.need(vtable, vtableSize, 'a vtable')
    if (4 + 2 * id + 2 > vtableSize) return -1
    const at = this.view.getUint16(vtable + 4 + 2 * id, true)
    if (at === 0) return -1
    // A field lies inside its table's inline part, whose size the vtable gives.
    if (at >= this.view.getUint16(vtable + 2, true)) throw new CorruptMetadata('a field lies outside its table')
    return table + at
  }

  /** The table a table-valued field points to, or -1 when absent. */
  table(table: number, id: number, what: string): number {
    const at = this.field(table, id)
    return at === -1 ? -1 : this.offset(at, what)
  }

  /** A vector field: where its elements start and how many there are (0 when absent). */
  vector(table: number, id: number, elementBytes: number, what: string): {start: number; length: number} {
    const at = this.field(table, id)
    if (at === -1) return {start: 0, length: 0}
    const head = this.offset(at, what)
    const length = this.view.getUint32(head, true)
    // The check that matters: a count must fit in the bytes that follow it.
    if (head + 4 + length * elementBytes > this.bytes.length) {
      throw new CorruptMetadata(`${what} claims ${length} entries, more than the metadata holds`)
    }
    return {start: head + 4, length}
  }

  /** The table the `index`-th offset of a vector of tables points to. */
  vectorTable(start: number, index: number, what: string): number {
    return this.offset(start + 4 * index, what)
  }

  /** The UTF-8 string field `id` of a table, or null when the table has none. */
  string(table: number, id: number): string | null {
    const at = this.field(table, id)
    if (at === -1) return null
    const head = this.offset(at, 'a string')
    const length = this.view.getUint32(head, true)
    if (head + 4 + length > this.bytes.length) {
      throw new CorruptMetadata('a string runs past the end of the metadata')
    }
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + head + 4, length).toString('utf8')
  }
}

/** What a record batch must agree with: per top-level column, how many field nodes its subtree has. */
export interface SchemaShape {
  /** The top-level columns' names. */
  names: string[]
  nodesPerColumn: number[]
  /** The columns' types as far as arrow-native-batch.ts needs them. */
  fields: FieldType[]
  /** The schema says big-endian (arrow-native-batch.ts reads little-endian data only). */
  bigEndian: boolean
}

/** A column's type: the Schema.fbs type id and, for the types that have them, their parameters. */
export interface FieldType {
  typeId: number
  /** Int: bits and sign. */
  bitWidth?: number
  signed?: boolean
  /** FloatingPoint: 0 half, 1 single, 2 double. */
  precision?: number
  /** FixedSizeList: values per list. */
  listSize?: number
  /** Dictionary-encoded (the values live in dictionary batches). */
  dictionary: boolean
  children: FieldType[]
}

/** Checks a Schema table (in a schema message or a file footer) and returns its shape. */
function checkSchema(flat: Flat, schema: number): SchemaShape {
  const endiannessAt = flat.field(schema, 0)
  const bigEndian = endiannessAt !== -1 && flat.i16(endiannessAt) === 1
  const fields = flat.vector(schema, 1, 4, 'the schema\'s "fields"')
  const names: string[] = []
  const nodesPerColumn: number[] = []
  const types: FieldType[] = []
  for (let i = 0; i < fields.length; i++) {
    const field = flat.vectorTable(fields.start, i, 'a column')
    const name = flat.string(field, 0)
    if (name === null) throw new CorruptMetadata(`column ${i + 1} has no name`)
    const type = checkField(flat, field, `column ${i + 1}`, 0)
    names.push(name)
    types.push(type)
    nodesPerColumn.push(nodeCount(type))
  }
  return {names, nodesPerColumn, fields: types, bigEndian}
}

/** Field nodes a column of this type takes in a batch: one for it and one per descendant. */
function nodeCount(type: FieldType): number {
  return type.children.reduce((n, child) => n + nodeCount(child), 1)
}

/** Checks one field and its children, and describes its type. */
function checkField(flat: Flat, field: number, name: string, depth: number): FieldType {
  if (depth > MAX_DEPTH) throw new CorruptMetadata(`${name} is nested more than ${MAX_DEPTH} deep`)
  const typeAt = flat.field(field, 2)
  const typeId = typeAt === -1 ? 0 : flat.u8(typeAt)
  if (typeId < 1 || typeId > TYPE_MAX) throw new CorruptMetadata(`${name} has an unknown type (id ${typeId})`)
  const type = flat.table(field, 3, `the type of ${name}`)
  const out: FieldType = {typeId, dictionary: flat.field(field, 4) !== -1, children: []}
  if (typeId === TYPE_INT) {
    const bitWidthAt = type === -1 ? -1 : flat.field(type, 0)
    const bitWidth = bitWidthAt === -1 ? 0 : flat.i32(bitWidthAt)
    if (![8, 16, 32, 64].includes(bitWidth)) throw new CorruptMetadata(`${name} is an integer of ${bitWidth} bits`)
    const signedAt = type === -1 ? -1 : flat.field(type, 1)
    out.bitWidth = bitWidth
    out.signed = signedAt !== -1 && flat.u8(signedAt) !== 0
  }
  if (typeId === TYPE_FLOAT) {
    const precisionAt = type === -1 ? -1 : flat.field(type, 0)
    const precision = precisionAt === -1 ? 0 : flat.i16(precisionAt)
    if (precision < 0 || precision > 2) throw new CorruptMetadata(`${name} has an unknown float precision`)
    out.precision = precision
  }
  if (typeId === TYPE_FIXED_SIZE_LIST) {
    const listSizeAt = type === -1 ? -1 : flat.field(type, 0)
    out.listSize = listSizeAt === -1 ? 0 : flat.i32(listSizeAt)
    if (out.listSize < 0) throw new CorruptMetadata(`${name} is a list of ${out.listSize} values`)
  }
  const children = flat.vector(field, 5, 4, `the children of ${name}`)
  for (let c = 0; c < children.length; c++) {
    const child = flat.vectorTable(children.start, c, `a child of ${name}`)
    out.children.push(checkField(flat, child, `${name}'s child ${c + 1}`, depth + 1))
  }
  return out
}

/** Where a record batch's data is: its rows, and per field node / buffer (in schema pre-order) the numbers. */
export interface BatchLayout {
  rows: number
  /** Field node i: length at 2i, null count at 2i + 1. */
  nodes: number[]
  /** Buffer i: offset into the body at 2i, length at 2i + 1. */
  buffers: number[]
  /** The codec the body's buffers are compressed with (only apache-arrow decodes them), null when plain. */
  codec: CompressionCodec | null
}

/** Message.fbs CompressionType, by its value (an absent codec field means LZ4_FRAME). */
const CODECS = ['LZ4_FRAME', 'ZSTD'] as const
export type CompressionCodec = (typeof CODECS)[number]

/** The codec of a RecordBatch's optional BodyCompression table (field 3), or null without one. */
function bodyCodec(flat: Flat, batch: number): CompressionCodec | null {
  const compression = flat.table(batch, 3, 'the batch\'s "compression"')
  if (compression === -1) return null
  const codecAt = flat.field(compression, 0)
  const value = codecAt === -1 ? 0 : flat.u8(codecAt)
  const codec = CODECS[value] as CompressionCodec | undefined
  if (codec === undefined) throw new CorruptMetadata(`the batch says it is compressed with an unknown codec (${value})`)
  return codec
}

/**
 * Checks a RecordBatch table: its vectors fit, buffers lie inside the body, and (for a record batch, not
 * a dictionary's) there is one field node per schema field, each top-level column as long as the batch.
 * Returns where its data is.
 */
function checkRecordBatch(flat: Flat, batch: number, bodyLength: number, shape: SchemaShape | undefined): BatchLayout {
  const lengthAt = flat.field(batch, 0)
  const rows = lengthAt === -1 ? 0 : flat.i64(lengthAt)
  if (!(rows >= 0 && rows <= Number.MAX_SAFE_INTEGER)) throw new CorruptMetadata(`the batch says it has ${rows} rows`)
  const nodes = flat.vector(batch, 1, FIELD_NODE_BYTES, 'the batch\'s "nodes"')
  const buffers = flat.vector(batch, 2, BUFFER_BYTES, 'the batch\'s "buffers"')
  flat.vector(batch, 4, 8, 'the batch\'s "variadicBufferCounts"')
  const layout: BatchLayout = {rows, nodes: [], buffers: [], codec: bodyCodec(flat, batch)}
  for (let i = 0; i < nodes.length; i++) {
    const length = flat.i64(nodes.start + i * FIELD_NODE_BYTES)
    const nulls = flat.i64(nodes.start + i * FIELD_NODE_BYTES + 8)
    if (!(length >= 0 && nulls >= 0 && nulls <= length && length <= Number.MAX_SAFE_INTEGER)) {
      throw new CorruptMetadata(`field node ${i + 1} says ${length} values with ${nulls} nulls`)
    }
    layout.nodes.push(length, nulls)
  }
  for (let i = 0; i < buffers.length; i++) {
    const offset = flat.i64(buffers.start + i * BUFFER_BYTES)
    const length = flat.i64(buffers.start + i * BUFFER_BYTES + 8)
    if (!(offset >= 0 && length >= 0 && offset + length <= bodyLength)) {
      throw new CorruptMetadata(`buffer ${i + 1} lies outside the batch's body`)
    }
    // Writers start every buffer of a plain body at a multiple of 8 bytes (the format's alignment, which
    // Arrow C++ checks); a damaged offset that still lay in the body read other bytes as values. Compressed
    // bodies are decompressed into buffers of their own, and apache-arrow's JavaScript writer packs them
    // without padding, so their offsets are not held to it (a damaged one fails to decompress).
    if (offset % 8 !== 0 && layout.codec === null) {
      throw new CorruptMetadata(`buffer ${i + 1} starts at byte ${offset} of the body, not at a multiple of 8`)
    }
    layout.buffers.push(offset, length)
  }
  if (!shape) return layout
  const expected = shape.nodesPerColumn.reduce((a, b) => a + b, 0)
  if (nodes.length !== expected) {
    throw new CorruptMetadata(`the batch has ${nodes.length} field nodes where the schema needs ${expected}`)
  }
  for (let c = 0, node = 0; c < shape.nodesPerColumn.length; node += shape.nodesPerColumn[c], c++) {
    const length = layout.nodes[2 * node]
    if (length !== rows) throw new CorruptMetadata(`column ${c + 1} has ${length} rows and the batch ${rows}`)
    checkListLengths(layout.nodes, shape.fields[c], node, `column ${c + 1}`)
  }
  return layout
}

/**
 * A FixedSizeList of n lists has exactly n · listSize child values; a child node that says otherwise is
 * damage other readers trip over. Walks the field's subtree from its node; returns the node after it.
 */
function checkListLengths(nodes: number[], type: FieldType, node: number, name: string): number {
  let next = node + 1
  for (const child of type.children) {
    if (type.typeId === TYPE_FIXED_SIZE_LIST && nodes[2 * next] !== nodes[2 * node] * (type.listSize ?? 0)) {
      throw new CorruptMetadata(
        `${name} holds ${nodes[2 * node]} lists of ${type.listSize}, but its values number ${nodes[2 * next]}`,
      )
    }
    next = checkListLengths(nodes, child, next, `${name}'s values`)
  }
  return next
}

export interface CheckedMessage {
  headerType: number
  bodyLength: number
  /** Set for a schema message. */
  shape?: SchemaShape
  /** Set for a record batch message: where its data is. */
  layout?: BatchLayout
  /** For a record or dictionary batch: the codec its body is compressed with, null when plain. */
  codec?: CompressionCodec | null
}

/**
 * Checks the flatbuffer of one IPC message (the bytes after its length prefix). Record batches are
 * checked against `shape`, the schema read before them.
 */
export function checkMessage(
  metadata: Uint8Array,
  shape: SchemaShape | undefined,
  expectedHeader?: number,
): CheckedMessage {
  const flat = new Flat(metadata)
  const message = flat.root()
  const typeAt = flat.field(message, 1)
  const headerType = typeAt === -1 ? 0 : flat.u8(typeAt)
  if (expectedHeader !== undefined && headerType !== expectedHeader) {
    const name = HEADER_NAMES[expectedHeader] ?? String(expectedHeader)
    throw new CorruptMetadata(`expected a ${name} message, got header type ${headerType}`)
  }
  // MetadataVersion: V4 = 3 (Arrow ≥ 0.8) and V5 = 4 (≥ 1.0) are what writers of the last years produce; an
  // absent field means V1. Older versions lay batches out differently, and readers disagree on them.
  const versionAt = flat.field(message, 0)
  const version = versionAt === -1 ? 0 : flat.i16(versionAt)
  if (version !== 3 && version !== 4) {
    throw new CorruptMetadata(`the message says it is format version V${version + 1} (V4 and V5 are read)`)
  }
  const bodyAt = flat.field(message, 3)
  const bodyLength = bodyAt === -1 ? 0 : flat.i64(bodyAt)
  if (!(bodyLength >= 0 && bodyLength <= Number.MAX_SAFE_INTEGER)) {
    throw new CorruptMetadata(`the message says its body is ${bodyLength} bytes`)
  }
  const header = flat.table(message, 2, 'the message header')
  if (header === -1) throw new CorruptMetadata('the message has no header')
  switch (headerType) {
    case HEADER_SCHEMA:
      return {headerType, bodyLength, shape: checkSchema(flat, header)}
    case HEADER_RECORD_BATCH: {
      const layout = checkRecordBatch(flat, header, bodyLength, shape)
      return {headerType, bodyLength, layout, codec: layout.codec}
    }
    case HEADER_DICTIONARY_BATCH: {
      const data = flat.table(header, 1, 'the dictionary batch')
      if (data === -1) throw new CorruptMetadata('the dictionary batch has no data')
      return {headerType, bodyLength, codec: checkRecordBatch(flat, data, bodyLength, undefined).codec}
    }
    default:
      throw new CorruptMetadata(`the message has an unknown header type (${headerType})`)
  }
}

/** A footer's pointer to one message: where it starts, its metadata (with prefix) and body lengths. */
export interface FileBlock {
  offset: number
  metadataLength: number
  bodyLength: number
}

export interface CheckedFooter {
  shape: SchemaShape
  dictionaries: FileBlock[]
  recordBatches: FileBlock[]
}

/** Checks an IPC file's footer flatbuffer; every block must lie between the leading magic and the footer. */
export function checkFooter(footer: Uint8Array, footerStart: number): CheckedFooter {
  const flat = new Flat(footer)
  const root = flat.root()
  const schema = flat.table(root, 1, "the footer's schema")
  if (schema === -1) throw new CorruptMetadata('the footer has no schema')
  const shape = checkSchema(flat, schema)
  const blocks = (id: number, what: string): FileBlock[] => {
    const vector = flat.vector(root, id, BLOCK_BYTES, `the footer's ${what}`)
    const out: FileBlock[] = []
    for (let i = 0; i < vector.length; i++) {
      const at = vector.start + i * BLOCK_BYTES
      const block = {offset: flat.i64(at), metadataLength: flat.i32(at + 8), bodyLength: flat.i64(at + 16)}
      if (
        !(block.offset >= 8 && block.metadataLength >= 8 && block.bodyLength >= 0) ||
        block.offset + block.metadataLength + block.bodyLength > footerStart
      ) {
        throw new CorruptMetadata(`the footer's ${what} entry ${i + 1} points outside the file`)
      }
      out.push(block)
    }
    return out
  }
  return {shape, dictionaries: blocks(2, 'dictionaries'), recordBatches: blocks(3, 'record batches')}
}

/**
 * The flatbuffer inside a message's metadata block: after the 0xFFFFFFFF continuation marker and the
 * int32 length (or, in pre-1.0 files, after the length alone).
 */
export function messageFlatbuffer(block: Uint8Array): Uint8Array {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength)
  if (block.length < 8) throw new CorruptMetadata('a message is shorter than its length prefix')
  const continued = view.getUint32(0, true) === 0xffffffff
  const start = continued ? 8 : 4
  const length = view.getInt32(continued ? 4 : 0, true)
  if (!(length > 0 && start + length <= block.length)) {
    throw new CorruptMetadata(`a message says its metadata is ${length} bytes, more than its block holds`)
  }
  return block.subarray(start, start + length)
}

/**
 * Follows an IPC stream's message framing and checks each message's metadata before the bytes reach
 * apache-arrow: `push` every chunk before passing it on (a chunk is checked whole before it is handed
 * over, so arrow never sees unchecked metadata), then `end`.
 */
export class IpcStreamChecker {
  private state: 'prefix' | 'metadata' | 'body' = 'prefix'
  private pending = Buffer.alloc(0)
  private need = 8
  private bodyLeft = 0
  private shape: SchemaShape | undefined
  /** The last complete message was the end-of-stream marker. */
  private ended = false
  /** Record batches seen so far (1-based numbering for messages). */
  batches = 0
  /**
   * The first compressed message seen, if any: its codec, and the record batch's number (undefined for a
   * dictionary batch). apache-arrow decodes it only with a codec registered; the caller decides.
   */
  compressed: {codec: CompressionCodec; batch: number | undefined} | undefined
  /** Every codec a message so far was compressed with (a stream may mix them). */
  readonly codecs = new Set<CompressionCodec>()

  push(chunk: Uint8Array): void {
    let at = 0
    while (at < chunk.length) {
      if (this.state === 'body') {
        const take = Math.min(this.bodyLeft, chunk.length - at)
        this.bodyLeft -= take
        at += take
        if (this.bodyLeft === 0) this.expectPrefix()
        continue
      }
      const take = Math.min(this.need - this.pending.length, chunk.length - at)
      this.pending = Buffer.concat([this.pending, chunk.subarray(at, at + take)])
      at += take
      if (this.pending.length < this.need) continue
      if (this.state === 'prefix') this.onPrefix()
      else this.onMetadata()
    }
  }

  /**
   * True when the bytes so far end just after an end-of-stream marker. Writers close a stream with one;
   * without it, a stream cut between two batches would read as a shorter, complete-looking dataset.
   */
  get complete(): boolean {
    return this.ended && this.state === 'prefix' && this.pending.length === 0
  }

  private expectPrefix(): void {
    this.state = 'prefix'
    this.need = 8
    this.pending = Buffer.alloc(0)
  }

  private onPrefix(): void {
    const continued = this.pending.readUInt32LE(0) === 0xffffffff
    const length = continued ? this.pending.readInt32LE(4) : this.pending.readInt32LE(0)
    if (length === 0) {
      // End-of-stream marker; in the legacy form its last four bytes already belong to whatever follows.
      const rest = continued ? Buffer.alloc(0) : this.pending.subarray(4)
      this.expectPrefix()
      this.ended = true
      if (rest.length > 0) this.push(rest)
      return
    }
    this.ended = false
    if (length < 0) throw new CorruptMetadata(`a message says its metadata is ${length} bytes`)
    this.state = 'metadata'
    // The legacy form's four bytes after the length are already metadata.
    this.pending = continued ? Buffer.alloc(0) : Buffer.from(this.pending.subarray(4))
    this.need = length
  }

  private onMetadata(): void {
    const message = checkMessageNumbered(this.pending, this.shape, this.batches + 1)
    if (message.headerType === HEADER_SCHEMA) this.shape = message.shape
    if (message.headerType === HEADER_RECORD_BATCH) this.batches++
    if (message.codec) this.codecs.add(message.codec)
    if (message.codec && !this.compressed) {
      const batch = message.headerType === HEADER_RECORD_BATCH ? this.batches : undefined
      this.compressed = {codec: message.codec, batch}
    }
    this.bodyLeft = message.bodyLength
    this.pending = Buffer.alloc(0)
    if (this.bodyLeft === 0) this.expectPrefix()
    else this.state = 'body'
  }
}

function checkMessageNumbered(metadata: Uint8Array, shape: SchemaShape | undefined, batch: number): CheckedMessage {
  try {
    return checkMessage(metadata, shape)
  } catch (error) {
    if (error instanceof CorruptMetadata && shape) throw new CorruptMetadata(error.message, batch)
    throw error
  }
}
