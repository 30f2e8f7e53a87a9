/** One progress line: a bar, the percentage, megabytes done of total, and rows/s-free elapsed seconds. */
export function renderProgressLine(done: number, total: number, elapsedMs: number, width = 24): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 0
  const filled = Math.round(fraction * width)
  const bar = '#'.repeat(filled) + '.'.repeat(width - filled)
  const mb = (bytes: number): string => (bytes / 1e6).toFixed(0)
  const percent = `${(fraction * 100).toFixed(0)}%`.padStart(4)
  return `[${bar}] ${percent}  ${mb(done)}/${mb(total)} MB  ${(elapsedMs / 1000).toFixed(1)} s`
}
