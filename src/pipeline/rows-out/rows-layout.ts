/**
 * What the --rows-out writers share with rows-out.ts, which loads them: the sink, the run's layout, the
 * encoder interface and the column names. Apart, so that the writers need not import the module that
 * imports them.
 */
import type {RowValues} from '../../core/rows/row-values.js'
import type {Settings} from '../../core/state/partial-state.js'

/** Where a rows file's bytes go, in order (the command's StagedFile). */
export interface ByteSink {
  /** Memory of at least `bytes` to build the next block in, the caller's until it passes the block on. */
  lend(bytes: number): ArrayBufferLike
  /** Appends `pieces` in order; memory from `lend` among them is the sink's again from now on. */
  write(pieces: Uint8Array[]): void
}

/** What a format's writer is told about the run before any row. */
export interface RowsLayout {
  settings: Settings
  /** The input files, in command-line order (Arrow: the dictionary of the `file` column). */
  files: string[]
  /** --id-col: an `id` column follows `row`. */
  idColumn?: string
}

/**
 * A format's writer. For each block of elements: `next(n)` gives where the values of up to n elements go
 * (its own batch memory, so they are stored once) and how many fit, the caller fills them, and `add`
 * encodes them as elements of file `order`. Then `end`.
 */
export interface RowsEncoder {
  next(n: number): RowValues
  add(values: RowValues, order: number): void
  end(): void
}

/** The column names: file, row, [id,] [class,] label, predicted, pt, ce, fl_<γ>… */
export function rowsColumns(settings: Settings, withId = false): string[] {
  return [
    'file',
    'row',
    ...(withId ? ['id'] : []),
    ...(settings.task === 'multilabel' ? ['class'] : []),
    'label',
    'predicted',
    'pt',
    'ce',
    ...settings.gammas.map((g) => `fl_${g}`),
  ]
}
