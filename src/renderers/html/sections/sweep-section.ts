import {formatLoss, formatRatio, formatShare} from '../../format-number.js'
import {LOSS_FORMULAS} from '../../report-labels.js'
import {htmlTable, numberCell} from '../html-table.js'
import {type PageSection, type SectionContext, figureHtml, sectionHtml} from './section.js'

/** The γ sweep table, as the terminal prints it, and its chart (FL/CE and hard share vs γ). */
export function sweepSection(context: SectionContext): PageSection {
  const {config, sweep} = context.report
  const reduction = config.reduction ?? null
  const spec = config.alphaSpec ?? (config.alpha === null ? 'none' : String(config.alpha))
  const title = `γ sweep — ${LOSS_FORMULAS[config.loss ?? 'focal']}, α = ${spec}`
  const table = htmlTable({
    id: 'sweep-table',
    head: [
      'γ',
      'FL sum',
      'mean',
      'FL/CE',
      'easy share',
      'hard share',
      ...(reduction ? [config.preset ? `${config.preset} (${reduction.name})` : reduction.name] : []),
    ],
    rows: sweep.map((row) => [
      {text: String(row.gamma), value: row.gamma},
      numberCell(row.sum, formatLoss),
      numberCell(row.mean, formatLoss),
      numberCell(row.ratioToCe, (v) => formatRatio(v)),
      numberCell(row.easyShare, formatShare),
      numberCell(row.hardShare, formatShare),
      ...(reduction ? [numberCell(row.reduced, formatLoss)] : []),
    ]),
  })
  const caption =
    `Each γ's loss relative to cross-entropy (FL/CE, γ = 0 gives 1 without α) and the share of it carried ` +
    `by hard rows (p_t ≤ ${context.report.split.threshold}). The numbers are in the table above.`
  return {
    id: 'sweep',
    title: 'γ sweep',
    html: sectionHtml('sweep', title, [table, figureHtml(context, 'sweep', caption)]),
  }
}
