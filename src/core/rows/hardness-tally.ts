/**
 * Counts how the hard elements of two runs on the same rows line up: hard in both, hard only in A (now
 * easy), hard only in B (newly hard), easy in both. Rows are paired by the caller (by data-row number);
 * this checks that each pair holds the same truth — the same label, the same targets — so two files of
 * different rows are never counted as if they were one dataset. Pure: no I/O.
 */
import type {HardnessBlock} from './hardness-block.js'

/** The counts, in elements (rows for binary and multi-class; one per class and row for multi-label wide). */
export interface HardnessCounts {
  /** Rows read in both runs. */
  pairedRows: number
  /** Rows read in one run only (left out of the other under --on-invalid skip). */
  unpairedRows: number
  /** Elements of the paired rows. */
  paired: number
  hardInBoth: number
  /** Hard in A, easy in B. */
  hardInAOnly: number
  /** Easy in A, hard in B. */
  hardInBOnly: number
}

/** A pair of rows whose truths differ: the files do not hold the same rows in the same order. */
export interface TruthMismatch {
  /** The rows' 0-based data-row number. */
  dataRow: number
  /** What differs, e.g. `label "dog" in A, "cat" in B`. */
  difference: string
}

export class HardnessTally {
  readonly counts: HardnessCounts = {
    pairedRows: 0,
    unpairedRows: 0,
    paired: 0,
    hardInBoth: 0,
    hardInAOnly: 0,
    hardInBOnly: 0,
  }
  /** The first pair whose truths differed; the tally stops counting there. */
  mismatch: TruthMismatch | null = null

  /** `classes`: the run's class names, to name a label or a target's class in a mismatch. */
  constructor(private readonly classes: readonly string[]) {}

  /**
   * Adds row i of block a and row j of block b, which have the same data-row number. Returns false (and
   * records the mismatch) when their truths differ.
   */
  pair(a: HardnessBlock, i: number, b: HardnessBlock, j: number): boolean {
    const difference = this.truthDifference(a, i, b, j)
    if (difference !== null) {
      this.mismatch = {dataRow: a.dataRow[i], difference}
      return false
    }
    const perRow = a.perRow
    const counts = this.counts
    counts.pairedRows++
    counts.paired += perRow
    for (let e = 0; e < perRow; e++) {
      const x = a.hard[i * perRow + e]
      const y = b.hard[j * perRow + e]
      if (x === 1) {
        if (y === 1) counts.hardInBoth++
        else counts.hardInAOnly++
      } else if (y === 1) counts.hardInBOnly++
    }
    return true
  }

  /** A row read in one run only. */
  unpaired(): void {
    this.counts.unpairedRows++
  }

  private truthDifference(a: HardnessBlock, i: number, b: HardnessBlock, j: number): string | null {
    if (a.label[i] !== b.label[j]) {
      return `label ${this.className(a.label[i])} in A, ${this.className(b.label[j])} in B`
    }
    const perRow = a.perRow
    if (a.target.length === 0) return null
    for (let e = 0; e < perRow; e++) {
      const x = a.target[i * perRow + e]
      const y = b.target[j * perRow + e]
      if (x !== y) {
        const of = perRow > 1 ? ` of class ${this.className(e)}` : ''
        return `target${of} ${x} in A, ${y} in B`
      }
    }
    return null
  }

  private className(index: number): string {
    return JSON.stringify(this.classes[index] ?? String(index))
  }
}
