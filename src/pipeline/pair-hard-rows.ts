/**
 * `compare`'s row pairing: reads two prediction files side by side, chunk by chunk, and counts how A's
 * hard elements (p_t ≤ the easy threshold) fare in B — still hard, now easy — and which are newly hard.
 *
 * Bounded memory: each file is read once more, in step, on this thread; each side holds one block of
 * flags (its current chunk's rows: data-row number, truth, hard bits), reused from chunk to chunk, and the
 * side that is behind is advanced. No per-row state outlives its chunk, so any file length takes the same
 * memory. (The alternative, a bitmap of every row's hard flag written during the report's own pass,
 * needs a bit per row and a hook in every thread's units; the second read costs time instead, about one
 * more single-threaded read of each file.)
 *
 * Rows are paired by their data-row number (the n-th data row of A with the n-th of B; a row left out of
 * one run under --on-invalid skip is left unpaired), and each pair must hold the same truth (label,
 * targets): a pair that does not stops the pairing, with the reason — never counts from different rows.
 */
import {HardnessReader, type HardnessBlock, hardnessBlock} from '../core/rows/hardness-block.js'
import {HardnessTally} from '../core/rows/hardness-tally.js'
import {elementsPerRow} from '../core/rows/prepare-rows.js'
import {SkipLog} from '../core/skip-log.js'
import type {Settings} from '../core/state/partial-state.js'
import type {FileFormat} from '../core/kinds.js'
import {hardRowsNotCompared, hardRowUnit} from '../report/compare-reports.js'
import type {HardRowComparison} from '../report/compare-types.js'
import type {Report} from '../report/types.js'
import {openSource} from '../readers/open-source.js'
import type {PredictionSource, ReadFlags} from '../readers/prediction-source.js'

/** One run to pair: its file, the settings its report was computed with, and the report. */
export interface PairedRun {
  path: string
  settings: Settings
  report: Report
}

export interface PairOptions extends ReadFlags {
  format?: FileFormat
  onInvalid: 'fail' | 'skip'
}

/** A file's rows as hardness blocks, one per chunk (the same block object, refilled). */
async function* hardnessBlocks(source: PredictionSource, run: PairedRun, skip: boolean): AsyncGenerator<HardnessBlock> {
  const reader = new HardnessReader(run.settings)
  const block = hardnessBlock(run.settings)
  const read = source.read({skip: skip ? new SkipLog() : undefined})
  for await (const chunk of read.chunks) {
    reader.read(chunk, block)
    if (block.rows > 0) yield block
  }
}

/** Data rows of a run: rows used plus rows left out. */
function dataRows(report: Report): number {
  return report.input.rows + report.input.skippedRows
}

/**
 * How A's hard elements fare in B, or why they were not compared (files of different lengths or
 * layouts, or rows whose labels differ).
 *
 * Example: A and B the same 800 rows, 200 hard in A, of which 150 are hard in B, and 30 more hard in B →
 * `{compared: true, hardInA: 200, stillHard: 150, nowEasy: 50, newlyHard: 30, hardInB: 180, …}`.
 */
export async function pairHardRows(a: PairedRun, b: PairedRun, options: PairOptions): Promise<HardRowComparison> {
  const rowsA = dataRows(a.report)
  const rowsB = dataRows(b.report)
  if (rowsA !== rowsB) {
    return hardRowsNotCompared(`A has ${rowsA} data rows and B ${rowsB}: they are not the same rows`, a.report)
  }
  if (elementsPerRow(a.settings) !== elementsPerRow(b.settings)) {
    return hardRowsNotCompared(
      'A and B hold their elements in different layouts (wide and long): their rows are not the same rows',
      a.report,
    )
  }
  const skip = options.onInvalid === 'skip'
  const sourceA = await openSource(a.path, options, options.format)
  let sourceB: PredictionSource | undefined
  const tally = new HardnessTally(a.settings.classes)
  try {
    sourceB = await openSource(b.path, options, options.format)
    const blocksA = hardnessBlocks(sourceA, a, skip)
    const blocksB = hardnessBlocks(sourceB, b, skip)
    try {
      await pairBlocks(blocksA, blocksB, tally)
    } finally {
      await blocksA.return(undefined)
      await blocksB.return(undefined)
    }
  } finally {
    await sourceA.close()
    await sourceB?.close()
  }
  if (tally.mismatch !== null) {
    return hardRowsNotCompared(
      `A and B do not hold the same rows in the same order: data row ${tally.mismatch.dataRow + 1} has ${tally.mismatch.difference}`,
      a.report,
    )
  }
  const c = tally.counts
  const hardInA = c.hardInBoth + c.hardInAOnly
  return {
    compared: true,
    reason: null,
    pairedBy: 'order',
    unit: hardRowUnit(a.report),
    threshold: a.report.split.threshold,
    pairedRows: c.pairedRows,
    unpairedRows: c.unpairedRows,
    paired: c.paired,
    hardInA,
    hardInB: c.hardInBoth + c.hardInBOnly,
    stillHard: c.hardInBoth,
    nowEasy: c.hardInAOnly,
    newlyHard: c.hardInBOnly,
    stillHardShare: hardInA === 0 ? null : c.hardInBoth / hardInA,
  }
}

/**
 * Walks both block streams in data-row order: equal numbers pair, the smaller one alone is unpaired.
 * Stops at the first pair whose truths differ.
 */
async function pairBlocks(
  blocksA: AsyncGenerator<HardnessBlock>,
  blocksB: AsyncGenerator<HardnessBlock>,
  tally: HardnessTally,
): Promise<void> {
  let nextA = await blocksA.next()
  let nextB = await blocksB.next()
  let i = 0
  let j = 0
  while (!nextA.done && !nextB.done) {
    const blockA = nextA.value
    const blockB = nextB.value
    while (i < blockA.rows && j < blockB.rows) {
      const rowA = blockA.dataRow[i]
      const rowB = blockB.dataRow[j]
      if (rowA === rowB) {
        if (!tally.pair(blockA, i, blockB, j)) return
        i++
        j++
      } else if (rowA < rowB) {
        tally.unpaired()
        i++
      } else {
        tally.unpaired()
        j++
      }
    }
    if (i === blockA.rows) {
      nextA = await blocksA.next()
      i = 0
    }
    if (j === blockB.rows) {
      nextB = await blocksB.next()
      j = 0
    }
  }
  // Rows past the other file's end.
  for (; !nextA.done; nextA = await blocksA.next(), i = 0) for (; i < nextA.value.rows; i++) tally.unpaired()
  for (; !nextB.done; nextB = await blocksB.next(), j = 0) for (; j < nextB.value.rows; j++) tally.unpaired()
}
