import type {ReportSplit, SplitSide, TargetSplit} from '../types.js'
import {type BreakdownView, type BucketFilter, ratio} from './breakdown-view.js'

function side(view: BreakdownView, keep: BucketFilter): SplitSide {
  const {count, ce, focal} = view.part(keep)
  return {count, countShare: ratio(count, view.elements), ceShare: ratio(ce, view.ceTotal), ce, focal}
}

/** Easy (p_t > threshold) vs hard elements. */
export function splitSection(view: BreakdownView, threshold: number): ReportSplit {
  const {isEasy} = view.figures
  return {threshold, easy: side(view, isEasy), hard: side(view, (b) => !isEasy(b))}
}

/** The paper's four-way picture (binary and multi-label): easy/hard × positive/negative target. */
export function targetSplitSection(view: BreakdownView, threshold: number): TargetSplit {
  const {isEasy, isPositive} = view.figures
  return {
    threshold,
    easyPositive: side(view, (b) => isEasy(b) && isPositive(b)),
    hardPositive: side(view, (b) => !isEasy(b) && isPositive(b)),
    easyNegative: side(view, (b) => isEasy(b) && !isPositive(b)),
    hardNegative: side(view, (b) => !isEasy(b) && !isPositive(b)),
  }
}
