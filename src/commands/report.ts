import {availableParallelism} from 'node:os'

import {Args, Flags} from '@oclif/core'

import {analyzePredictions} from '../analyze-predictions.js'
import {BaseCommand} from '../cli/base-command.js'
import {parseAlpha, parseEasyThreshold, parseEps, parseGammas} from '../cli/parse-options.js'
import {useColor} from '../cli/terminal.js'
import type {Report as ReportResult} from '../core/result.js'
import {renderReport} from '../renderers/render-report.js'

export default class Report extends BaseCommand {
  static override summary = 'Where the loss comes from: per-class shares, easy/hard split and a focal-loss γ sweep.'

  static override description = `Streams CSV or Arrow IPC prediction files (labels plus logits or probabilities) through
cross-entropy and focal-loss evaluators in one pass and bounded memory. Several files are read as one dataset.

Layouts are detected from column names: binary ("label" + "logit" | "prob" | "score") or multi-class
("label" + "logit_0 … logit_K" / "prob_<class> …", or an Arrow FixedSizeList column "logits" / "probs").`

  static override examples = [
    '<%= config.bin %> <%= command.id %> fixtures/example.csv',
    '<%= config.bin %> <%= command.id %> preds.arrow --gammas 0,1,2 --alpha 0.25',
    '<%= config.bin %> <%= command.id %> preds.csv --scores probs --json > report.json',
  ]

  static override args = {
    files: Args.string({description: 'prediction files (.csv, .arrow, .arrows, .feather)', required: true}),
  }

  static override strict = false

  static override flags = {
    'label-col': Flags.string({description: 'name of the label column', default: 'label'}),
    'score-col': Flags.string({description: 'the one score column (binary), or an Arrow list column (multi-class)'}),
    'score-prefix': Flags.string({description: 'prefix shared by the K score columns (multi-class), e.g. "logit_"'}),
    scores: Flags.string({
      description: 'whether scores are logits or probabilities (default: from the column name)',
      options: ['logits', 'probs'],
    }),
    format: Flags.string({description: 'input format (default: from the extension)', options: ['csv', 'arrow']}),
    gammas: Flags.string({description: 'focal-loss γ values of the sweep, comma-separated', default: '0,0.5,1,2,5'}),
    alpha: Flags.string({
      description: 'α: "none" or a number in [0, 1] (binary: α for label 1, 1 − α for label 0)',
      default: 'none',
    }),
    'easy-threshold': Flags.string({description: 'a row is easy when p_t is above this', default: '0.5'}),
    threads: Flags.integer({
      description: 'worker threads for large CSV files (default: the number of cores)',
      min: 1,
      max: 64,
      default: availableParallelism(),
    }),
    eps: Flags.string({description: 'probabilities are clamped to [eps, 1 − eps] before the log', default: '1e-7'}),
  }

  async run(): Promise<ReportResult> {
    const {argv, flags} = await this.parse(Report)
    const report = await analyzePredictions(argv as string[], {
      labelCol: flags['label-col'],
      scoreCol: flags['score-col'],
      scorePrefix: flags['score-prefix'],
      scores: flags.scores as 'logits' | 'probs' | undefined,
      format: flags.format as 'csv' | 'arrow' | undefined,
      gammas: parseGammas(flags.gammas),
      alpha: parseAlpha(flags.alpha),
      easyThreshold: parseEasyThreshold(flags['easy-threshold']),
      eps: parseEps(flags.eps),
      threads: flags.threads,
    })
    if (!this.jsonEnabled()) process.stdout.write(`${renderReport(report, {color: useColor(process.stdout)})}\n`)
    return report
  }
}
