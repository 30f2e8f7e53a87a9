import type {Report} from '../../src/report/types.js'

/**
 * A hand-made report for the gate tests: three classes (cat, dog, bird), γ ∈ {0, 1, 2}, round numbers so
 * every expected pass or fail can be read off here. Not internally consistent beyond what the tests use:
 * the gates read figures, they do not recompute them.
 */
export function sampleReport(): Report {
  return {
    schemaVersion: 1,
    input: {
      files: ['preds.csv'],
      format: 'csv',
      task: 'multiclass',
      scores: 'logits',
      rows: 1000,
      skippedRows: 0,
      skipped: [],
      fileRows: [1000],
      clampedValues: 0,
      probabilityRowSums: null,
      classes: ['cat', 'dog', 'bird'],
      classCounts: [500, 400, 100],
      imbalanceRatio: 5,
      semantics: 'softmax focal loss',
    },
    config: {gammas: [0, 1, 2], alpha: null, easyThreshold: 0.5, eps: 1e-7},
    totals: {ce: {sum: 400, mean: 0.4}},
    sweep: [
      {gamma: 0, sum: 400, mean: 0.4, ratioToCe: 1, easyShare: 0.3, hardShare: 0.7},
      {gamma: 1, sum: 200, mean: 0.2, ratioToCe: 0.5, easyShare: 0.2, hardShare: 0.8},
      {gamma: 2, sum: 100, mean: 0.1, ratioToCe: 0.25, easyShare: 0.1, hardShare: 0.9},
    ],
    split: {
      threshold: 0.5,
      easy: {
        count: 800,
        countShare: 0.8,
        ceShare: 0.3,
        ce: 120,
        focal: [
          {gamma: 0, sum: 120, share: 0.3},
          {gamma: 1, sum: 40, share: 0.2},
          {gamma: 2, sum: 10, share: 0.1},
        ],
      },
      hard: {
        count: 200,
        countShare: 0.2,
        ceShare: 0.7,
        ce: 280,
        focal: [
          {gamma: 0, sum: 280, share: 0.7},
          {gamma: 1, sum: 160, share: 0.8},
          {gamma: 2, sum: 90, share: 0.9},
        ],
      },
    },
    classes: [
      {
        class: 'cat',
        count: 500,
        countShare: 0.5,
        ce: {sum: 100, share: 0.25},
        focal: [
          {gamma: 0, sum: 100, share: 0.25},
          {gamma: 1, sum: 40, share: 0.2},
          {gamma: 2, sum: 15, share: 0.15},
        ],
        overweight: false,
      },
      {
        class: 'dog',
        count: 400,
        countShare: 0.4,
        ce: {sum: 140, share: 0.35},
        focal: [
          {gamma: 0, sum: 140, share: 0.35},
          {gamma: 1, sum: 60, share: 0.3},
          {gamma: 2, sum: 25, share: 0.25},
        ],
        overweight: false,
      },
      {
        class: 'bird',
        count: 100,
        countShare: 0.1,
        ce: {sum: 160, share: 0.4},
        focal: [
          {gamma: 0, sum: 160, share: 0.4},
          {gamma: 1, sum: 100, share: 0.5},
          {gamma: 2, sum: 60, share: 0.6},
        ],
        overweight: true,
      },
    ],
  }
}
