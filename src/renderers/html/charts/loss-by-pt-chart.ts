import type {TopLevelSpec} from 'vega-lite'

import type {LossVariant} from '../../../report/types.js'
import type {LossByPt} from '../report-sections.js'
import {HEIGHT, LOSS_SHORT, PALETTE, SCHEMA_URL, SHAPES, WIDTH, gammaName} from './chart-style.js'

/**
 * The data's own Figure 1 of Lin et al. (2017): the mean loss of the rows in each p_t bin, one line per γ
 * (γ = 0 is cross-entropy), on a log-y axis; each point sits at its bin's centre.
 */
export function lossByPtChart(lossByPt: LossByPt, loss: LossVariant = 'focal'): TopLevelSpec {
  const name = LOSS_SHORT[loss]
  const gammas = [...new Set(lossByPt.bins.flatMap((b) => b.focal.map((f) => f.gamma)))].sort((a, b) => a - b)
  const domain = gammas.map(gammaName)
  const values = lossByPt.bins.flatMap((bin) =>
    bin.focal
      // A bin without rows has no mean; log-y cannot place a mean of 0.
      .filter((f) => f.mean !== null && f.mean > 0)
      .map((f) => ({lower: bin.lower, upper: bin.upper, count: bin.count, gamma: gammaName(f.gamma), mean: f.mean})),
  )
  return {
    $schema: SCHEMA_URL,
    title: {text: `Mean loss vs p_t, per γ`, subtitle: `${name} of the rows in each p_t bin; γ = 0 is cross-entropy`},
    description:
      `Line chart: the mean ${name} of the rows in each of ${lossByPt.bins.length} p_t bins, one line per γ ` +
      `(${gammas.join(', ')}), on a logarithmic y axis. The numbers are in the table below the chart.`,
    width: WIDTH,
    height: HEIGHT,
    data: {values},
    transform: [{calculate: '(datum.lower + datum.upper) / 2', as: 'pt'}],
    mark: {type: 'line', point: {filled: true, size: 40}, strokeWidth: 2},
    encoding: {
      x: {
        field: 'pt',
        type: 'quantitative',
        title: 'p_t (probability of the true class, bin centre)',
        scale: {domain: [0, 1]},
      },
      y: {field: 'mean', type: 'quantitative', title: `mean ${name} per row (nats, log scale)`, scale: {type: 'log'}},
      color: {
        field: 'gamma',
        type: 'nominal',
        title: 'γ',
        scale: {domain, range: PALETTE},
        legend: {orient: 'bottom', direction: 'horizontal'},
      },
      shape: {field: 'gamma', type: 'nominal', scale: {domain, range: SHAPES}},
    },
  }
}
