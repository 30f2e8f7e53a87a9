/**
 * `compare`'s paired charts: the report's charts drawn for both runs at once (A solid, B dashed; A circles, B squares),
 * and the change B − A per class. Vega-Lite specs with their data inline, like the report's (chart-specs.ts):
 * every number drawn is a figure of the comparison — A's, B's, or its delta.
 */
import type {TopLevelSpec} from 'vega-lite'

import type {Comparison} from '../../../report/compare-types.js'
import type {ClassRow, Report} from '../../../report/types.js'
import {moverOrder} from '../../compare-view.js'
import {HEIGHT, LOSS_SHORT, OTHER_COLOR, OVERWEIGHT_COLOR, PALETTE, SCHEMA_URL, SHAPES, WIDTH} from './chart-style.js'

/** The runs as legends name them. */
export const RUN_A = 'A'
export const RUN_B = 'B'

/** Classes drawn in the per-class charts: all up to this many, else those that moved most. */
export const MAX_CHART_CLASSES = 30

/** A thin upright bar as an SVG path in Vega's unit square: the legend's symbol for the data-share tick. */
const TICK_SYMBOL = 'M-0.15,-1L0.15,-1L0.15,1L-0.15,1Z'

/** Pixels per class in the per-class charts (one band each). */
const BAND = 18

/**
 * The γ sweep of both runs on one axis: FL/CE and the hard share (colour and shape: the measure), A as
 * solid lines, B dashed.
 */
export function pairedSweepChart(comparison: Comparison): TopLevelSpec {
  const {a, b} = comparison
  const loss = LOSS_SHORT[a.config.loss ?? 'focal']
  const ratio = `${loss}/CE`
  const hard = `hard share of ${loss}`
  const values = (
    [
      [RUN_A, a],
      [RUN_B, b],
    ] as [string, Report][]
  ).flatMap(([run, report]) =>
    report.sweep.flatMap((row) => [
      ...(row.ratioToCe === null ? [] : [{gamma: row.gamma, run, measure: ratio, value: row.ratioToCe}]),
      ...(row.hardShare === null ? [] : [{gamma: row.gamma, run, measure: hard, value: row.hardShare}]),
    ]),
  )
  return {
    $schema: SCHEMA_URL,
    title: {
      text: `${loss}/CE and hard share vs γ, A and B`,
      subtitle: `A solid, B dashed; hard: p_t ≤ ${a.split.threshold}`,
    },
    description:
      `Line chart: ${loss}/CE and the hard rows' share of the loss for each γ of the sweep ` +
      `(${a.sweep.map((s) => s.gamma).join(', ')}), for run A (solid) and run B (dashed). ` +
      'The numbers are in the sweep table above the chart.',
    width: WIDTH,
    height: HEIGHT,
    data: {values},
    encoding: {
      x: {field: 'gamma', type: 'quantitative', title: 'γ (focusing parameter, unitless)'},
      y: {
        field: 'value',
        type: 'quantitative',
        title: 'ratio or share (1 = 100 %)',
        scale: {zero: true},
        axis: {format: '.0%'},
      },
      color: {
        field: 'measure',
        type: 'nominal',
        title: 'measure',
        scale: {domain: [ratio, hard], range: PALETTE.slice(0, 2)},
        legend: {orient: 'bottom', direction: 'vertical'},
      },
    },
    // Lines and points apart: a line mark's legend draws the dash (a line with points would not).
    layer: [
      {
        mark: {type: 'line', strokeWidth: 2},
        encoding: {
          strokeDash: {
            field: 'run',
            type: 'nominal',
            title: 'run',
            scale: {
              domain: [RUN_A, RUN_B],
              range: [
                [1, 0],
                [6, 4],
              ],
            },
            legend: {
              orient: 'bottom',
              direction: 'vertical',
              symbolStrokeColor: 'gray',
              symbolStrokeWidth: 2,
              symbolSize: 300,
            },
          },
        },
      },
      {
        mark: {type: 'point', filled: true, size: 50},
        encoding: {
          shape: {field: 'measure', type: 'nominal', scale: {domain: [ratio, hard], range: SHAPES.slice(0, 2)}},
        },
      },
    ],
  }
}

/** The classes the per-class charts draw, in the order they draw them, and how many were left out. */
export function chartedClasses(comparison: Comparison): {classes: number[]; leftOut: number} {
  const {a} = comparison
  if (a.classes.length <= MAX_CHART_CLASSES) {
    // A's order, largest CE share first, as the per-class table.
    const order = a.classes
      .map((c, i) => ({c, i}))
      .sort((x, y) => (y.c.ce.share ?? -1) - (x.c.ce.share ?? -1) || x.i - y.i)
      .map(({i}) => i)
    return {classes: order, leftOut: 0}
  }
  const moved = moverOrder(comparison).slice(0, MAX_CHART_CLASSES)
  return {classes: moved, leftOut: a.classes.length - moved.length}
}

/** Multi-label: share of the positive elements; else share of rows — what a class's CE share is held against. */
function dataShare(report: Report, c: ClassRow): number | null {
  if (!c.byTarget) return c.countShare
  const positives = report.input.positiveElements ?? 0
  return positives > 0 ? c.byTarget.positive.count / positives : null
}

/**
 * Per class: CE share in A and in B (a circle and a square, joined by a line: the move), with the class's share of
 * the data (rows, or positives for multi-label) as a grey tick — a CE share past twice the tick is ▲.
 */
export function pairedClassChart(comparison: Comparison): TopLevelSpec {
  const {a, b} = comparison
  const multilabel = a.classes.some((c) => c.byTarget)
  const data = multilabel ? 'share of positives (A)' : 'share of rows (A)'
  const {classes, leftOut} = chartedClasses(comparison)
  const sort = classes.map((i) => a.classes[i].class)
  const points = classes.flatMap((i) =>
    [
      {run: RUN_A, share: a.classes[i].ce.share},
      {run: RUN_B, share: b.classes[i].ce.share},
    ]
      .filter((p) => p.share !== null)
      .map((p) => ({class: a.classes[i].class, series: `CE share in ${p.run}`, share: p.share as number})),
  )
  const moves = classes
    .filter((i) => a.classes[i].ce.share !== null && b.classes[i].ce.share !== null)
    .map((i) => ({class: a.classes[i].class, from: a.classes[i].ce.share, to: b.classes[i].ce.share}))
  const ticks = classes
    .map((i) => ({class: a.classes[i].class, series: data, share: dataShare(a, a.classes[i])}))
    .filter((t) => t.share !== null)
  const series = [`CE share in ${RUN_A}`, `CE share in ${RUN_B}`, data]
  const y = {
    field: 'class',
    type: 'nominal' as const,
    title: 'class',
    sort,
    axis: {labelLimit: 160},
  }
  const x = {
    type: 'quantitative' as const,
    title: 'share (% of the total CE; grey: of the data)',
    axis: {format: '.0%'},
    scale: {zero: true},
  }
  const which = leftOut > 0 ? `the ${classes.length} classes whose CE share moved most` : 'every class'
  return {
    $schema: SCHEMA_URL,
    title: {
      text: 'CE share per class, A and B',
      subtitle: `${which}, largest ${leftOut > 0 ? 'move' : 'CE share in A'} first`,
    },
    description:
      `Dot plot of ${classes.length} classes: each class's share of the cross-entropy in run A (circle) ` +
      `and run B (square), joined by a line, and its ${data} as a grey tick.` +
      (leftOut > 0 ? ` ${leftOut} classes that moved less are not drawn.` : '') +
      ' The numbers are in the per-class table.',
    width: WIDTH,
    height: Math.max(HEIGHT / 2, BAND * classes.length),
    layer: [
      {
        data: {values: moves},
        mark: {type: 'rule', color: 'gray', strokeWidth: 1.5},
        encoding: {y, x: {...x, field: 'from'}, x2: {field: 'to'}},
      },
      {
        data: {values: ticks},
        mark: {type: 'tick', thickness: 2, size: BAND * 0.8},
        encoding: {
          y,
          x: {...x, field: 'share'},
          color: {
            field: 'series',
            type: 'nominal',
            title: 'series',
            scale: {domain: series, range: [OTHER_COLOR, OVERWEIGHT_COLOR, 'gray']},
            legend: {orient: 'bottom', direction: 'vertical'},
          },
        },
      },
      {
        data: {values: points},
        mark: {type: 'point', filled: true, size: 70, opacity: 0.9},
        encoding: {
          y,
          x: {...x, field: 'share'},
          color: {field: 'series', type: 'nominal', title: 'series', scale: {domain: series}},
          shape: {
            field: 'series',
            type: 'nominal',
            // The tick's legend symbol: a thin upright bar, which (unlike "stroke") a filled legend draws.
            scale: {domain: series, range: ['circle', 'square', TICK_SYMBOL]},
          },
          tooltip: [
            {field: 'class', type: 'nominal'},
            {field: 'series', type: 'nominal'},
            {field: 'share', type: 'quantitative', format: '.1%'},
          ],
        },
      },
    ],
  }
}

/**
 * Per class: the change of its CE share, B − A, in percentage points, as bars left (less of the loss
 * in B) or right (more); the classes that moved most, largest move first.
 */
export function classMoveChart(comparison: Comparison): TopLevelSpec {
  const {a, delta} = comparison
  const order = moverOrder(comparison).slice(0, MAX_CHART_CLASSES)
  const values = order.map((i) => {
    const change = delta.classes?.[i]?.ce?.share as number
    return {class: a.classes[i].class, change, direction: change > 0 ? 'more of the CE in B' : 'less of the CE in B'}
  })
  const domain = ['less of the CE in B', 'more of the CE in B']
  return {
    $schema: SCHEMA_URL,
    title: {
      text: 'Change of CE share per class, B − A',
      subtitle: `the ${order.length} ${order.length === 1 ? 'class' : 'classes'} that moved most, largest first`,
    },
    description:
      `Bar chart of ${order.length} classes: the change of each class's share of the cross-entropy from run A ` +
      'to run B, in percentage points; bars to the left mean a smaller share in B. ' +
      'The numbers are in the table below the chart.',
    width: WIDTH,
    height: Math.max(HEIGHT / 2, BAND * order.length),
    data: {values},
    mark: {type: 'bar'},
    encoding: {
      y: {field: 'class', type: 'nominal', title: 'class', sort: values.map((v) => v.class), axis: {labelLimit: 160}},
      x: {
        field: 'change',
        type: 'quantitative',
        title: 'change of CE share, B − A (percentage points)',
        axis: {format: '+.1%'},
      },
      color: {
        field: 'direction',
        type: 'nominal',
        title: 'direction',
        scale: {domain, range: [PALETTE[0], PALETTE[4]]},
        legend: {orient: 'bottom', direction: 'vertical'},
      },
      tooltip: [
        {field: 'class', type: 'nominal'},
        {field: 'change', type: 'quantitative', format: '+.2%', title: 'B − A'},
      ],
    },
  }
}

/** The compare page's charts by name, in the order it shows them. */
export interface CompareChartSpecs {
  sweep: TopLevelSpec
  classShares: TopLevelSpec
  classMoves?: TopLevelSpec
}

export type CompareChartName = keyof CompareChartSpecs

/** Every chart of a comparison: the move chart only when some class's share changed. */
export function compareChartSpecs(comparison: Comparison): CompareChartSpecs {
  const specs: CompareChartSpecs = {sweep: pairedSweepChart(comparison), classShares: pairedClassChart(comparison)}
  if (moverOrder(comparison).length > 0) specs.classMoves = classMoveChart(comparison)
  return specs
}
