/**
 * The γ × α grid: for each α of --alphas (as `--alpha A` would apply it, a preset's transformation
 * included) and each γ, the sweep's figures — from the same sums, re-weighted (α never needs a second pass:
 * see core/class-weights.ts). Each cell is the figure `report --alpha A --gammas G` prints, to the last digit.
 */
import type {AlphaSpec} from '../../core/config.js'
import {evaluateBreakdown, type BreakdownSums} from '../../core/evaluators/loss-breakdown.js'
import type {Settings} from '../../core/state/partial-state.js'
import type {GridCell} from '../types.js'
import {breakdownView, ratio} from './breakdown-view.js'

/** One α of the grid: the number given, and the spec it becomes for this run (kornia turns it into a list). */
export interface GridAlpha {
  alpha: number
  spec: AlphaSpec
}

export function gridSection(settings: Settings, breakdown: BreakdownSums, alphas: GridAlpha[]): GridCell[] {
  const K = settings.numClasses
  return alphas.flatMap(({alpha, spec}) => {
    const figures = evaluateBreakdown({...settings, alphaSpec: spec}, breakdown)
    const view = breakdownView(figures, settings.gammas)
    // Multi-class: the classes with fewer rows than the mean per class.
    const mean = view.elements / K
    const minority = (b: number): boolean => figures.classCounts[figures.classOf(b)] < mean
    return settings.gammas.map((gamma, g) => {
      const total = view.lossTotal[g]
      const loss = figures.loss[g]
      return {
        gamma,
        alpha,
        sum: total,
        ratioToCe: ratio(total, view.ceTotal),
        positiveShare: settings.task === 'multiclass' ? null : ratio(view.sum(loss, figures.isPositive), total),
        minorityShare: settings.task === 'multiclass' ? ratio(view.sum(loss, minority), total) : null,
        hardShare: ratio(
          view.sum(loss, (b) => !figures.isEasy(b)),
          total,
        ),
      }
    })
  })
}
