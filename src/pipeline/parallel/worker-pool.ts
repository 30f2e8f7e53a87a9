/**
 * Worker threads for evaluate-parallel.ts, optionally started before they are needed.
 *
 * A worker takes ~85 ms here to boot and load its code, and it used to be started only once the input
 * file was open, 170 ms into the run, while the second core sat idle through Node's and oclif's start-up.
 * `prestartWorkers` (called by the CLI entry when the command line names a big file) starts them at
 * once; they wait for a task, unreferenced, so an unused one never keeps the process alive.
 */
import {Worker} from 'node:worker_threads'

export {MIN_PARALLEL_BYTES} from '../../readers/prediction-source.js'

/** workerData of a worker that waits for its task as a message. */
export const AWAIT_TASK = 'await-task'

const ready: Worker[] = []

function spawn(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./evaluate-part-worker.js', import.meta.url), {workerData})
  }
  // Under tsx (tests, development) the worker beside this module is TypeScript too: register tsx's
  // loader in the worker before importing it.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  const entry = JSON.stringify(new URL('./evaluate-part-worker.ts', import.meta.url).href)
  return new Worker(`import(${tsx}).then((api) => { api.register(); return import(${entry}) })`, {
    eval: true,
    workerData,
  })
}

/** Starts `count` workers that wait for a task (see takeWorker). */
export function prestartWorkers(count: number): void {
  for (let i = 0; i < count; i++) {
    const worker = spawn(AWAIT_TASK)
    worker.unref()
    const drop = (): void => {
      const at = ready.indexOf(worker)
      if (at >= 0) ready.splice(at, 1)
    }
    worker.once('error', drop)
    worker.once('exit', drop)
    ready.push(worker)
  }
}

/** Workers started and not yet taken. */
export function prestartedWorkers(): number {
  return ready.length
}

/** A worker running `task`: a prestarted one if any is left, else a new one. */
export function takeWorker(task: unknown): Worker {
  const worker = ready.shift()
  if (!worker) return spawn(task)
  worker.ref()
  worker.postMessage(task)
  return worker
}
