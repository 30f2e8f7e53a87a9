/**
 * The CSV fast path for `label,score_0,…,score_{K−1}` in WebAssembly (plain-scores.wat): the loop of
 * plain-records.ts's parseLabelThenScores, its plain version, with the same contract and the same doubles
 * (the tests hold the two equal). On the 20-class bench file it parses ~1.7× faster (CPU profile of one
 * thread, parse time as a multiple of the softmax kernel's: 2.9 → 1.75). The bytes are copied into the
 * module's memory a slice at a time and the parsed rows copied out into the chunk's arrays: ~3 % of the
 * run, less than the module's memory being the reader's buffer would have cost in changes to the reader.
 *
 * Memory: POW10 at 0, 10^0 … 10^8 as integers at POW10_INT_AT, 10^e as pairs of doubles at POW10_PAIRS_AT,
 * a slice of input at INPUT_AT, then the labels and scores of a batch of rows.
 */
import {POW10} from './bytes.js'
import {PLAIN_SCORES_WASM} from './plain-scores-wasm.js'
import {powersOfTenPairs} from './pow10-pairs.js'

interface PlainScoresExports {
  memory: {buffer: ArrayBuffer; grow(pages: number): number}
  stop: {value: number}
  needPairs: {value: number}
  parse: (
    p: number,
    end: number,
    maxRows: number,
    width: number,
    numClasses: number,
    labels: number,
    scores: number,
    pow10: number,
    pow10Int: number,
    skip: number,
    pow10Pairs: number,
  ) => number
}

/** The part of the WebAssembly API used here (the project's type libraries do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => {exports: unknown}
}

const POW10_INT_AT = 256
/** 10^e as two doubles, e = −280 … 280 (pow10-pairs.ts): 561 × 16 bytes. */
const POW10_PAIRS_AT = 1024
const PAIRS_FROM = -280
const PAIRS_TO = 280
const INPUT_AT = 10240
/**
 * The first slice of a call, doubled after each slice taken whole: a call that stops at its first record
 * (a file of quoted fields calls once a record) copies little, and a long run of plain records is copied
 * in slices of MAX_SLICE.
 */
const FIRST_SLICE = 16 * 1024
const MAX_SLICE = 128 * 1024
const LABELS_AT = INPUT_AT + MAX_SLICE
/**
 * Scores per batch of rows (128 KiB of doubles): the module's memory stays under 400 KiB a thread whatever
 * the chunk size, and a batch is copied out while it is in cache.
 */
const BATCH_VALUES = 16 * 1024

let pairs: Float64Array | undefined

/** The pairs table, made once (~3 ms of BigInt arithmetic) and shared by the parsers of this thread. */
function pow10Pairs(): Float64Array {
  pairs ??= powersOfTenPairs(PAIRS_FROM, PAIRS_TO)
  return pairs
}

/** Where the last call stopped: the byte offset of the first record it did not take. */
export let plainScoresEnd = 0

export class PlainScoresParser {
  private readonly wasm: PlainScoresExports
  private rows = 0
  private width = 0
  private scoresAt = 0
  private bytes!: Uint8Array
  private labels!: Int32Array
  private scores!: Float64Array
  /** Where the 10^e pairs are in the module's memory, 0 until a number needs them. */
  private pairsAt = 0

  constructor() {
    const Wasm = (globalThis as unknown as {WebAssembly: WasmApi}).WebAssembly
    const module = new Wasm.Module(Buffer.from(PLAIN_SCORES_WASM, 'base64'))
    this.wasm = new Wasm.Instance(module).exports as PlainScoresExports
  }

  /** Room for a batch of rows of `width` scores: at most BATCH_VALUES scores, at least one row. */
  private fit(width: number): void {
    if (width === this.width) return
    this.width = width
    this.rows = Math.max(1, Math.floor(BATCH_VALUES / width))
    this.scoresAt = LABELS_AT + Math.ceil((4 * this.rows) / 8) * 8
    const bytes = this.scoresAt + 8 * this.rows * width
    const {memory} = this.wasm
    const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536
    if (pages > 0) memory.grow(pages)
    const {buffer} = memory
    new Float64Array(buffer, 0, POW10.length).set(POW10)
    new BigInt64Array(buffer, POW10_INT_AT, 9).set(Array.from({length: 9}, (_, n) => 10n ** BigInt(n)))
    this.bytes = new Uint8Array(buffer)
    this.labels = new Int32Array(buffer, LABELS_AT, this.rows)
    this.scores = new Float64Array(buffer, this.scoresAt, this.rows * width)
  }

  /** The table of 10^e pairs in the module's memory: from the first number past 10^±22 on (~3 ms to make). */
  private layOutPairs(): void {
    const {buffer} = this.wasm.memory
    new Float64Array(buffer, POW10_PAIRS_AT, 2 * (PAIRS_TO - PAIRS_FROM + 1)).set(pow10Pairs())
    this.pairsAt = POW10_PAIRS_AT
  }

  /**
   * parseLabelThenScores's contract (plain-records.ts), after `skip` ignored fields a record: returns the
   * next row; sets plainScoresEnd.
   */
  parse(
    buf: Uint8Array,
    pos: number,
    end: number,
    labels: Int32Array,
    scores: Float64Array,
    width: number,
    numClasses: number,
    row: number,
    maxRows: number,
    skip = 0,
  ): number {
    this.fit(width)
    let slice = FIRST_SLICE
    slices: while (row < maxRows && pos < end) {
      // Whole lines: the slice ends after its last LF (a line longer than the slice is left to the caller).
      const cut = buf.lastIndexOf(0x0a, Math.min(end, pos + slice) - 1) + 1
      if (cut <= pos) {
        // No line end in the slice: a wider one, up to MAX_SLICE.
        if (slice < MAX_SLICE && pos + slice < end) {
          slice = Math.min(2 * slice, MAX_SLICE)
          continue
        }
        break
      }
      this.bytes.set(buf.subarray(pos, cut), INPUT_AT)
      const sliceEnd = INPUT_AT + cut - pos
      let at = INPUT_AT
      // A batch of rows at a time (the module's memory holds one), until the slice or the chunk is done.
      while (row < maxRows && at < sliceEnd) {
        const batch = Math.min(maxRows - row, this.rows)
        const n = this.wasm.parse(
          at,
          sliceEnd,
          batch,
          width,
          numClasses,
          LABELS_AT,
          this.scoresAt,
          0,
          POW10_INT_AT,
          skip,
          this.pairsAt,
        )
        labels.set(this.labels.subarray(0, n), row)
        scores.set(this.scores.subarray(0, n * width), row * width)
        row += n
        at = this.wasm.stop.value
        if (this.wasm.needPairs.value !== 0) {
          // Stopped only for want of the table: lay it out and go on from that record.
          this.wasm.needPairs.value = 0
          this.layOutPairs()
          continue
        }
        // Stopped before the batch was full: at a record it does not take.
        if (n < batch && at < sliceEnd) {
          pos += at - INPUT_AT
          break slices
        }
      }
      pos += at - INPUT_AT
      slice = Math.min(2 * slice, MAX_SLICE)
    }
    plainScoresEnd = pos
    return row
  }
}

/**
 * Whether this Node has WebAssembly (not under --jitless, which turns it off): without it the JavaScript
 * loop takes every record.
 */
export const plainScoresAvailable = typeof (globalThis as {WebAssembly?: unknown}).WebAssembly === 'object'

/** One per thread, made at first use. */
let parser: PlainScoresParser | undefined

/** This thread's parser (see PlainScoresParser.parse). */
export function plainScoresParser(): PlainScoresParser {
  return (parser ??= new PlainScoresParser())
}
