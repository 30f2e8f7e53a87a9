import {formatCount, formatLoss} from '../../format-number.js'
import {htmlTable, numberCell} from '../html-table.js'
import {type PageSection, type SectionContext, sectionHtml} from './section.js'

/** The hardest rows (issue 18), as a table with their location in the input; absent without `hardest`. */
export function hardestSection(context: SectionContext): PageSection | null {
  const hardest = context.report.hardest
  if (!hardest || hardest.rows.length === 0) return null
  const ids = hardest.rows.some((r) => r.id !== undefined && r.id !== null)
  const table = htmlTable({
    id: 'hardest-table',
    head: [
      'rank',
      'file',
      'row',
      'line or batch:row',
      ...(ids ? ['id'] : []),
      'label',
      'predicted',
      'p_t',
      'CE',
      'loss',
    ],
    rows: hardest.rows.map((r, i) => [
      {text: String(i + 1), value: i + 1},
      {text: r.file},
      numberCell(r.row, (v) => (v === null ? '–' : String(v))),
      {
        text:
          r.line !== undefined && r.line !== null
            ? `line ${formatCount(r.line)}`
            : r.batch !== undefined && r.batch !== null
              ? `batch ${r.batch}, row ${r.batchRow ?? '–'}`
              : '–',
      },
      ...(ids ? [{text: r.id ?? '–'}] : []),
      {text: String(r.label)},
      {text: String(r.predicted)},
      numberCell(r.pt, formatLoss),
      numberCell(r.ce, formatLoss),
      numberCell(r.loss, formatLoss),
    ]),
    sortable: true,
    tall: hardest.rows.length > 30,
    caption: `The ${hardest.rows.length} rows with the largest loss, ranked by ${hardest.by === 'focal' ? `focal loss at γ = ${hardest.gamma}` : 'CE'}; row is 0-based within its file.`,
  })
  return {id: 'hardest', title: 'Hardest rows', html: sectionHtml('hardest', 'Hardest rows', [table])}
}
