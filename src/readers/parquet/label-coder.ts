/**
 * Label values → class indices for the Parquet reader, with the Arrow reader's messages for values that
 * name no class.
 */
import {quoteValue, type SkipReason} from '../../core/errors.js'
import {badLabelMessage, expectedLabel, type Layout} from '../layout.js'
import type {ColumnCursor} from './column-cursor.js'
import type {PageValues} from './pages.js'

/**
 * Label values → class indices: integers (any width), integral floats, booleans (binary), and strings (class
 * names, or index text) — each distinct dictionary entry looked up once per dictionary.
 */
export class LabelCoder {
  private codes = new Int32Array(0)
  private dictionary: PageValues | null = null
  private readonly k: number

  constructor(
    private readonly layout: Layout,
    private readonly lookup: (text: string) => number,
  ) {
    this.k = layout.classes.length
  }

  private codeOfNumber(v: number): number {
    return Number.isInteger(v) && v >= 0 && v < this.k ? v : -1
  }

  private badNumber(v: number): string {
    return badLabelMessage(this.layout, v, String(v))
  }

  private badText(text: string): string {
    return `${expectedLabel(this.layout)}, got ${quoteValue(text)}`
  }

  read(
    cursor: ColumnCursor,
    n: number,
    out: Int32Array,
    bad: (row: number, message: string, reason: SkipReason) => void,
  ): void {
    cursor.readFlat(
      n,
      (values, from, row, count) => {
        if (values.kind === 'number') {
          const data = values.data
          // The usual plain column, int32: copied, then settled by one OR over the run.
          if (data instanceof Int32Array && copyClassIndices(data, from, count, out, row, this.k)) return
          for (let i = 0; i < count; i++) {
            const code = this.codeOfNumber(data[from + i])
            out[row + i] = code
            if (code < 0) bad(row + i, this.badNumber(data[from + i]), 'label')
          }
          return
        }
        if (values.kind === 'text') {
          for (let i = 0; i < count; i++) {
            const text = values.data.text(from + i)
            const code = this.lookup(text)
            out[row + i] = code
            if (code < 0) bad(row + i, this.badText(text), 'label')
          }
          return
        }
        const dictionary = values.dictionary
        if (this.dictionary !== dictionary) {
          // Decode each distinct entry once.
          this.dictionary = dictionary
          this.codes = new Int32Array(dictionary.count)
          for (let d = 0; d < dictionary.count; d++) {
            this.codes[d] =
              dictionary.kind === 'number'
                ? this.codeOfNumber(dictionary.data[d])
                : this.lookup(dictionary.data.text(d))
          }
        }
        if (mapIndices(this.codes, values.indices, from, count, out, row)) return
        for (let i = 0; i < count; i++) {
          if (out[row + i] >= 0) continue
          const entry = values.indices[from + i]
          const message =
            dictionary.kind === 'number'
              ? this.badNumber(dictionary.data[entry])
              : this.badText(dictionary.data.text(entry))
          bad(row + i, message, 'label')
        }
      },
      (row) => bad(row, 'expected a label, got null', 'null'),
    )
  }
}

/**
 * Copies `count` int32 labels to out[row…]; true when every one is a class index in [0, k). The OR of
 * all, unsigned, is at least the largest (a negative one sets the top bit). A function of its own, so the
 * loop sees one array type.
 */
function copyClassIndices(
  data: Int32Array,
  from: number,
  count: number,
  out: Int32Array,
  row: number,
  k: number,
): boolean {
  out.set(data.subarray(from, from + count), row)
  let or = 0
  for (let i = 0; i < count; i++) or |= data[from + i]
  return or >>> 0 < k
}

/** out[row + i] = codes[indices[from + i]]; true when none is -1 (the OR of all is negative otherwise). */
function mapIndices(
  codes: Int32Array,
  indices: Int32Array,
  from: number,
  count: number,
  out: Int32Array,
  row: number,
): boolean {
  let or = 0
  for (let i = 0; i < count; i++) {
    const code = codes[indices[from + i]]
    out[row + i] = code
    or |= code
  }
  return or >= 0
}

// Every line run before V8 optimises them: it compiles a long loop's first call for on-stack replacement,
// and a compare after the loop that had never run then left it through a deoptimisation at every page
// (~70 a run of the 10 M-row Parquet bench file). Several calls: V8 keeps no type feedback for a
// function's first few (lazy feedback allocation).
for (let call = 0; call < 16; call++) {
  mapIndices(Int32Array.of(0, 1), Int32Array.of(1, 0, 1), 0, 3, new Int32Array(3), 0)
  copyClassIndices(Int32Array.of(0, 1, 1), 0, 3, new Int32Array(3), 0, 2)
}
