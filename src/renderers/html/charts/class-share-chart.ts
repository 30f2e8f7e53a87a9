import type {TopLevelSpec} from 'vega-lite'

import type {ClassRow, Report} from '../../../report/types.js'
import {HEIGHT, OTHER_COLOR, OVERWEIGHT_COLOR, SCHEMA_URL, WIDTH} from './chart-style.js'

/** Classes named beside their point: all of them up to this many, else only the ▲ ones (largest CE first). */
const MAX_LABELS = 20
/** Names of ▲ classes shown when there are more classes than MAX_LABELS (more would overprint). */
const MAX_OVERWEIGHT_LABELS = 8
/** Above this many classes both axes are logarithmic: a long tail of small classes would sit on the origin. */
export const LOG_SCALE_CLASSES = 30

export const OVERWEIGHT_SERIES = '▲ CE share ≥ 2 × row share'
/** Multi-label: a class's ▲ is against its share of the positive elements (every class has every row). */
export const OVERWEIGHT_SERIES_POSITIVES = '▲ CE share ≥ 2 × pos. share'
const OTHER_SERIES = 'other classes'
const THRESHOLD = 'y = 2x: the ▲ threshold'

/**
 * Per class: share of the data (x) against share of CE (y) — the data being rows, or for multi-label the
 * positive elements, as the ▲ is defined. Classes on the dashed line y = x carry loss in proportion to
 * their data; the ▲ classes, on or above the dotted line y = 2x, carry at least twice it. Over 30 classes
 * the axes are logarithmic (the lines stay straight, y = 2x above y = x by a constant step), and classes
 * with a zero share, which a log axis cannot place, are left out of the chart only.
 */
export function classShareChart(report: Report): TopLevelSpec {
  const log = report.classes.length > LOG_SCALE_CLASSES
  const multilabel = report.classes.some((c) => c.byTarget)
  const positives = report.input.positiveElements ?? 0
  const dataShare = (c: ClassRow): number | null =>
    multilabel ? (c.byTarget && positives > 0 ? c.byTarget.positive.count / positives : null) : c.countShare
  const data = multilabel ? 'positives' : 'rows'
  const overweightSeries = multilabel ? OVERWEIGHT_SERIES_POSITIVES : OVERWEIGHT_SERIES
  const proportional = `y = x: loss in proportion to ${data}`
  const points = report.classes
    .map((c) => ({c, share: dataShare(c)}))
    .filter(({c, share}) => share !== null && c.ce.share !== null && (!log || (share > 0 && c.ce.share > 0)))
    .map(({c, share}) => ({
      class: c.class,
      [multilabel ? 'positiveShare' : 'rowShare']: share as number,
      dataShare: share as number,
      ceShare: c.ce.share as number,
      kind: c.overweight ? overweightSeries : OTHER_SERIES,
    }))
    // ▲ points drawn last, over the others.
    .sort((a, b) => Number(a.kind === overweightSeries) - Number(b.kind === overweightSeries))
  // Past MAX_LABELS classes only the ▲ ones with the largest CE share are named; on log axes none (the
  // small classes share a few positions, and their names would overprint), the caption names them.
  const labelled =
    points.length <= MAX_LABELS
      ? points
      : log
        ? []
        : points
            .filter((p) => p.kind === overweightSeries)
            .sort((a, b) => b.ceShare - a.ceShare)
            .slice(0, MAX_OVERWEIGHT_LABELS)
  // The plotted range, with headroom so the largest class's point and name stay inside, and the reference
  // lines drawn across it (display extents, not figures).
  const pad = log ? 1.5 : 1.1
  const xEnd = pad * Math.max(0, ...points.map((p) => p.dataShare)) || 1
  const yEnd = pad * Math.max(0, ...points.map((p) => p.ceShare)) || 1
  const xStart = log ? Math.min(...points.map((p) => p.dataShare)) / pad || 1e-6 : 0
  const yStart = log ? Math.min(...points.map((p) => p.ceShare)) / pad || 1e-6 : 0
  const from = Math.max(xStart, yStart)
  const guides = [
    {line: proportional, x: from, y: from},
    {line: proportional, x: Math.min(xEnd, yEnd), y: Math.min(xEnd, yEnd)},
    {line: THRESHOLD, x: Math.max(xStart, yStart / 2), y: 2 * Math.max(xStart, yStart / 2)},
    {line: THRESHOLD, x: Math.min(xEnd, yEnd / 2), y: 2 * Math.min(xEnd, yEnd / 2)},
  ]
  const scale = (start: number, end: number) =>
    log ? {type: 'log' as const, domain: [start, end], nice: false} : {domain: [start, end], nice: false}
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: multilabel
      ? `share of positives (% of all positive elements${log ? ', log scale' : ''})`
      : `share of rows (% of all rows${log ? ', log scale' : ''})`,
    scale: scale(xStart, xEnd),
    axis: {format: log ? '~%' : '.0%'},
  }
  const y = {
    field: 'y',
    type: 'quantitative' as const,
    title: `share of cross-entropy (% of the total CE${log ? ', log scale' : ''})`,
    scale: scale(yStart, yEnd),
    axis: {format: log ? '~%' : '.0%'},
  }
  const left = report.classes.length - points.length
  return {
    $schema: SCHEMA_URL,
    title: {
      text: `Per class: share of ${data} vs share of loss`,
      subtitle: `${report.classes.filter((c) => c.overweight).length} of ${report.classes.length} classes ▲ (CE share ≥ 2 × ${multilabel ? 'pos.' : 'row'} share)`,
    },
    description:
      `Scatter plot of ${points.length} classes${log ? ' on logarithmic axes' : ''}: share of ${data} against share ` +
      'of cross-entropy, with the lines y = x and y = 2x; classes at or above y = 2x are marked ▲.' +
      (left > 0 ? ` ${left} classes with a zero share are not drawn.` : '') +
      ' The numbers are in the per-class table.',
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
              domain: [proportional, THRESHOLD],
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
        data: {values: points.map((p) => ({...p, x: p.dataShare, y: p.ceShare}))},
        mark: {type: 'point', filled: true, size: 70, opacity: 0.85},
        encoding: {
          x,
          y,
          color: {
            field: 'kind',
            type: 'nominal',
            title: 'class',
            scale: {domain: [overweightSeries, OTHER_SERIES], range: [OVERWEIGHT_COLOR, OTHER_COLOR]},
            legend: {orient: 'bottom', direction: 'vertical'},
          },
          shape: {
            field: 'kind',
            type: 'nominal',
            scale: {domain: [overweightSeries, OTHER_SERIES], range: ['triangle-up', 'circle']},
          },
          tooltip: [
            {field: 'class', type: 'nominal'},
            {field: 'dataShare', type: 'quantitative', format: '.1%', title: multilabel ? 'pos. share' : 'row share'},
            {field: 'ceShare', type: 'quantitative', format: '.1%', title: 'CE share'},
          ],
        },
      },
      {
        data: {values: labelled.map((p) => ({...p, x: p.dataShare, y: p.ceShare}))},
        mark: {type: 'text', align: 'left', dx: 7, dy: -6, fontSize: 11},
        encoding: {x, y, text: {field: 'class', type: 'nominal'}},
      },
    ],
  }
}
