import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import type {Worker} from 'node:worker_threads'

import {LossBreakdownEvaluator} from '../../src/core/evaluators/loss-breakdown.js'
import {
  evaluatePart,
  type PartMessage,
  type PartResult,
  type PartTask,
} from '../../src/parallel/evaluate-part-worker.js'
import {prestartedWorkers, prestartWorkers, takeWorker} from '../../src/parallel/worker-pool.js'
import {readCsvHeader} from '../../src/readers/from-csv.js'
import {resolveLayout} from '../../src/readers/layout.js'
import {evaluationConfig} from '../helpers/evaluation-config.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

function result(worker: Worker): Promise<PartResult> {
  return new Promise((resolve, reject) => {
    worker.on('message', (message: PartMessage) => {
      if (message.kind !== 'progress') resolve(message)
    })
    worker.once('error', reject)
  })
}

describe('worker pool', () => {
  it('a prestarted worker waits, then runs the task it is given like the main thread does', async () => {
    const lines = ['label,logit']
    for (let i = 0; i < 5000; i++) lines.push(`${i % 7 === 0 ? 1 : 0},${((i * 37) % 101) / 10 - 5}`)
    const path = file('pool.csv', lines.join('\n') + '\n')
    const header = await readCsvHeader(path)
    const layout = resolveLayout(
      header.columns.map((name) => ({name})),
      {labelCol: 'label'},
      path,
    )
    const config = evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2, gammas: [0, 2]})
    const task: PartTask = {kind: 'csv', path, header, layout, config, range: {start: header.dataOffset, end: Infinity}}

    const before = prestartedWorkers()
    prestartWorkers(1)
    assert.equal(prestartedWorkers(), before + 1)
    // Give it time to boot and wait: a prestarted worker must not run anything on its own.
    await new Promise((resolve) => setTimeout(resolve, 200))
    const worker = takeWorker(task)
    assert.equal(prestartedWorkers(), before)
    const fromWorker = await result(worker)
    await worker.terminate()

    const onMain = await evaluatePart(task)
    assert.equal(fromWorker.kind, 'done')
    assert.equal(onMain.kind, 'done')
    if (fromWorker.kind !== 'done' || onMain.kind !== 'done') return
    const evaluator = new LossBreakdownEvaluator(config)
    evaluator.finish(onMain.state)
    evaluator.finish(fromWorker.state)
    assert.equal(fromWorker.state.rows, 5000)
    assert.deepEqual([...fromWorker.state.ceSum], [...onMain.state.ceSum])
    assert.deepEqual([...fromWorker.state.focalSum], [...onMain.state.focalSum])
  })

  it('takeWorker starts a new worker when none is waiting', async () => {
    while (prestartedWorkers() > 0) await takeWorker({kind: 'none'}).terminate()
    const path = file('tiny.csv', 'label,logit\n1,0.5\n0,-2\n')
    const header = await readCsvHeader(path)
    const layout = resolveLayout(
      header.columns.map((name) => ({name})),
      {labelCol: 'label'},
      path,
    )
    const config = evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2})
    const worker = takeWorker({
      kind: 'csv',
      path,
      header,
      layout,
      config,
      range: {start: header.dataOffset, end: Infinity},
    })
    const done = await result(worker)
    await worker.terminate()
    assert.equal(done.kind, 'done')
    if (done.kind === 'done') assert.equal(done.state.rows, 2)
  })
})
