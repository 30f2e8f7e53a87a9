import type {TopLevelSpec} from 'vega-lite'

import type {Report} from '../../../core/result.js'
import {HEIGHT, OTHER_COLOR, OVERWEIGHT_COLOR, SCHEMA_URL, WIDTH} from './chart-style.js'

/** Classes named beside their point: all of them up to this many, else only the ▲ ones (largest CE first). */
const MAX_LABELS = 20

export const OVERWEIGHT_SERIES = '▲ CE share ≥ 2 × row share'
const OTHER_SERIES = 'other classes'
const PROPORTIONAL = 'y = x: loss in proportion to rows'
const THRESHOLD = 'y = 2x: the ▲ threshold'

/**
 * Per class: share of rows (x) against share of CE (y). Classes on the dashed line y = x carry loss in
 * proportion to their data; the ▲ classes, on or above the dotted line y = 2x, carry at least twice it.
 */
export function classShareChart(report: Report): TopLevelSpec {
  const points = report.classes
    .filter((c) => c.countShare !== null && c.ce.share !== null)
    .map((c) => ({
      class: c.class,
      rowShare: c.countShare as number,
      ceShare: c.ce.share as number,
      kind: c.overweight ? OVERWEIGHT_SERIES : OTHER_SERIES,
    }))
  const labelled =
    points.length <= MAX_LABELS
      ? points
      : points
          .filter((p) => p.kind === OVERWEIGHT_SERIES)
          .sort((a, b) => b.ceShare - a.ceShare)
          .slice(0, MAX_LABELS)
  // The plotted range, with 10 % headroom so the largest class's point and name stay inside, and the
  // reference lines drawn up to its edge (display extents, not figures).
  const xEnd = 1.1 * Math.max(0, ...points.map((p) => p.rowShare)) || 1
  const yEnd = 1.1 * Math.max(0, ...points.map((p) => p.ceShare)) || 1
  const proportionalEnd = Math.min(xEnd, yEnd)
  const thresholdEnd = Math.min(xEnd, yEnd / 2)
  const guides = [
    {line: PROPORTIONAL, x: 0, y: 0},
    {line: PROPORTIONAL, x: proportionalEnd, y: proportionalEnd},
    {line: THRESHOLD, x: 0, y: 0},
    {line: THRESHOLD, x: thresholdEnd, y: 2 * thresholdEnd},
  ]
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: 'share of rows (% of all rows)',
    scale: {domain: [0, xEnd], nice: false},
    axis: {format: '.0%'},
  }
  const y = {
    field: 'y',
    type: 'quantitative' as const,
    title: 'share of cross-entropy (% of the total CE)',
    scale: {domain: [0, yEnd], nice: false},
    axis: {format: '.0%'},
  }
  return {
    $schema: SCHEMA_URL,
    title: {
      text: 'Per class: share of rows vs share of loss',
      subtitle: `${report.classes.filter((c) => c.overweight).length} of ${report.classes.length} classes ▲ (CE share ≥ 2 × row share)`,
    },
    description:
      `Scatter plot of ${points.length} classes: share of rows against share of cross-entropy, with the lines ` +
      'y = x and y = 2x; classes at or above y = 2x are marked ▲. The numbers are in the per-class table.',
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: {values: guides},
        mark: {type: 'line', strokeWidth: 1},
        encoding: {
          x,
          y,
          strokeDash: {
            field: 'line',
            type: 'nominal',
            title: 'reference',
            scale: {
              domain: [PROPORTIONAL, THRESHOLD],
              range: [
                [6, 3],
                [2, 2],
              ],
            },
            legend: {orient: 'bottom', direction: 'vertical'},
          },
          color: {value: 'gray'},
        },
      },
      {
        data: {values: points.map((p) => ({...p, x: p.rowShare, y: p.ceShare}))},
        mark: {type: 'point', filled: true, size: 70, opacity: 0.85},
        encoding: {
          x,
          y,
          color: {
            field: 'kind',
            type: 'nominal',
            title: 'class',
            scale: {domain: [OVERWEIGHT_SERIES, OTHER_SERIES], range: [OVERWEIGHT_COLOR, OTHER_COLOR]},
            legend: {orient: 'bottom', direction: 'vertical'},
          },
          shape: {
            field: 'kind',
            type: 'nominal',
            scale: {domain: [OVERWEIGHT_SERIES, OTHER_SERIES], range: ['triangle-up', 'circle']},
          },
          tooltip: [
            {field: 'class', type: 'nominal'},
            {field: 'rowShare', type: 'quantitative', format: '.1%', title: 'row share'},
            {field: 'ceShare', type: 'quantitative', format: '.1%', title: 'CE share'},
          ],
        },
      },
      {
        data: {values: labelled.map((p) => ({...p, x: p.rowShare, y: p.ceShare}))},
        mark: {type: 'text', align: 'left', dx: 7, dy: -6, fontSize: 11},
        encoding: {x, y, text: {field: 'class', type: 'nominal'}},
      },
    ],
  }
}
