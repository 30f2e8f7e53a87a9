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
