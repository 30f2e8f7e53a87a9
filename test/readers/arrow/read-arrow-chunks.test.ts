import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {
  Bool,
  compressionRegistry,
  CompressionType,
  Dictionary,
  Field,
  Float32,
  Float64,
  FixedSizeList,
  Int32,
  Int64,
  Int8,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Uint8,
  Utf8,
  vectorFromArray,
} from 'apache-arrow'

import {analyzePredictions, type AnalyzeOptions} from '../../../src/pipeline/analyze-predictions.js'
import type {Report} from '../../../src/report/types.js'
import {stalls, watchEventLoopTurns} from '../../helpers/event-loop-turns.js'
import {tempDir} from '../../helpers/temp-files.js'

const file = tempDir()
const OPTIONS: AnalyzeOptions = {
  onInvalid: 'fail',
  rowSumTolerance: 1e-3,
  rowSumPolicy: 'refuse',
  labelCol: 'label',
  gammas: [0, 0.5, 2],
  alphaSpec: {kind: 'none'},
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

  it('checks every int32 label it uses in place: a negative one or one past the classes is named', async () => {
    // Five rows (not a multiple of the check's four per step); the bad label sits in the last, odd one.
    for (const [bad, shown] of [
      [-1, '-1'],
      [2, '2'],
    ] as const) {
      const labels = batch({label: int32([1, 0, 1, 0, bad]), logit: float64([1, 2, 3, 4, 5])})
      assert.match(
        await analyzeError(write(`label${shown}.arrow`, [labels], 'file')),
        new RegExp(`\\(batch 1, row 5\\): column "label": expected 0 or 1, got ${shown}$`),
      )
    }
    // Three classes, labels 1 and 2: their OR (3) is not below 3, yet every label is valid.
    const rows = [1, 2, 2, 1, 2, 1, 1]
    const three = batch({
      label: int32(rows),
      prob_a: float64(rows.map(() => 0.2)),
      prob_b: float64(rows.map(() => 0.3)),
      prob_c: float64(rows.map(() => 0.5)),
    })
    const csv = `label,prob_a,prob_b,prob_c\n${rows.map((r) => `${r},0.2,0.3,0.5\n`).join('')}`
    const fromArrow = await analyzePredictions([write('three.arrow', [three], 'file')], OPTIONS)
    assert.deepEqual(figures(fromArrow), figures(await analyzePredictions([file('three.csv', csv)], OPTIONS)))
  })

  it('turns the event loop between record batches of a file (reads are synchronous; Ctrl-C must stay live)', async () => {
    const batches = Array.from({length: 30}, () => batch({label: int32([0, 1, 1]), logit: float64([0.5, -1, 2])}))
    const path = write('many-batches.arrow', batches, 'file')
    const loop = watchEventLoopTurns()
    // The event loop's turns seen at each batch's progress report: they must go up from batch to batch.
    const seen: number[] = []
    const report = await analyzePredictions([path], {...OPTIONS, onProgress: () => seen.push(loop.turns())})
    loop.stop()
    assert.equal(report.input.rows, 90)
    assert.ok(seen.length >= 30, `${seen.length} progress reports`)
    assert.equal(stalls(seen), 0, `turns at each batch: ${seen.join(' ')}`)
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

  it('leaves compressed batches of a plain file to apache-arrow and gives the plain figures', async () => {
    // focalscope decodes plain batches itself and hands compressed ones to apache-arrow (opened only
    // then). A stand-in "ZSTD" codec, registered in this process only, frames the bytes as zstd would
    // start them and otherwise leaves them as they are.
    const frame = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0, 0)
    compressionRegistry.set(CompressionType.ZSTD, {
      encode: (data) => Uint8Array.from([...frame, ...data]),
      decode: (data) => data.slice(frame.length),
    })
    try {
      const batches = [
        batch({label: int32([0, 1, 1]), logit: float64([-2, 0.5, 3])}),
        batch({label: int32([1, 0]), logit: float64([-1, -4])}),
      ]
      const writer = new RecordBatchFileWriter({compressionType: CompressionType.ZSTD})
      for (const b of batches) writer.write(b)
      writer.finish()
      const compressed = await analyzePredictions([file('zstd.arrow', await writer.toUint8Array())], OPTIONS)
      const plain = await analyzePredictions([write('plain.arrow', batches, 'file')], OPTIONS)
      assert.equal(compressed.input.rows, 5)
      assert.deepEqual(compressed.totals, plain.totals)
      assert.deepEqual(compressed.classes, plain.classes)
      assert.deepEqual(compressed.sweep, plain.sweep)
    } finally {
      compressionRegistry.set(CompressionType.ZSTD, {})
    }
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

/** A FixedSizeList<K> column over `child`, with optional null lists. */
function fixedList(
  k: number,
  child: ReturnType<typeof makeData>,
  nullRows: number[] = [],
): ReturnType<typeof makeData> {
  const length = child.length / k
  return makeData({
    type: new FixedSizeList(k, new Field('item', child.type, true)),
    length,
    nullCount: nullRows.length,
    nullBitmap: nullRows.length ? validity(length, nullRows) : undefined,
    child,
  })
}

function validity(length: number, nullRows: number[]): Uint8Array {
  const bits = new Uint8Array(Math.ceil(length / 8)).fill(0xff)
  for (const i of nullRows) bits[i >> 3] &= ~(1 << (i & 7))
  return bits
}

// Multi-label: 4 anchors × 2 classes.
const ML_LOGITS = [
  [1.5, -2],
  [-0.5, 3],
  [-4, -1],
  [2, 0.25],
]
const ML_TARGETS = [
  [1, 0],
  [0, 1],
  [0, 0],
  [1, 1],
]
const ML_CSV =
  ['logit_0,logit_1,target_0,target_1', ...ML_LOGITS.map((row, i) => [...row, ...ML_TARGETS[i]].join(','))].join('\n') +
  '\n'

describe('Arrow multi-label input', () => {
  it('reads a list of logits and a list of Bool or Int8 targets as the wide CSV, across batches', async () => {
    const fromCsv = figures(await analyzePredictions([file('ml.csv', ML_CSV)], OPTIONS))
    const targetChildren = {
      bool: (rows: number[][]) => vectorFromArray(rows.flat().map(Boolean), new Bool()).data[0],
      int8: (rows: number[][]) =>
        makeData({type: new Int8(), length: rows.length * 2, nullCount: 0, data: Int8Array.from(rows.flat())}),
    }
    for (const [name, targetChild] of Object.entries(targetChildren)) {
      const batches = [
        [0, 3],
        [3, 4],
      ].map(([a, b]) =>
        batch({
          logits: fixedList(2, float64(ML_LOGITS.slice(a, b).flat())),
          targets: fixedList(2, targetChild(ML_TARGETS.slice(a, b))),
        }),
      )
      const report = await analyzePredictions([write(`ml-${name}.arrow`, batches, 'file')], OPTIONS)
      assert.equal(report.input.task, 'multilabel')
      assert.deepEqual(figures(report), fromCsv, name)
    }
  })

  it('a null list of targets is a "null" row, a target outside [0, 1] a "target" row, naming the list column', async () => {
    const withNull = batch({
      logits: fixedList(2, float64(ML_LOGITS.flat())),
      targets: fixedList(2, float64(ML_TARGETS.flat()), [2]),
    })
    const path = write('ml-null.arrow', [withNull], 'file')
    assert.match(
      await analyzeError(path),
      /ml-null\.arrow \(batch 1, row 3\): column "targets": expected a list of targets, got null$/,
    )
    const skipped = await analyzePredictions([path], {...OPTIONS, onInvalid: 'skip'})
    assert.equal(skipped.input.rows, 3)
    assert.deepEqual(
      skipped.input.skipped.map((s) => [s.reason, s.count]),
      [['null', 1]],
    )
    // The row left out is exactly the null one: the same figures as the CSV without it.
    const csvWithout = ML_CSV.split('\n')
      .filter((_, line) => line !== 3)
      .join('\n')
    assert.deepEqual(figures(skipped), figures(await analyzePredictions([file('ml-without.csv', csvWithout)], OPTIONS)))

    const two = batch({
      logits: fixedList(2, float64(ML_LOGITS.flat())),
      targets: fixedList(
        2,
        makeData({type: new Int32(), length: 8, nullCount: 0, data: Int32Array.from([1, 0, 0, 2, 0, 0, 1, 1])}),
      ),
    })
    assert.match(
      await analyzeError(write('ml-two.arrow', [two], 'file')),
      /ml-two\.arrow \(batch 1, row 2\): column "targets": expected a target in \[0, 1\], got 2$/,
    )
  })

  it('reads integer targets in the wide and long layouts, and refuses a string target column', async () => {
    const wide = batch({
      logit_0: float64(ML_LOGITS.map((r) => r[0])),
      logit_1: float64(ML_LOGITS.map((r) => r[1])),
      target_0: makeData({
        type: new Uint8(),
        length: 4,
        nullCount: 0,
        data: Uint8Array.from(ML_TARGETS.map((r) => r[0])),
      }),
      target_1: makeData({
        type: new Int64(),
        length: 4,
        nullCount: 0,
        data: BigInt64Array.from(ML_TARGETS.map((r) => BigInt(r[1]))),
      }),
    })
    const fromCsv = await analyzePredictions([file('ml2.csv', ML_CSV)], OPTIONS)
    const fromWide = await analyzePredictions([write('ml-int.arrow', [wide], 'file')], OPTIONS)
    assert.deepEqual(fromWide.classes, fromCsv.classes)

    const long = batch({
      class: int32(ML_LOGITS.flatMap((row) => row.map((_, j) => j))),
      logit: float64(ML_LOGITS.flat()),
      target: int32(ML_TARGETS.flat()),
    })
    const fromLong = await analyzePredictions([write('ml-long.arrow', [long], 'file')], {
      ...OPTIONS,
      classNames: ['0', '1'],
    })
    assert.deepEqual(fromLong.classes, fromCsv.classes)

    const text = batch({
      logit_0: float64([0.5]),
      target_0: vectorFromArray(['1'], new Utf8()).data[0],
    })
    assert.match(
      await analyzeError(write('ml-text.arrow', [text], 'file')),
      /ml-text\.arrow \(batch 1\): column 2 of the scores and targets: expected a target column of floats, integers or booleans, got Utf8$/,
    )
  })
})
