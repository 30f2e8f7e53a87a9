import assert from 'node:assert/strict'
import {statSync} from 'node:fs'
import {describe, it} from 'node:test'
import type {Worker} from 'node:worker_threads'

import {
  evaluatePart,
  type PartMessage,
  type PartResult,
  type PartTask,
} from '../../../src/pipeline/parallel/evaluate-part-worker.js'
import {createWorkQueue} from '../../../src/pipeline/parallel/work-queue.js'
import {prestartedWorkers, prestartWorkers, takeWorker} from '../../../src/pipeline/parallel/worker-pool.js'
import type {CsvUnitTask} from '../../../src/readers/csv/csv-format.js'
import {readCsvHeader} from '../../../src/readers/csv/header.js'
import {resolveLayout} from '../../../src/readers/layout.js'
import {settingsFor} from '../../helpers/evaluate.js'
import {evaluationConfig} from '../../helpers/evaluation-config.js'
import {tempDir} from '../../helpers/temp-files.js'

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
  it('a prestarted worker runs the task it is given, and only that, like the main thread does', async () => {
    const lines = ['label,logit']
    for (let i = 0; i < 5000; i++) lines.push(`${i % 7 === 0 ? 1 : 0},${((i * 37) % 101) / 10 - 5}`)
    const path = file('pool.csv', lines.join('\n') + '\n')
    const header = await readCsvHeader(path)
    const layout = resolveLayout(
      header.columns.map((name) => ({name})),
      {labelCol: 'label'},
      path,
    )
    const settings = settingsFor(evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2, gammas: [0, 2]}))
    // The whole file as one unit; each run gets a queue of its own.
    const unit: CsvUnitTask = {format: 'csv', path, header, layout, cuts: [header.dataOffset, statSync(path).size]}
    const task = (): PartTask => ({
      unit,
      units: 1,
      settings,
      skip: false,
      file: {path, order: 0},
      queue: createWorkQueue(),
    })

    const before = prestartedWorkers()
    prestartWorkers(1)
    assert.equal(prestartedWorkers(), before + 1)
    // Taken at once, with nothing timed: the task may reach the worker before it has booted or after,
    // and its port holds the task until it listens. The listeners are on before any message can arrive,
    // so anything the worker did on its own (a result before the task's) would be seen.
    const worker = takeWorker(task())
    assert.equal(prestartedWorkers(), before)
    const fromWorker = await result(worker)
    await worker.terminate()

    const onMain = await evaluatePart(task())
    assert.equal(fromWorker.kind, 'done')
    assert.equal(onMain.kind, 'done')
    if (fromWorker.kind !== 'done' || onMain.kind !== 'done') return
    assert.deepEqual(
      fromWorker.units.map((u) => u.unit),
      [0],
    )
    const [worker0, main0] = [fromWorker.units[0].state, onMain.units[0].state]
    assert.equal(worker0.input.rows, 5000)
    assert.deepEqual(worker0.breakdown, main0.breakdown)
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
    const settings = settingsFor(evaluationConfig({task: 'binary', scores: 'logits', numClasses: 2}))
    const unit: CsvUnitTask = {format: 'csv', path, header, layout, cuts: [header.dataOffset, statSync(path).size]}
    const task: PartTask = {unit, units: 1, settings, skip: false, file: {path, order: 0}, queue: createWorkQueue()}
    const worker = takeWorker(task)
    const done = await result(worker)
    await worker.terminate()
    assert.equal(done.kind, 'done')
    if (done.kind === 'done') assert.equal(done.units[0].state.input.rows, 2)
  })
})
