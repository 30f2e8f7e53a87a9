/**
 * Parquet's metadata structures (parquet-format's parquet.thrift), decoded from the Thrift compact protocol:
 * the footer's FileMetaData and each page's PageHeader. Only the fields focalscope uses are kept; the rest
 * (statistics, indexes, bloom filters, encryption) are skipped. Field numbers are parquet.thrift's.
 */
import {T_BINARY, T_I32, T_I64, T_STRUCT, T_TRUE, ThriftError, ThriftReader} from './thrift-compact.js'

/** Physical types (parquet.thrift `Type`). */
export const BOOLEAN = 0
export const INT32 = 1
export const INT64 = 2
export const INT96 = 3
export const FLOAT = 4
export const DOUBLE = 5
export const BYTE_ARRAY = 6
export const FIXED_LEN_BYTE_ARRAY = 7
export const TYPE_NAMES = [
  'BOOLEAN',
  'INT32',
  'INT64',
  'INT96',
  'FLOAT',
  'DOUBLE',
  'BYTE_ARRAY',
  'FIXED_LEN_BYTE_ARRAY',
]

/** Repetition (`FieldRepetitionType`). */
export const REQUIRED = 0
export const OPTIONAL = 1
export const REPEATED = 2

/** Converted types that matter here (`ConvertedType`). */
export const CONVERTED_UTF8 = 0
export const CONVERTED_MAP = 1
export const CONVERTED_MAP_KEY_VALUE = 2
export const CONVERTED_LIST = 3
export const CONVERTED_ENUM = 4
export const CONVERTED_DECIMAL = 5
export const CONVERTED_UINT_32 = 13
export const CONVERTED_UINT_64 = 14

/** Encodings (`Encoding`). */
export const PLAIN = 0
export const PLAIN_DICTIONARY = 2
export const RLE = 3
export const BIT_PACKED = 4
export const DELTA_BINARY_PACKED = 5
export const DELTA_LENGTH_BYTE_ARRAY = 6
export const DELTA_BYTE_ARRAY = 7
export const RLE_DICTIONARY = 8
export const BYTE_STREAM_SPLIT = 9
const ENCODING_NAMES: Record<number, string> = {
  0: 'PLAIN',
  2: 'PLAIN_DICTIONARY',
  3: 'RLE',
  4: 'BIT_PACKED',
  5: 'DELTA_BINARY_PACKED',
  6: 'DELTA_LENGTH_BYTE_ARRAY',
  7: 'DELTA_BYTE_ARRAY',
  8: 'RLE_DICTIONARY',
  9: 'BYTE_STREAM_SPLIT',
}
export function encodingName(encoding: number): string {
  return ENCODING_NAMES[encoding] ?? `encoding ${encoding}`
}

/** Codecs (`CompressionCodec`). */
export const UNCOMPRESSED = 0
export const SNAPPY = 1
export const GZIP = 2
export const LZO = 3
export const BROTLI = 4
export const LZ4 = 5
export const ZSTD = 6
export const LZ4_RAW = 7
export const CODEC_NAMES = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'LZO', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW']
export function codecName(codec: number): string {
  return CODEC_NAMES[codec] ?? `codec ${codec}`
}

/** Page types (`PageType`). */
export const DATA_PAGE = 0
export const INDEX_PAGE = 1
export const DICTIONARY_PAGE = 2
export const DATA_PAGE_V2 = 3

/** The parts of a `LogicalType` union that say how to read a number or a string. */
export interface LogicalType {
  /** The union member's field id: 1 STRING, 3 LIST, 5 DECIMAL, 10 INTEGER, 15 FLOAT16, … */
  kind: number
  /** INTEGER: signed or not, and its width in bits. */
  isSigned?: boolean
  bitWidth?: number
}
export const LOGICAL_STRING = 1
export const LOGICAL_MAP = 2
export const LOGICAL_LIST = 3
export const LOGICAL_ENUM = 4
export const LOGICAL_DECIMAL = 5
export const LOGICAL_INTEGER = 10
export const LOGICAL_FLOAT16 = 15

export interface SchemaElement {
  type?: number
  typeLength?: number
  repetition?: number
  name: string
  numChildren?: number
  convertedType?: number
  logicalType?: LogicalType
}

export interface ColumnMetaData {
  type: number
  encodings: number[]
  path: string[]
  codec: number
  numValues: number
  totalUncompressedSize: number
  totalCompressedSize: number
  dataPageOffset: number
  dictionaryPageOffset?: number
}

export interface ColumnChunk {
  /** Set when the column lives in another file (not supported: focalscope reads one file at a time). */
  filePath?: string
  meta?: ColumnMetaData
}

export interface RowGroup {
  columns: ColumnChunk[]
  numRows: number
}

export interface FileMetaData {
  version: number
  schema: SchemaElement[]
  numRows: number
  rowGroups: RowGroup[]
  keyValues: {key: string; value?: string}[]
  createdBy?: string
  /** Field 8 (encryption_algorithm) present: an encrypted footer-plaintext file. */
  encrypted: boolean
}

function logicalType(r: ThriftReader): LogicalType {
  const out: LogicalType = {kind: -1}
  r.struct((id, type) => {
    // A union: one member, which is itself a struct (most of them empty).
    if (type !== T_STRUCT) throw new ThriftError(`a logical type member of type ${type}`)
    out.kind = id
    if (id !== LOGICAL_INTEGER) {
      r.skip(type)
      return
    }
    r.struct((field, t) => {
      if (field === 1) {
        r.expect(t, 3, 'IntType.bitWidth')
        out.bitWidth = (r.byte() << 24) >> 24
      } else if (field === 2) out.isSigned = r.bool(t)
      else r.skip(t)
    })
  })
  return out
}

function schemaElement(r: ThriftReader): SchemaElement {
  const out: SchemaElement = {name: ''}
  let named = false
  r.struct((id, type) => {
    switch (id) {
      case 1:
        r.expect(type, T_I32, 'SchemaElement.type')
        out.type = r.int()
        break
      case 2:
        r.expect(type, T_I32, 'SchemaElement.type_length')
        out.typeLength = r.int()
        break
      case 3:
        r.expect(type, T_I32, 'SchemaElement.repetition_type')
        out.repetition = r.int()
        break
      case 4:
        r.expect(type, T_BINARY, 'SchemaElement.name')
        out.name = r.string()
        named = true
        break
      case 5:
        r.expect(type, T_I32, 'SchemaElement.num_children')
        out.numChildren = r.int()
        break
      case 6:
        r.expect(type, T_I32, 'SchemaElement.converted_type')
        out.convertedType = r.int()
        break
      case 10:
        r.expect(type, T_STRUCT, 'SchemaElement.logicalType')
        out.logicalType = logicalType(r)
        break
      default:
        r.skip(type)
    }
  })
  if (!named) throw new ThriftError('a schema element without a name')
  return out
}

function columnMetaData(r: ThriftReader): ColumnMetaData {
  const out: ColumnMetaData = {
    type: -1,
    encodings: [],
    path: [],
    codec: -1,
    numValues: -1,
    totalUncompressedSize: -1,
    totalCompressedSize: -1,
    dataPageOffset: -1,
  }
  r.struct((id, type) => {
    switch (id) {
      case 1:
        r.expect(type, T_I32, 'ColumnMetaData.type')
        out.type = r.int()
        break
      case 2:
        out.encodings = r.list(type, T_I32, 'ColumnMetaData.encodings', () => r.int())
        break
      case 3:
        out.path = r.list(type, T_BINARY, 'ColumnMetaData.path_in_schema', () => r.string())
        break
      case 4:
        r.expect(type, T_I32, 'ColumnMetaData.codec')
        out.codec = r.int()
        break
      case 5:
        r.expect(type, T_I64, 'ColumnMetaData.num_values')
        out.numValues = r.int()
        break
      case 6:
        r.expect(type, T_I64, 'ColumnMetaData.total_uncompressed_size')
        out.totalUncompressedSize = r.int()
        break
      case 7:
        r.expect(type, T_I64, 'ColumnMetaData.total_compressed_size')
        out.totalCompressedSize = r.int()
        break
      case 9:
        r.expect(type, T_I64, 'ColumnMetaData.data_page_offset')
        out.dataPageOffset = r.int()
        break
      case 11:
        r.expect(type, T_I64, 'ColumnMetaData.dictionary_page_offset')
        out.dictionaryPageOffset = r.int()
        break
      default:
        r.skip(type)
    }
  })
  return out
}

function columnChunk(r: ThriftReader): ColumnChunk {
  const out: ColumnChunk = {}
  r.struct((id, type) => {
    if (id === 1) {
      r.expect(type, T_BINARY, 'ColumnChunk.file_path')
      out.filePath = r.string()
    } else if (id === 3) {
      r.expect(type, T_STRUCT, 'ColumnChunk.meta_data')
      out.meta = columnMetaData(r)
    } else r.skip(type)
  })
  return out
}

function rowGroup(r: ThriftReader): RowGroup {
  const out: RowGroup = {columns: [], numRows: -1}
  r.struct((id, type) => {
    if (id === 1) out.columns = r.list(type, T_STRUCT, 'RowGroup.columns', () => columnChunk(r))
    else if (id === 3) {
      r.expect(type, T_I64, 'RowGroup.num_rows')
      out.numRows = r.int()
    } else r.skip(type)
  })
  return out
}

/** Decodes a footer's FileMetaData (the bytes between the first magic's end and the footer length). */
export function decodeFileMetaData(bytes: Uint8Array): FileMetaData {
  const r = new ThriftReader(bytes)
  const out: FileMetaData = {version: 0, schema: [], numRows: -1, rowGroups: [], keyValues: [], encrypted: false}
  r.struct((id, type) => {
    switch (id) {
      case 1:
        r.expect(type, T_I32, 'FileMetaData.version')
        out.version = r.int()
        break
      case 2:
        out.schema = r.list(type, T_STRUCT, 'FileMetaData.schema', () => schemaElement(r))
        break
      case 3:
        r.expect(type, T_I64, 'FileMetaData.num_rows')
        out.numRows = r.int()
        break
      case 4:
        out.rowGroups = r.list(type, T_STRUCT, 'FileMetaData.row_groups', () => rowGroup(r))
        break
      case 5:
        out.keyValues = r.list(type, T_STRUCT, 'FileMetaData.key_value_metadata', () => {
          const kv: {key: string; value?: string} = {key: ''}
          r.struct((field, t) => {
            if (field === 1 && t === T_BINARY) kv.key = r.string()
            else if (field === 2 && t === T_BINARY) kv.value = r.string()
            else r.skip(t)
          })
          return kv
        })
        break
      case 6:
        r.expect(type, T_BINARY, 'FileMetaData.created_by')
        out.createdBy = r.string()
        break
      case 8:
        out.encrypted = true
        r.skip(type)
        break
      default:
        r.skip(type)
    }
  })
  return out
}

export interface PageHeader {
  type: number
  uncompressedSize: number
  compressedSize: number
  /** Data page (v1 or v2) and dictionary page: the number of values, nulls included for data pages. */
  numValues: number
  encoding: number
  /** v1: the levels' encoding (RLE, or the deprecated BIT_PACKED). */
  definitionLevelEncoding: number
  repetitionLevelEncoding: number
  /** v2 only. */
  numNulls: number
  numRows: number
  definitionLevelsByteLength: number
  repetitionLevelsByteLength: number
  isCompressed: boolean
  /** Bytes the header itself took. */
  headerLength: number
}

/** Decodes a page header at `start`; a `ThriftError` with `truncated` set asks for more bytes. */
export function decodePageHeader(bytes: Uint8Array, start: number, end: number): PageHeader {
  const r = new ThriftReader(bytes, start, end)
  const out: PageHeader = {
    type: -1,
    uncompressedSize: -1,
    compressedSize: -1,
    numValues: -1,
    encoding: -1,
    definitionLevelEncoding: RLE,
    repetitionLevelEncoding: RLE,
    numNulls: -1,
    numRows: -1,
    definitionLevelsByteLength: -1,
    repetitionLevelsByteLength: -1,
    isCompressed: true,
    headerLength: 0,
  }
  const dataPage = (): void =>
    r.struct((id, type) => {
      if (id === 1 && type === T_I32) out.numValues = r.int()
      else if (id === 2 && type === T_I32) out.encoding = r.int()
      else if (id === 3 && type === T_I32) out.definitionLevelEncoding = r.int()
      else if (id === 4 && type === T_I32) out.repetitionLevelEncoding = r.int()
      else r.skip(type)
    })
  const dictionaryPage = (): void =>
    r.struct((id, type) => {
      if (id === 1 && type === T_I32) out.numValues = r.int()
      else if (id === 2 && type === T_I32) out.encoding = r.int()
      else r.skip(type)
    })
  const dataPageV2 = (): void =>
    r.struct((id, type) => {
      if (type === T_I32 && id >= 1 && id <= 6) {
        const value = r.int()
        if (id === 1) out.numValues = value
        else if (id === 2) out.numNulls = value
        else if (id === 3) out.numRows = value
        else if (id === 4) out.encoding = value
        else if (id === 5) out.definitionLevelsByteLength = value
        else out.repetitionLevelsByteLength = value
      } else if (id === 7 && (type === T_TRUE || type === 2)) out.isCompressed = r.bool(type)
      else r.skip(type)
    })
  r.struct((id, type) => {
    if (id >= 1 && id <= 3 && type === T_I32) {
      const value = r.int()
      if (id === 1) out.type = value
      else if (id === 2) out.uncompressedSize = value
      else out.compressedSize = value
    } else if (id === 5 && type === T_STRUCT) dataPage()
    else if (id === 7 && type === T_STRUCT) dictionaryPage()
    else if (id === 8 && type === T_STRUCT) dataPageV2()
    else r.skip(type)
  })
  // The three required fields (a corrupt header may lose them to a skipped field of another type).
  if (out.type === -1 || out.uncompressedSize === -1 || out.compressedSize === -1) {
    throw new ThriftError('a page header without its type and sizes')
  }
  out.headerLength = r.pos - start
  return out
}
