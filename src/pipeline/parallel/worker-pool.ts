/**
 * Worker threads for evaluate-parallel.ts, optionally started before they are needed.
 *
 * A worker takes ~85 ms here to boot and load its code, and it used to be started only once the input
 * file was open, 170 ms into the run, while the second core sat idle through Node's and oclif's start-up.
 * `prestartWorkers` (called by the CLI entry when the command line names a big file) starts them at
 * once; they wait for a task, unreferenced, so an unused one never keeps the process alive.
 */
import {setFlagsFromString} from 'node:v8'
import {Worker} from 'node:worker_threads'

export {MIN_PARALLEL_BYTES} from '../../readers/prediction-source.js'

/** workerData of a worker that waits for its task as a message. */
export const AWAIT_TASK = 'await-task'

const ready: Worker[] = []

let synchronousCompiles = false

/**
 * Workers optimise their hot loops on their own thread, not on a compiler thread beside them. With a
 * compiler thread, a worker ran the fused kernel unoptimised while TurboFan compiled it (10–40 ms, the
 * compiler thread taking the core the other evaluating thread needs), and the kernel, already in a long
 * call when the code arrived, was compiled a second time for on-stack replacement (30–100 ms more). Compiled
 * in place it took ~6 ms, once. A V8 flag is read when an isolate starts, so it is set before the first
 * worker; the main thread keeps its compiler thread (its report code is cold, and compiled beside it).
 * Measured: `farm-bench -n 11`, 10 M binary rows, wall 0.90× (CSV) and 0.96× (Arrow), 2 M × 20 CSV 0.97×.
 */
function compileInPlace(): void {
  if (synchronousCompiles) return
  setFlagsFromString('--no-concurrent-recompilation')
  synchronousCompiles = true
}

function spawn(workerData: unknown): Worker {
  compileInPlace()
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
