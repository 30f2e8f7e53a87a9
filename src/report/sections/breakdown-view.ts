/**
 * The breakdown's figures with the sums every section divides by: what the section builders share.
 * Sums over buckets are compensated (a few hundred terms at most).
 */
import type {BreakdownFigures} from '../../core/evaluators/loss-breakdown.js'
import {compensatedSum} from '../../core/losses/numerics.js'

/** a / b, or null when b is 0 (a share of nothing is undefined, not 0 and not NaN). */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b
}

export type BucketFilter = (bucket: number) => boolean

export interface BreakdownView {
  figures: BreakdownFigures
  gammas: number[]
  /** Elements (rows, or rows × K for multi-label wide). */
  elements: number
  ceTotal: number
  /** The reported loss's total per γ index. */
  lossTotal: number[]
  /** Σ over the buckets `keep` selects. */
  sum(values: number[], keep: BucketFilter): number
  /** Σ over `buckets` (increasing): `sum` for a group that lists its buckets (many classes: no scan of all). */
  sumAt(values: number[], buckets: readonly number[]): number
  /**
   * Count, CE and the loss at every γ of the buckets `keep` selects (or lists, increasing: a part per class
   * of 1,000 classes then reads its own buckets, not all 2,000 of them), with shares of the totals.
   */
  part(keep: BucketFilter | readonly number[]): {
    count: number
    ce: number
    focal: {gamma: number; sum: number; share: number | null}[]
  }
}

export function breakdownView(figures: BreakdownFigures, gammas: number[]): BreakdownView {
  const sum = (values: number[], keep: BucketFilter): number => compensatedSum(values.filter((_, b) => keep(b)))
  const sumAt = (values: number[], buckets: readonly number[]): number => compensatedSum(buckets.map((b) => values[b]))
  const all = (): boolean => true
  const lossTotal = figures.loss.map((loss) => sum(loss, all))
  return {
    figures,
    gammas,
    elements: sum(figures.count, all),
    ceTotal: sum(figures.ce, all),
    lossTotal,
    sum,
    sumAt,
    part: (keep) => {
      const of = (values: number[]) => (typeof keep === 'function' ? sum(values, keep) : sumAt(values, keep))
      return {
        count: of(figures.count),
        ce: of(figures.ce),
        focal: gammas.map((gamma, g) => {
          const s = of(figures.loss[g])
          return {gamma, sum: s, share: ratio(s, lossTotal[g])}
        }),
      }
    },
  }
}
