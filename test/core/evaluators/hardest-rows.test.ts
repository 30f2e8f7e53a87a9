/**
 * The hardest rows (--top) against a stable argsort of an independent per-row computation written here:
 * CE from the scores by plain Math (softplus, log-sum-exp, −log of the clamped probability), the physical
 * line counted while the file is written, the data row as the record's index. Inputs with many ties (scores
 * from a coarse grid, repeated), quoted fields with newlines, CRLF, several files, Arrow batches, threads 1
 * and 2 (units of a few KB, so small files split), and merges of states in any order.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {DuckDBInstance} from '@duckdb/node-api'
import {
  Field,
  Float64,
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

import {type HardEntry, HARDEST_RULES, type HardestState} from '../../../src/core/evaluators/hardest-rows.js'
import {Evaluation} from '../../../src/core/evaluation.js'
import {mergeSection} from '../../../src/core/state/merge-rules.js'
import {
  decodePartialState,
  encodePartialState,
  mergeStates,
  type PartialState,
} from '../../../src/core/state/partial-state.js'
import {emptyPartialState} from '../../../src/core/evaluation.js'
import {evaluateSource} from '../../../src/pipeline/evaluate-source.js'
import {openSource} from '../../../src/readers/open-source.js'
import {settingsFor} from '../../helpers/evaluate.js'
import {evaluationConfig} from '../../helpers/evaluation-config.js'
import {tempDir} from '../../helpers/temp-files.js'

const file = tempDir()

/** What the reference says about one row (element). */
interface RefRow {
  file: string
  order: number
  row: number
  line: number | null
  batch: number | null
  batchRow: number | null
  label: number
  predicted: number
  pt: number
  ce: number
  loss: number
  /** Binary: the logit the row was written with. */
  x?: number
  /** With --id-col: the row's id as written. */
  id?: string | null
}

function random(seed: number): () => number {
  let s = seed
  return () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646
}

const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))

/** Binary logits CE: softplus(−x) for label 1, softplus(x) for label 0. */
function binaryRef(label: number, x: number): {ce: number; pt: number; predicted: number} {
  const ce = label === 1 ? softplus(-x) : softplus(x)
  return {ce, pt: Math.exp(-ce), predicted: x > 0 ? 1 : 0}
}

/** Multi-class logits CE: log Σ exp(x_j) − x_label; argmax the first of the largest. */
function multiclassRef(label: number, xs: number[]): {ce: number; pt: number; predicted: number} {
  const m = Math.max(...xs)
  const lse = m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0))
  const ce = lse - xs[label]
  return {ce, pt: Math.exp(-ce), predicted: xs.indexOf(m)}
}

/** A stable sort by loss, descending: the expected list. */
function stableTop(rows: RefRow[], n: number): RefRow[] {
  return rows
    .map((r, i) => ({r, i}))
    .sort((a, b) => b.r.loss - a.r.loss || a.i - b.i)
    .slice(0, n)
    .map(({r}) => r)
}

/**
 * Each kept row carries the id its row was written with, and the i-th loss is the reference's i-th (to 1e-12:
 * where two losses are a rounding apart, which of them ranks first is the ordering tests' concern, not this).
 */
function assertIdsOfRows(actual: HardEntry[], ref: RefRow[], n: number, what: string): void {
  const expected = stableTop(ref, n)
  assert.equal(actual.length, n, `${what}: length`)
  actual.forEach((a, i) => {
    assert.equal(a.id, ref[a.row].id, `${what} #${i} (row ${a.row}) id`)
    const e = expected[i].loss
    assert.ok(Math.abs(a.loss - e) <= 1e-12 * Math.max(1, e), `${what} #${i} loss ${a.loss} vs ${e}`)
  })
}

function assertSameRows(actual: HardEntry[], expected: RefRow[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`)
  actual.forEach((a, i) => {
    const e = expected[i]
    const at = `${what} #${i}`
    assert.equal(a.file, e.file, `${at} file`)
    assert.equal(a.row, e.row, `${at} row`)
    assert.equal(a.line, e.line, `${at} line`)
    assert.equal(a.batch, e.batch, `${at} batch`)
    assert.equal(a.batchRow, e.batchRow, `${at} batchRow`)
    assert.equal(a.label, e.label, `${at} label`)
    assert.equal(a.predicted, e.predicted, `${at} predicted`)
    assert.equal(a.id, e.id ?? null, `${at} id`)
    for (const key of ['ce', 'loss', 'pt'] as const) {
      assert.ok(
        Math.abs(a[key] - e[key]) <= 1e-12 * Math.max(1, Math.abs(e[key])),
        `${at} ${key}: ${a[key]} vs ${e[key]}`,
      )
    }
  })
}

/**
 * A binary logits CSV of `rows` rows with a third column `note`; every `quoteEvery`-th note is a quoted
 * field holding a newline (the record then spans two lines); `eol` '\n' or '\r\n'. Logits from a grid of
 * 0.25 steps, so most losses tie with others. Returns the text and the reference rows.
 */
function binaryCsv(
  path: string,
  order: number,
  rows: number,
  options: {
    seed: number
    eol?: string
    quoteEvery?: number
    gamma?: number | null
    step?: number
    /** An `id` column first: true with every 11th id quoted (a comma, a quote, a line break); 'plain' none. */
    ids?: boolean | 'plain'
  },
): {text: string; ref: RefRow[]} {
  const eol = options.eol ?? '\n'
  const next = random(options.seed)
  const lines = [options.ids ? 'id,label,logit,note' : `label,logit,note`]
  let line = 2
  const ref: RefRow[] = []
  for (let i = 0; i < rows; i++) {
    const label = next() < 0.3 ? 1 : 0
    const step = options.step ?? 0.25
    const x = Math.round(((next() - 0.5) * 10) / step) * step
    const quoted = options.quoteEvery !== undefined && i % options.quoteEvery === 3
    const note = quoted ? `"two${eol}lines, ""quoted"""` : `n${i}`
    // Ids that look like numbers (never taken for scores), and every 11th quoted, with a comma and a line break.
    const quotedId = options.ids === true && i % 11 === 5
    const id = quotedId ? `img ${i}, "cat"${eol}b.png` : String(1000 + i)
    const idField = quotedId ? `"${id.replaceAll('"', '""')}",` : options.ids ? `${id},` : ''
    lines.push(`${idField}${label},${x},${note}`)
    const {ce, pt, predicted} = binaryRef(label, x)
    const q = 1 - pt
    const loss = options.gamma === undefined || options.gamma === null ? ce : Math.pow(q, options.gamma) * ce
    ref.push({
      file: path,
      order,
      row: i,
      line,
      batch: null,
      batchRow: null,
      label,
      predicted,
      pt,
      ce,
      loss,
      x,
      ...(options.ids ? {id} : {}),
    })
    line += (quoted ? 2 : 1) + (quotedId ? 1 : 0)
  }
  return {text: lines.join(eol) + eol, ref}
}

/**
 * A multi-class logits Arrow file of `batches` batches of `rows` rows, K classes, logits on a coarse grid;
 * `ids` adds a first column `id`: Utf8 (every 7th null) or Int64.
 */
function multiclassArrow(
  path: string,
  order: number,
  batches: number,
  rows: number,
  K: number,
  seed: number,
  ids?: 'utf8' | 'int64',
) {
  const next = random(seed)
  const fields: Field[] = [
    ...(ids === undefined ? [] : [new Field('id', ids === 'utf8' ? new Utf8() : new Int64(), ids === 'utf8')]),
    new Field('label', new Int32(), false),
  ]
  for (let j = 0; j < K; j++) fields.push(new Field(`logit_${j}`, new Float64(), false))
  const schema = new Schema(fields)
  const out: RecordBatch[] = []
  const ref: RefRow[] = []
  for (let b = 0; b < batches; b++) {
    const labels = Int32Array.from({length: rows}, () => Math.floor(next() * K))
    const columns = Array.from({length: K}, () => new Float64Array(rows))
    const idTexts = Array.from({length: rows}, (_, i) =>
      ids === 'utf8' ? (i % 7 === 3 ? null : `sample-${b}/${i} ünï`) : String(2 ** 40 + b * rows + i),
    )
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < K; j++) columns[j][i] = Math.round((next() - 0.5) * 8)
      const xs = columns.map((c) => c[i])
      const {ce, pt, predicted} = multiclassRef(labels[i], xs)
      ref.push({
        file: path,
        order,
        row: b * rows + i,
        line: null,
        batch: b + 1,
        batchRow: i + 1,
        label: labels[i],
        predicted,
        pt,
        ce,
        loss: ce,
        ...(ids === undefined ? {} : {id: idTexts[i]}),
      })
    }
    const idData =
      ids === 'utf8'
        ? [vectorFromArray(idTexts, new Utf8()).data[0]]
        : ids === 'int64'
          ? [makeData({type: new Int64(), data: BigInt64Array.from(idTexts, (t) => BigInt(t as string))})]
          : []
    const children = [
      ...idData,
      makeData({type: new Int32(), data: labels}),
      ...columns.map((data) => makeData({type: new Float64(), data})),
    ]
    out.push(new RecordBatch(schema, makeData({type: new Struct(schema.fields), length: rows, children})))
  }
  return {bytes: tableToIPC(new Table(out), 'file'), ref}
}

/** Every file's state (threads, units of `unitBytes`), merged in file order: what report computes. */
async function evaluateFiles(
  paths: string[],
  top: {rows: number; perClass: number; gamma: number | null},
  threads: number,
  unitBytes = 1 << 12,
  extra: {concentration?: boolean; metrics?: boolean} = {},
  idCol?: string,
): Promise<PartialState> {
  let merged: PartialState | undefined
  for (const [order, path] of paths.entries()) {
    const source = await openSource(path, {labelCol: 'label', idCol})
    const {layout} = source
    const config = evaluationConfig({
      task: layout.task,
      scores: layout.scores,
      numClasses: layout.classes.length,
      hardest: top,
      ...extra,
    })
    const state = await evaluateSource(source, settingsFor(config, layout.classes), {
      threads,
      skip: false,
      order,
      ceBefore: 0,
      tuning: {minBytes: 0, unitBytes},
    })
    merged = merged === undefined ? state : mergeStates(merged, state)
  }
  return merged as PartialState
}

function hardestOf(state: PartialState): HardestState {
  const h = state.sections.hardest
  assert.ok(h, 'the state holds a hardest section')
  return h
}

describe('hardest rows', () => {
  it('CSV, binary logits (the fused kernel): a stable argsort of the reference, ties in file order, threads 1 and 2', async () => {
    const a = file('a.csv')
    const b = file('b.csv')
    const one = binaryCsv(a, 0, 3000, {seed: 11})
    // The same rows again, CRLF: every loss of b ties with one of a.
    const two = binaryCsv(b, 1, 2000, {seed: 11, eol: '\r\n'})
    file('a.csv', one.text)
    file('b.csv', two.text)
    const all = [...one.ref, ...two.ref]
    const sorted = stableTop(all, all.length)
    // N cuts through a group of equal losses, so which of them are kept is decided by input order alone.
    let n = 10
    while (sorted[n - 1].loss !== sorted[n].loss) n++
    assert.ok(n < 200)
    const expected = sorted.slice(0, n)
    for (const threads of [1, 2]) {
      const state = await evaluateFiles([a, b], {rows: n, perClass: 0, gamma: null}, threads)
      assertSameRows(hardestOf(state).rows.entries, expected, `threads ${threads}`)
    }
  })

  it('CSV with CRLF and quoted fields holding newlines: the line where each record starts', async () => {
    const path = file('quoted.csv')
    const made = binaryCsv(path, 0, 1500, {seed: 5, eol: '\r\n', quoteEvery: 7})
    file('quoted.csv', made.text)
    // Every row, so every line number is checked.
    const expected = stableTop(made.ref, 1500)
    for (const threads of [1, 2]) {
      const state = await evaluateFiles([path], {rows: 1500, perClass: 0, gamma: null}, threads)
      assertSameRows(hardestOf(state).rows.entries, expected, `threads ${threads}`)
    }
  })

  it('--top-gamma ranks by (1 − p_t)^γ · CE', async () => {
    const path = file('gamma.csv')
    const made = binaryCsv(path, 0, 2000, {seed: 9, gamma: 2})
    file('gamma.csv', made.text)
    const state = await evaluateFiles([path], {rows: 40, perClass: 0, gamma: 2}, 1)
    assertSameRows(hardestOf(state).rows.entries, stableTop(made.ref, 40), 'γ 2')
  })

  it('binary logits over many blocks (the kernel writes only rows that could enter): per class, --top-gamma, other sections on', async () => {
    const path = file('many.csv')
    // 60 000 rows: several blocks of 8192, in units of 256 KB; logits on a fine grid (ties, but not all of
    // the top), so rows just above a list's threshold keep arriving.
    const made = binaryCsv(path, 0, 60000, {seed: 23, gamma: 2, step: 0.001})
    file('many.csv', made.text)
    for (const extra of [{}, {concentration: true, metrics: true}]) {
      for (const threads of [1, 2]) {
        const state = await evaluateFiles([path], {rows: 50, perClass: 7, gamma: 2}, threads, 1 << 18, extra)
        const h = hardestOf(state)
        const what = `threads ${threads}, ${JSON.stringify(extra)}`
        assertSameRows(h.rows.entries, stableTop(made.ref, 50), what)
        for (const c of [0, 1]) {
          const expected = stableTop(
            made.ref.filter((r) => r.label === c),
            7,
          )
          assertSameRows(h.byClass.lists[c], expected, `${what}, class ${c}`)
        }
      }
    }
  })

  it('Arrow, multi-class logits, several batches: batch and batchRow, per class, threads 1 and 2', async () => {
    const path = file('multi.arrow')
    const made = multiclassArrow(path, 0, 6, 500, 4, 21)
    file('multi.arrow', made.bytes)
    for (const threads of [1, 2]) {
      const state = await evaluateFiles([path], {rows: 30, perClass: 5, gamma: null}, threads, 1 << 14)
      const h = hardestOf(state)
      assertSameRows(h.rows.entries, stableTop(made.ref, 30), `threads ${threads}`)
      for (let c = 0; c < 4; c++) {
        const expected = stableTop(
          made.ref.filter((r) => r.label === c),
          5,
        )
        assertSameRows(h.byClass.lists[c], expected, `threads ${threads}, class ${c}`)
      }
    }
  })

  it('merges associatively and commutatively, with the empty state as identity, and survives the JSON form', async () => {
    const path = file('m.csv')
    const made = binaryCsv(path, 0, 900, {seed: 3})
    file('m.csv', made.text)
    const top = {rows: 25, perClass: 3, gamma: null}
    const config = evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2, hardest: top})
    const settings = settingsFor(config, ['0', '1'])
    // Three parts of the rows, each its own "file order" 0 but a different path, as shards are.
    const parts = [0, 1, 2].map((p) => {
      const evaluation = new Evaluation(settings)
      const rows = made.ref.filter((_, i) => i % 3 === p)
      const labels = Int32Array.from(rows, (r) => r.label)
      const scores = Float64Array.from(rows, (r) => r.x as number)
      evaluation.update({
        rows: rows.length,
        width: 1,
        labels,
        scores,
        locate: (i) => ({file: `part-${p}`, line: i + 2, dataRow: i}),
      })
      return evaluation.take({path: `part-${p}`, order: 0})
    })
    const [x, y, z] = parts
    const left = mergeStates(mergeStates(x, y), z)
    const right = mergeStates(x, mergeStates(z, y))
    assert.deepEqual(hardestOf(left), hardestOf(right))
    assert.deepEqual(hardestOf(mergeStates(emptyPartialState(settings), left)), hardestOf(left))
    const decoded = decodePartialState(JSON.parse(JSON.stringify(encodePartialState(left))), emptyPartialState)
    assert.deepEqual(hardestOf(decoded), hardestOf(left))
    // The merged list is the first 25 of every part's rows by (loss desc, path, row).
    const all = parts.flatMap((_, i) =>
      made.ref.filter((_, k) => k % 3 === i).map((r, row) => ({...r, file: `part-${i}`, row, line: row + 2})),
    )
    const expected = all
      .map((r, i) => ({r, i}))
      .sort((a, b) => b.r.loss - a.r.loss || a.i - b.i)
      .slice(0, 25)
      .map(({r}) => r)
    assertSameRows(hardestOf(left).rows.entries, expected, 'merged')
  })

  it('--id-col, CSV: every row keeps its id — numeric-looking, quoted with a comma, a quote and a line break — threads 1 and 2', async () => {
    const a = file('ids-a.csv')
    const b = file('ids-b.csv')
    const one = binaryCsv(a, 0, 1200, {seed: 31, ids: true, eol: '\r\n', quoteEvery: 13})
    // Plain ids, no quotes: this file splits into units read by both threads.
    const two = binaryCsv(b, 1, 1500, {seed: 32, ids: 'plain'})
    file('ids-a.csv', one.text)
    file('ids-b.csv', two.text)
    const all = [...one.ref, ...two.ref]
    // Every row is listed, so every id (and line) is checked.
    const expected = stableTop(all, all.length)
    for (const threads of [1, 2]) {
      const state = await evaluateFiles(
        [a, b],
        {rows: all.length, perClass: 3, gamma: null},
        threads,
        1 << 12,
        {},
        'id',
      )
      const h = hardestOf(state)
      assertSameRows(h.rows.entries, expected, `threads ${threads}`)
      assertSameRows(
        h.byClass.lists[1],
        stableTop(
          all.filter((r) => r.label === 1),
          3,
        ),
        `threads ${threads}, class 1`,
      )
    }
    // Without --id-col the rows are the same and carry no id.
    const plain = await evaluateFiles([b], {rows: 5, perClass: 0, gamma: null}, 1)
    assert.deepEqual(
      hardestOf(plain).rows.entries.map((e) => e.id),
      [null, null, null, null, null],
    )
  })

  it('--id-col, Arrow: Utf8 ids (nulls stay null; apache-arrow path) and Int64 ids (native path), threads 1 and 2', async () => {
    for (const kind of ['utf8', 'int64'] as const) {
      const path = file(`ids-${kind}.arrow`)
      // The grid of the test above (K = 4, seed 21): its ties are exact in both the reference and the kernel.
      const made = multiclassArrow(path, 0, 6, 500, 4, 21, kind)
      file(`ids-${kind}.arrow`, made.bytes)
      for (const threads of [1, 2]) {
        const state = await evaluateFiles([path], {rows: 200, perClass: 0, gamma: null}, threads, 1 << 14, {}, 'id')
        assertIdsOfRows(hardestOf(state).rows.entries, made.ref, 200, `${kind}, threads ${threads}`)
      }
    }
  })

  it('--id-col, Parquet written by DuckDB: VARCHAR and BIGINT ids over several row groups, threads 1 and 2', async () => {
    const csv = file('ids-pq.csv')
    const made = binaryCsv(csv, 0, 5000, {seed: 43, ids: 'plain'})
    file('ids-pq.csv', made.text)
    const db = await DuckDBInstance.create(':memory:', {threads: '1'})
    const sql = await db.connect()
    for (const type of ['VARCHAR', 'BIGINT']) {
      const path = file(`ids-${type}.parquet`)
      await sql.run(
        `COPY (SELECT id::${type} AS id, label::INTEGER AS label, logit::DOUBLE AS logit FROM read_csv('${csv}', header = true, all_varchar = true)) ` +
          `TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
      )
      for (const threads of [1, 2]) {
        const h = hardestOf(
          await evaluateFiles([path], {rows: 300, perClass: 0, gamma: null}, threads, 1 << 12, {}, 'id'),
        )
        assertIdsOfRows(h.rows.entries, made.ref, 300, `${type}, threads ${threads}`)
      }
    }
    sql.closeSync()
  })

  it('one evaluation over several units keeps what can still enter: a later unit earlier in input order wins ties', () => {
    // Each take hands over a full list, and the evaluation then passes over rows below its least loss. A row
    // as hard as that least loss may still come first in input order (units of another file, or out of
    // order): it must enter. Logits 5 and −5 give equal CE for labels 0 and 1.
    const top = {rows: 3, perClass: 2, gamma: null}
    const config = evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2, hardest: top})
    const settings = settingsFor(config, ['0', '1'])
    const evaluation = new Evaluation(settings)
    const unit = (path: string, order: number, labels: number[], logits: number[]): PartialState => {
      evaluation.update({
        rows: labels.length,
        width: 1,
        labels: Int32Array.from(labels),
        scores: Float64Array.from(logits),
        locate: (i) => ({file: path, line: i + 2, dataRow: i}),
      })
      return evaluation.take({path, order})
    }
    // File b (order 1) first: its 3 hardest have CE softplus(5), softplus(5), softplus(4).
    const b = unit('b.csv', 1, [0, 1, 0, 0, 1], [5, -5, 4, 1, 3])
    // Then file a (order 0): a row of CE softplus(4) ties b's least kept and comes first in input order;
    // one of softplus(3.5) cannot enter.
    const a = unit('a.csv', 0, [1, 0, 1], [-4, 3.5, 2])
    const merged = hardestOf(mergeStates(b, a))
    const kept = merged.rows.entries.map((e) => `${e.file}:${e.row}`)
    assert.deepEqual(kept, ['b.csv:0', 'b.csv:1', 'a.csv:0'])
    assert.deepEqual(
      merged.byClass.lists.map((list) => list.map((e) => `${e.file}:${e.row}`)),
      [
        ['b.csv:0', 'b.csv:2'],
        ['b.csv:1', 'a.csv:0'],
      ],
    )
  })

  it('refuses to merge lists of different bounds, naming the field', () => {
    const a: HardestState = {rows: {limit: 2, entries: []}, byClass: {limit: 0, lists: []}}
    const b: HardestState = {rows: {limit: 3, entries: []}, byClass: {limit: 0, lists: []}}
    assert.throws(() => mergeSection(HARDEST_RULES, a, b), /sections\.hardest\.rows\.limit: 2 vs 3/)
  })
})
