import {statSync} from 'node:fs'

import {ProgressBar, shouldShowProgress} from './progress-bar.js'

/** Runs `job` with a progress callback that draws a bar on stderr when it should (see shouldShowProgress). */
export async function withProgress<T>(
  flag: boolean | undefined,
  files: string[],
  job: (onProgress?: (done: number, total: number) => void) => Promise<T>,
): Promise<T> {
  const total = files.reduce((sum, f) => {
    try {
      return sum + (f === '-' ? 0 : statSync(f).size)
    } catch {
      return sum
    }
  }, 0)
  if (!shouldShowProgress(flag, process.stderr, total)) return job()
  const bar = new ProgressBar(process.stderr)
  try {
    return await job((done, all) => bar.update(done, all))
  } finally {
    bar.finish()
  }
}
