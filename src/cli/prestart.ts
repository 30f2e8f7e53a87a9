/**
 * A guess, made from the raw command line before oclif loads, at whether this run will split a file
 * across worker threads; if so the workers start now and boot while Node loads the CLI (worker-pool.ts).
 * Only a guess: the real decision is analyzePredictions', and a worker it does not use is dropped.
 */
import {statSync} from 'node:fs'
import {availableParallelism} from 'node:os'

import {MIN_PARALLEL_BYTES, prestartWorkers} from '../pipeline/parallel/worker-pool.js'

const DATA_COMMANDS = new Set(['report', 'gate'])

export function prestartForArgv(argv: readonly string[]): void {
  if (!DATA_COMMANDS.has(argv[0] ?? '')) return
  let threads = availableParallelism()
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--help' || arg === '-h') return
    if (arg === '--threads') threads = Number(argv[i + 1])
    else if (arg.startsWith('--threads=')) threads = Number(arg.slice('--threads='.length))
  }
  if (!(threads >= 2 && threads <= 64)) return
  if (argv.slice(1).some((arg) => !arg.startsWith('-') && isBigFile(arg))) prestartWorkers(Math.floor(threads) - 1)
}

function isBigFile(path: string): boolean {
  try {
    const stat = statSync(path, {throwIfNoEntry: false})
    return stat !== undefined && stat.isFile() && stat.size >= MIN_PARALLEL_BYTES && !path.endsWith('.gz')
  } catch {
    return false
  }
}
