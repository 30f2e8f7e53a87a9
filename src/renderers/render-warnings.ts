import type {Report} from '../report/types.js'

/**
 * One line per thing the user should know happened to their data: rows left out (per reason, with the
 * first one's location), probability rows rescaled, and the report's `input.warnings` (scores read as
 * logits that look like probabilities). Clamping is in the report itself.
 */
export function renderWarnings(report: Report): string[] {
  const lines: string[] = []
  const {skipped, skippedRows, probabilityRowSums} = report.input
  if (skippedRows > 0) {
    const parts = skipped.map((s) => `${s.count} ${s.reason}`).join(', ')
    lines.push(`left out ${skippedRows} invalid row${skippedRows === 1 ? '' : 's'} (--on-invalid skip): ${parts}`)
    for (const s of skipped) lines.push(`first ${s.reason}: ${s.first}`)
  }
  if (probabilityRowSums && probabilityRowSums.renormalized > 0) {
    lines.push(
      `renormalized ${probabilityRowSums.renormalized} probability rows that did not sum to 1 ` +
        `(± ${probabilityRowSums.tolerance}; largest deviation ${probabilityRowSums.maxDeviation.toPrecision(3)})`,
    )
  }
  lines.push(...(report.input.warnings ?? []))
  return lines
}
