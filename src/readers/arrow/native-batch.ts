/**
 * Record batches of an Arrow IPC file decoded by focalscope itself, for the plain schemas prediction files
 * have: integer, float and boolean columns and FixedSizeLists of them, little-endian, uncompressed, no
 * dictionaries. The body is read into one buffer reused from batch to batch and the columns are typed-array
 * views into it. apache-arrow allocates a new buffer per batch, and V8 keeps tens of megabytes of them per
 * thread before it collects them; here memory stays flat and there is no garbage to collect.
 *
 * The columns mimic the parts of apache-arrow's `Data` that from-arrow.ts reads (type, length, offset,
 * nullCount, values, children, getValid), so everything after decoding is shared with apache-arrow's path;
 * anything else (strings, dictionaries, compression, big-endian) is left to apache-arrow.
 * Layouts follow the Arrow columnar format: per field in schema pre-order one field node, then a validity
 * bitmap and a values buffer (primitive) or a validity bitmap and the child (FixedSizeList).
 */
import type {BatchLayout, FieldType, SchemaShape} from './ipc-check.js'
import {TYPE_BOOL, TYPE_FIXED_SIZE_LIST, TYPE_FLOAT, TYPE_INT} from './type-ids.js'

type Values =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Float32Array
  | Float64Array

type ValuesConstructor = {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): Values
  new (length: number): Values
  BYTES_PER_ELEMENT: number
}

/** A column type, printed as apache-arrow prints it (error messages name types). */
class NativeType {
  constructor(
    readonly typeId: number,
    private readonly name: string,
    readonly listSize?: number,
  ) {}
  toString(): string {
    return this.name
  }
}

/** One column of a decoded batch: the parts of apache-arrow's `Data` that from-arrow.ts uses. */
export class NativeColumn {
  readonly offset = 0
  readonly dictionary = undefined
  readonly valueOffsets = undefined

  constructor(
    readonly type: NativeType,
    readonly length: number,
    readonly nullCount: number,
    readonly values: Values | undefined,
    private readonly validity: Uint8Array | null,
    readonly children: NativeColumn[],
  ) {}

  getValid(i: number): boolean {
    const bits = this.validity
    return bits === null || ((bits[i >> 3] >> (i & 7)) & 1) === 1
  }
}

/** A decoded batch: the parts of apache-arrow's `RecordBatch` that from-arrow.ts uses. */
export interface NativeBatch {
  numRows: number
  getChildAt(index: number): {data: NativeColumn[]} | null
}

function valuesConstructor(type: FieldType): ValuesConstructor | null {
  if (type.typeId === TYPE_FLOAT) {
    return type.precision === 2 ? Float64Array : type.precision === 1 ? Float32Array : null
  }
  if (type.typeId !== TYPE_INT) return null
  const signed = type.signed === true
  switch (type.bitWidth) {
    case 8:
      return signed ? Int8Array : Uint8Array
    case 16:
      return signed ? Int16Array : Uint16Array
    case 32:
      return signed ? Int32Array : Uint32Array
    case 64:
      return (signed ? BigInt64Array : BigUint64Array) as unknown as ValuesConstructor
    default:
      return null
  }
}

function isPrimitive(type: FieldType): boolean {
  return (
    !type.dictionary && type.children.length === 0 && (type.typeId === TYPE_BOOL || valuesConstructor(type) !== null)
  )
}

/** True when every column of the schema is one this module decodes. */
export function decodesNatively(shape: SchemaShape): boolean {
  return (
    !shape.bigEndian &&
    shape.fields.every(
      (f) =>
        isPrimitive(f) ||
        (f.typeId === TYPE_FIXED_SIZE_LIST && !f.dictionary && f.children.length === 1 && isPrimitive(f.children[0])),
    )
  )
}

function typeOf(type: FieldType): NativeType {
  if (type.typeId === TYPE_BOOL) return new NativeType(TYPE_BOOL, 'Bool')
  if (type.typeId === TYPE_FLOAT) return new NativeType(TYPE_FLOAT, `Float${type.precision === 2 ? 64 : 32}`)
  if (type.typeId === TYPE_INT) return new NativeType(TYPE_INT, `${type.signed ? 'I' : 'Ui'}nt${type.bitWidth}`)
  const child = typeOf(type.children[0])
  return new NativeType(TYPE_FIXED_SIZE_LIST, `FixedSizeList[${type.listSize}]<${child}>`, type.listSize)
}

/**
 * Decodes a batch whose body is `body` (bytes [0, bodyLength) of it). The columns are views into `body`:
 * valid until the buffer is reused for the next batch, as a chunk is.
 */
export function decodeNativeBatch(shape: SchemaShape, layout: BatchLayout, body: Uint8Array): NativeBatch {
  let node = 0
  let buffer = 0
  const types = shape.fields.map(typeOf)
  const nextNode = (): {length: number; nulls: number} => {
    const at = 2 * node++
    return {length: layout.nodes[at], nulls: layout.nodes[at + 1]}
  }
  const nextBuffer = (): Uint8Array => {
    const at = 2 * buffer++
    return body.subarray(layout.buffers[at], layout.buffers[at] + layout.buffers[at + 1])
  }
  const validityOf = (bytes: Uint8Array, nulls: number): Uint8Array | null =>
    nulls === 0 || bytes.length === 0 ? null : bytes
  const primitive = (field: FieldType, type: NativeType): NativeColumn => {
    const {length, nulls} = nextNode()
    const validity = validityOf(nextBuffer(), nulls)
    const bytes = nextBuffer()
    const Values = field.typeId === TYPE_BOOL ? Uint8Array : (valuesConstructor(field) as ValuesConstructor)
    return new NativeColumn(type, length, nulls, view(Values, bytes), validity, [])
  }
  const columns = shape.fields.map((field, i) => {
    if (field.typeId !== TYPE_FIXED_SIZE_LIST) return primitive(field, types[i])
    const {length, nulls} = nextNode()
    const validity = validityOf(nextBuffer(), nulls)
    const child = primitive(field.children[0], typeOf(field.children[0]))
    return new NativeColumn(types[i], length, nulls, undefined, validity, [child])
  })
  return {
    numRows: layout.rows,
    getChildAt: (index) => (columns[index] ? {data: [columns[index]]} : null),
  }
}

/** A typed-array view of `bytes` (whole elements only); a copy when the writer left them unaligned. */
function view(Values: ValuesConstructor, bytes: Uint8Array): Values {
  const size = Values.BYTES_PER_ELEMENT
  const count = Math.floor(bytes.length / size)
  if (bytes.byteOffset % size === 0) return new Values(bytes.buffer as ArrayBuffer, bytes.byteOffset, count)
  const copy = new Uint8Array(count * size)
  copy.set(bytes.subarray(0, count * size))
  return new Values(copy.buffer, 0, count)
}
