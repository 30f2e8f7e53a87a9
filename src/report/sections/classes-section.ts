import type {ClassPart, ClassRow} from '../types.js'
import {type BreakdownView, type BucketFilter, ratio} from './breakdown-view.js'

/** A class is "overweight" when its CE share is at least this many times its count share. */
export const OVERWEIGHT_FACTOR = 2

function classPart(view: BreakdownView, keep: BucketFilter): ClassPart {
  const {count, ce, focal} = view.part(keep)
  return {count, ce: {sum: ce, share: ratio(ce, view.ceTotal)}, focal}
}

/** One row per class: its elements, CE and loss at every γ with their shares; multi-label: ± targets apart. */
export function classesSection(view: BreakdownView, classes: string[], multilabel: boolean): ClassRow[] {
  const {classOf, isPositive} = view.figures
  return classes.map((name, c) => {
    const keep: BucketFilter = (b) => classOf(b) === c
    const {count, ce, focal} = view.part(keep)
    const countShare = ratio(count, view.elements)
    const ceShare = ratio(ce, view.ceTotal)
    return {
      class: name,
      count,
      countShare,
      ce: {sum: ce, share: ceShare},
      focal,
      // A class with no rows carries no loss: 0 ≥ 2 · 0 must not mark it.
      overweight: count > 0 && countShare !== null && ceShare !== null && ceShare >= OVERWEIGHT_FACTOR * countShare,
      byTarget: multilabel
        ? {
            positive: classPart(view, (b) => keep(b) && isPositive(b)),
            negative: classPart(view, (b) => keep(b) && !isPositive(b)),
          }
        : null,
    }
  })
}
