import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {InputError} from '../../../src/core/errors.js'
import {compensatedValue} from '../../../src/core/state/merge-rules.js'
import type {PartialState} from '../../../src/core/state/partial-state.js'
import {evaluateSource} from '../../../src/pipeline/evaluate-source.js'
import {evaluatePart} from '../../../src/pipeline/parallel/evaluate-part-worker.js'
import {createWorkQueue} from '../../../src/pipeline/parallel/work-queue.js'
import {readCsvHeader} from '../../../src/readers/csv/header.js'
import {splitAtLineStarts} from '../../../src/readers/csv/split-at-line-starts.js'
import {openSource} from '../../../src/readers/open-source.js'
import type {ArrowUnitTask} from '../../../src/readers/arrow/arrow-format.js'
import {settingsFor} from '../../helpers/evaluate.js'
import {evaluationConfig} from '../../helpers/evaluation-config.js'
import {tempDir} from '../../helpers/temp-files.js'

const file = tempDir()

function makeCsv(rows: number, k: number): string {
  let seed = 7
  const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
  const lines = [['label', ...Array.from({length: k}, (_, j) => `logit_${j}`)].join(',')]
  for (let i = 0; i < rows; i++) {
    const label = Math.floor(random() * k)
    const logits = Array.from({length: k}, (_, j) => String((random() - 0.5) * 8 + (j === label ? 2 : 0)))
    lines.push([label, ...logits].join(','))
  }
  return lines.join('\n') + '\n'
}

/** The file's state on `threads` threads, split into units of `unitBytes` (small files split too). */
async function evaluateFile(
  path: string,
  threads: number,
  options: {unitBytes?: number; skip?: boolean; gammas?: number[]} = {},
): Promise<PartialState> {
  const source = await openSource(path, {labelCol: 'label'})
  const {layout} = source
  const config = evaluationConfig({
    task: layout.task,
    scores: layout.scores,
    numClasses: layout.classes.length,
    ...(options.gammas ? {gammas: options.gammas} : {}),
  })
  return evaluateSource(source, settingsFor(config, layout.classes), {
    threads,
    skip: options.skip === true,
    order: 0,
    ceBefore: 0,
    tuning: {minBytes: 0, unitBytes: options.unitBytes ?? 1 << 14},
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

describe('evaluateUnits', () => {
  it('CSV: the single-threaded sums (≤ 1e-12 relative) with 2, 3 and 5 threads, the same doubles for each', async () => {
    // Units of 16 KB: the ~1.2 MB file is cut into ~80 ranges, which the threads share out.
    const path = file('multi.csv', makeCsv(30000, 4))
    const single = sums(await evaluateFile(path, 1))
    const two = sums(await evaluateFile(path, 2))
    for (const threads of [2, 3, 5]) {
      const state = await evaluateFile(path, threads)
      assert.equal(state.input.rows, 30000)
      assert.deepEqual(state.input.files, [{path, order: 0, rows: 30000}])
      sums(state).forEach((x, i) => {
        assert.ok(Math.abs(x - single[i]) <= 1e-12 * Math.abs(single[i]), `threads ${threads}, sum ${i}`)
      })
      // Which thread took which range must not show: ranges are merged in file order.
      assert.deepEqual(sums(state), two, `threads ${threads}`)
    }
  })

  it('Arrow: threads sharing the batches give the single-threaded sums, the same doubles for each count', async () => {
    const {Table, tableFromArrays, tableToIPC} = await import('apache-arrow')
    let seed = 3
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
    const batches = Array.from({length: 7}, () => {
      const n = 1000 + Math.floor(random() * 500)
      return tableFromArrays({
        label: Int32Array.from({length: n}, () => (random() < 0.1 ? 1 : 0)),
        logit: Float64Array.from({length: n}, () => (random() - 0.7) * 10),
      }).batches[0]
    })
    const path = file('batches.arrow', tableToIPC(new Table(batches), 'file'))
    const gammas = [0, 1, 2.5]
    const single = await evaluateFile(path, 1, {gammas})
    const byThreads = []
    for (const threads of [2, 3, 4]) {
      const state = await evaluateFile(path, threads, {gammas})
      const expected = sums(single)
      sums(state).forEach((x, i) => assert.ok(Math.abs(x - expected[i]) <= 1e-12 * Math.abs(expected[i]), `sum ${i}`))
      assert.equal(state.input.rows, single.input.rows)
      byThreads.push(sums(state))
    }
    assert.deepEqual(byThreads[1], byThreads[0])
    assert.deepEqual(byThreads[2], byThreads[0])
  })

  it('Arrow: a bad value is named by its batch in the file and its row in the batch, whichever thread reads it', async () => {
    const {Table, tableFromArrays, tableToIPC} = await import('apache-arrow')
    // 7 batches of 10 rows; NaN in batch 4 row 3 and batch 6 row 8 (1-based).
    const batches = Array.from({length: 7}, (_, b) => {
      const logit = Float64Array.from({length: 10}, (_, i) => i - 5)
      if (b === 3) logit[2] = NaN
      if (b === 5) logit[7] = NaN
      return tableFromArrays({label: Int32Array.from({length: 10}, (_, i) => i % 2), logit}).batches[0]
    })
    const path = file('nan-batches.arrow', tableToIPC(new Table(batches), 'file'))
    const source = await openSource(path, {labelCol: 'label'})
    const layout = source.layout
    await source.close()
    const config = evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2})
    const expected = `${path} (batch 4, row 3): column "logit": expected a finite number, got NaN`
    // A thread whose first unit is batch 4 (units 0–2 taken by others) names it batch 4, not its first.
    const queue = createWorkQueue()
    queue[0] = 3
    const unit: ArrowUnitTask = {format: 'arrow', path, layout, batchesPerUnit: 1, size: 0, batches: 7}
    const settings = settingsFor(config)
    const part = await evaluatePart({unit, units: 7, settings, skip: false, file: {path, order: 0}, queue})
    assert.equal(part.kind, 'failed')
    assert.deepEqual(part.kind === 'failed' && part.error, {
      kind: 'input',
      problem: 'expected a finite number, got NaN',
      // The row's index among the unit's rows (batch 4 is the unit's first): rebased by the units before it.
      location: {file: path, batch: 4, row: 3, column: 'logit', dataRow: 2},
      reason: 'non-finite',
    })
    // Several threads: the first bad value in the file is thrown, as the InputError the sequential reader gives.
    for (const threads of [1, 2, 3]) {
      await assert.rejects(
        evaluateFile(path, threads),
        (error: unknown) =>
          error instanceof InputError &&
          error.message === expected &&
          error.reason === 'non-finite' &&
          error.location?.dataRow === 32,
      )
    }
  })

  it('CSV: a bad value in a later range is named by its line in the file, as the sequential reader names it', async () => {
    const text = makeCsv(3000, 2)
    const lines = text.split('\n')
    lines[2345] = '1,oops,0.5'
    const path = file('bad-line.csv', lines.join('\n'))
    for (const threads of [1, 2, 3]) {
      await assert.rejects(
        evaluateFile(path, threads, {unitBytes: 4096}),
        (error: unknown) =>
          error instanceof InputError &&
          error.message === `${path}:2346: column "logit_0": expected a number, got "oops"` &&
          error.location?.dataRow === 2344,
        `threads ${threads}`,
      )
    }
  })

  it('gives up for the sequential reader only where a range cannot be trusted: a quoted field', async () => {
    const quoted = makeCsv(2000, 2).replace(/\n1,/, '\n"1",')
    const path = file('quoted.csv', quoted)
    const state = await evaluateFile(path, 2, {unitBytes: 4096})
    assert.equal(state.input.rows, 2000)
    assert.deepEqual(sums(state), sums(await evaluateFile(path, 1)))
  })
})

describe('splitAtLineStarts', () => {
  it('cuts ranges only at line starts and covers every byte once', async () => {
    const text = makeCsv(500, 2)
    const path = file('cuts.csv', text)
    const header = await readCsvHeader(path)
    const cuts = await splitAtLineStarts(path, header.dataOffset, text.length, 7)
    assert.equal(cuts[0], header.dataOffset)
    assert.equal(cuts[cuts.length - 1], text.length)
    for (const cut of cuts.slice(1, -1)) assert.equal(text[cut - 1], '\n')
  })
})
