import {formatCount, formatLoss, formatRatio, formatShare} from '../../format-number.js'
import {reductionText} from '../../report-labels.js'
import {escapeHtml} from '../escape-html.js'
import type {HtmlReportInput} from '../report-sections.js'
import {type PageSection, sectionHtml} from './section.js'

/** "1 row", "2,000 rows": as the terminal words it. */
function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`
}

/** The terminal report's header lines (input, checks, files, semantics, CE, preset, reduction) as a list. */
export function summarySection(report: HtmlReportInput): PageSection {
  const {input, config, totals} = report
  const multilabel = input.task === 'multilabel'
  const counted = multilabel ? 'positives' : 'rows'
  const imbalance =
    input.classes.length < 2
      ? ''
      : ` · imbalance ${input.imbalanceRatio === null ? `∞ (a class has no ${counted})` : `${formatRatio(input.imbalanceRatio)}×`} (max/min ${counted})`
  const entries: [string, string][] = [
    [
      'Input',
      `${plural(input.rows, 'row')} · ${input.softLabels ? 'binary, soft labels' : input.task} · ${input.scores} · ` +
        `${input.classes.length} ${input.classes.length === 1 ? 'class' : 'classes'}${imbalance}`,
    ],
  ]
  const checks = [
    `${plural(input.skippedRows, 'row')} skipped`,
    `${plural(input.clampedValues, 'probability', 'probabilities')} clamped to [${config.eps}, 1 − ${config.eps}]`,
  ]
  if (input.probabilityRowSums) {
    const sums = input.probabilityRowSums
    checks.push(
      `row sums within ${formatRatio(sums.maxDeviation, 2)} of 1` +
        (sums.renormalized > 0 ? ` (${plural(sums.renormalized, 'row')} renormalized)` : ''),
    )
  }
  entries.push(['Checks', checks.join(' · ')])
  for (const skipped of input.skipped) {
    entries.push(['Skipped', `${formatCount(skipped.count)} rows: ${skipped.reason} (first: ${skipped.first})`])
  }
  if (input.files.length > 1) {
    entries.push(['Files', input.files.map((f, i) => `${f} ${formatCount(input.fileRows[i])}`).join(' · ')])
  }
  entries.push(['Semantics', input.semantics])
  entries.push(['CE', `sum ${formatLoss(totals.ce.sum)} · mean ${formatLoss(totals.ce.mean)}`])
  const reduction = config.reduction ?? null
  if (config.preset) entries.push(['Preset', `${config.preset}${reduction?.source ? ` — ${reduction.source}` : ''}`])
  if (reduction) entries.push(['Reduction', reductionText(reduction, config.preset, formatLoss)])
  if (report.accuracy !== undefined && report.accuracy !== null) {
    entries.push(['Accuracy', formatShare(report.accuracy)])
  }
  const list = entries.map(([term, text]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(text)}</dd>`).join('\n')
  return {
    id: 'summary',
    title: 'Summary',
    html: sectionHtml('summary', 'Summary', [`<dl class="summary">\n${list}\n</dl>`]),
  }
}
