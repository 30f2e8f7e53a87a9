import type {TopLevelSpec} from 'vega-lite'

import {SCHEMA_URL, SEQUENTIAL_SCHEME} from './chart-style.js'

/** Above this many classes the matrix is not drawn (cells under ~8 px); the top confusions table remains. */
export const MAX_CONFUSION_CLASSES = 40
/** Counts are written in the cells up to this many classes. */
const MAX_LABELLED_CLASSES = 12

/** True for a K × K matrix of counts (multi-class, binary); false for multi-label's K 2 × 2 matrices. */
export function isSquareConfusion(confusion: number[][] | number[][][]): confusion is number[][] {
  return confusion.every((row) => Array.isArray(row) && row.length === confusion.length && row.every(Number.isFinite))
}

/** Issue 18's confusion matrix as a heat map: true class down, predicted class across, coloured by rows. */
export function confusionChart(confusion: number[][], classes: string[]): TopLevelSpec {
  const values = confusion.flatMap((row, i) =>
    row.map((count, j) => ({actual: classes[i] ?? String(i), predicted: classes[j] ?? String(j), count})),
  )
  const max = Math.max(0, ...values.map((v) => v.count))
  const side = Math.min(520, Math.max(160, 28 * classes.length))
  const encoding = {
    x: {field: 'predicted', type: 'nominal' as const, title: 'predicted class', sort: classes, axis: {labelAngle: -45}},
    y: {field: 'actual', type: 'nominal' as const, title: 'true class', sort: classes},
  }
  return {
    $schema: SCHEMA_URL,
    title: {text: 'Confusion matrix (rows)', subtitle: 'true class down, predicted class across'},
    description:
      `Heat map of the ${classes.length} × ${classes.length} confusion matrix: rows per (true, predicted) class ` +
      'pair. The numbers are in the table below the chart.',
    width: side,
    height: side,
    data: {values},
    encoding,
    layer: [
      {
        mark: {type: 'rect'},
        encoding: {
          color: {
            field: 'count',
            type: 'quantitative',
            title: 'rows',
            scale: {scheme: SEQUENTIAL_SCHEME, domain: [0, max || 1]},
          },
        },
      },
      ...(classes.length <= MAX_LABELLED_CLASSES
        ? [
            {
              mark: {type: 'text' as const, fontSize: 10},
              encoding: {
                text: {field: 'count', type: 'quantitative' as const},
                color: {condition: {test: `datum.count < ${0.45 * max}`, value: 'white'}, value: 'black'},
              },
            },
          ]
        : []),
    ],
  }
}
