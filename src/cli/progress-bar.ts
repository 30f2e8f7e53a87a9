import {renderProgressLine} from '../renderers/render-progress.js'

/** Files at least this large get a progress bar by default (when stderr is a terminal). */
export const PROGRESS_MIN_BYTES = 50e6

/**
 * `--progress` forces the bar, `--no-progress` hides it; by default it shows when stderr is a terminal and
 * the input is large. It is drawn on stderr only, so stdout (the table or the JSON) is never touched.
 */
export function shouldShowProgress(flag: boolean | undefined, stderr: NodeJS.WriteStream, totalBytes: number): boolean {
  if (flag !== undefined) return flag
  return stderr.isTTY === true && totalBytes >= PROGRESS_MIN_BYTES
}

/** Redraws one stderr line at most every 100 ms, and erases it when done. */
export class ProgressBar {
  private readonly start = Date.now()
  private lastDraw = 0
  private drawn = false

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(done: number, total: number): void {
    const now = Date.now()
    if (now - this.lastDraw < 100 && done < total) return
    this.lastDraw = now
    this.drawn = true
    this.stream.write(`\r${renderProgressLine(done, total, now - this.start)}`)
  }

  finish(): void {
    if (this.drawn) this.stream.write('\r\u001b[K')
  }
}
