import {COMMA, CR, LF, QUOTE} from './bytes.js'
import {InputError, quoteValue, UsageError} from '../../core/errors.js'
import {type ByteSource, FileBytes} from '../byte-source.js'
import {readQuoted} from './quoted-field.js'

/** The header must end within this many bytes: sniffing never reads the whole file. */
const MAX_HEADER_BYTES = 1 << 20

export interface CsvHeader {
  columns: string[]
  /** Byte offset where the first data record starts (after BOM and header). */
  dataOffset: number
  /** Physical lines the header took (1 unless a quoted name holds a newline). */
  headerLines: number
}

/** Reads the header record from a bounded prefix of the file. */
export async function readCsvHeader(path: string): Promise<CsvHeader> {
  const source = await FileBytes.open(path)
  try {
    return (await readCsvHeaderFrom(source, path)).header
  } finally {
    await source.close()
  }
}

/**
 * Reads the header record from the start of a byte source, at most MAX_HEADER_BYTES of it. Returns the
 * header and every byte read so far (the data records start at `header.dataOffset` within them).
 */
export async function readCsvHeaderFrom(source: ByteSource, path: string): Promise<{header: CsvHeader; bytes: Buffer}> {
  let bytes = Buffer.alloc(1 << 16)
  let length = 0
  for (;;) {
    const bytesRead = await source.read(bytes, length, bytes.length - length)
    length += bytesRead
    const header = parseHeader(bytes, length, bytesRead === 0, path)
    if (header) return {header, bytes: bytes.subarray(0, length)}
    if (length >= MAX_HEADER_BYTES) {
      throw new InputError(`expected a header line shorter than ${MAX_HEADER_BYTES} bytes`, {file: path, line: 1})
    }
    if (length === bytes.length) {
      const bigger = Buffer.alloc(Math.min(MAX_HEADER_BYTES, bytes.length * 4))
      bytes.copy(bigger, 0, 0, length)
      bytes = bigger
    }
  }
}

/** Parses the header record; null when more bytes are needed. */
function parseHeader(buf: Buffer, length: number, eof: boolean, path: string): CsvHeader | null {
  let p = 0
  if (length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) p = 3
  if (length === p && eof) throw new InputError('expected a header line, got an empty file', {file: path, line: 1})
  for (let i = p; i < Math.min(length, 4096); i++) {
    if (buf[i] === 0) {
      const arrow = buf.toString('latin1', 0, 6) === 'ARROW1' || buf.readUInt32LE(0) === 0xffffffff
      throw new InputError(
        `expected a CSV text file, got binary data (a NUL byte)${arrow ? '; it looks like Arrow IPC: pass --input-format arrow' : ''}`,
        {file: path},
      )
    }
  }
  const columns: string[] = []
  let lines = 1
  for (;;) {
    let text: string
    if (p < length && buf[p] === QUOTE) {
      const quoted = readQuoted(buf, p, length, eof)
      if (quoted === null) {
        if (eof) throw new InputError('unterminated quoted field in the header', {file: path, line: 1})
        return null
      }
      text = quoted.text
      lines += quoted.newlines
      p = quoted.end
    } else {
      const start = p
      while (p < length && buf[p] !== COMMA && buf[p] !== LF && buf[p] !== CR) p++
      if (p === length && !eof) return null
      text = buf.toString('utf8', start, p)
    }
    columns.push(text)
    if (p === length) return {columns, dataOffset: p, headerLines: lines}
    const c = buf[p]
    if (c === COMMA) {
      p++
      continue
    }
    if (c === CR) {
      if (p + 1 === length && !eof) return null
      p += buf[p + 1] === LF ? 2 : 1
    } else if (c === LF) p++
    else throw new InputError(`expected "," or a line end after a quoted column name`, {file: path, line: 1})
    if (columns.length === 1 && columns[0] === '') {
      throw new InputError('expected a header line, got an empty line', {file: path, line: 1})
    }
    return {columns, dataOffset: p, headerLines: lines}
  }
}

/** Refuses files that cannot be CSV before any parsing (used by the format sniffer). */
export function assertCsvColumns(header: CsvHeader, path: string): void {
  if (header.columns.length < 2) {
    throw new UsageError(
      `${path}: expected a comma-separated header with a label and score columns, got ${header.columns.length} column (${quoteValue(header.columns[0] ?? '')})`,
    )
  }
}
