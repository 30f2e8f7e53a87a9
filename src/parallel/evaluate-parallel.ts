import {open} from 'node:fs/promises'

import type {EvaluationConfig} from '../core/config.js'
import type {LossBreakdownEvaluator, LossBreakdownState} from '../core/evaluators/loss-breakdown.js'
import type {CsvHeader} from '../readers/from-csv.js'
import type {Layout} from '../readers/layout.js'
import {evaluatePart, type PartMessage, type PartResult, type PartTask} from './evaluate-part-worker.js'
import {takeWorker} from './worker-pool.js'

export {MIN_PARALLEL_BYTES} from './worker-pool.js'

/**
 * Cuts bytes [dataOffset, size) into `parts` ranges that each start at a record start: every cut is
 * moved forward to just after the next LF. Reads a small window at each cut, never the whole file.
 */
export async function splitAtLineStarts(
  path: string,
  dataOffset: number,
  size: number,
  parts: number,
): Promise<number[]> {
  const cuts = [dataOffset]
  const fh = await open(path, 'r')
  try {
    const window = Buffer.alloc(1 << 16)
    for (let i = 1; i < parts; i++) {
      let at = Math.max(cuts[cuts.length - 1], Math.floor(dataOffset + ((size - dataOffset) * i) / parts))
      for (;;) {
        const {bytesRead} = await fh.read(window, 0, window.length, at)
        if (bytesRead === 0) {
          at = size
          break
        }
        const lf = window.subarray(0, bytesRead).indexOf(0x0a)
        if (lf >= 0) {
          at += lf + 1
          break
        }
        at += bytesRead
      }
      if (at > cuts[cuts.length - 1] && at < size) cuts.push(at)
    }
  } finally {
    await fh.close()
  }
  cuts.push(size)
  return cuts
}

function runWorker(task: PartTask, onBytes?: (bytes: number) => void): Promise<PartResult> {
  return new Promise((resolve, reject) => {
    const worker = takeWorker(task)
    worker.on('message', (message: PartMessage) => {
      if (message.kind === 'progress') {
        onBytes?.(message.bytes)
        return
      }
      resolve(message)
      void worker.terminate()
    })
    worker.once('error', reject)
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with code ${code}`))
    })
  })
}

/**
 * Evaluates a CSV file with one worker thread per range and merges their states in range order.
 * Returns null when the file must be read sequentially instead: a range met a quoted field (its cut
 * may sit inside one) or a bad value (the sequential reader names the exact line, which a range
 * cannot know).
 */
export async function evaluateCsvParallel(
  path: string,
  header: CsvHeader,
  layout: Layout,
  config: EvaluationConfig,
  evaluator: LossBreakdownEvaluator,
  into: LossBreakdownState,
  threads: number,
  size: number,
  onBytes?: (bytes: number) => void,
): Promise<boolean> {
  const cuts = await splitAtLineStarts(path, header.dataOffset, size, threads)
  const tasks = cuts
    .slice(0, -1)
    .map((start, i): PartTask => ({kind: 'csv', path, header, layout, config, range: {start, end: cuts[i + 1]}}))
  return runAndMerge(tasks, evaluator, into, onBytes)
}

/**
 * Evaluates an Arrow IPC file with `threads` workers, worker i reading batches i, i + threads, …
 * (the file format allows random access to batches). Returns false when it must be read sequentially
 * instead (a bad value: the sequential reader names its batch and row).
 */
export async function evaluateArrowParallel(
  path: string,
  layout: Layout,
  config: EvaluationConfig,
  evaluator: LossBreakdownEvaluator,
  into: LossBreakdownState,
  threads: number,
  size = 0,
  onBytes?: (bytes: number) => void,
): Promise<boolean> {
  const tasks = Array.from({length: threads}, (_, first): PartTask => ({
    kind: 'arrow',
    path,
    layout,
    config,
    stride: {first, step: threads},
    size,
  }))
  return runAndMerge(tasks, evaluator, into, onBytes)
}

/** Runs every part; merges their states in part order only when all of them succeeded. */
async function runAndMerge(
  tasks: PartTask[],
  evaluator: LossBreakdownEvaluator,
  into: LossBreakdownState,
  onBytes?: (bytes: number) => void,
): Promise<boolean> {
  // The main thread takes the first part itself: it is already warm, and one worker fewer starts.
  const results = await Promise.all(
    tasks.map((task, i) => (i === 0 ? evaluatePart(task, onBytes) : runWorker(task, onBytes))),
  )
  if (results.some((r) => r.kind !== 'done')) return false
  for (const r of results) if (r.kind === 'done') evaluator.merge(into, r.state)
  return true
}
