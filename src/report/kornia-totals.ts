import type {ClassWeights} from '../core/class-weights.js'
import type {LossBreakdownState} from '../core/evaluators/loss-breakdown.js'
import {compensatedSum} from '../core/losses/numerics.js'

/**
 * kornia's one_hot(…, eps=1e-6) (kornia/losses/one_hot.py, 0.8.3: `one_hot * (1 − eps) + eps`) gives every class
 * but the target the weight eps; in float64 the target keeps exactly 1. (kornia 0.7.0 to 0.8.1 returned
 * `one_hot + eps`: 1 + eps on the target too, which puts their value ~1e-6 relative above this one.)
 */
export const KORNIA_ONE_HOT_EPS = 1e-6

/**
 * The loss sums kornia prints (before its mean), one per γ, from the evaluator's kornia sums
 * (config.korniaTerms) and the report's α. `focalTotals` are focalscope's FL sums at those γ.
 *
 * - Multi-class, `focal_loss`: the eps-smoothed one-hot adds eps · α_j · (1 − p_j)^γ · (−log p_j) for every
 *   class j but the label, so the sum is Σ FL + eps · Σ_j α_j · offTarget_j.
 * - Sigmoid, `binary_focal_loss_with_logits`: per element −α(1 − p)^γ·y·log p − (1 − α)·p^γ·(1 − y)·log(1 − p),
 *   which equals α_t · (1 − p_t)^γ · BCE for targets 0 and 1 but not for soft ones. With α as the report applies
 *   it (weight a + ay·y, see class-weights.ts) the positive term weighs a + ay and the negative one a.
 *
 * Example: one row, logits [0, 0], label 0, γ = 0, no α: p = [½, ½], the sum is log 2 + 1e-6 · log 2.
 */
export function korniaTotals(state: LossBreakdownState, weights: ClassWeights, focalTotals: number[]): number[] {
  const K = state.numClasses
  const value = (sum: Float64Array, comp: Float64Array, i: number): number => sum[i] + comp[i]
  const classWeight = (c: number): number => weights.coefficients[c][0] + weights.coefficients[c][1]
  if (state.offTargetSum.length > 0) {
    return focalTotals.map((total, g) => {
      const offTarget = Array.from(
        {length: K},
        (_, j) => classWeight(j) * value(state.offTargetSum, state.offTargetComp, g * K + j),
      )
      return total + KORNIA_ONE_HOT_EPS * compensatedSum(offTarget)
    })
  }
  if (state.positiveTermSum.length > 0) {
    const perClass = state.bucketsPerClass
    const B = perClass * K
    return focalTotals.map((_, g) => {
      const terms = Array.from({length: B}, (_, b) => {
        const [a, ay] = weights.coefficients[Math.floor(b / perClass)]
        const positive = value(state.positiveTermSum, state.positiveTermComp, g * B + b)
        return (a + ay) * positive + a * value(state.negativeTermSum, state.negativeTermComp, g * B + b)
      })
      return compensatedSum(terms)
    })
  }
  return focalTotals
}
