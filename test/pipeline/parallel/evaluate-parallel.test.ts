import assert from 'node:assert/strict'
import {statSync} from 'node:fs'
import {describe, it} from 'node:test'

import {LossBreakdownEvaluator, type LossBreakdownState} from '../../../src/core/evaluators/loss-breakdown.js'
import {InputError} from '../../../src/core/errors.js'
import {
  evaluateArrowParallel,
  evaluateCsvParallel,
  splitAtLineStarts,
} from '../../../src/pipeline/parallel/evaluate-parallel.js'
import {evaluatePart} from '../../../src/pipeline/parallel/evaluate-part-worker.js'
import {createWorkQueue} from '../../../src/pipeline/parallel/work-queue.js'
import {openArrow, readArrowChunks} from '../../../src/readers/arrow/from-arrow.js'
import {readCsvChunks, readCsvHeader} from '../../../src/readers/csv/from-csv.js'
import {resolveLayout} from '../../../src/readers/layout.js'
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

async function setUp(text: string): Promise<{
  path: string
  run: (threads: number) => Promise<{ok: boolean; state: LossBreakdownState}>
}> {
  const path = file(`p${text.length}.csv`, text)
  const header = await readCsvHeader(path)
  const layout = resolveLayout(
    header.columns.map((name) => ({name})),
    {labelCol: 'label'},
    path,
  )
  const config = evaluationConfig({task: layout.task, scores: layout.scores, numClasses: layout.classes.length})
  const evaluator = new LossBreakdownEvaluator(config)
  return {
    path,
    run: async (threads) => {
      const state = evaluator.init()
      if (threads === 1) {
        for await (const chunk of readCsvChunks(path, header, layout)) evaluator.update(state, chunk)
        return {ok: true, state: evaluator.finish(state)}
      }
      // Units of 16 KB: the ~1.2 MB file is cut into ~80 ranges, which the threads share out.
      const size = statSync(path).size
      const ok = await evaluateCsvParallel(path, header, layout, config, evaluator, state, {
        threads,
        size,
        unitBytes: 1 << 14,
      })
      return {ok, state: evaluator.finish(state)}
    },
  }
}

function sums(state: LossBreakdownState): number[] {
  return [
    ...state.count,
    ...state.ceSum.map((s, i) => s + state.ceComp[i]),
    ...state.focalSum.map((s, i) => s + state.focalComp[i]),
  ]
}

describe('evaluateCsvParallel', () => {
  it('gives the single-threaded sums (≤ 1e-12 relative) with 2, 3 and 5 threads, the same doubles for each', async () => {
    const {run} = await setUp(makeCsv(30000, 4))
    const single = sums((await run(1)).state)
    const two = sums((await run(2)).state)
    for (const threads of [2, 3, 5]) {
      const result = await run(threads)
      assert.equal(result.ok, true)
      sums(result.state).forEach((x, i) => {
        assert.ok(Math.abs(x - single[i]) <= 1e-12 * Math.abs(single[i]), `threads ${threads}, sum ${i}`)
      })
      // Which thread took which range must not show: ranges are merged in file order.
      assert.deepEqual(sums(result.state), two, `threads ${threads}`)
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
    const source = await openArrow(path)
    const layout = resolveLayout(source.columns, {labelCol: 'label'}, path)
    const config = evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2, gammas: [0, 1, 2.5]})
    const evaluator = new LossBreakdownEvaluator(config)
    const single = evaluator.init()
    for await (const chunk of readArrowChunks(path, source, layout)) evaluator.update(single, chunk)
    evaluator.finish(single)
    const byThreads = []
    for (const threads of [2, 3, 4]) {
      const state = evaluator.init()
      assert.equal(await evaluateArrowParallel(path, layout, config, evaluator, state, {threads, batches: 7}), true)
      evaluator.finish(state)
      const expected = sums(single)
      sums(state).forEach((x, i) => assert.ok(Math.abs(x - expected[i]) <= 1e-12 * Math.abs(expected[i]), `sum ${i}`))
      assert.equal(state.rows, single.rows)
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
    const layout = resolveLayout((await openArrow(path)).columns, {labelCol: 'label'}, path)
    const config = evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2})
    const expected = `${path} (batch 4, row 3): column "logit": expected a finite number, got NaN`
    // A thread whose first unit is batch 4 (units 0–2 taken by others) names it batch 4, not its first.
    const queue = createWorkQueue()
    queue[0] = 3
    const part = await evaluatePart({kind: 'arrow', path, layout, config, queue, batchesPerUnit: 1, size: 0})
    assert.equal(part.kind, 'failed')
    assert.deepEqual(part.kind === 'failed' && part.error, {
      kind: 'input',
      message: expected,
      location: {file: path, batch: 4, row: 3, column: 'logit'},
      reason: 'non-finite',
    })
    // Several threads: the first bad value in the file is thrown, as the InputError the sequential reader gives.
    const evaluator = new LossBreakdownEvaluator(config)
    for (const threads of [2, 3]) {
      await assert.rejects(
        evaluateArrowParallel(path, layout, config, evaluator, evaluator.init(), {threads, batches: 7}),
        (error: unknown) => error instanceof InputError && error.message === expected && error.reason === 'non-finite',
      )
    }
  })

  it('cuts ranges only at line starts and covers every byte once', async () => {
    const text = makeCsv(500, 2)
    const {path} = await setUp(text)
    const header = await readCsvHeader(path)
    const cuts = await splitAtLineStarts(path, header.dataOffset, text.length, 7)
    assert.equal(cuts[0], header.dataOffset)
    assert.equal(cuts[cuts.length - 1], text.length)
    for (const cut of cuts.slice(1, -1)) assert.equal(text[cut - 1], '\n')
  })

  it('gives up (for the sequential reader) when a range meets a quoted field or a bad value', async () => {
    const quoted = makeCsv(2000, 2).replace(/\n1,/, '\n"1",')
    assert.equal((await (await setUp(quoted)).run(2)).ok, false)
    const bad = makeCsv(2000, 2).replace(/\n1,([^,]*),/, '\n1,oops,')
    assert.equal((await (await setUp(bad)).run(2)).ok, false)
  })
})
