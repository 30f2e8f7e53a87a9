import {Chalk, type ChalkInstance} from 'chalk'
import Table from 'cli-table3'

import type {Report} from '../report/types.js'
import {formatCount, formatLoss, formatRatio, formatShare} from './format-number.js'
import {LOSS_FORMULAS, OVERWEIGHT_MARK} from './report-labels.js'

export interface RenderOptions {
  color: boolean
}

export {OVERWEIGHT_MARK}

function makeTable(head: string[], color: boolean, chalk: ChalkInstance): Table.Table {
  return new Table({
    head: head.map((h) => chalk.bold(h)),
    // cli-table3 colours head and border by default: off when colour is off, or pipes get escape codes.
    style: color ? {head: [], border: ['grey']} : {head: [], border: []},
    colAligns: head.map((_, i) => (i === 0 ? 'left' : 'right')),
    // No rule between body rows: a 20-class table stays one screen high.
    chars: {mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': ''},
  })
}

const gammaLabel = (gamma: number): string => `FL γ=${gamma}`

/** The terminal report: input summary, totals, γ sweep, per-class shares, easy/hard split. Pure. */
export function renderReport(report: Report, options: RenderOptions): string {
  const chalk = new Chalk({level: options.color ? 1 : 0})
  const {input, config, totals, sweep, split, classes} = report
  const out: string[] = []
  const alpha = config.alpha === null ? 'none' : String(config.alpha)

  out.push(chalk.bold(`focalscope report — ${input.files.join(', ')}`))
  // Multi-label classes all have every row; their imbalance is in positive targets.
  const multilabel = input.task === 'multilabel'
  const counted = multilabel ? 'positives' : 'rows'
  const imbalance =
    input.classes.length < 2
      ? ''
      : ` · imbalance ${input.imbalanceRatio === null ? `∞ (a class has no ${counted})` : `${formatRatio(input.imbalanceRatio)}×`} (max/min ${counted})`
  out.push(
    `${chalk.bold('Input')}      ${formatCount(input.rows)} rows · ${input.softLabels ? 'binary, soft labels' : input.task} · ${input.scores} · ` +
      `${input.classes.length} ${input.classes.length === 1 ? 'class' : 'classes'}${imbalance}`,
  )
  const checks = [
    `${formatCount(input.skippedRows)} rows skipped`,
    `${formatCount(input.clampedValues)} probabilities clamped to [${config.eps}, 1 − ${config.eps}]`,
  ]
  if (input.probabilityRowSums) {
    const sums = input.probabilityRowSums
    checks.push(
      `row sums within ${formatRatio(sums.maxDeviation, 2)} of 1` +
        (sums.renormalized > 0 ? ` (${formatCount(sums.renormalized)} rows renormalized)` : ''),
    )
  }
  out.push(`${chalk.bold('Checks')}     ${checks.join(' · ')}`)
  if (input.files.length > 1) {
    const perFile = input.files.map((f, i) => `${f} ${formatCount(input.fileRows[i])}`).join(' · ')
    out.push(`${chalk.bold('Files')}      ${perFile}`)
  }
  out.push(`${chalk.bold('Semantics')}  ${input.semantics}`)
  out.push(`${chalk.bold('CE')}         sum ${formatLoss(totals.ce.sum)} · mean ${formatLoss(totals.ce.mean)}`)
  out.push('')

  const reduction = config.reduction ?? null
  if (config.preset) {
    out.push(`${chalk.bold('Preset')}     ${config.preset}${reduction?.source ? ` — ${reduction.source}` : ''}`)
  }
  if (reduction) {
    // mmdet's divisor is avg_factor + 2^-23, which six digits would show as avg_factor alone.
    const divisor =
      reduction.name === 'avg-factor'
        ? `${formatLoss(reduction.divisor - 2 ** -23)} + 2^-23`
        : formatLoss(reduction.divisor)
    const sum = config.preset === 'kornia' ? "kornia's sum (README: presets)" : 'the sum'
    out.push(`${chalk.bold('Reduction')}  ${reduction.name}: ${sum} divided by ${divisor}`)
  }
  if (config.preset || reduction) out.push('')
  const spec = config.alphaSpec ?? alpha
  out.push(chalk.bold(`γ sweep — ${LOSS_FORMULAS[config.loss ?? 'focal']}, α = ${spec}`))
  const sweepTable = makeTable(
    [
      'γ',
      'FL sum',
      'mean',
      'FL/CE',
      'easy share',
      'hard share',
      // The value the reference would print: named after it, not a second "mean" beside ours (per row).
      ...(reduction ? [config.preset ? `${config.preset} (${reduction.name})` : reduction.name] : []),
    ],
    options.color,
    chalk,
  )
  for (const row of sweep) {
    sweepTable.push([
      String(row.gamma),
      formatLoss(row.sum),
      formatLoss(row.mean),
      formatRatio(row.ratioToCe),
      formatShare(row.easyShare),
      formatShare(row.hardShare),
      ...(reduction ? [formatLoss(row.reduced ?? null)] : []),
    ])
  }
  out.push(sweepTable.toString(), '')

  // Multi-label: each class row also splits its loss into positive- and negative-target elements, as
  // shares of the whole loss (pos + neg = the class's share), for CE and for the sweep's largest γ.
  const byTarget = classes.some((c) => c.byTarget)
  const topGamma = sweep.reduce((g, s, i) => (s.gamma > sweep[g].gamma ? i : g), 0)
  const targetHead = byTarget
    ? ['positives', 'CE pos', 'CE neg', `FL pos γ=${sweep[topGamma].gamma}`, `FL neg γ=${sweep[topGamma].gamma}`]
    : []
  out.push(
    chalk.bold(
      `Per class — share of rows vs share of loss (${OVERWEIGHT_MARK} CE share ≥ 2 × row share)` +
        (byTarget ? '; pos / neg: elements with target > 0 / = 0' : ''),
    ),
  )
  const classTable = makeTable(
    ['class', 'rows', 'row share', 'CE share', ...sweep.map((s) => gammaLabel(s.gamma)), ...targetHead],
    options.color,
    chalk,
  )
  for (const c of classes) {
    const name = c.overweight ? chalk.red.bold(`${c.class} ${OVERWEIGHT_MARK}`) : c.class
    const ceShare = c.overweight ? chalk.red.bold(formatShare(c.ce.share)) : formatShare(c.ce.share)
    const parts = c.byTarget
      ? [
          formatCount(c.byTarget.positive.count),
          formatShare(c.byTarget.positive.ce.share),
          formatShare(c.byTarget.negative.ce.share),
          formatShare(c.byTarget.positive.focal[topGamma]?.share ?? null),
          formatShare(c.byTarget.negative.focal[topGamma]?.share ?? null),
        ]
      : targetHead.map(() => '–')
    classTable.push([
      name,
      formatCount(c.count),
      formatShare(c.countShare),
      ceShare,
      ...c.focal.map((f) => formatShare(f.share)),
      ...parts,
    ])
  }
  out.push(classTable.toString(), '')

  out.push(chalk.bold(`Easy / hard — easy means p_t > ${split.threshold}`))
  // Multi-label: each row holds one sigmoid element per class, and the split counts elements.
  const splitTable = makeTable(
    [
      '',
      multilabel ? 'elements' : 'rows',
      multilabel ? 'share' : 'row share',
      'CE share',
      ...sweep.map((s) => gammaLabel(s.gamma)),
    ],
    options.color,
    chalk,
  )
  for (const [name, side] of [
    ['easy', split.easy],
    ['hard', split.hard],
  ] as const) {
    splitTable.push([
      name,
      formatCount(side.count),
      formatShare(side.countShare),
      formatShare(side.ceShare),
      ...side.focal.map((f) => formatShare(f.share)),
    ])
  }
  out.push(splitTable.toString())

  if (report.splitByTarget) {
    const four = report.splitByTarget
    out.push(
      '',
      chalk.bold(`Easy / hard × positive / negative target — the paper's picture (easy means p_t > ${four.threshold})`),
    )
    const fourTable = makeTable(
      ['', 'elements', 'share', 'CE share', ...sweep.map((s) => gammaLabel(s.gamma))],
      options.color,
      chalk,
    )
    for (const [name, side] of [
      ['easy negative', four.easyNegative],
      ['hard negative', four.hardNegative],
      ['easy positive', four.easyPositive],
      ['hard positive', four.hardPositive],
    ] as const) {
      fourTable.push([
        name,
        formatCount(side.count),
        formatShare(side.countShare),
        formatShare(side.ceShare),
        ...side.focal.map((f) => formatShare(f.share)),
      ])
    }
    out.push(fourTable.toString())
  }
  return out.join('\n')
}
