/**
 * The same predictions as CSV, Arrow, LZ4- and ZSTD-compressed Arrow and Parquet (issue 19): every report
 * figure agrees to 1e-12 relative, on 1 thread and on 2 (the files split into many small units so the
 * workers share them), and the CE sum equals Σ −log p_y computed here. The multi-class copy has the header
 * pandas writes for `pd.DataFrame(probs).assign(label=y).to_csv()` (an unnamed index column, then bare
 * class numbers), read with --score-cols; the same data under `prob_0 …` names, auto-detected, agrees too.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {describe, it} from 'node:test'

import {Float64, Int32, Table, tableToIPC, vectorFromArray} from 'apache-arrow'
import {parquetWriteBuffer} from 'hyparquet-writer'

import {compensatedValue} from '../../src/core/state/merge-rules.js'
import type {PartialState} from '../../src/core/state/partial-state.js'
import {analyzePredictions, type AnalyzeOptions} from '../../src/pipeline/analyze-predictions.js'
import {evaluateSource} from '../../src/pipeline/evaluate-source.js'
import {openSource} from '../../src/readers/open-source.js'
import type {LayoutFlags} from '../../src/readers/layout.js'
import {writeCompressedArrow} from '../../scripts/lib/compressed-arrow.js'
import {settingsFor} from '../helpers/evaluate.js'
import {evaluationConfig} from '../helpers/evaluation-config.js'
import {assertSameReport} from '../helpers/same-report.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const hasTools = ['lz4', 'zstd'].every((tool) => spawnSync(tool, ['--version']).status === 0)
const ROWS = 3000
const K = 4

function seeded(seed: number): () => number {
  return () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
}

/** 4-class probabilities (softmax of noisy logits) and labels; doubles print as shortest round trips. */
function multiclass(): {labels: number[]; probs: number[][]} {
  const random = seeded(4242)
  const labels: number[] = []
  const probs: number[][] = []
  for (let i = 0; i < ROWS; i++) {
    const y = Math.floor(random() * K)
    const logits = Array.from({length: K}, (_, j) => (random() - 0.5) * 6 + (j === y ? 1.5 : 0))
    const max = Math.max(...logits)
    const e = logits.map((x) => Math.exp(x - max))
    const sum = e.reduce((a, b) => a + b, 0)
    labels.push(y)
    probs.push(e.map((x) => x / sum))
  }
  return {labels, probs}
}

function binary(): {labels: number[]; logits: number[]} {
  const random = seeded(99)
  const labels = Array.from({length: ROWS}, () => (random() < 0.2 ? 1 : 0))
  return {labels, logits: labels.map((y) => (random() - 0.5) * 10 + (y ? 1 : -1))}
}

interface Copies {
  /** [format, path] */
  files: [string, string][]
  flags: Partial<LayoutFlags> & {scores: 'probs' | 'logits'}
  /** Σ −log p_y (natural log), computed here. */
  ceSum: number
}

/** Arrow batches of 256 rows: many units for the threads. */
function arrowTable(columns: Record<string, number[]>): Table {
  const batches = []
  for (let start = 0; start < ROWS; start += 256) {
    const part = Object.fromEntries(
      Object.entries(columns).map(([name, values]) => [
        name,
        vectorFromArray(values.slice(start, start + 256), name === 'label' ? new Int32() : new Float64()),
      ]),
    )
    batches.push(new Table(part).batches[0])
  }
  return new Table(batches)
}

function writeCopies(
  name: string,
  columns: Record<string, number[]>,
  csvHeader: string[],
  csv: string[],
): [string, string][] {
  const table = arrowTable(columns)
  const files: [string, string][] = [
    ['csv', file(`${name}.csv`, [csvHeader.join(','), ...csv].join('\n') + '\n')],
    ['arrow', file(`${name}.arrow`, tableToIPC(table, 'file'))],
    [
      'parquet',
      file(
        `${name}.parquet`,
        new Uint8Array(
          parquetWriteBuffer({
            columnData: Object.entries(columns).map(([col, values]) =>
              col === 'label'
                ? {name: col, data: Int32Array.from(values), type: 'INT32' as const, nullable: false}
                : {name: col, data: Float64Array.from(values), type: 'DOUBLE' as const, nullable: false},
            ),
            rowGroupSize: 300,
          }),
        ),
      ),
    ],
  ]
  if (hasTools) {
    files.push(['arrow lz4', file(`${name}-lz4.arrow`, writeCompressedArrow(table.batches, 'lz4', 'file'))])
    files.push(['arrow zstd', file(`${name}-zstd.arrow`, writeCompressedArrow(table.batches, 'zstd', 'file'))])
    files.push(['arrow lz4 stream', file(`${name}-lz4.arrows`, writeCompressedArrow(table.batches, 'lz4', 'stream'))])
  }
  return files
}

function multiclassCopies(): Copies {
  const {labels, probs} = multiclass()
  const classes = Array.from({length: K}, (_, j) => String(j))
  const columns = Object.fromEntries([
    ...classes.map((c, j) => [c, probs.map((p) => p[j])]),
    ['label', labels],
  ]) as Record<string, number[]>
  // pandas: an unnamed index column first, then the DataFrame's columns, the label assigned last.
  const csv = probs.map((p, i) => [i, ...p, labels[i]].join(','))
  const files = writeCopies('pandas', columns, ['', ...classes, 'label'], csv)
  const named = probs.map((p, i) => [labels[i], ...p].join(','))
  files.push([
    'csv prob_ names',
    file('named.csv', [['label', ...classes.map((c) => `prob_${c}`)].join(','), ...named].join('\n') + '\n'),
  ])
  let ceSum = 0
  labels.forEach((y, i) => (ceSum += -Math.log(probs[i][y])))
  return {files, flags: {scoreCols: classes, scores: 'probs'}, ceSum}
}

function binaryCopies(): Copies {
  const {labels, logits} = binary()
  const csv = labels.map((y, i) => `${y},${logits[i]}`)
  const files = writeCopies('binary', {label: labels, logit: logits}, ['label', 'logit'], csv)
  let ceSum = 0
  // −log σ(x) for y = 1, −log(1 − σ(x)) = −log σ(−x) for y = 0, as log1p(exp(−z)).
  labels.forEach((y, i) => (ceSum += Math.log1p(Math.exp(-(y ? logits[i] : -logits[i])))))
  return {files, flags: {scores: 'logits'}, ceSum}
}

function options(flags: Copies['flags']): AnalyzeOptions {
  return {
    onInvalid: 'fail',
    rowSumTolerance: 1e-3,
    rowSumPolicy: 'refuse',
    labelCol: 'label',
    gammas: [0, 0.5, 2, 5],
    alphaSpec: {kind: 'none'},
    easyThreshold: 0.5,
    eps: 1e-7,
    threads: 1,
    concentration: true,
    ...flags,
  }
}

/** A report as JSON with file paths and format names left out (they differ by design). */
function figures(report: unknown): unknown {
  return JSON.parse(JSON.stringify(report), (key, value: unknown) =>
    key === 'files' || key === 'path' || key === 'format' || key === 'source' ? undefined : value,
  )
}

async function stateOf(path: string, flags: Copies['flags'], threads: number): Promise<PartialState> {
  // The auto-detected copy is read without --score-cols.
  const readFlags = path.endsWith('named.csv') ? {labelCol: 'label'} : {labelCol: 'label', ...flags}
  const source = await openSource(path, readFlags)
  const {layout} = source
  const config = evaluationConfig({task: layout.task, scores: layout.scores, numClasses: layout.classes.length})
  return evaluateSource(source, settingsFor(config, layout.classes), {
    threads,
    skip: false,
    order: 0,
    ceBefore: 0,
    tuning: {minBytes: 0, unitBytes: 1 << 12},
  })
}

function sums(state: PartialState): number[] {
  const b = state.breakdown
  return [
    ...b.count,
    ...Array.from(b.ce.sum, (_, i) => compensatedValue(b.ce, i)),
    ...Array.from(b.focal.sum, (_, i) => compensatedValue(b.focal, i)),
  ]
}

for (const [what, make] of [
  ['4-class probabilities, pandas header (--score-cols 0,1,2,3)', multiclassCopies],
  ['binary logits', binaryCopies],
] as const) {
  describe(`the same predictions in every format: ${what}`, () => {
    const copies = make()
    it(`CSV, Arrow${hasTools ? ', LZ4 and ZSTD Arrow' : ''} and Parquet give one report (≤ 1e-12 relative), with CE = Σ −log p_y`, async () => {
      const [[, csvPath]] = copies.files
      const reference = await analyzePredictions([csvPath], options(copies.flags))
      assert.equal(reference.input.rows, ROWS)
      assert.ok(
        Math.abs(reference.totals.ce.sum - copies.ceSum) <= 1e-12 * copies.ceSum,
        `${reference.totals.ce.sum} vs ${copies.ceSum}`,
      )
      for (const [format, path] of copies.files.slice(1)) {
        const flags = path.endsWith('named.csv') ? {scores: copies.flags.scores} : copies.flags
        const report = await analyzePredictions([path], options(flags))
        assert.doesNotThrow(() => assertSameReport(figures(report), figures(reference), 1e-12), format)
      }
    })

    it('2 threads sharing small units give the 1-thread sums of the CSV copy in every format', async () => {
      const [[, csvPath]] = copies.files
      const expected = sums(await stateOf(csvPath, copies.flags, 1))
      for (const [format, path] of copies.files) {
        for (const threads of [1, 2]) {
          const state = await stateOf(path, copies.flags, threads)
          assert.equal(state.input.rows, ROWS, `${format}, ${threads} threads`)
          sums(state).forEach((x, i) =>
            assert.ok(
              Math.abs(x - expected[i]) <= 1e-12 * Math.abs(expected[i]),
              `${format}, ${threads} threads, sum ${i}: ${x} vs ${expected[i]}`,
            ),
          )
        }
      }
    })
  })
}
