import {Args} from '@oclif/core'

import {analyzePredictions} from '../analyze-predictions.js'
import {BaseCommand} from '../cli/base-command.js'
import {analyzeOptionsFromFlags, inputFlags} from '../cli/input-flags.js'
import {withProgress} from '../cli/with-progress.js'
import {useColor} from '../cli/terminal.js'
import type {Report as ReportResult} from '../core/result.js'
import {renderWarnings} from '../renderers/render-warnings.js'

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

  static override flags = inputFlags

  async run(): Promise<ReportResult> {
    const {argv, flags, metadata} = await this.parse(Report)
    const report = await withProgress(flags.progress, argv as string[], (onProgress) =>
      analyzePredictions(argv as string[], {...analyzeOptionsFromFlags(flags, metadata), onProgress}),
    )
    for (const line of renderWarnings(report)) process.stderr.write(`focalscope: warning: ${line}\n`)
    if (!this.jsonEnabled()) {
      // Imported only for the table: chalk and cli-table3 are start-up cost that --json runs never use.
      const {renderReport} = await import('../renderers/render-report.js')
      process.stdout.write(`${renderReport(report, {color: useColor(process.stdout)})}\n`)
    }
    return report
  }
}
