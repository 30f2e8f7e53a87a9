import type {TopLevelSpec} from 'vega-lite'

import type {Report} from '../../../report/types.js'
import {HEIGHT, LOSS_SHORT, PALETTE, SCHEMA_URL, SHAPES, WIDTH} from './chart-style.js'

/**
 * The γ sweep: the loss relative to CE (FL/CE) and the hard rows' share of it, against γ. Both are
 * fractions of 1, so they share one y axis; a legend tells the two series apart by colour and shape.
 */
export function sweepChart(report: Report): TopLevelSpec {
  const loss = LOSS_SHORT[report.config.loss ?? 'focal']
  const ratio = `${loss}/CE (sum ÷ CE sum)`
  const hard = `hard share (of the γ's ${loss})`
  const values = report.sweep.flatMap((row) => [
    ...(row.ratioToCe === null ? [] : [{gamma: row.gamma, measure: ratio, value: row.ratioToCe}]),
    ...(row.hardShare === null ? [] : [{gamma: row.gamma, measure: hard, value: row.hardShare}]),
  ])
  return {
    $schema: SCHEMA_URL,
    title: {
      text: `${loss}/CE and hard share vs γ`,
      subtitle: `hard: p_t ≤ ${report.split.threshold}; γ = 0 is cross-entropy`,
    },
    description:
      `Line chart: ${loss}/CE and the hard rows' share of the loss for each γ of the sweep ` +
      `(${report.sweep.map((s) => s.gamma).join(', ')}). The numbers are in the table below the chart.`,
    width: WIDTH,
    height: HEIGHT,
    data: {values},
    mark: {type: 'line', point: {filled: true, size: 60}, strokeWidth: 2},
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
      shape: {field: 'measure', type: 'nominal', scale: {domain: [ratio, hard], range: SHAPES.slice(0, 2)}},
    },
  }
}
