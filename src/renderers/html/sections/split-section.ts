import type {SplitSide} from '../../../report/types.js'
import {formatCount, formatShare} from '../../format-number.js'
import {type Cell, htmlTable, numberCell} from '../html-table.js'
import {type PageSection, type SectionContext, sectionHtml} from './section.js'

function sideRow(name: string, side: SplitSide): Cell[] {
  return [
    {text: name},
    numberCell(side.count, (v) => (v === null ? '–' : formatCount(v))),
    numberCell(side.countShare, formatShare),
    numberCell(side.ceShare, formatShare),
    ...side.focal.map((f) => numberCell(f.share, formatShare)),
  ]
}

/** The easy/hard split and, for sigmoid tasks, the paper's easy/hard × positive/negative picture. */
export function splitSection(context: SectionContext): PageSection {
  const {split, sweep, input, splitByTarget} = context.report
  const multilabel = input.task === 'multilabel'
  const gammaHeads = sweep.map((s) => `FL γ=${s.gamma}`)
  const parts = [
    htmlTable({
      id: 'split-table',
      head: ['', multilabel ? 'elements' : 'rows', multilabel ? 'share' : 'row share', 'CE share', ...gammaHeads],
      rows: [sideRow('easy', split.easy), sideRow('hard', split.hard)],
    }),
  ]
  if (splitByTarget) {
    parts.push(
      `<h3>Easy / hard × positive / negative target — the paper's picture (easy means p_t &gt; ${splitByTarget.threshold})</h3>`,
      htmlTable({
        id: 'split-by-target-table',
        head: ['', 'elements', 'share', 'CE share', ...gammaHeads],
        rows: [
          sideRow('easy negative', splitByTarget.easyNegative),
          sideRow('hard negative', splitByTarget.hardNegative),
          sideRow('easy positive', splitByTarget.easyPositive),
          sideRow('hard positive', splitByTarget.hardPositive),
        ],
      }),
    )
  }
  return {
    id: 'split',
    title: 'Easy / hard',
    html: sectionHtml('split', `Easy / hard — easy means p_t > ${split.threshold}`, parts),
  }
}
