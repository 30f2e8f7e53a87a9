/**
 * Streams a CSV file's records as PredictionChunks: the scanner (CsvRecordScanner) takes plain records on
 * the fast path (plain-records.ts) and anything else — quotes, blank lines, CRLF, bad values, records cut
 * by a buffer end, skip mode — on its general path, one record at a time, naming the line of a bad one.
 *
 * Over 450 lines on purpose: the scanner is one state machine (buffer, line and record counters, the chunk
 * being filled) whose general path and record-size limit share that state; split apart they would pass it
 * all back and forth.
 */
import {COMMA, CR, ID, IGNORED, LABEL, LF, QUOTE} from './bytes.js'
import type {PredictionChunk} from '../../core/chunk.js'
import {InputError, quoteValue, type SkipReason} from '../../core/errors.js'
import type {SkipLog} from '../../core/skip-log.js'
import {badLabelMessage, expectedLabel, type Layout, makeLabelLookup} from '../layout.js'
import {type ByteSource, FileBytes} from '../byte-source.js'
import {UnitGaveUp} from '../prediction-source.js'
import {parsePlainRecords, plainRecordsEnd} from './plain-records.js'
import {LineRuns} from './line-runs.js'
import {fieldEnd, isNonFiniteLiteral, parseDecimalField, parseDecimalText, trimSpaces} from './parse-decimal.js'

import type {CsvHeader} from './header.js'
import {readQuoted} from './quoted-field.js'

/** Bytes read from disk at a time. */
const BLOCK_BYTES = 1 << 20
/**
 * The longest record read unless --max-record-bytes says otherwise: a record is a label and K scores, so
 * anything near this is a wrong file (or a decompression bomb), and reading on would only fill memory.
 */
export const DEFAULT_MAX_RECORD_BYTES = 64 << 20
/** Roughly this many score values per chunk (2^17 doubles = 1 MiB; with labels and line numbers 2 MiB binary). */
const CHUNK_VALUES = 1 << 17

/**
 * Streams the data records of a CSV file as PredictionChunks, reading BLOCK_BYTES at a time.
 * Memory stays bounded by the block and chunk sizes whatever the file size.
 */
export interface CsvReadOptions {
  blockBytes?: number
  /**
   * Read only the records in bytes [start, end): `start` must be a record start and `end` a record
   * start or the file size. Used by the worker threads, which also set `refuseQuotes`: a quoted field
   * could hold a newline that a range boundary cut, so a range that meets one gives up
   * (QuotedFieldInRange) and the file is read sequentially instead.
   */
  range?: {start: number; end: number}
  refuseQuotes?: boolean
  /** With --on-invalid skip: where bad rows are logged instead of stopping the run. */
  skip?: SkipLog
  /** Read the records from this source (positioned at the first record) instead of opening `path`. */
  source?: ByteSource
  /** Told how many more bytes were read, after each read (for a progress bar). */
  onBytes?: (bytes: number) => void
  /** Read into these buffers (filled in on first use): a thread reading range after range reuses them. */
  buffers?: CsvScanBuffers
  /**
   * A record (quoted newlines included, its line end not) longer than this stops the read with an
   * InputError naming the line it starts on; the read buffer never grows much past it. Default
   * DEFAULT_MAX_RECORD_BYTES.
   */
  maxRecordBytes?: number
  /**
   * Told, as reading goes, how many data records (skipped ones included) and physical lines have been read:
   * a byte range's locations are relative to the range, and the pipeline moves them to the file's numbering
   * from the extents of the ranges before it (rebaseLocation).
   */
  extent?: ReadExtent
}

/** What a read has covered so far: data records (skipped ones included) and physical lines. */
export interface ReadExtent {
  rows: number
  lines: number
}

/**
 * A scanner's read block and chunk arrays. Passed from range to range of one file, on one thread (a chunk
 * is consumed before the next is read), they save ~3 MB of garbage per range.
 */
export interface CsvScanBuffers {
  block?: Buffer
  labels?: Int32Array
  scores?: Float64Array
  lines?: LineRuns
  records?: LineRuns
}

/** A worker met a quoted field and cannot trust its range boundaries. */
export class QuotedFieldInRange extends UnitGaveUp {
  constructor() {
    super('a quoted field in a parallel range')
    this.name = 'QuotedFieldInRange'
  }
}

export async function* readCsvChunks(
  path: string,
  header: CsvHeader,
  layout: Layout,
  options: CsvReadOptions = {},
): AsyncGenerator<PredictionChunk> {
  const roles = new Int32Array(header.columns.length).fill(IGNORED)
  // Each name's first column, as indexOf finds it, looked up once (indexOf per score column was quadratic:
  // 1,000 scores read a 1,001-column header 1,000 times, in every thread, for every range).
  const columnOf = new Map<string, number>()
  header.columns.forEach((name, i) => {
    if (!columnOf.has(name)) columnOf.set(name, i)
  })
  const at = (name: string): number => columnOf.get(name) ?? -1
  // A multi-label wide layout has no label column ('').
  if (layout.labelColumn !== '') roles[at(layout.labelColumn)] = LABEL
  layout.scoreColumns.forEach((name, j) => (roles[at(name)] = j))
  if (layout.idColumn !== undefined) roles[at(layout.idColumn)] = ID
  const buffers = options.buffers ?? {}
  const scanner = new CsvRecordScanner(path, header, layout, roles, options.blockBytes ?? BLOCK_BYTES, buffers)
  scanner.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES
  scanner.refuseQuotes = options.refuseQuotes ?? false
  scanner.skip = options.skip
  const source =
    options.source ??
    (await FileBytes.open(path, options.range?.start ?? header.dataOffset, options.range?.end ?? Infinity))
  try {
    while (!scanner.ended) {
      const bytesRead = await scanner.fill(source)
      options.onBytes?.(bytesRead)
      yield* scanner.scan(scanner.ended)
    }
    const last = scanner.flush()
    if (last) yield last
    if (options.extent) {
      options.extent.rows = scanner.recordCount
      options.extent.lines = scanner.lineCount
    }
  } finally {
    await source.close()
  }
}

/** The scanner's state between blocks: the unconsumed tail of the buffer and the chunk being filled. */
class CsvRecordScanner {
  private buf: Buffer
  private start = 0 // first unconsumed byte
  private length = 0 // bytes valid in buf
  private line: number // physical line of the next record (1-based)
  private readonly columnCount: number
  readonly width: number
  private readonly chunkRows: number
  private readonly lookupLabel: (text: string) => number
  readonly numClasses: number
  labels!: Int32Array
  scores!: Float64Array
  private lines!: LineRuns
  /** The data record (0-based, skipped ones included) of each row of the chunk, as runs like `lines`. */
  private records!: LineRuns
  /** --id-col: each chunk row's id (null without it). */
  private readonly ids: string[] | null
  private rows = 0
  /** Data records read so far (skipped ones included): the next record's index. */
  recordCount = 0
  refuseQuotes = false
  skip: SkipLog | undefined
  maxRecordBytes = DEFAULT_MAX_RECORD_BYTES
  /** The source has returned 0: every byte is in the buffer. */
  ended = false

  constructor(
    private readonly path: string,
    private readonly header: CsvHeader,
    private readonly layout: Layout,
    readonly roles: Int32Array,
    blockBytes: number,
    private readonly buffers: CsvScanBuffers,
  ) {
    this.buf = buffers.block ??= Buffer.allocUnsafe(blockBytes)
    this.line = header.headerLines + 1
    this.columnCount = header.columns.length
    this.width = layout.scoreColumns.length
    this.numClasses = layout.classes.length
    this.chunkRows = Math.max(1024, Math.floor(CHUNK_VALUES / this.width))
    this.lookupLabel = makeLabelLookup(layout)
    this.ids = layout.idColumn === undefined ? null : new Array<string>(this.chunkRows).fill('')
    this.newChunk()
  }

  /** The plain-record parser's hook: bytes [start, end) of the buffer are row `row`'s id. */
  storeId(row: number, start: number, end: number): void {
    ;(this.ids as string[])[row] = this.buf.toString('utf8', start, end)
  }

  /**
   * Starts the next chunk in the same arrays: a chunk is consumed before the next is asked for, and
   * allocating ~1 MB per chunk let garbage push peak RSS up by ~40 MB on a 10 M-row file.
   */
  private newChunk(): void {
    if (this.labels === undefined) {
      const {buffers, chunkRows} = this
      this.labels = buffers.labels ??= new Int32Array(chunkRows)
      this.scores = buffers.scores ??= new Float64Array(chunkRows * this.width)
      this.lines = buffers.lines ??= new LineRuns(chunkRows)
      this.records = buffers.records ??= new LineRuns(chunkRows)
    }
    this.lines.clear()
    this.records.clear()
    this.rows = 0
  }

  /**
   * Moves the unconsumed tail to the front and reads more; returns the bytes read (0 only at the end,
   * when `ended` is set).
   *
   * A tail is a record that the last scan found cut by the end of the buffer, and the next scan parses it
   * again from its start. So that this stays linear in the record's length, the buffer is read until it
   * holds twice the tail (or the source ends), growing geometrically: a stream (stdin, gzip) hands over
   * 16–64 KB at a time, and parsing a 10 MB line again after every piece took seconds (a 2.2 GB line,
   * hours). Short records are unaffected: their tail is doubled by the first read. A tail longer than
   * `maxRecordBytes` is refused here, so the buffer stays within about that size.
   */
  async fill(source: ByteSource): Promise<number> {
    const tail = this.length - this.start
    // A CR last may be the first half of the record's CRLF.
    if (tail > 0) this.refuseLongRecord(this.buf[this.length - 1] === CR ? tail - 1 : tail)
    // Up to maxRecordBytes + 2 bytes: enough to see that a record is longer, even with a CR last.
    const want = tail === 0 ? 1 : Math.min(2 * tail, this.maxRecordBytes + 2)
    if (want > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.min(2 * this.buf.length, this.maxRecordBytes + 2))
      this.buf.copy(bigger, 0, this.start, this.length)
      this.buf = this.buffers.block = bigger
    } else if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.length)
    }
    this.start = 0
    this.length = tail
    while (this.length < want) {
      const bytesRead = await source.read(this.buf, this.length, this.buf.length - this.length)
      if (bytesRead === 0) {
        this.ended = true
        break
      }
      this.length += bytesRead
    }
    return this.length - tail
  }

  /** Stops at the record starting on `line` if its `recordBytes` (line end not counted) are too many. */
  private refuseLongRecord(recordBytes: number, line = this.line): void {
    if (recordBytes <= this.maxRecordBytes) return
    throw new InputError(
      `expected a record of at most ${formatBytes(this.maxRecordBytes)} (--max-record-bytes), got a longer one (the record that starts on this line)`,
      {file: this.path, line},
    )
  }

  /** Bytes [start, end) of a record without its line end (LF, CRLF or a lone CR). */
  private recordBytes(start: number, end: number): number {
    if (end > start && this.buf[end - 1] === LF) end--
    if (end > start && this.buf[end - 1] === CR) end--
    return end - start
  }

  /**
   * Refuses a record longer than maxRecordBytes among the plain lines [start, end), the first on
   * `this.line`. Called only when the lines together are longer, which the default limit makes rare (a
   * small one costs a pass over the bytes).
   */
  private refuseLongPlainLine(start: number, end: number): void {
    const buf = this.buf
    let line = this.line
    let lineStart = start
    for (let p = start; p < end; p++) {
      if (buf[p] !== LF) continue
      this.refuseLongRecord(this.recordBytes(lineStart, p + 1), line++)
      lineStart = p + 1
    }
  }

  /** Parses every complete record in the buffer; yields each chunk as it fills. */
  *scan(eof: boolean): Generator<PredictionChunk> {
    // The fast path takes whole lines only. Where they end is found once here rather than by each call
    // (one after every record the general path takes): the walk back over a long cut-off record
    // would otherwise be repeated for every record before it.
    const linesEnd = this.length === 0 ? 0 : this.buf.lastIndexOf(LF, this.length - 1) + 1
    for (;;) {
      // Plain records on the fast path, then one record (whatever it is) on the general path.
      // (Labels given as class names always take the general path: "1" may name a class, not an index.)
      const added =
        this.layout.labelKind === 'index'
          ? parsePlainRecords(this.buf, this.start, linesEnd, this, this.rows, this.chunkRows)
          : 0
      if (added > 0) {
        if (plainRecordsEnd - this.start > this.maxRecordBytes) {
          this.refuseLongPlainLine(this.start, plainRecordsEnd)
        }
        // A plain record is one line: the rows added are consecutive lines.
        this.lines.add(this.rows, this.line)
        this.records.add(this.rows, this.recordCount)
        this.line += added
        this.recordCount += added
        this.rows += added
        this.start = plainRecordsEnd
        if (this.rows === this.chunkRows) {
          yield this.takeChunk()
          continue
        }
      }
      let next: number
      try {
        next = this.parseRecord(this.start, eof)
      } catch (error) {
        if (!(this.skip && error instanceof InputError && error.reason)) throw error
        next = this.skipRecord(this.start, eof, error as InputError & {reason: SkipReason})
      }
      if (next < 0) return
      this.start = next
      if (this.rows === this.chunkRows) {
        yield this.takeChunk()
      }
    }
  }

  /** Physical lines read so far (from the first data line). */
  get lineCount(): number {
    return this.line - (this.header.headerLines + 1)
  }

  flush(): PredictionChunk | null {
    return this.rows > 0 ? this.takeChunk() : null
  }

  private takeChunk(): PredictionChunk {
    const rows = this.rows
    const lines = this.lines
    const runs = lines.count
    const records = this.records
    const recordRuns = records.count
    const {path, layout, ids} = this
    const chunk: PredictionChunk = {
      rows,
      width: this.width,
      labels: this.labels,
      scores: this.scores,
      locate: (row, score) => ({
        file: path,
        line: lines.lineOf(row, runs),
        column: score === undefined ? undefined : layout.scoreColumns[score],
        dataRow: records.lineOf(row, recordRuns),
      }),
      // The array is refilled for the next chunk: valid, as the chunk, until then.
      ...(ids === null ? {} : {ids: {text: (row: number) => ids[row]}}),
    }
    this.newChunk()
    return chunk
  }

  private fail(message: string, column: number | undefined, reason: SkipReason): never {
    throw new InputError(
      message,
      {
        file: this.path,
        line: this.line,
        column: column === undefined ? undefined : this.header.columns[column],
        dataRow: this.recordCount,
      },
      reason,
    )
  }

  /**
   * With --on-invalid skip: steps over the bad record at `p` (to the line end outside quotes, or simply
   * the next line end for a quoting error) and logs it. Returns -1 if the record's end is not in the buffer.
   */
  private skipRecord(p: number, eof: boolean, error: InputError & {reason: SkipReason}): number {
    const start = p
    const buf = this.buf
    const end = this.length
    const respectQuotes = error.reason !== 'quoting'
    let inQuotes = false
    let newlines = 0
    for (; p < end; p++) {
      const c = buf[p]
      // In a range, a quote may open a field whose newline the range's cut split: the sequential reader decides.
      if (c === QUOTE && this.refuseQuotes) throw new QuotedFieldInRange()
      if (c === QUOTE && respectQuotes) inQuotes = !inQuotes
      else if (c === LF) {
        if (!inQuotes) break
        newlines++
      }
    }
    if (p >= end && !eof) return -1
    // Too long is not a bad row to leave out: the limit bounds what is read at all.
    this.refuseLongRecord(this.recordBytes(start, Math.min(p + 1, end)))
    ;(this.skip as SkipLog).add(error)
    this.line += 1 + newlines
    this.recordCount++
    return Math.min(p + 1, end)
  }

  /**
   * Parses one record starting at `p`. Returns the offset after it, or -1 when the record is not complete
   * in the buffer yet (nothing is committed then; it is parsed again after the next read).
   */
  private parseRecord(p: number, eof: boolean): number {
    const buf = this.buf
    const end = this.length
    if (p >= end) return -1
    const width = this.width
    const row = this.rows
    const scoreBase = row * width
    const recordStart = p
    let c = buf[p]
    // A blank line holds no data: step over it.
    if (c === LF || c === CR) {
      if (c === CR) {
        if (p + 1 >= end && !eof) return -1
        if (buf[p + 1] === LF) p++
      }
      this.line++
      return p + 1
    }
    let field = 0
    let newlinesInQuotes = 0
    for (;;) {
      if (field >= this.columnCount) {
        this.fail(
          `expected ${this.columnCount} fields as in the header, got ${this.columnCount + this.countFieldsFrom(p)}`,
          undefined,
          'field-count',
        )
      }
      const role = this.roles[field]
      if (p < end && buf[p] === QUOTE) {
        if (this.refuseQuotes) throw new QuotedFieldInRange()
        const quoted = readQuoted(buf, p, end, eof)
        if (quoted === null) {
          if (!eof) return -1
          this.fail('unterminated quoted field (a " with no closing ")', field, 'quoting')
        }
        newlinesInQuotes += quoted.newlines
        p = quoted.end
        if (p < end && buf[p] !== COMMA && buf[p] !== LF && buf[p] !== CR) {
          this.fail('expected "," or a line end after a closing quote', field, 'quoting')
        }
        if (role !== IGNORED) this.storeText(quoted.text, role, row, field)
      } else if (role >= 0) {
        const value = parseDecimalField(buf, p, end, !eof)
        p = fieldEnd
        if (p >= end && !eof) return -1
        if (value - value !== 0) this.rejectNumber(buf.toString('utf8', this.fieldStart(p), p), field)
        this.scores[scoreBase + role] = value
      } else if (role === LABEL) {
        const start = p
        if (this.layout.labelKind === 'index') {
          // Fast path: a small non-negative integer followed by a delimiter, no string made.
          let value = 0
          while (p < end && (c = buf[p]) >= 0x30 && c <= 0x39 && value < 1e9) {
            value = value * 10 + (c - 0x30)
            p++
          }
          if (p === start || (p < end && c !== COMMA && c !== LF && c !== CR)) {
            value = parseDecimalField(buf, start, end, !eof)
            p = fieldEnd
          }
          if (p >= end && !eof) return -1
          if (value < this.numClasses && Number.isInteger(value) && value >= 0) this.labels[row] = value
          else this.storeLabelIndex(value, buf.toString('utf8', start, p), row, field)
        } else {
          while (p < end && (c = buf[p]) !== COMMA && c !== LF && c !== CR) p++
          if (p >= end && !eof) return -1
          this.storeText(buf.toString('utf8', start, p), LABEL, row, field)
        }
      } else {
        const start = p
        while (p < end && (c = buf[p]) !== COMMA && c !== LF && c !== CR) p++
        if (p >= end && !eof) return -1
        if (role === ID) this.storeId(row, start, p)
      }
      field++
      // p is at a delimiter or at the end of the file.
      if (p >= end) break
      c = buf[p]
      if (c === COMMA) {
        p++
        continue
      }
      if (c === CR) {
        if (p + 1 >= end && !eof) return -1
        if (buf[p + 1] === LF) p++
      }
      p++
      break
    }
    if (field !== this.columnCount) {
      this.fail(`expected ${this.columnCount} fields as in the header, got ${field}`, undefined, 'field-count')
    }
    // One compare per record the general path takes; a long record is measured exactly.
    if (p - recordStart > this.maxRecordBytes) this.refuseLongRecord(this.recordBytes(recordStart, p))
    this.lines.add(row, this.line)
    this.records.add(row, this.recordCount)
    this.line += 1 + newlinesInQuotes
    this.recordCount++
    this.rows = row + 1
    return p
  }

  /** Fields from `p` to the end of its line (for the message about a row with too many). */
  private countFieldsFrom(p: number): number {
    let fields = 1
    for (; p < this.length && this.buf[p] !== LF && this.buf[p] !== CR; p++) if (this.buf[p] === COMMA) fields++
    return fields
  }

  /** Start of the field that ends at `p` (for quoting it in a message). */
  private fieldStart(p: number): number {
    let s = p
    while (s > 0 && this.buf[s - 1] !== COMMA && this.buf[s - 1] !== LF && this.buf[s - 1] !== CR) s--
    return s
  }

  private rejectNumber(text: string, field: number): never {
    if (trimSpaces(text) === '') this.fail('expected a number, got an empty field', field, 'not-a-number')
    const nonFinite = isNonFiniteLiteral(text) || !Number.isNaN(parseDecimalText(text))
    this.fail(
      `expected ${nonFinite ? 'a finite number' : 'a number'}, got ${quoteValue(text)}`,
      field,
      nonFinite ? 'non-finite' : 'not-a-number',
    )
  }

  private storeLabelIndex(value: number, text: string, row: number, field: number): void {
    if (!(Number.isInteger(value) && value >= 0 && value < this.numClasses)) {
      this.fail(
        badLabelMessage(this.layout, value, trimSpaces(text) === '' ? 'an empty field' : quoteValue(text)),
        field,
        'label',
      )
    }
    this.labels[row] = value
  }

  /** A quoted field, or a label given as a class name: the slow path through a string. */
  private storeText(text: string, role: number, row: number, field: number): void {
    if (role === ID) {
      ;(this.ids as string[])[row] = text
      return
    }
    if (role === LABEL) {
      if (this.layout.labelKind === 'index') {
        this.storeLabelIndex(parseDecimalText(text), text, row, field)
        return
      }
      const index = this.lookupLabel(text)
      if (index < 0) this.fail(`${expectedLabel(this.layout)}, got ${quoteValue(text)}`, field, 'label')
      this.labels[row] = index
      return
    }
    const value = parseDecimalText(text)
    if (value - value !== 0) this.rejectNumber(text, field)
    this.scores[row * this.width + role] = value
  }
}

/** "64 MiB", "512 KiB", "1000 bytes": a size as a person reads it (binary units when they are exact). */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`
  }
  return `${bytes} bytes`
}
