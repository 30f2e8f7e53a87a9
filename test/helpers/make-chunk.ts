import type {PredictionChunk} from '../../src/core/chunk.js'

/** A chunk from plain arrays, as a reader would hand it over. */
export function makeChunk(labels: number[], scores: number[], width: number): PredictionChunk {
  return {
    rows: labels.length,
    width,
    labels: Int32Array.from(labels),
    scores: Float64Array.from(scores),
    locate: (row, score) => ({file: 'test', line: row + 2, column: score === undefined ? undefined : `s${score}`}),
  }
}
