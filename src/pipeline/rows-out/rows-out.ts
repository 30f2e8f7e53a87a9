/**
 * --rows-out: one record per element read (a row; multi-label: a row and class), in input order, with the
 * file, data row, the --id-col value, label, predicted class, p_t, CE and the focal loss at each γ of the sweep — written as
 * the rows are read, a block at a time, so memory does not grow with the input. The format follows the
 * extension: CSV (csv-rows.ts) or Arrow IPC (arrow-rows.ts). The bytes go to a ByteSink (the command's
 * staged temp file, renamed into place only when the whole run succeeded).
 */
import type {PredictionChunk} from '../../core/chunk.js'
import {UsageError} from '../../core/errors.js'
import type {RowSink} from '../../core/evaluation.js'
import type {PreparedRows} from '../../core/rows/prepared-rows.js'
import {RowValuesMaker} from '../../core/rows/row-values.js'
import type {Settings} from '../../core/state/partial-state.js'
import type {ByteSink, RowsEncoder, RowsLayout} from './rows-layout.js'

export type RowsFormat = 'csv' | 'arrow'

/** The format of a --rows-out path, from its extension; anything else is a usage error. */
export function rowsOutFormat(path: string): RowsFormat {
  const lower = path.toLowerCase()
  if (lower.endsWith('.csv')) return 'csv'
  if (lower.endsWith('.arrow')) return 'arrow'
  throw new UsageError(`--rows-out: expected a file name ending in .csv or .arrow, got ${JSON.stringify(path)}`)
}

export type {ByteSink, RowsEncoder, RowsLayout} from './rows-layout.js'

/** The sink the evaluation hands its elements to, and the encoder it feeds. */
export class RowsOut implements RowSink {
  private readonly maker: RowValuesMaker
  private order = 0

  constructor(
    settings: Settings,
    private readonly encoder: RowsEncoder,
  ) {
    // The values go where the encoder says (RowsEncoder.next).
    this.maker = new RowValuesMaker(settings)
  }

  /** The rows that follow are of file `order` (its position on the command line). */
  startFile(order: number): void {
    this.order = order
  }

  write(rows: PreparedRows, from: number, to: number, chunk: PredictionChunk): void {
    for (let start = from; start < to;) {
      // As many elements as the encoder has room for in its batch (the length of the arrays it gives).
      const into = this.encoder.next(to - start)
      const end = start + into.ce.length
      this.encoder.add(this.maker.fill(rows, start, end, chunk, into), this.order)
      start = end
    }
  }

  end(): void {
    this.encoder.end()
  }
}

/** A RowsOut writing `format` to `sink`. Arrow's writer is loaded only when asked for (start-up cost). */
export async function openRowsOut(format: RowsFormat, layout: RowsLayout, sink: ByteSink): Promise<RowsOut> {
  if (format === 'csv') {
    const {CsvRowsEncoder} = await import('./csv-rows.js')
    return new RowsOut(layout.settings, new CsvRowsEncoder(layout, sink))
  }
  const {ArrowRowsEncoder} = await import('./arrow-rows.js')
  return new RowsOut(layout.settings, new ArrowRowsEncoder(layout, sink))
}
