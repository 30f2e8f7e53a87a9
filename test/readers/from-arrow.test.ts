import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {
  Dictionary,
  Field,
  Float32,
  Float64,
  FixedSizeList,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow'

import {analyzePredictions, type AnalyzeOptions} from '../../src/analyze-predictions.js'
import type {Report} from '../../src/core/result.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const OPTIONS: AnalyzeOptions = {
  onInvalid: 'fail',
  rowSumTolerance: 1e-3,
  rowSumPolicy: 'refuse',
  labelCol: 'label',
  gammas: [0, 0.5, 2],
  alpha: null,
  easyThreshold: 0.5,
  eps: 1e-7,
  threads: 1,
}

/** A record batch from named columns (each a Data of the batch's length). */
function batch(columns: Record<string, ReturnType<typeof makeData>>): RecordBatch {
  const fields = Object.entries(columns).map(([name, data]) => new Field(name, data.type, true))
  const length = Object.values(columns)[0].length
  const struct = makeData({
    type: new Struct(fields),
    length,
    nullCount: 0,
    children: Object.values(columns),
  })
  return new RecordBatch(new Schema(fields), struct)
}

const float64 = (values: number[]): ReturnType<typeof makeData> =>
  makeData({type: new Float64(), length: values.length, nullCount: 0, data: Float64Array.from(values)})
const int32 = (values: number[]): ReturnType<typeof makeData> =>
  makeData({type: new Int32(), length: values.length, nullCount: 0, data: Int32Array.from(values)})

function write(name: string, batches: RecordBatch[], format: 'file' | 'stream'): string {
  return file(name, tableToIPC(new Table(batches), format))
}

// 3 classes, 6 rows, split into batches of 4 and 2.
const LABELS = [0, 2, 1, 1, 0, 2]
const LOGITS = [
  [2, 0.5, -1],
  [0.1, 0.2, 3],
  [-1, 1, 0],
  [0, 0, 0],
  [5, -5, 1],
  [-800, 0, 800],
]

function csvText(): string {
  return ['label,logit_0,logit_1,logit_2', ...LABELS.map((y, i) => [y, ...LOGITS[i]].join(','))].join('\n') + '\n'
}

function wideBatches(): RecordBatch[] {
  return [
    [0, 4],
    [4, 6],
  ].map(([a, b]) =>
    batch({
      label: int32(LABELS.slice(a, b)),
      logit_0: float64(LOGITS.slice(a, b).map((r) => r[0])),
      logit_1: float64(LOGITS.slice(a, b).map((r) => r[1])),
      logit_2: float64(LOGITS.slice(a, b).map((r) => r[2])),
    }),
  )
}

function listBatches(): RecordBatch[] {
  return [
    [0, 4],
    [4, 6],
  ].map(([a, b]) => {
    const flat = Float64Array.from(LOGITS.slice(a, b).flat())
    const child = makeData({type: new Float64(), length: flat.length, nullCount: 0, data: flat})
    const list = makeData({
      type: new FixedSizeList(3, new Field('item', new Float64())),
      length: b - a,
      nullCount: 0,
      child,
    })
    return batch({label: int32(LABELS.slice(a, b)), logits: list})
  })
}

function figures(report: Report): unknown {
  return {
    totals: report.totals,
    sweep: report.sweep,
    split: report.split,
    classes: report.classes,
    rows: report.input.rows,
  }
}

async function analyzeError(path: string, options: Partial<AnalyzeOptions> = {}): Promise<string> {
  try {
    await analyzePredictions([path], {...OPTIONS, ...options})
  } catch (error) {
    return (error as Error).message
  }
  assert.fail('expected an error')
}

describe('Arrow input', () => {
  it('gives the same figures as the CSV for wide and list layouts, file and stream formats', async () => {
    const fromCsv = figures(await analyzePredictions([file('same.csv', csvText())], OPTIONS))
    for (const [name, batches] of [
      ['wide', wideBatches()],
      ['list', listBatches()],
    ] as const) {
      for (const format of ['file', 'stream'] as const) {
        const path = write(`${name}.${format === 'file' ? 'arrow' : 'arrows'}`, batches, format)
        const report = await analyzePredictions([path], OPTIONS)
        assert.equal(report.input.format, 'arrow')
        assert.deepEqual(figures(report), fromCsv, `${name} ${format}`)
      }
    }
  })

  it('reads Float32 scores, Int64 and dictionary-string labels', async () => {
    const scores = Float32Array.from([0.5, -2, 3.25, 0])
    const binary = batch({
      label: makeData({type: new Int64(), length: 4, nullCount: 0, data: BigInt64Array.from([1n, 0n, 1n, 0n])}),
      logit: makeData({type: new Float32(), length: 4, nullCount: 0, data: scores}),
    })
    const fromInt64 = await analyzePredictions([write('int64.arrow', [binary], 'file')], OPTIONS)
    const fromCsv = await analyzePredictions([file('int64.csv', 'label,logit\n1,0.5\n0,-2\n1,3.25\n0,0\n')], OPTIONS)
    assert.deepEqual(figures(fromInt64), figures(fromCsv))

    const names = vectorFromArray(['cat', 'dog', 'cat'], new Dictionary(new Utf8(), new Int32()))
    const named = batch({
      label: names.data[0],
      prob_cat: float64([0.9, 0.3, 0.6]),
      prob_dog: float64([0.1, 0.7, 0.4]),
    })
    const report = await analyzePredictions([write('dict.arrow', [named], 'file')], OPTIONS)
    assert.deepEqual(report.input.classCounts, [2, 1])
    assert.deepEqual(report.input.classes, ['cat', 'dog'])
  })

  it('names the batch, row and column of a null, an out-of-range label and a non-finite score', async () => {
    const nullScore = makeData({
      type: new Float64(),
      length: 2,
      nullCount: 1,
      data: Float64Array.from([0.5, 0.25]),
      nullBitmap: Uint8Array.from([0b01]),
    })
    const second = batch({label: int32([1, 0]), logit: nullScore})
    const first = batch({label: int32([1, 0]), logit: float64([1, 2])})
    assert.match(
      await analyzeError(write('null.arrow', [first, second], 'file')),
      /null\.arrow \(batch 2, row 2\): column "logit": expected a score, got null/,
    )
    const badLabel = batch({label: int32([1, 3]), logit: float64([1, 2])})
    assert.match(
      await analyzeError(write('label.arrow', [badLabel], 'file')),
      /label\.arrow \(batch 1, row 2\): column "label": expected 0 or 1, got 3/,
    )
    const nan = batch({label: int32([1, 0, 1]), logit: float64([1, 2, NaN])})
    assert.match(
      await analyzeError(write('nan.arrow', [nan], 'file')),
      /nan\.arrow \(batch 1, row 3\): column "logit": expected a finite number, got NaN/,
    )
  })

  it('refuses a second stream after the end-of-stream marker (concatenated files, a schema that changes)', async () => {
    const first = tableToIPC(new Table(wideBatches()), 'stream')
    const other = tableToIPC(new Table(listBatches()), 'stream')
    const path = file('two.arrows', Buffer.concat([first, other]))
    assert.match(await analyzeError(path), /two\.arrows: expected one Arrow IPC stream, got another one/)
    // One stream alone reads normally.
    const one = await analyzePredictions([file('one.arrows', first)], OPTIONS)
    assert.equal(one.input.rows, LABELS.length)
  })

  it('refuses a truncated file and a file that is not Arrow, naming the file', async () => {
    const bytes = tableToIPC(new Table(wideBatches()), 'file')
    assert.match(
      await analyzeError(file('cut.arrow', bytes.subarray(0, Math.floor(bytes.length * 0.6)))),
      /cut\.arrow: expected an? (complete )?Arrow IPC file/,
    )
    assert.match(await analyzeError(file('text.arrow', 'label,logit\n1,2\n')), /text\.arrow: expected an Arrow IPC/)
  })
})
