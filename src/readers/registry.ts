/**
 * The input formats focalscope reads, in the order their magic bytes are tried. CSV, which has none, is
 * what a file is when no other format claims it (by extension or by its first bytes).
 */
import {arrowFormat} from './arrow/arrow-format.js'
import {csvFormat} from './csv/csv-format.js'
import {parquetFormat} from './parquet/parquet-format.js'
import type {ReaderFormat, UnitTask} from './prediction-source.js'
import type {FileFormat} from '../core/kinds.js'

export const FORMATS: readonly ReaderFormat[] = [arrowFormat, parquetFormat, csvFormat]

export function readerFormat(format: FileFormat): ReaderFormat {
  const found = FORMATS.find((f) => f.format === format)
  if (!found) throw new Error(`no reader for the format ${format}`)
  return found
}

/** The format an extension names, or undefined (then the first bytes decide, else CSV). */
export function formatOfExtension(extension: string): ReaderFormat | undefined {
  return FORMATS.find((f) => f.extensions.includes(extension.toLowerCase()))
}

/** The format whose magic bytes `head` starts with, or undefined. */
export function sniffFormat(head: Uint8Array): ReaderFormat | undefined {
  return FORMATS.find((f) => f.sniff(head))
}

/** A thread's reader of a unit task's units. */
export function openUnits(task: UnitTask) {
  return readerFormat(task.format).openUnits(task)
}
