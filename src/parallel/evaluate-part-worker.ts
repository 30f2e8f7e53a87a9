/**
 * Worker thread entry: evaluates one part of a file — a byte range of a CSV file, or every step-th record
 * batch of an Arrow IPC file — and posts back the evaluator state. See evaluate-parallel.ts.
 */
import {parentPort, workerData} from 'node:worker_threads'

import type {PredictionChunk} from '../core/chunk.js'
import type {EvaluationConfig} from '../core/config.js'
import {LossBreakdownEvaluator, type LossBreakdownState} from '../core/evaluators/loss-breakdown.js'
import {type BatchStride, openArrow, readArrowChunks} from '../readers/from-arrow.js'
import {type CsvHeader, QuotedFieldInRange, readCsvChunks} from '../readers/from-csv.js'
import type {Layout} from '../readers/layout.js'
import {AWAIT_TASK} from './worker-pool.js'

export type PartTask = {path: string; layout: Layout; config: EvaluationConfig} & (
  | {kind: 'csv'; header: CsvHeader; range: {start: number; end: number}}
  /** `size`: the file's bytes, for progress (each batch stands for an equal share). */
  | {kind: 'arrow'; stride: BatchStride; size: number}
)

export type PartResult =
  {kind: 'done'; state: LossBreakdownState} | {kind: 'quoted'} | {kind: 'failed'; message: string}

/** A worker's message: bytes read so far (for the progress bar), then exactly one result. */
export type PartMessage = PartResult | {kind: 'progress'; bytes: number}

async function chunksOf(task: PartTask, onBytes?: (bytes: number) => void): Promise<AsyncIterable<PredictionChunk>> {
  if (task.kind === 'csv') {
    return readCsvChunks(task.path, task.header, task.layout, {range: task.range, refuseQuotes: true, onBytes})
  }
  const source = await openArrow(task.path, task.stride)
  const perBatch = task.size / (source.numBatches || 1)
  return readArrowChunks(task.path, source, task.layout, undefined, () => onBytes?.(perBatch))
}

/** Evaluates one part; runs in a worker, or on the main thread for the first part. */
export async function evaluatePart(task: PartTask, onBytes?: (bytes: number) => void): Promise<PartResult> {
  const evaluator = new LossBreakdownEvaluator(task.config)
  const state = evaluator.init()
  try {
    for await (const chunk of await chunksOf(task, onBytes)) evaluator.update(state, chunk)
    return {kind: 'done', state}
  } catch (error) {
    if (error instanceof QuotedFieldInRange) return {kind: 'quoted'}
    return {kind: 'failed', message: error instanceof Error ? error.message : String(error)}
  }
}

if (parentPort && workerData !== null) {
  const port = parentPort
  const progress = (bytes: number): void => port.postMessage({kind: 'progress', bytes} satisfies PartMessage)
  const run = (task: PartTask): void => {
    void evaluatePart(task, progress).then((result) => port.postMessage(result))
  }
  // A prestarted worker (worker-pool.ts) gets its task as the first message.
  if (workerData === AWAIT_TASK) port.once('message', run)
  else run(workerData as PartTask)
}
