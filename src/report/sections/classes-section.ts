import type {ClassPart, ClassRow} from '../types.js'
import {type BreakdownView, ratio} from './breakdown-view.js'

/** A class is "overweight" when its CE share is at least this many times its count share. */
export const OVERWEIGHT_FACTOR = 2

/**
 * CE share at least OVERWEIGHT_FACTOR × the class's share of the data (`count` of `of`). A class with no data
 * carries no loss, and 0 ≥ 2 · 0 must not mark it.
 */
function isOverweight(ceShare: number | null, count: number, of: number): boolean {
  return count > 0 && ceShare !== null && ceShare >= OVERWEIGHT_FACTOR * (count / of)
}

function classPart(view: BreakdownView, keep: readonly number[]): ClassPart {
  const {count, ce, focal} = view.part(keep)
  return {count, ce: {sum: ce, share: ratio(ce, view.ceTotal)}, focal}
}

/** One row per class: its elements, CE and loss at every γ with their shares; multi-label: ± targets apart. */
export function classesSection(view: BreakdownView, classes: string[], multilabel: boolean): ClassRow[] {
  const {classOf, isPositive} = view.figures
  // Multi-label classes all have every row: their share of the data is their share of the positive elements.
  const positives = view.figures.positiveCounts ?? []
  const allPositives = positives.reduce((a, b) => a + b, 0)
  // Each class's buckets, in increasing order, listed once: a filter over all buckets per class was
  // quadratic in the classes (0.3 s of a 1,000-class report).
  const bucketsOf: number[][] = classes.map(() => [])
  for (let b = 0; b < view.figures.buckets; b++) bucketsOf[classOf(b)]?.push(b)
  return classes.map((name, c) => {
    const keep = bucketsOf[c]
    const {count, ce, focal} = view.part(keep)
    const countShare = ratio(count, view.elements)
    const ceShare = ratio(ce, view.ceTotal)
    return {
      class: name,
      count,
      countShare,
      ce: {sum: ce, share: ceShare},
      focal,
      overweight: isOverweight(ceShare, multilabel ? positives[c] : count, multilabel ? allPositives : view.elements),
      byTarget: multilabel
        ? {
            positive: classPart(
              view,
              keep.filter((b) => isPositive(b)),
            ),
            negative: classPart(
              view,
              keep.filter((b) => !isPositive(b)),
            ),
          }
        : null,
    }
  })
}
