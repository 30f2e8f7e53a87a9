/**
 * The worker side of bench/compute-limit.ts (its own bundle, so that it holds the evaluation and none of
 * the CLI's pipeline): waits for each run's start, claims chunks, evaluates them, posts its state.
 */
import {isMainThread, parentPort, workerData} from 'node:worker_threads'

import type {PredictionChunk} from '../src/core/chunk.js'
import {Evaluation} from '../src/core/evaluation.js'
import type {PartialState, Settings} from '../src/core/state/partial-state.js'

/** One chunk as the reader gave it, in shared memory. */
export interface SharedChunk {
  rows: number
  width: number
  labels: Int32Array
  scores: Float64Array
}

export interface ThreadTask {
  kind: 'compute-limit'
  settings: Settings
  chunks: SharedChunk[]
  /** [0]: the run number the threads are told to start; [1 + run]: the chunk counter of that run. */
  control: Int32Array
}

function asChunk(c: SharedChunk, file: string): PredictionChunk {
  return {
    rows: c.rows,
    width: c.width,
    labels: c.labels,
    scores: c.scores,
    locate: (row) => ({file, dataRow: row}),
  }
}

/** Claims and evaluates chunks of run `run` until none is left; returns this thread's state. */
export function evaluateRun(task: ThreadTask, run: number): PartialState {
  const evaluation = new Evaluation(task.settings)
  const counter = 1 + run
  for (
    let i = Atomics.add(task.control, counter, 1);
    i < task.chunks.length;
    i = Atomics.add(task.control, counter, 1)
  ) {
    evaluation.update(asChunk(task.chunks[i], 'memory'))
  }
  return evaluation.take({path: 'memory', order: 0})
}

if (!isMainThread && (workerData as {kind?: string} | null)?.kind === 'compute-limit') {
  const task = workerData as ThreadTask
  const port = parentPort as NonNullable<typeof parentPort>
  port.postMessage('ready')
  const repeat = task.control.length - 1
  for (let run = 0; run < repeat; run++) {
    // Wait until the main thread says run `run` starts (control[0] becomes run + 1).
    while (Atomics.load(task.control, 0) <= run) Atomics.wait(task.control, 0, run)
    port.postMessage(evaluateRun(task, run))
  }
}
