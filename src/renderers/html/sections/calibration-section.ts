import {formatCount, formatRatio} from '../../format-number.js'
import {htmlTable, numberCell} from '../html-table.js'
import {type PageSection, type SectionContext, figureHtml, sectionHtml} from './section.js'

const metric = (v: number | null): string => formatRatio(v)

/** Calibration (issue 18): ECE, MCE, Brier, the reliability diagram and per-class ECE; absent without it. */
export function calibrationSection(context: SectionContext): PageSection | null {
  const calibration = context.report.calibration
  if (!calibration) return null
  const brier = calibration.brier ?? context.report.brier ?? null
  const summary = htmlTable({
    id: 'calibration-table',
    head: ['measure', 'value'],
    rows: [
      [{text: `ECE (${calibration.bins} bins, top label)`}, numberCell(calibration.ece, metric)],
      [{text: 'MCE (largest bin gap)'}, numberCell(calibration.mce, metric)],
      ...(brier === null ? [] : [[{text: 'Brier score'}, numberCell(brier, metric)]]),
    ],
  })
  const bins = htmlTable({
    id: 'reliability-table',
    head: ['confidence bin', 'rows', 'mean confidence', 'accuracy'],
    rows: calibration.reliability.map((b) => [
      {
        // torchmetrics' bins: [i/15, (i+1)/15), and a confidence of exactly 1 in a bin of its own.
        text:
          b.lower === b.upper
            ? `= ${formatRatio(b.lower, 4)}`
            : `[${formatRatio(b.lower, 4)}, ${formatRatio(b.upper, 4)})`,
        value: b.lower,
      },
      numberCell(b.count, (v) => (v === null ? '–' : formatCount(v))),
      numberCell(b.confidence, metric),
      numberCell(b.accuracy, metric),
    ]),
  })
  const perClass =
    calibration.perClass.length > 0
      ? htmlTable({
          id: 'class-ece-table',
          head: ['class', 'classwise ECE'],
          rows: calibration.perClass.map((c) => [{text: c.class, value: c.class}, numberCell(c.ece, metric)]),
          sortable: true,
          tall: calibration.perClass.length > 30,
        })
      : ''
  const caption =
    'Bars: the fraction of rows predicted correctly in each confidence bin; diamonds: the mean confidence ' +
    'in the bin. Bars below the diagonal mean over-confidence.'
  return {
    id: 'calibration',
    title: 'Calibration',
    html: sectionHtml('calibration', 'Calibration', [
      summary,
      figureHtml(context, 'reliability', caption, bins),
      perClass,
    ]),
  }
}
