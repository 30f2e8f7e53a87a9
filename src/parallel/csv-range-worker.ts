/**
 * Worker thread entry: evaluates one byte range of a CSV file and posts back the evaluator state.
 * See evaluate-csv-parallel.ts for how ranges are cut and merged.
 */
import {parentPort, workerData} from 'node:worker_threads'

import type {EvaluationConfig} from '../core/config.js'
import {LossBreakdownEvaluator} from '../core/evaluators/loss-breakdown.js'
import {type CsvHeader, QuotedFieldInRange, readCsvChunks} from '../readers/from-csv.js'
import type {Layout} from '../readers/layout.js'

export interface CsvRangeTask {
  path: string
  header: CsvHeader
  layout: Layout
  config: EvaluationConfig
  range: {start: number; end: number}
}

export type CsvRangeResult =
  | {kind: 'done'; state: ReturnType<LossBreakdownEvaluator['init']>}
  | {kind: 'quoted'}
  | {kind: 'failed'; message: string}

async function main(task: CsvRangeTask): Promise<CsvRangeResult> {
  const evaluator = new LossBreakdownEvaluator(task.config)
  const state = evaluator.init()
  try {
    for await (const chunk of readCsvChunks(task.path, task.header, task.layout, {
      range: task.range,
      refuseQuotes: true,
    })) {
      evaluator.update(state, chunk)
    }
    return {kind: 'done', state}
  } catch (error) {
    if (error instanceof QuotedFieldInRange) return {kind: 'quoted'}
    return {kind: 'failed', message: error instanceof Error ? error.message : String(error)}
  }
}

if (parentPort) {
  const port = parentPort
  void main(workerData as CsvRangeTask).then((result) => port.postMessage(result))
}
