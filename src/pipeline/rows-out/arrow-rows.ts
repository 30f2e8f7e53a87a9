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

/** The writer's byte queue, passed straight on to the sink: nothing is held between batches. */
class SinkQueue extends AsyncByteQueue {
  constructor(private readonly sink: ByteSink) {
    super()
  }

  override write(value: Uint8Array | ArrayBufferView | ArrayBuffer): void {
    const bytes =
      value instanceof Uint8Array
        ? value
        : ArrayBuffer.isView(value)
          ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
          : new Uint8Array(value)
    if (bytes.byteLength > 0) this.sink.write(bytes)
  }
}

interface Column {
  field: Field
  /** The batch's values so far (the id column: its strings). */
  data: Int32Array | Float64Array | BigInt64Array | (string | null)[]
  dictionary?: Vector<Utf8>
}

export class ArrowRowsEncoder implements RowsEncoder {
  private readonly writer: RecordBatchFileWriter
  private readonly schema: Schema
  private readonly multilabel: boolean
  private readonly gammas: number
  private readonly file: Int32Array
  private readonly row: BigInt64Array
  /** `row`'s 64-bit words as 32-bit halves (little-endian), filled without a BigInt per row. */
  private readonly rowWords: Uint32Array
  private readonly cls: Int32Array
  private readonly labelIndex: Int32Array
  private readonly target: Float64Array
  private readonly predicted: Int32Array
  private readonly pt: Float64Array
  private readonly ce: Float64Array
  private readonly focal: Float64Array[]
  /** --id-col: the batch's ids (null without it). */
  private readonly ids: (string | null)[] | null
  private readonly columns: Column[]
  private count = 0

  constructor(layout: RowsLayout, sink: ByteSink) {
    const {settings} = layout
    this.multilabel = settings.task === 'multilabel'
    this.gammas = settings.gammas.length
    const names = rowsColumns(settings, layout.idColumn !== undefined)
    const files = vectorFromArray(layout.files, new Utf8())
    const classes = vectorFromArray(settings.classes, new Utf8())
    let id = 0
    const dictionary = (): Dictionary<Utf8, Int32> => new Dictionary(new Utf8(), new Int32(), id++)
    const f64 = (): Float64Array => new Float64Array(BATCH_ROWS)
    this.file = new Int32Array(BATCH_ROWS)
    this.row = new BigInt64Array(BATCH_ROWS)
    this.rowWords = new Uint32Array(this.row.buffer)
    this.cls = new Int32Array(BATCH_ROWS)
    this.labelIndex = new Int32Array(BATCH_ROWS)
    this.target = f64()
    this.predicted = new Int32Array(BATCH_ROWS)
    this.pt = f64()
    this.ce = f64()
    this.focal = settings.gammas.map(f64)
    this.ids = layout.idColumn === undefined ? null : new Array<string | null>(BATCH_ROWS).fill(null)
    const column = (name: string, type: DataType, data: Column['data'], dict?: Vector<Utf8>): Column => ({
      // Only ids can be null (a null in the input's id column).
      field: new Field(name, type, Array.isArray(data)),
      data,
      dictionary: dict,
    })
    let at = 0
    const next = (): string => names[at++]
    this.columns = [
      column(next(), dictionary(), this.file, files),
      column(next(), new Int64(), this.row),
      ...(this.ids === null ? [] : [column(next(), new Utf8(), this.ids)]),
      ...(this.multilabel ? [column(next(), dictionary(), this.cls, classes)] : []),
      this.multilabel
        ? column(next(), new Float64(), this.target)
        : column(next(), dictionary(), this.labelIndex, classes),
      this.multilabel
        ? column(next(), new Int32(), this.predicted)
        : column(next(), dictionary(), this.predicted, classes),
      column(next(), new Float64(), this.pt),
      column(next(), new Float64(), this.ce),
      ...this.focal.map((data) => column(next(), new Float64(), data)),
    ]
    this.schema = new Schema(this.columns.map((c) => c.field))
    this.writer = new RecordBatchFileWriter()
    this.writer.reset(new SinkQueue(sink), this.schema)
  }

  add(values: RowValues, order: number): void {
    for (let start = 0; start < values.count;) {
      const take = Math.min(values.count - start, BATCH_ROWS - this.count)
      this.copy(values, order, start, take)
      start += take
      if (this.count === BATCH_ROWS) this.flush()
    }
  }

  private copy(values: RowValues, order: number, start: number, n: number): void {
    const at = this.count
    this.file.fill(order, at, at + n)
    const words = this.rowWords
    for (let o = 0; o < n; o++) {
      const r = values.row[start + o]
      words[2 * (at + o)] = r % 4294967296
      words[2 * (at + o) + 1] = Math.floor(r / 4294967296)
    }
    const end = start + n
    this.cls.set(values.cls.subarray(start, end), at)
    if (this.multilabel) this.target.set(values.label.subarray(start, end), at)
    else for (let o = 0; o < n; o++) this.labelIndex[at + o] = values.label[start + o]
    this.predicted.set(values.predicted.subarray(start, end), at)
    this.pt.set(values.pt.subarray(start, end), at)
    this.ce.set(values.ce.subarray(start, end), at)
    for (let g = 0; g < this.gammas; g++) this.focal[g].set(values.focal[g].subarray(start, end), at)
    const ids = this.ids
    if (ids !== null) for (let o = 0; o < n; o++) ids[at + o] = values.id[start + o]
    this.count += n
  }

  private flush(): void {
    const length = this.count
    if (length === 0) return
    const children = this.columns.map(({field, data, dictionary}) =>
      Array.isArray(data)
        ? vectorFromArray(data.slice(0, length), new Utf8()).data[0]
        : makeData({
            type: field.type,
            length,
            nullCount: 0,
            // No copy: the writer has passed every byte to the sink (synchronously) before write() returns.
            data: data.subarray(0, length),
            ...(dictionary === undefined ? {} : {dictionary}),
          } as Parameters<typeof makeData>[0]),
    )
    const batch = new RecordBatch(
      this.schema,
      makeData({type: new Struct(this.schema.fields), length, nullCount: 0, children}),
    )
    this.writer.write(batch)
    this.count = 0
  }

  end(): void {
    this.flush()
    this.writer.finish()
  }
}
