import type {TopLevelSpec} from 'vega-lite'

import type {Calibration} from '../report-sections.js'
import {HEIGHT, PALETTE, SCHEMA_URL} from './chart-style.js'

const ACCURACY = 'accuracy in the bin (fraction correct)'
const CONFIDENCE = 'mean confidence in the bin'

/**
 * Issue 18's reliability diagram: per confidence bin (lower, upper], the accuracy as a bar and the mean
 * confidence as a point; a perfectly calibrated model has both on the diagonal.
 */
export function reliabilityChart(calibration: Calibration): TopLevelSpec {
  const bins = calibration.reliability.filter((b) => b.count > 0)
  const x = {
    field: 'lower',
    type: 'quantitative' as const,
    title: 'confidence (max probability, bins of width 1/' + calibration.bins + ')',
    scale: {domain: [0, 1]},
  }
  const y = {
    field: 'value',
    type: 'quantitative' as const,
    title: 'accuracy or confidence (0–1)',
    scale: {domain: [0, 1]},
  }
  const legend = {
    field: 'series',
    type: 'nominal' as const,
    title: 'per bin',
    scale: {domain: [ACCURACY, CONFIDENCE], range: [PALETTE[0], PALETTE[4]]},
    legend: {orient: 'bottom' as const, direction: 'vertical' as const},
  }
  return {
    $schema: SCHEMA_URL,
    title: {
      text: 'Reliability diagram',
      subtitle: `ECE ${calibration.ece === null ? '–' : calibration.ece.toPrecision(3)} · ${calibration.bins} bins; the diagonal is perfect calibration`,
    },
    description:
      `Reliability diagram over ${bins.length} non-empty confidence bins: accuracy per bin as bars, mean ` +
      'confidence per bin as points, and the diagonal of perfect calibration. The numbers are in the table below.',
    width: HEIGHT,
    height: HEIGHT,
    layer: [
      {
        data: {
          values: [
            {lower: 0, value: 0},
            {lower: 1, value: 1},
          ],
        },
        mark: {type: 'line', strokeDash: [4, 3], strokeWidth: 1, color: 'gray'},
        encoding: {x, y},
      },
      {
        data: {
          values: bins
            .filter((b) => b.accuracy !== null)
            .map((b) => ({lower: b.lower, upper: b.upper, value: b.accuracy, count: b.count, series: ACCURACY})),
        },
        mark: {type: 'rect', opacity: 0.75, stroke: 'white', strokeWidth: 0.5},
        encoding: {x, x2: {field: 'upper'}, y, y2: {datum: 0}, color: legend},
      },
      {
        data: {
          values: bins
            .filter((b) => b.confidence !== null)
            .map((b) => ({lower: b.lower, upper: b.upper, value: b.confidence, series: CONFIDENCE})),
        },
        transform: [{calculate: '(datum.lower + datum.upper) / 2', as: 'centre'}],
        mark: {type: 'point', filled: true, size: 50, shape: 'diamond'},
        encoding: {x: {...x, field: 'centre'}, y, color: legend},
      },
    ],
  }
}
