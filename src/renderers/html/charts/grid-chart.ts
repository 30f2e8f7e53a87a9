import type {TopLevelSpec} from 'vega-lite'

import type {GridCell} from '../report-sections.js'
import {SCHEMA_URL, SEQUENTIAL_SCHEME} from './chart-style.js'

/** The figure a grid heat map colours by: the task's share (positives or minority classes), else FL/CE. */
export function gridMeasure(grid: GridCell[]): {field: 'positiveShare' | 'minorityShare' | 'ratioToCe'; title: string} {
  if (grid.some((c) => c.positiveShare !== null)) {
    return {field: 'positiveShare', title: "positives' share of the loss"}
  }
  if (grid.some((c) => c.minorityShare !== null)) {
    return {field: 'minorityShare', title: "minority classes' share of the loss"}
  }
  return {field: 'ratioToCe', title: 'FL/CE (sum ÷ CE sum)'}
}

/** Issue 17's γ × α grid as a heat map: one cell per (γ, α), coloured and labelled by the task's share. */
export function gridChart(grid: GridCell[]): TopLevelSpec {
  const measure = gridMeasure(grid)
  const values = grid
    .filter((c) => c[measure.field] !== null)
    .map((c) => ({gamma: c.gamma, alpha: c.alpha, value: c[measure.field]}))
  const shares = measure.field !== 'ratioToCe'
  // Shares are coloured on [0, 1], so a colour means the same share in every report; FL/CE on its range.
  const numbers = values.map((v) => v.value as number)
  const [lo, hi] = shares ? [0, 1] : [Math.min(...numbers), Math.max(...numbers)]
  const alphas = [...new Set(grid.map((c) => c.alpha))].sort((a, b) => a - b)
  const gammas = [...new Set(grid.map((c) => c.gamma))].sort((a, b) => a - b)
  const cell = {
    x: {field: 'alpha', type: 'ordinal' as const, title: 'α (class weight)', sort: alphas},
    y: {field: 'gamma', type: 'ordinal' as const, title: 'γ (focusing parameter)', sort: gammas},
  }
  return {
    $schema: SCHEMA_URL,
    title: {text: `γ × α grid: ${measure.title}`, subtitle: 'one cell per (γ, α) of --gammas × --alphas'},
    description:
      `Heat map of ${values.length} cells, α (${alphas.join(', ')}) across and γ (${gammas.join(', ')}) down, ` +
      `coloured and labelled by the ${measure.title}. The numbers are in the table below the chart.`,
    width: Math.max(240, 70 * alphas.length),
    height: Math.max(180, 36 * gammas.length),
    data: {values},
    encoding: cell,
    layer: [
      {
        mark: {type: 'rect'},
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            title: shares ? 'share' : 'FL/CE',
            scale: {scheme: SEQUENTIAL_SCHEME, domain: [lo, hi]},
            legend: {format: shares ? '.0%' : '.2f'},
          },
        },
      },
      {
        mark: {type: 'text', fontSize: 11},
        encoding: {
          text: {field: 'value', type: 'quantitative', format: shares ? '.1%' : '.3f'},
          // White on viridis' dark (purple to teal) end, black on its light (green to yellow) end.
          color: {condition: {test: `datum.value < ${lo + 0.45 * (hi - lo)}`, value: 'white'}, value: 'black'},
        },
      },
    ],
  }
}
