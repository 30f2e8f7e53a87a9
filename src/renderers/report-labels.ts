/**
 * Words and marks the terminal report and the HTML page share, so both name things the same way. No
 * dependencies: the HTML bundle imports this without chalk or cli-table3.
 */

/** Marks a class whose CE share is at least twice its row share (shown without colour too). */
export const OVERWEIGHT_MARK = '▲'

/** The sweep's loss, as the table title states it. */
export const LOSS_FORMULAS = {
  ce: 'CE (α_t · CE)',
  focal: 'FL = α_t · (1 − p_t)^γ · CE',
  varifocal: 'VFL = q · BCE (positives), α · p^γ · BCE (negatives)',
  poly1: 'Poly-1 = α_t · (1 − p_t)^γ · CE + ε · (1 − p_t)^(γ+1)',
} as const

/**
 * How the reference's printed value is computed from the sum (the "Reduction" line of the terminal and the
 * page). mmdet's divisor is avg_factor + 2^-23, which six digits would show as avg_factor alone; kornia's
 * value divides kornia's own sum.
 *
 * Example: `reductionText({name: 'mean', divisor: 960, source: null}, 'torchvision', format)` is
 * "mean: the sum divided by 960".
 */
export function reductionText(
  reduction: {name: string; divisor: number},
  preset: string | null | undefined,
  formatLoss: (value: number) => string,
): string {
  const divisor =
    reduction.name === 'avg-factor'
      ? `${formatLoss(reduction.divisor - 2 ** -23)} + 2^-23`
      : formatLoss(reduction.divisor)
  const sum = preset === 'kornia' ? "kornia's sum (README: presets)" : 'the sum'
  return `${reduction.name}: ${sum} divided by ${divisor}`
}
