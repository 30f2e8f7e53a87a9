import {formatCount, formatRatio, formatShare} from '../../format-number.js'
import {chartedGroups} from '../charts/concentration-chart.js'
import {htmlTable, numberCell} from '../html-table.js'
import {type PageSection, type SectionContext, figureHtml, paragraph, sectionHtml} from './section.js'

const share = (v: number | null): string => formatShare(v)

/**
 * Loss concentration (issue 17, the data's own Figure 4): the curves of the positive/negative (or all-rows)
 * groups, and a table of every group's summary figures; absent without `concentration`.
 */
export function concentrationSection(context: SectionContext): PageSection | null {
  const concentration = context.report.concentration
  if (!concentration || concentration.groups.length === 0) return null
  const table = htmlTable({
    id: 'concentration-table',
    head: [
      'group',
      'γ',
      'samples',
      'top 1 %',
      'top 5 %',
      'top 10 %',
      'top 20 %',
      'fraction for 50 %',
      'fraction for 80 %',
      'fraction for 90 %',
      'fraction for 99 %',
      'Gini',
      'effective samples',
    ],
    rows: concentration.groups.map((g) => [
      {text: g.group, value: g.group},
      {text: String(g.gamma), value: g.gamma},
      numberCell(g.count, (v) => (v === null ? '–' : formatCount(v))),
      ...['0.01', '0.05', '0.1', '0.2'].map((k) => numberCell(g.topShare[k], share)),
      ...['0.5', '0.8', '0.9', '0.99'].map((k) => numberCell(g.fractionCarrying[k], (v) => formatFraction(v))),
      numberCell(g.gini, (v) => formatRatio(v)),
      numberCell(g.effectiveSamples, (v) => (v === null ? '–' : formatRatio(v, 4))),
    ]),
    sortable: true,
    tall: concentration.groups.length > 30,
    caption:
      'top x %: share of the group’s loss carried by its hardest x % of samples; fraction for y %: the ' +
      'smallest fraction of samples (hardest first) carrying y % of the loss.',
  })
  const curves = chartedGroups(concentration)
  const caption =
    `The share of each group’s loss (${curves.join(', ')}) carried by its hardest samples, one line per γ; ` +
    'a curve that rises steeply at the left means a few samples carry most of the loss. The numbers ' +
    'summarising each curve are in the table below.'
  const numbers = htmlTable({
    head: ['group', 'γ', 'fraction', 'share'],
    rows: concentration.groups
      .filter((g) => curves.includes(g.group))
      .flatMap((g) =>
        g.curve.map(([fraction, s]) => [
          {text: g.group},
          {text: String(g.gamma)},
          {text: formatFraction(fraction)},
          {text: formatShare(s)},
        ]),
      ),
  })
  return {
    id: 'concentration',
    title: 'Concentration',
    html: sectionHtml('concentration', 'Loss concentration (the data’s own Figure 4)', [
      figureHtml(context, 'concentration', caption, numbers),
      table,
      paragraph(
        `Method: ${concentration.method}; every share is within ±${concentration.maxShareError} of the exact value.`,
        'note',
      ),
    ]),
  }
}

/** A fraction of samples as a percentage with up to two decimals (0.0001 is 0.01 %). */
function formatFraction(value: number | null): string {
  if (value === null) return '–'
  return `${Number((value * 100).toPrecision(3))}%`
}
