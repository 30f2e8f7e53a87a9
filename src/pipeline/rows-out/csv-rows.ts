/**
 * --rows-out as CSV (RFC 4180): a header, then one line per element. Numbers are written by JavaScript's
 * own Number → string conversion, which is the shortest string that reads back as the same double (ECMA-262
 * Number::toString), so the file round-trips exactly; file paths and class names are quoted when they need
 * it. Lines are encoded into a 1 MiB buffer the sink lends, handed back to it when full.
 */
import {newRowValues, type RowValues} from '../../core/rows/row-values.js'
import {type ByteSink, type RowsEncoder, type RowsLayout, rowsColumns} from './rows-layout.js'

/** A CSV field: quoted (quotes doubled) when it holds a comma, quote, CR or LF, or starts/ends with a space. */
export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** Bytes of each buffer handed to the sink. */
const BUFFER_BYTES = 1 << 20
/** Elements formatted at a time. */
const BLOCK_ROWS = 1 << 13

export class CsvRowsEncoder implements RowsEncoder {
  private readonly sink: ByteSink
  private readonly files: string[]
  private readonly classes: string[]
  private readonly multilabel: boolean
  private readonly gammas: number
  private readonly withId: boolean
  /** The elements' values, filled by the caller (`next`), then formatted. */
  private readonly values: RowValues
  /** Bytes not yet handed to the sink: [0, at). */
  private buffer: Buffer
  private at = 0

  constructor(layout: RowsLayout, sink: ByteSink) {
    const {settings} = layout
    this.sink = sink
    this.files = layout.files.map(csvField)
    this.classes = settings.classes.map(csvField)
    this.multilabel = settings.task === 'multilabel'
    this.gammas = settings.gammas.length
    this.withId = layout.idColumn !== undefined
    this.values = newRowValues(this.gammas, BLOCK_ROWS)
    this.buffer = this.borrow(BUFFER_BYTES)
    this.at = this.buffer.write(`${rowsColumns(settings, this.withId).map(csvField).join(',')}\n`)
  }

  /** A buffer of at least `bytes` from the sink's memory. */
  private borrow(bytes: number): Buffer {
    return Buffer.from(this.sink.lend(bytes), 0, bytes)
  }

  next(n: number): RowValues {
    const m = Math.min(n, BLOCK_ROWS)
    const {values} = this
    const view = <T extends Float64Array | Int32Array>(array: T): T => array.subarray(0, m) as T
    return {
      count: 0,
      row: view(values.row),
      cls: view(values.cls),
      label: view(values.label),
      predicted: view(values.predicted),
      pt: view(values.pt),
      ce: view(values.ce),
      focal: values.focal.map(view),
      id: values.id,
    }
  }

  add(values: RowValues, order: number): void {
    const {classes, multilabel, gammas, withId} = this
    const file = this.files[order]
    const {row, cls, label, predicted, pt, ce, focal, id} = values
    let {buffer, at} = this
    for (let o = 0; o < values.count; o++) {
      let line = `${file},${row[o]},`
      // A null id is an empty field (pandas reads it back as NaN).
      if (withId) line += `${csvField(id[o] ?? '')},`
      line += multilabel
        ? `${classes[cls[o]]},${label[o]},${predicted[o]},`
        : `${classes[label[o]]},${classes[predicted[o]]},`
      line += `${pt[o]},${ce[o]}`
      for (let g = 0; g < gammas; g++) line += `,${focal[g][o]}`
      line += '\n'
      // Each line straight into the output buffer: one small string per row, never a block-sized rope
      // (flattening those and encoding them cost more than the number formatting).
      if (at + 3 * line.length > buffer.length) {
        this.sink.write([buffer.subarray(0, at)])
        at = 0
        buffer = this.buffer = this.borrow(Math.max(BUFFER_BYTES, 3 * line.length))
      }
      at += buffer.write(line, at, 'utf8')
    }
    this.at = at
  }

  end(): void {
    this.sink.write([this.buffer.subarray(0, this.at)])
    this.at = 0
  }
}
