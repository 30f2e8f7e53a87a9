/**
 * The compute limit of a bench case: focalscope's own evaluation (the Evaluation class, every section
 * `report` turns on) over the file's rows already in memory as typed arrays — no reading, no parsing, no
 * process or worker start-up — on the same number of threads as `report` uses. What focalscope would take
 * if reading cost nothing: its wall time divided by this says how far it is from the maths' own cost.
 *
 *   node bench/.data/js/compute-limit.cjs --file F --gammas 0,0.5,1,2,5 [--threads N] [--repeat R] [--flags '…']
 *
 * Prints one JSON object: {rows, threads, chunks, loadMs, runsMs, cpuMs, ce}. runsMs[0] is the first (cold:
 * the JIT compiles the loops during it) run; the bench takes the median of the others as the limit.
 * bench/run.ts bundles this file with the CLI's esbuild settings (minifySyntax, as shipped) into
 * bench/.data/js/, so the loops are compiled from the same code as in dist/.
 *
 * The rows are loaded with focalscope's reader for the format (same chunks, same widths) and copied into
 * SharedArrayBuffers, which the worker threads see without a copy. Each run, every thread claims chunks
 * from a shared counter, evaluates them into a partial state, and the main thread merges the states, as
 * the pipeline does with its units.
 */
import {availableParallelism} from 'node:os'
import {parseArgs} from 'node:util'
import {join} from 'node:path'
import {Worker} from 'node:worker_threads'

import {Parser} from '@oclif/core'

import {analyzeOptionsFromFlags, inputFlags} from '../src/cli/input-flags.js'
import {Evaluation} from '../src/core/evaluation.js'
import {mergeStatesInto, type PartialState, settingsOf} from '../src/core/state/partial-state.js'
import {evaluationConfig} from '../src/pipeline/analyze-predictions.js'
import {openSource} from '../src/readers/open-source.js'
import {evaluateRun, type SharedChunk, type ThreadTask} from './compute-limit-worker.js'

export interface ComputeLimitResult {
  rows: number
  threads: number
  chunks: number
  loadMs: number
  runsMs: number[]
  /** CPU time of each run (user + system, the whole process: every thread), ms. */
  cpuMs: number[]
  /** Σ CE of the merged state (the bench checks it against DuckDB's, so the limit computed the same thing). */
  ce: number
}

async function main(): Promise<void> {
  const {values} = parseArgs({
    options: {
      file: {type: 'string'},
      gammas: {type: 'string', default: '0,0.5,1,2,5'},
      threads: {type: 'string'},
      repeat: {type: 'string', default: '5'},
      // More `report` flags, space-separated (e.g. "--no-concentration", to see what a section costs).
      flags: {type: 'string', default: ''},
    },
  })
  if (!values.file) throw new Error('usage: compute-limit --file F [--gammas G] [--threads N] [--repeat R]')
  const repeat = Math.max(2, Number(values.repeat))
  // The options `report FILE --gammas G` runs with: the command's own flag definitions and defaults.
  const argv = ['--gammas', values.gammas]
  if (values.threads) argv.push('--threads', values.threads)
  argv.push(...values.flags.split(' ').filter(Boolean))
  const parsed = await Parser.parse(argv, {flags: inputFlags, strict: true})
  const options = analyzeOptionsFromFlags(parsed.flags as never, parsed.metadata)
  const threads = Math.max(1, options.threads ?? availableParallelism())

  const loadStarted = performance.now()
  const source = await openSource(values.file, options, options.format)
  const settings = settingsOf(
    evaluationConfig(source.layout, options),
    source.layout.classes,
    options.softLabels === true,
  )
  const chunks: SharedChunk[] = []
  let rows = 0
  try {
    for await (const chunk of source.read({}).chunks) {
      const labels = new Int32Array(new SharedArrayBuffer(chunk.rows * 4))
      const scores = new Float64Array(new SharedArrayBuffer(chunk.rows * chunk.width * 8))
      labels.set(chunk.labels.subarray(0, chunk.rows))
      scores.set(chunk.scores.subarray(0, chunk.rows * chunk.width))
      chunks.push({rows: chunk.rows, width: chunk.width, labels, scores})
      rows += chunk.rows
    }
  } finally {
    await source.close()
  }
  const loadMs = performance.now() - loadStarted

  const control = new Int32Array(new SharedArrayBuffer(4 * (repeat + 1)))
  const task: ThreadTask = {kind: 'compute-limit', settings, chunks, control}
  const workers = Array.from(
    {length: threads - 1},
    () => new Worker(join(__dirname, 'compute-limit-worker.cjs'), {workerData: task}),
  )
  // Every worker up and waiting before the first run is timed.
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))))

  const runsMs: number[] = []
  const cpuMs: number[] = []
  let ce = NaN
  for (let run = 0; run < repeat; run++) {
    const states = workers.map((w) => new Promise<PartialState>((resolve) => w.once('message', resolve)))
    const started = performance.now()
    const cpuStarted = process.cpuUsage()
    Atomics.store(control, 0, run + 1)
    Atomics.notify(control, 0)
    const own = evaluateRun(task, run)
    let merged = own
    for (const state of await Promise.all(states)) merged = mergeStatesInto(merged, state)
    runsMs.push(performance.now() - started)
    const cpu = process.cpuUsage(cpuStarted)
    cpuMs.push((cpu.user + cpu.system) / 1000)
    ce = Evaluation.ceTotal(merged)
  }
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))))
  const result: ComputeLimitResult = {rows, threads, chunks: chunks.length, loadMs, runsMs, cpuMs, ce}
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`compute-limit: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
