import type {TopLevelSpec} from 'vega-lite'

import type {Concentration, ConcentrationGroup} from '../report-sections.js'
import {PALETTE, SCHEMA_URL, SHAPES, gammaName} from './chart-style.js'

/**
 * The groups drawn as curves: the positive/negative (or all-rows) groups; per-class groups only when there
 * is nothing else (a 1,000-class report would otherwise draw 1,000 panels). The per-class figures are in
 * the page's concentration table.
 */
export function chartedGroups(concentration: Concentration): string[] {
  const names = [...new Set(concentration.groups.map((g) => g.group))]
  const overall = names.filter((n) => !n.startsWith('class:'))
  return overall.length > 0 ? overall : names.slice(0, 4)
}

/**
 * The data's own Figure 4 of Lin et al. (2017): the cumulative share of a group's loss carried by its
 * hardest fraction of samples, one line per γ, on a log-x axis so the hardest 1 % is visible; one panel per
 * group (positive vs negative, or all rows).
 */
export function concentrationChart(concentration: Concentration): TopLevelSpec {
  const groups = chartedGroups(concentration)
  const gammas = [...new Set(concentration.groups.map((g) => g.gamma))].sort((a, b) => a - b)
  const values = concentration.groups
    .filter((g: ConcentrationGroup) => groups.includes(g.group))
    .flatMap((g) =>
      g.curve
        .filter(([fraction]) => fraction > 0)
        .map(([fraction, share]) => ({group: g.group, gamma: gammaName(g.gamma), fraction, share})),
    )
  const domain = gammas.map(gammaName)
  return {
    $schema: SCHEMA_URL,
    title: {
      text: 'Loss concentration: share of the loss carried by the hardest samples',
      subtitle: `one line per γ; shares within ±${concentration.maxShareError} (${concentration.method})`,
    },
    description:
      `Line charts, one per group (${groups.join(', ')}): cumulative share of the group's loss against the ` +
      'fraction of its samples, hardest first, on a logarithmic x axis, one line per γ. ' +
      'The numbers are in the concentration table below the chart.',
    data: {values},
    facet: {field: 'group', type: 'nominal', title: 'group', sort: groups},
    columns: 2,
    spec: {
      width: 250,
      height: 200,
      mark: {type: 'line', point: {filled: true, size: 30}, strokeWidth: 2},
      encoding: {
        x: {
          field: 'fraction',
          type: 'quantitative',
          title: 'fraction of samples, hardest first (log scale)',
          scale: {type: 'log', domain: [0.0001, 1]},
          axis: {format: '~%', values: [0.0001, 0.001, 0.01, 0.1, 1]},
        },
        y: {
          field: 'share',
          type: 'quantitative',
          title: "cumulative share of the group's loss",
          scale: {domain: [0, 1]},
          axis: {format: '.0%'},
        },
        color: {
          field: 'gamma',
          type: 'nominal',
          title: 'γ',
          scale: {domain, range: PALETTE},
          legend: {orient: 'bottom', direction: 'horizontal'},
        },
        shape: {field: 'gamma', type: 'nominal', scale: {domain, range: SHAPES}},
      },
    },
  }
}
