/**
 * A reader for the Thrift compact protocol, the encoding of Parquet's footer (FileMetaData) and page headers
 * (https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md).
 *
 * Every read is checked against the end of the bytes, and every count (a list's length, a string's) against
 * the bytes left, so corrupt metadata gives a `ThriftError` — never an allocation sized by a corrupt number
 * or a read past the end. Integers come back as JavaScript numbers: exact to 2^53, which is more than any
 * size or offset in a file that fits on a disk (callers check them against the file size anyway).
 */

/** The compact protocol's type codes (the low nibble of a field header). */
export const T_STOP = 0
export const T_TRUE = 1
export const T_FALSE = 2
export const T_BYTE = 3
export const T_I16 = 4
export const T_I32 = 5
export const T_I64 = 6
export const T_DOUBLE = 7
export const T_BINARY = 8
export const T_LIST = 9
export const T_SET = 10
export const T_MAP = 11
export const T_STRUCT = 12

/** Metadata that cannot be decoded. `truncated`: the bytes ran out (a reader may fetch more and retry). */
export class ThriftError extends Error {
  readonly truncated: boolean
  constructor(message: string, truncated = false) {
    super(message)
    this.name = 'ThriftError'
    this.truncated = truncated
  }
}

/** Structs nest this deep at most: Parquet's own go 4 deep; a corrupt file must not recurse forever. */
const MAX_DEPTH = 32

export class ThriftReader {
  pos: number
  private readonly bytes: Uint8Array
  private readonly end: number
  private depth = 0

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes
    this.pos = start
    this.end = end
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new ThriftError('the metadata ends in the middle of a value', true)
  }

  byte(): number {
    this.need(1)
    return this.bytes[this.pos++]
  }

  /** An unsigned LEB128 varint (at most 10 bytes: 64 bits). */
  varint(): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      const b = this.byte()
      value += (b & 0x7f) * scale
      if (b < 0x80) return value
      scale *= 128
    }
    throw new ThriftError('a varint longer than 10 bytes')
  }

  /** A zigzag varint: i16, i32 and i64 all use it. */
  int(): number {
    const n = this.varint()
    // n / 2 rounded down, negated for odd n; exact while n < 2^53.
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2
  }

  double(): number {
    this.need(8)
    const value = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getFloat64(0, true)
    this.pos += 8
    return value
  }

  /** A binary or string field's bytes (a view, not a copy). */
  binary(): Uint8Array {
    const length = this.varint()
    if (length > this.end - this.pos) {
      throw new ThriftError(`a string of ${length} bytes where ${this.end - this.pos} remain`, true)
    }
    const out = this.bytes.subarray(this.pos, this.pos + length)
    this.pos += length
    return out
  }

  string(): string {
    return new TextDecoder().decode(this.binary())
  }

  /** A list or set header: its element type and length (checked: every element takes at least one byte). */
  listHeader(): {type: number; size: number} {
    const head = this.byte()
    const type = head & 0x0f
    const size = head >> 4 === 15 ? this.varint() : head >> 4
    // Booleans in a list take a byte each, like every other type at its smallest.
    if (size > this.end - this.pos) {
      throw new ThriftError(`a list of ${size} elements where ${this.end - this.pos} bytes remain`, true)
    }
    return {type, size}
  }

  /**
   * Reads a struct: `field(id, type)` is called for each field and must read its value (or call `skip`).
   * Field ids are deltas from the previous one unless the header's high nibble is 0.
   */
  struct(field: (id: number, type: number) => void): void {
    if (++this.depth > MAX_DEPTH) throw new ThriftError(`structs nested more than ${MAX_DEPTH} deep`)
    let id = 0
    for (;;) {
      const head = this.byte()
      const type = head & 0x0f
      if (type === T_STOP) break
      const delta = head >> 4
      id = delta === 0 ? this.int() : id + delta
      field(id, type)
    }
    this.depth--
  }

  /** A boolean field's value is in its type code. */
  bool(type: number): boolean {
    if (type === T_TRUE) return true
    if (type === T_FALSE) return false
    throw new ThriftError(`expected a boolean field, got type ${type}`)
  }

  /** Reads and discards a value of `type`. */
  skip(type: number): void {
    switch (type) {
      case T_TRUE:
      case T_FALSE:
        return
      case T_BYTE:
        this.need(1)
        this.pos++
        return
      case T_I16:
      case T_I32:
      case T_I64:
        this.varint()
        return
      case T_DOUBLE:
        this.need(8)
        this.pos += 8
        return
      case T_BINARY:
        this.binary()
        return
      case T_LIST:
      case T_SET: {
        const {type: element, size} = this.listHeader()
        for (let i = 0; i < size; i++) {
          if (element === T_TRUE || element === T_FALSE) this.byte()
          else this.skip(element)
        }
        return
      }
      case T_MAP: {
        const size = this.varint()
        if (size === 0) return
        if (size > this.end - this.pos) throw new ThriftError(`a map of ${size} entries`, true)
        const types = this.byte()
        for (let i = 0; i < size; i++) {
          this.skip(types >> 4)
          this.skip(types & 0x0f)
        }
        return
      }
      case T_STRUCT:
        this.struct((_, t) => this.skip(t))
        return
      default:
        throw new ThriftError(`unknown field type ${type}`)
    }
  }

  /** Checks a field's type before reading it as that type. */
  expect(type: number, wanted: number, what: string): void {
    const ok = type === wanted || (wanted === T_TRUE && type === T_FALSE) || (wanted === T_I64 && type === T_I32)
    if (!ok) throw new ThriftError(`${what}: expected field type ${wanted}, got ${type}`)
  }

  /** A list of `T`, each element read by `element` (which may assume `elementType`). */
  list<T>(type: number, elementType: number, what: string, element: () => T): T[] {
    this.expect(type, T_LIST, what)
    const header = this.listHeader()
    if (header.size > 0 && header.type !== elementType) {
      throw new ThriftError(`${what}: expected list elements of type ${elementType}, got ${header.type}`)
    }
    const out: T[] = []
    for (let i = 0; i < header.size; i++) out.push(element())
    return out
  }
}
