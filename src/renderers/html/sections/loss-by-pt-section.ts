import {formatCount, formatLoss, formatRatio} from '../../format-number.js'
import {htmlTable, numberCell} from '../html-table.js'
import {type PageSection, type SectionContext, figureHtml, sectionHtml} from './section.js'

/** The data's own Figure 1: mean loss per p_t bin for each γ (issue 17); absent without `lossByPt`. */
export function lossByPtSection(context: SectionContext): PageSection | null {
  const lossByPt = context.report.lossByPt
  if (!lossByPt || lossByPt.bins.length === 0) return null
  const gammas = lossByPt.bins[0].focal.map((f) => f.gamma)
  const numbers = htmlTable({
    id: 'loss-by-pt-table',
    head: ['p_t bin', 'rows', ...gammas.map((g) => `mean γ=${g}`)],
    rows: lossByPt.bins.map((bin) => [
      {text: `(${formatRatio(bin.lower, 4)}, ${formatRatio(bin.upper, 4)}]`, value: bin.lower},
      numberCell(bin.count, (v) => (v === null ? '–' : formatCount(v))),
      ...gammas.map((g) => numberCell(bin.focal.find((f) => f.gamma === g)?.mean, formatLoss)),
    ]),
  })
  const caption =
    'How much each row loses at each γ, by how well it is predicted: focal loss shrinks the loss of ' +
    'well-classified rows (p_t near 1) far more than that of hard ones (p_t near 0).'
  return {
    id: 'loss-by-pt',
    title: 'Loss vs p_t',
    html: sectionHtml('loss-by-pt', 'Mean loss vs p_t (the data’s own Figure 1)', [
      figureHtml(context, 'lossByPt', caption, numbers),
    ]),
  }
}
