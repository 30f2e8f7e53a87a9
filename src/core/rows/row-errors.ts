/** The errors of one bad row or element, as the per-element maths finds them ("expected …, got …"). */
import type {PredictionChunk} from '../chunk.js'
import {InputError} from '../errors.js'
import {rowSumHint} from './row-sum-hint.js'

export function nonFinite(chunk: PredictionChunk, row: number, score: number, value: number): InputError {
  return new InputError(`expected a finite number, got ${String(value)}`, chunk.locate(row, score), 'non-finite')
}

export function badTarget(chunk: PredictionChunk, row: number, score: number, value: number): InputError {
  return new InputError(
    `expected a target in [0, 1], got ${String(value)}`,
    chunk.locate(row, score),
    value - value !== 0 ? 'non-finite' : 'target',
  )
}

export function badRowSum(chunk: PredictionChunk, row: number, sum: number, tolerance: number): InputError {
  const {column: _column, ...where} = chunk.locate(row)
  return new InputError(
    `expected class probabilities that sum to 1 (± ${tolerance}), got ${sum} ${rowSumHint()}`,
    where,
    'row-sum',
  )
}

export function badProbability(
  chunk: PredictionChunk,
  row: number,
  score: number,
  value: number,
  tolerance: number,
): InputError {
  return new InputError(
    `expected a probability in [0, 1] (± ${tolerance}), got ${String(value)} (pass --scores logits if these are logits)`,
    chunk.locate(row, score),
    'probability',
  )
}

/** The row (and score column) whose CE takes the CE sum past the largest double. */
export function sumOverflow(chunk: PredictionChunk, row: number, score: number | undefined, what: string): InputError {
  // A multi-class row's CE comes from all its columns: name the row alone (Arrow readers always add one).
  const {column, ...where} = chunk.locate(row, score)
  return new InputError(
    `expected logits whose CE keeps the sum finite, got ${what}, which takes the CE sum past the largest double (1.8e308)`,
    score === undefined ? where : {...where, column},
  )
}
