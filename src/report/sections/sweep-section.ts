import type {Settings} from '../../core/state/partial-state.js'
import type {Reduction} from '../../core/reduction.js'
import type {SweepRow} from '../types.js'
import {type BreakdownView, ratio} from './breakdown-view.js'

/** torch.finfo(torch.float32).eps = 2^-23, which mmdet adds to its avg_factor. */
const FLOAT32_EPSILON = 2 ** -23

/** The divisor of a reduction (see core/reduction.ts). */
export function reductionDivisor(reduction: Reduction, view: BreakdownView, rows: number, settings: Settings): number {
  const K = settings.numClasses
  const positives = settings.task === 'multiclass' ? rows : view.sum(view.figures.count, view.figures.isPositive)
  switch (reduction) {
    case 'sum':
      return 1
    case 'mean':
      return view.elements
    case 'mean-classes':
      return rows * K
    case 'class-mean-sum':
      // ultralytics' .mean(1) is over the prediction tensor's columns: K for multi-label, one for a binary (N, 1).
      return settings.task === 'multilabel' ? K : 1
    case 'positives':
      return Math.max(1, positives)
    case 'avg-factor':
      return Math.max(1, positives) + FLOAT32_EPSILON
  }
}

/**
 * The γ sweep: per γ the loss sum, mean per row, ratio to CE, easy and hard shares and, with a reduction,
 * the value the reference prints (`referenceTotals`: its own sums before the reduction — kornia's forms
 * under --preset kornia, else the loss sums).
 */
export function sweepSection(
  view: BreakdownView,
  rows: number,
  divisor: number | null,
  referenceTotals: number[],
): SweepRow[] {
  const {figures} = view
  return view.gammas.map((gamma, g) => {
    const total = view.lossTotal[g]
    return {
      gamma,
      sum: total,
      mean: ratio(total, rows),
      ratioToCe: ratio(total, view.ceTotal),
      easyShare: ratio(view.sum(figures.loss[g], figures.isEasy), total),
      hardShare: ratio(
        view.sum(figures.loss[g], (b) => !figures.isEasy(b)),
        total,
      ),
      reduced: divisor === null ? null : referenceTotals[g] / divisor,
    }
  })
}
