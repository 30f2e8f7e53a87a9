/**
 * --rows-out as an Arrow IPC file: record batches of up to 64 K elements, written as they fill. `file`,
 * `label`, `predicted` (and multi-label `class`) are dictionary-encoded against dictionaries known before
 * the first row (the input files, the class names), so each is written once; `row` is an Int64; the losses
 * are Float64. pandas: `pd.read_feather(path)` or `pyarrow.ipc.open_file(path).read_pandas()`.
 */
import {
  AsyncByteQueue,
  type DataType,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow'

import type {RowValues} from '../../core/rows/row-values.js'
import {type ByteSink, type RowsEncoder, type RowsLayout, rowsColumns} from './rows-layout.js'

/** Elements per record batch. */
const BATCH_ROWS = 1 << 16

/**
 * The writer's byte queue: the pieces of one message after another (views of the batch's memory, and the
 * writer's own small headers and padding), handed to the sink together by `flushTo`.
 */
class PieceQueue extends AsyncByteQueue {
  private pieces: Uint8Array[] = []

  override write(value: Uint8Array | ArrayBufferView | ArrayBuffer): void {
    const bytes =
      value instanceof Uint8Array
        ? value
        : ArrayBuffer.isView(value)
          ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
          : new Uint8Array(value)
    if (bytes.byteLength > 0) this.pieces.push(bytes)
  }

  flushTo(sink: ByteSink): void {
    if (this.pieces.length === 0) return
    sink.write(this.pieces)
    this.pieces = []
  }
}

interface Column {
  field: Field
  /** The batch's values (the id column: its strings); typed arrays are views of the batch's memory. */
  data: () => Int32Array | Float64Array | BigInt64Array | (string | null)[]
  dictionary?: Vector<Utf8>
}

/** One batch's column arrays, views of memory the sink lent (written to the file as they are). */
interface BatchColumns {
  file: Int32Array
  row: BigInt64Array
  /** `row`'s 64-bit words as 32-bit halves (little-endian), filled without a BigInt per row. */
  rowWords: Uint32Array
  /** Multi-label: the element's class. */
  cls: Int32Array
  /** Binary, multi-class: the label's class index. */
  labelIndex: Int32Array
  /** Multi-label: the element's target. */
  target: Float64Array
  predicted: Int32Array
  pt: Float64Array
  ce: Float64Array
  focal: Float64Array[]
}

/** The batch's columns laid out in `memory`: 8-byte columns first, so every one is aligned. */
function batchColumns(memory: ArrayBufferLike, gammas: number, multilabel: boolean): BatchColumns {
  let at = 0
  const f64 = (): Float64Array => {
    const view = new Float64Array(memory, at, BATCH_ROWS)
    at += 8 * BATCH_ROWS
    return view
  }
  const i32 = (): Int32Array => {
    const view = new Int32Array(memory, at, BATCH_ROWS)
    at += 4 * BATCH_ROWS
    return view
  }
  const row = new BigInt64Array(memory, at, BATCH_ROWS)
  const rowWords = new Uint32Array(memory, at, 2 * BATCH_ROWS)
  at += 8 * BATCH_ROWS
  const pt = f64()
  const ce = f64()
  const focal = Array.from({length: gammas}, f64)
  const target = multilabel ? f64() : new Float64Array(0)
  const file = i32()
  const cls = multilabel ? i32() : new Int32Array(0)
  const labelIndex = multilabel ? new Int32Array(0) : i32()
  const predicted = i32()
  return {file, row, rowWords, cls, labelIndex, target, predicted, pt, ce, focal}
}

/** Bytes of batchColumns' memory. */
function batchBytes(gammas: number, multilabel: boolean): number {
  return BATCH_ROWS * (8 * (3 + gammas + (multilabel ? 1 : 0)) + 4 * (3 + (multilabel ? 1 : 0)))
}

export class ArrowRowsEncoder implements RowsEncoder {
  private readonly sink: ByteSink
  private readonly queue = new PieceQueue()
  private readonly writer: RecordBatchFileWriter
  private readonly schema: Schema
  private readonly multilabel: boolean
  private readonly gammas: number
  private readonly bytes: number
  /** The batch being filled (undefined between a flush and the next element). */
  private batch: BatchColumns | undefined
  /** Values the maker writes that the file stores in another type (row, label) or not at all (cls). */
  private readonly scratch: Pick<RowValues, 'count' | 'row' | 'cls' | 'label' | 'id'>
  /** --id-col: the batch's ids (null without it). */
  private readonly ids: (string | null)[] | null
  private readonly columns: Column[]
  private count = 0

  constructor(layout: RowsLayout, sink: ByteSink) {
    const {settings} = layout
    this.sink = sink
    this.multilabel = settings.task === 'multilabel'
    this.gammas = settings.gammas.length
    this.bytes = batchBytes(this.gammas, this.multilabel)
    this.scratch = {
      count: 0,
      row: new Float64Array(BATCH_ROWS),
      cls: new Int32Array(BATCH_ROWS),
      label: new Float64Array(BATCH_ROWS),
      id: new Array<string | null>(BATCH_ROWS).fill(null),
    }
    const names = rowsColumns(settings, layout.idColumn !== undefined)
    const files = vectorFromArray(layout.files, new Utf8())
    const classes = vectorFromArray(settings.classes, new Utf8())
    let id = 0
    const dictionary = (): Dictionary<Utf8, Int32> => new Dictionary(new Utf8(), new Int32(), id++)
    this.ids = layout.idColumn === undefined ? null : new Array<string | null>(BATCH_ROWS).fill(null)
    const ids = this.ids
    const column = (name: string, type: DataType, data: Column['data'], dict?: Vector<Utf8>): Column => ({
      // Only ids can be null (a null in the input's id column).
      field: new Field(name, type, type instanceof Utf8),
      data,
      dictionary: dict,
    })
    const of = (): BatchColumns => this.batch as BatchColumns
    let at = 0
    const next = (): string => names[at++]
    this.columns = [
      column(next(), dictionary(), () => of().file, files),
      column(next(), new Int64(), () => of().row),
      ...(ids === null ? [] : [column(next(), new Utf8(), () => ids)]),
      ...(this.multilabel ? [column(next(), dictionary(), () => of().cls, classes)] : []),
      this.multilabel
        ? column(next(), new Float64(), () => of().target)
        : column(next(), dictionary(), () => of().labelIndex, classes),
      this.multilabel
        ? column(next(), new Int32(), () => of().predicted)
        : column(next(), dictionary(), () => of().predicted, classes),
      column(next(), new Float64(), () => of().pt),
      column(next(), new Float64(), () => of().ce),
      ...settings.gammas.map((_, g) => column(next(), new Float64(), () => of().focal[g])),
    ]
    this.schema = new Schema(this.columns.map((c) => c.field))
    this.writer = new RecordBatchFileWriter()
    this.writer.reset(this.queue, this.schema)
  }

  next(n: number): RowValues {
    this.batch ??= batchColumns(this.sink.lend(this.bytes), this.gammas, this.multilabel)
    const {batch, scratch, count} = this
    const end = count + Math.min(n, BATCH_ROWS - count)
    const m = end - count
    const view = <T extends Float64Array | Int32Array>(array: T): T => array.subarray(count, end) as T
    return {
      count: 0,
      row: scratch.row.subarray(0, m),
      cls: this.multilabel ? view(batch.cls) : scratch.cls.subarray(0, m),
      label: this.multilabel ? view(batch.target) : scratch.label.subarray(0, m),
      predicted: view(batch.predicted),
      pt: view(batch.pt),
      ce: view(batch.ce),
      focal: batch.focal.map(view),
      id: scratch.id,
    }
  }

  /** The elements `next` gave out, filled: the conversions into the file's types, then the batch's count. */
  add(values: RowValues, order: number): void {
    const batch = this.batch as BatchColumns
    const at = this.count
    const n = values.count
    batch.file.fill(order, at, at + n)
    const words = batch.rowWords
    for (let o = 0; o < n; o++) {
      const r = values.row[o]
      const high = Math.floor(r / 4294967296)
      words[2 * (at + o)] = r - high * 4294967296
      words[2 * (at + o) + 1] = high
    }
    if (!this.multilabel) for (let o = 0; o < n; o++) batch.labelIndex[at + o] = values.label[o]
    const ids = this.ids
    if (ids !== null) for (let o = 0; o < n; o++) ids[at + o] = values.id[o]
    this.count += n
    if (this.count === BATCH_ROWS) this.flush()
  }

  private flush(): void {
    const length = this.count
    if (length === 0) return
    const children = this.columns.map(({field, data, dictionary}) => {
      const values = data()
      return Array.isArray(values)
        ? vectorFromArray(values.slice(0, length), new Utf8()).data[0]
        : makeData({
            type: field.type,
            length,
            nullCount: 0,
            // No copy: the writer passes views of the batch's memory on to the sink.
            data: values.subarray(0, length),
            ...(dictionary === undefined ? {} : {dictionary}),
          } as Parameters<typeof makeData>[0])
    })
    const batch = new RecordBatch(
      this.schema,
      makeData({type: new Struct(this.schema.fields), length, nullCount: 0, children}),
    )
    this.writer.write(batch)
    // The batch's memory goes to the sink with the pieces: the next element starts a new batch.
    this.queue.flushTo(this.sink)
    this.batch = undefined
    this.count = 0
  }

  end(): void {
    this.flush()
    this.writer.finish()
    this.queue.flushTo(this.sink)
  }
}
