/**
 * --rows-out as CSV (RFC 4180): a header, then one line per element. Numbers are written by JavaScript's
 * own Number → string conversion, which is the shortest string that reads back as the same double (ECMA-262
 * Number::toString), so the file round-trips exactly; file paths and class names are quoted when they need
 * it. Lines are encoded into a 1 MiB buffer, handed to the sink when full.
 */
import type {RowValues} from '../../core/rows/row-values.js'
import {type ByteSink, type RowsEncoder, type RowsLayout, rowsColumns} from './rows-layout.js'

/** A CSV field: quoted (quotes doubled) when it holds a comma, quote, CR or LF, or starts/ends with a space. */
export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export class CsvRowsEncoder implements RowsEncoder {
  private readonly sink: ByteSink
  private readonly files: string[]
  private readonly classes: string[]
  private readonly multilabel: boolean
  private readonly gammas: number
  private readonly withId: boolean
  /** Bytes not yet handed to the sink: [0, at). */
  private buffer = Buffer.allocUnsafe(1 << 20)
  private at = 0

  constructor(layout: RowsLayout, sink: ByteSink) {
    const {settings} = layout
    this.sink = sink
    this.files = layout.files.map(csvField)
    this.classes = settings.classes.map(csvField)
    this.multilabel = settings.task === 'multilabel'
    this.gammas = settings.gammas.length
    this.withId = layout.idColumn !== undefined
    sink.write(Buffer.from(`${rowsColumns(settings, this.withId).map(csvField).join(',')}\n`))
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
        this.sink.write(buffer.subarray(0, at))
        at = 0
        if (3 * line.length > buffer.length) buffer = this.buffer = Buffer.allocUnsafe(3 * line.length)
      }
      at += buffer.write(line, at, 'utf8')
    }
    this.at = at
  }

  end(): void {
    if (this.at > 0) this.sink.write(this.buffer.subarray(0, this.at))
    this.at = 0
  }
}
