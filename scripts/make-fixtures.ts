/**
 * Writes the small, deterministic fixtures in fixtures/ (or the folder given as the first argument).
 * Rerun with `npm run fixtures`; test/fixtures.test.ts checks the committed files match this script.
 * Numbers are written as shortest round-trip decimals, so CSV and Arrow hold the same doubles.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {
  type Data,
  Field,
  FixedSizeList,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
} from 'apache-arrow'

const outDir = process.argv[2] ?? 'fixtures'

/** mulberry32: a tiny seeded PRNG, so every run writes the same bytes. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Approximately normal (sum of uniforms), rounded to 6 significant digits like a typical dump. */
function normal(random: () => number, mean: number, sd: number): number {
  const z = random() + random() + random() + random() - 2
  return Number((mean + sd * z * 1.7320508).toPrecision(6))
}

function pickClass(random: () => number, weights: number[]): number {
  let u = random() * weights.reduce((a, b) => a + b, 0)
  for (let c = 0; c < weights.length; c++) {
    u -= weights[c]
    if (u < 0) return c
  }
  return weights.length - 1
}

interface Rows {
  labels: number[]
  scores: number[][]
}

/** `n` rows in all: n − 4 drawn rows, then the four extremes. */
function binaryRows(n: number, seed: number): Rows {
  const random = prng(seed)
  const labels: number[] = []
  const scores: number[][] = []
  for (let i = 0; i < n - 4; i++) {
    const y = random() < 0.1 ? 1 : 0
    let x = y === 1 ? normal(random, 1.5, 1.5) : normal(random, -3, 1.5)
    if (random() < 0.05) x = -x // a few confidently wrong rows: the hard examples
    labels.push(y)
    scores.push([x])
  }
  // Extremes the maths must survive: σ saturates, log σ must not. The signed margin m (the logit towards
  // the true class) is +40, +800, −800 and −40: right and wrong, saturated in float64 or far beyond.
  labels.push(1, 0, 1, 0)
  scores.push([40], [-800], [-800], [40])
  return {labels, scores}
}

function multiclassRows(n: number, k: number, weights: number[], accuracyBoost: number[], seed: number): Rows {
  const random = prng(seed)
  const labels: number[] = []
  const scores: number[][] = []
  for (let i = 0; i < n; i++) {
    const y = pickClass(random, weights)
    const logits = Array.from({length: k}, (_, j) => normal(random, j === y ? accuracyBoost[y] : 0, 1))
    labels.push(y)
    scores.push(logits)
  }
  return {labels, scores}
}

function softmaxRow(logits: number[]): number[] {
  const max = Math.max(...logits)
  const e = logits.map((x) => Math.exp(x - max))
  const s = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / s)
}

function csv(header: string[], rows: Rows, label: (y: number) => string = String): string {
  const lines = [header.join(',')]
  rows.labels.forEach((y, i) => lines.push([label(y), ...rows.scores[i].map(String)].join(',')))
  return lines.join('\n') + '\n'
}

const f64 = (values: number[]): Data<Float64> =>
  makeData({type: new Float64(), length: values.length, nullCount: 0, data: Float64Array.from(values)})

/** Arrow batches of `batchRows` rows: label Int32 plus one Float64 column per name, or one list column. */
function arrowBatches(rows: Rows, names: string[], batchRows: number, listColumn?: string): RecordBatch[] {
  const k = rows.scores[0].length
  const batches: RecordBatch[] = []
  for (let start = 0; start < rows.labels.length; start += batchRows) {
    const end = Math.min(rows.labels.length, start + batchRows)
    const n = end - start
    const labelData = makeData({
      type: new Int32(),
      length: n,
      nullCount: 0,
      data: Int32Array.from(rows.labels.slice(start, end)),
    })
    const columns: [string, ReturnType<typeof makeData>][] = [['label', labelData]]
    if (listColumn) {
      const flat = rows.scores.slice(start, end).flat()
      const type = new FixedSizeList(k, new Field('item', new Float64(), false))
      columns.push([listColumn, makeData({type, length: n, nullCount: 0, child: f64(flat)})])
    } else {
      names.forEach((name, j) => columns.push([name, f64(rows.scores.slice(start, end).map((r) => r[j]))]))
    }
    const fields = columns.map(([name, data]) => new Field(name, data.type, false))
    const struct = makeData({type: new Struct(fields), length: n, nullCount: 0, children: columns.map(([, d]) => d)})
    batches.push(new RecordBatch(new Schema(fields), struct))
  }
  return batches
}

interface MultilabelRows {
  logits: number[][]
  targets: number[][]
}

/** `n` anchors × k classes: background logits well below 0, positives of class c at about `weights[c]` %. */
function multilabelRows(n: number, k: number, weights: number[], seed: number): MultilabelRows {
  const random = prng(seed)
  const logits: number[][] = []
  const targets: number[][] = []
  for (let i = 0; i < n; i++) {
    const positive = random() < 1 / 6 ? pickClass(random, weights) : -1
    const quality = Number((0.5 + 0.5 * random()).toFixed(2)) // an IoU-aware target in [0.5, 1]
    logits.push(
      Array.from({length: k}, (_, j) =>
        j === positive ? normal(random, 1, 1.5) : random() < 0.03 ? normal(random, 0.5, 1) : normal(random, -4, 1.5),
      ),
    )
    targets.push(Array.from({length: k}, (_, j) => (j === positive ? (random() < 0.3 ? 1 : quality) : 0)))
  }
  return {logits, targets}
}

/** Multi-label Arrow batches: K Float64 score and K Float64 target columns, or two FixedSizeList columns. */
function multilabelBatches(rows: MultilabelRows, classes: string[], batchRows: number, lists = false): RecordBatch[] {
  const k = classes.length
  const batches: RecordBatch[] = []
  for (let start = 0; start < rows.logits.length; start += batchRows) {
    const end = Math.min(rows.logits.length, start + batchRows)
    const n = end - start
    const logits = rows.logits.slice(start, end)
    const targets = rows.targets.slice(start, end)
    const columns: [string, ReturnType<typeof makeData>][] = []
    if (lists) {
      const type = new FixedSizeList(k, new Field('item', new Float64(), false))
      columns.push(['logits', makeData({type, length: n, nullCount: 0, child: f64(logits.flat())})])
      columns.push(['targets', makeData({type, length: n, nullCount: 0, child: f64(targets.flat())})])
    } else {
      classes.forEach((c, j) => columns.push([`logit_${c}`, f64(logits.map((r) => r[j]))]))
      classes.forEach((c, j) => columns.push([`target_${c}`, f64(targets.map((r) => r[j]))]))
    }
    const fields = columns.map(([name, data]) => new Field(name, data.type, false))
    const struct = makeData({type: new Struct(fields), length: n, nullCount: 0, children: columns.map(([, d]) => d)})
    batches.push(new RecordBatch(new Schema(fields), struct))
  }
  return batches
}

mkdirSync(outDir, {recursive: true})
const write = (name: string, content: string | Uint8Array): void => writeFileSync(join(outDir, name), content)

// Binary logits: 400 rows, ~10 % positives, some confidently wrong rows and four extreme logits;
// Arrow in 3 batches (150, 150, 100).
const binary = binaryRows(400, 1)
write('binary.csv', csv(['label', 'logit'], binary))
write('binary.arrow', tableToIPC(new Table(arrowBatches(binary, ['logit'], 150)), 'file'))
write('binary.arrows', tableToIPC(new Table(arrowBatches(binary, ['logit'], 150)), 'stream'))

// Binary probabilities with exact 0s and 1s, so clamping happens.
const binaryProbs = binaryRows(300, 2)
binaryProbs.scores = binaryProbs.scores.map(([x]) => [
  x > 30 ? 1 : x < -30 ? 0 : Number((1 / (1 + Math.exp(-x))).toPrecision(8)),
])
write('binary-probs.csv', csv(['label', 'prob'], binaryProbs))

// Multi-class logits: 5 classes at roughly 50/25/12/8/5 %, the rare classes harder.
const k5 = ['logit_0', 'logit_1', 'logit_2', 'logit_3', 'logit_4']
const multiclass = multiclassRows(500, 5, [50, 25, 12, 8, 5], [3, 2.5, 2, 1.2, 0.8], 3)
write('multiclass.csv', csv(['label', ...k5], multiclass))
write('multiclass.arrow', tableToIPC(new Table(arrowBatches(multiclass, k5, 128)), 'file'))
write('multiclass-list.arrow', tableToIPC(new Table(arrowBatches(multiclass, k5, 128, 'logits')), 'file'))

// Named classes with probabilities (softmax of logits), labels written as names.
const names = ['cat', 'dog', 'bird']
const named = multiclassRows(300, 3, [60, 30, 10], [2.5, 2, 1], 4)
named.scores = named.scores.map(softmaxRow)
write(
  'multiclass-probs.csv',
  csv(['label', ...names.map((n) => `prob_${n}`)], named, (y) => names[y]),
)

// The README example: 10 classes, one 40 % of the rows, the smallest 1 %, the rare classes harder.
const weights = [40, 18, 12, 9, 7, 5, 4, 2.5, 1.5, 1]
const boosts = [3.4, 3.1, 2.9, 2.7, 2.5, 2.2, 2, 1.6, 1.3, 1]
const example = multiclassRows(2000, 10, weights, boosts, 5)
write('example.csv', csv(['label', ...weights.map((_, j) => `logit_${j}`)], example))

// Multi-label detection outputs: 240 anchors × 4 classes, one sigmoid logit per (anchor, class). About one
// anchor in six is a positive of one class, with a soft (IoU-like) target; a few background elements are
// confusable (hard negatives). The same doubles in four layouts: wide CSV, long CSV (one row per element),
// wide Arrow (one Float64 column per class) and list Arrow (two FixedSizeList<4, Float64> columns).
const detectionClasses = ['car', 'person', 'bike', 'dog']
const detection = multilabelRows(240, detectionClasses.length, [40, 30, 20, 10], 6)
const wideHeader = [...detectionClasses.map((c) => `logit_${c}`), ...detectionClasses.map((c) => `target_${c}`)]
write(
  'multilabel.csv',
  [wideHeader.join(','), ...detection.logits.map((row, i) => [...row, ...detection.targets[i]].join(','))].join('\n') +
    '\n',
)
const longLines = ['class,anchor,logit,target']
detection.logits.forEach((row, i) =>
  row.forEach((x, j) => longLines.push([detectionClasses[j], i, x, detection.targets[i][j]].join(','))),
)
write('multilabel-long.csv', longLines.join('\n') + '\n')
write('multilabel.arrow', tableToIPC(new Table(multilabelBatches(detection, detectionClasses, 100)), 'file'))
write('multilabel-list.arrow', tableToIPC(new Table(multilabelBatches(detection, detectionClasses, 100, true)), 'file'))

// Binary logits with soft labels (read with --soft-labels): distillation-style targets in [0, 1], label
// smoothing's 0.05 / 0.95, and plain 0s and 1s.
const soft = binaryRows(200, 7)
soft.labels = soft.labels.map((y, i) =>
  i % 4 === 0
    ? y
    : i % 4 === 1
      ? y === 1
        ? 0.95
        : 0.05
      : Number((1 / (1 + Math.exp(-soft.scores[i][0] - 0.5))).toFixed(3)),
)
write('binary-soft.csv', csv(['label', 'logit'], soft))
