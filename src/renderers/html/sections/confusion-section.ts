import {formatCount, formatShare} from '../../format-number.js'
import {MAX_CONFUSION_CLASSES, isSquareConfusion} from '../charts/confusion-chart.js'
import {htmlTable, numberCell} from '../html-table.js'
import {type PageSection, type SectionContext, figureHtml, paragraph, sectionHtml} from './section.js'

const count = (v: number | null): string => (v === null ? '–' : formatCount(v))

/**
 * Confusions (issue 18): the top confusions with their share of CE, the confusion matrix as a heat map
 * (up to 40 classes) with its numbers, or multi-label's 2 × 2 per class; absent without either field.
 */
export function confusionSection(context: SectionContext): PageSection | null {
  const {confusion, topConfusions, input} = context.report
  if (!confusion && !topConfusions) return null
  const parts: string[] = []
  if (topConfusions && topConfusions.length > 0) {
    parts.push(
      htmlTable({
        id: 'top-confusions-table',
        head: ['true class → predicted', 'rows', 'CE share'],
        rows: topConfusions.map((c) => [
          {text: `${c.actual} → ${c.predicted}`},
          numberCell(c.count, count),
          numberCell(c.ceShare, formatShare),
        ]),
        caption: 'The most frequent confusions, and those rows’ share of the total cross-entropy.',
      }),
    )
  }
  if (confusion && isSquareConfusion(confusion)) {
    const classes = input.classes
    const matrix = htmlTable({
      id: 'confusion-table',
      head: ['true \\ predicted', ...classes],
      rows: confusion.map((row, i) => [{text: classes[i] ?? String(i)}, ...row.map((n) => numberCell(n, count))]),
    })
    if (confusion.length <= MAX_CONFUSION_CLASSES) {
      parts.push(
        figureHtml(
          context,
          'confusion',
          'Rows per (true, predicted) class pair; the diagonal holds the correctly classified rows.',
          matrix,
        ),
      )
    } else {
      parts.push(
        paragraph(
          `The ${classes.length} × ${classes.length} matrix is not drawn (over ${MAX_CONFUSION_CLASSES} classes).`,
          'note',
        ),
        `<details><summary>The matrix</summary>${matrix}</details>`,
      )
    }
  } else if (confusion) {
    // Multi-label: one 2 × 2 matrix per class, [[tn, fp], [fn, tp]].
    parts.push(
      htmlTable({
        id: 'confusion-table',
        head: ['class', 'true negatives', 'false positives', 'false negatives', 'true positives'],
        rows: (confusion as number[][][]).map((m, i) => [
          {text: input.classes[i] ?? String(i)},
          numberCell(m[0]?.[0], count),
          numberCell(m[0]?.[1], count),
          numberCell(m[1]?.[0], count),
          numberCell(m[1]?.[1], count),
        ]),
        caption: 'One 2 × 2 confusion matrix per class (predicted positive: p > 0.5).',
      }),
    )
  }
  return {id: 'confusions', title: 'Confusions', html: sectionHtml('confusions', 'Confusions', parts)}
}
