/**
 * Builds small Parquet files byte by byte (Thrift compact metadata, one row group, one data page per
 * column) so tests can say exactly what a page or a footer holds — an encoding or codec no writer here
 * produces, a count that lies — and check the reader's message for it. Written from parquet.thrift and
 * the Thrift compact protocol spec, independently of the reader's own decoder.
 */

/** Thrift compact type codes. */
const I32 = 5
const I64 = 6
const BINARY = 8
const LIST = 9
const STRUCT = 12

class CompactWriter {
  readonly bytes: number[] = []
  private lastField: number[] = [0]

  varint(n: number): void {
    let v = n
    while (v >= 0x80) {
      this.bytes.push((v % 128) | 0x80)
      v = Math.floor(v / 128)
    }
    this.bytes.push(v)
  }

  zigzag(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1)
  }

  field(id: number, type: number): void {
    const last = this.lastField[this.lastField.length - 1]
    const delta = id - last
    if (delta > 0 && delta <= 15) this.bytes.push((delta << 4) | type)
    else {
      this.bytes.push(type)
      this.zigzag(id)
    }
    this.lastField[this.lastField.length - 1] = id
  }

  i32(id: number, value: number): void {
    this.field(id, I32)
    this.zigzag(value)
  }

  bool(id: number, value: boolean): void {
    this.field(id, value ? 1 : 2)
  }

  i64(id: number, value: number): void {
    this.field(id, I64)
    this.zigzag(value)
  }

  string(id: number, value: string): void {
    this.field(id, BINARY)
    const bytes = Buffer.from(value, 'utf8')
    this.varint(bytes.length)
    this.bytes.push(...bytes)
  }

  struct(id: number | null, body: () => void): void {
    if (id !== null) this.field(id, STRUCT)
    this.lastField.push(0)
    body()
    this.bytes.push(0)
    this.lastField.pop()
  }

  list(id: number, elementType: number, count: number, element: (i: number) => void): void {
    this.field(id, LIST)
    if (count < 15) this.bytes.push((count << 4) | elementType)
    else {
      this.bytes.push(0xf0 | elementType)
      this.varint(count)
    }
    for (let i = 0; i < count; i++) element(i)
  }
}

export interface TinyColumn {
  name: string
  /** Physical type: 0 BOOLEAN, 1 INT32, 2 INT64, 4 FLOAT, 5 DOUBLE, 6 BYTE_ARRAY. */
  type: number
  /** 0 REQUIRED (default), 1 OPTIONAL. */
  repetition?: number
  /** The data page's body: levels (for OPTIONAL: a 4-byte length and RLE runs) then values. */
  body?: Uint8Array
  /** Values (nulls included) the page header says it holds; default: the row count. */
  numValues?: number
  /** Encoding of the values (default 0, PLAIN). */
  encoding?: number
  /** Definition levels' encoding (default 3, RLE). */
  definitionEncoding?: number
  /** Codec (default 0, UNCOMPRESSED); the body is written as given. */
  codec?: number
  /** Uncompressed size in the page header (default: the body's length). */
  uncompressedSize?: number
  /**
   * A DATA_PAGE_V2 instead of v1, for a REQUIRED column (no levels), its values compressed or not
   * (`is_compressed`, whatever the column's codec).
   */
  v2?: {isCompressed: boolean}
  /**
   * A list<element type> column (3-level: optional group LIST { repeated group list { optional element } }),
   * whose levels are in each page's body (see `listPage`).
   */
  list?: boolean
  /** Several v1 data pages instead of `body`: each page's body and value count. */
  pages?: {body: Uint8Array; numValues: number}[]
  /** A dictionary page before the data page: its PLAIN values and their count. */
  dictionary?: {body: Uint8Array; count: number}
}

/** A Parquet file of `rows` rows in one row group, one data page v1 per column. */
export function tinyParquet(rows: number, columns: TinyColumn[]): Uint8Array {
  const out: number[] = [...Buffer.from('PAR1')]
  const chunks: {offset: number; dataOffset: number; size: number; dictionary: boolean}[] = []
  for (const column of columns) {
    const start = out.length
    if (column.dictionary) {
      const dictionary = new CompactWriter()
      dictionary.struct(null, () => {
        dictionary.i32(1, 2) // DICTIONARY_PAGE
        dictionary.i32(2, column.dictionary?.body.length ?? 0)
        dictionary.i32(3, column.dictionary?.body.length ?? 0)
        dictionary.struct(7, () => {
          dictionary.i32(1, column.dictionary?.count ?? 0)
          dictionary.i32(2, 0) // PLAIN
        })
      })
      out.push(...dictionary.bytes, ...column.dictionary.body)
    }
    const dataStart = out.length
    for (const page of column.pages ?? []) {
      const header = new CompactWriter()
      header.struct(null, () => {
        header.i32(1, 0)
        header.i32(2, page.body.length)
        header.i32(3, page.body.length)
        header.struct(5, () => {
          header.i32(1, page.numValues)
          header.i32(2, column.encoding ?? 0)
          header.i32(3, 3)
          header.i32(4, 3)
        })
      })
      out.push(...header.bytes, ...page.body)
    }
    if (column.pages) {
      chunks.push({offset: start, dataOffset: dataStart, size: out.length - start, dictionary: false})
      continue
    }
    const body = column.body ?? new Uint8Array(0)
    const header = new CompactWriter()
    header.struct(null, () => {
      header.i32(1, column.v2 ? 3 : 0) // DATA_PAGE_V2 or DATA_PAGE
      header.i32(2, column.uncompressedSize ?? body.length)
      header.i32(3, body.length)
      if (column.v2) {
        const v2 = column.v2
        header.struct(8, () => {
          header.i32(1, column.numValues ?? rows)
          header.i32(2, 0)
          header.i32(3, rows)
          header.i32(4, column.encoding ?? 0)
          header.i32(5, 0)
          header.i32(6, 0)
          header.bool(7, v2.isCompressed)
        })
        return
      }
      header.struct(5, () => {
        header.i32(1, column.numValues ?? rows)
        header.i32(2, column.encoding ?? 0)
        header.i32(3, column.definitionEncoding ?? 3)
        header.i32(4, 3)
      })
    })
    out.push(...header.bytes, ...body)
    chunks.push({
      offset: start,
      dataOffset: dataStart,
      size: out.length - start,
      dictionary: column.dictionary !== undefined,
    })
  }
  const footer = new CompactWriter()
  footer.struct(null, () => {
    footer.i32(1, 1)
    // The schema, depth first: a list column is three elements (the LIST group, `list`, `element`).
    const elements: (() => void)[] = [
      () => {
        footer.string(4, 'schema')
        footer.i32(5, columns.length)
      },
    ]
    for (const c of columns) {
      if (!c.list) {
        elements.push(() => {
          footer.i32(1, c.type)
          footer.i32(3, c.repetition ?? 0)
          footer.string(4, c.name)
        })
        continue
      }
      elements.push(
        () => {
          footer.i32(3, 1)
          footer.string(4, c.name)
          footer.i32(5, 1)
          footer.i32(6, 3) // LIST
        },
        () => {
          footer.i32(3, 2)
          footer.string(4, 'list')
          footer.i32(5, 1)
        },
        () => {
          footer.i32(1, c.type)
          footer.i32(3, 1)
          footer.string(4, 'element')
        },
      )
    }
    footer.list(2, STRUCT, elements.length, (i) => footer.struct(null, elements[i]))
    footer.i64(3, rows)
    footer.list(4, STRUCT, 1, () => {
      footer.struct(null, () => {
        footer.list(1, STRUCT, columns.length, (i) => {
          const c = columns[i]
          footer.struct(null, () => {
            footer.i64(2, chunks[i].offset)
            footer.struct(3, () => {
              footer.i32(1, c.type)
              footer.list(2, I32, 1, () => footer.zigzag(c.encoding ?? 0))
              const path = c.list ? [c.name, 'list', 'element'] : [c.name]
              footer.list(3, BINARY, path.length, (p) => {
                const name = Buffer.from(path[p], 'utf8')
                footer.varint(name.length)
                footer.bytes.push(...name)
              })
              footer.i32(4, c.codec ?? 0)
              footer.i64(5, c.numValues ?? (c.pages ? c.pages.reduce((sum, p) => sum + p.numValues, 0) : rows))
              footer.i64(6, chunks[i].size)
              footer.i64(7, chunks[i].size)
              footer.i64(9, chunks[i].dataOffset)
              if (chunks[i].dictionary) footer.i64(11, chunks[i].offset)
            })
          })
        })
        footer.i64(
          2,
          chunks.reduce((sum, c) => sum + c.size, 0),
        )
        footer.i64(3, rows)
      })
    })
  })
  const length = footer.bytes.length
  out.push(
    ...footer.bytes,
    length & 0xff,
    (length >> 8) & 0xff,
    (length >> 16) & 0xff,
    length >>> 24,
    ...Buffer.from('PAR1'),
  )
  return Uint8Array.from(out)
}

/** PLAIN doubles, little-endian. */
export function plainDoubles(values: number[]): Uint8Array {
  return new Uint8Array(Float64Array.from(values).buffer)
}

/** PLAIN int32s, little-endian. */
export function plainInt32s(values: number[]): Uint8Array {
  return new Uint8Array(Int32Array.from(values).buffer)
}

/** v1 definition levels of an OPTIONAL column (bit width 1): 4-byte length, then one bit-packed run. */
export function definitionLevels(present: boolean[]): Uint8Array {
  const groups = Math.ceil(present.length / 8)
  const run = [groups * 2 + 1]
  for (let g = 0; g < groups; g++) {
    let byte = 0
    for (let b = 0; b < 8; b++) if (present[g * 8 + b]) byte |= 1 << b
    run.push(byte)
  }
  return Uint8Array.from([run.length, 0, 0, 0, ...run])
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]))
}

/** The RLE / bit-packed hybrid as one bit-packed run (values of `bitWidth` bits, LSB first). */
function bitPacked(values: number[], bitWidth: number): number[] {
  const groups = Math.ceil(values.length / 8)
  const bytes = new Array<number>(groups * bitWidth).fill(0)
  values.forEach((v, i) => {
    for (let b = 0; b < bitWidth; b++) if ((v >> b) & 1) bytes[(i * bitWidth + b) >> 3] |= 1 << ((i * bitWidth + b) & 7)
  })
  const header: number[] = []
  for (let h = groups * 2 + 1; ; h >>= 7) {
    header.push(h >= 0x80 ? (h & 0x7f) | 0x80 : h)
    if (h < 0x80) break
  }
  return [...header, ...bytes]
}

/** A v1 page body of a `list` column: rows of doubles (null for a null element), cut anywhere. */
export function listPage(entries: {repetition: number; value: number | null}[]): Uint8Array {
  const withLength = (bytes: number[]): number[] => [bytes.length & 0xff, bytes.length >> 8, 0, 0, ...bytes]
  const repetitions = bitPacked(
    entries.map((e) => e.repetition),
    1,
  )
  // Definition levels: 3 a value, 2 a null element (the list and its repeated group are there).
  const definitions = bitPacked(
    entries.map((e) => (e.value === null ? 2 : 3)),
    2,
  )
  const values = entries.filter((e) => e.value !== null).map((e) => e.value as number)
  return concat(
    Uint8Array.from(withLength(repetitions)),
    Uint8Array.from(withLength(definitions)),
    plainDoubles(values),
  )
}
