import {formatLoss, formatRatio, formatShare} from '../../format-number.js'
import {htmlTable, numberCell} from '../html-table.js'
import {type PageSection, type SectionContext, figureHtml, sectionHtml} from './section.js'

/** The γ × α grid (issue 17) as a heat map and a table; absent without `grid`. */
export function gridSection(context: SectionContext): PageSection | null {
  const grid = context.report.grid
  if (!grid || grid.length === 0) return null
  const table = htmlTable({
    id: 'grid-table',
    head: ['γ', 'α', 'sum', 'FL/CE', 'positive share', 'minority share', 'hard share'],
    rows: grid.map((c) => [
      {text: String(c.gamma), value: c.gamma},
      numberCell(c.alpha, (v) => (v === null ? '–' : String(v))),
      numberCell(c.sum, formatLoss),
      numberCell(c.ratioToCe, (v) => formatRatio(v)),
      numberCell(c.positiveShare, formatShare),
      numberCell(c.minorityShare, formatShare),
      numberCell(c.hardShare, formatShare),
    ]),
    sortable: true,
  })
  const note =
    context.report.input.task === 'multiclass'
      ? ' For multi-class a scalar α scales every row alike, so the shares do not change with α.'
      : ''
  const caption = `Each cell is one (γ, α) pair of the sweep, computed in the same pass.${note}`
  return {
    id: 'grid',
    title: 'γ × α grid',
    html: sectionHtml('grid', 'γ × α grid', [figureHtml(context, 'grid', caption), table]),
  }
}
