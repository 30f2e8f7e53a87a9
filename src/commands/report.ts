import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {analyzePredictions} from '../pipeline/analyze-predictions.js'
import {atomicWrite} from '../cli/atomic-write.js'
import {assertOutputsAreNotInputs} from '../cli/output-paths.js'
import {BaseCommand} from '../cli/base-command.js'
import {analyzeOptionsFromFlags, inputFlags} from '../cli/input-flags.js'
import {withProgress} from '../cli/with-progress.js'
import {useColor} from '../cli/terminal.js'
import {InputError} from '../core/errors.js'
import {expandPaths} from '../readers/expand-paths.js'
import type {Report as ReportResult} from '../report/types.js'
import {renderWarnings} from '../renderers/render-warnings.js'

export default class Report extends BaseCommand {
  static override summary = 'Where the loss comes from: per-class shares, easy/hard split and a focal-loss γ sweep.'

  // One line per paragraph: oclif wraps the help text to the terminal itself.
  static override description = [
    'Streams CSV or Arrow IPC prediction files (labels plus logits or probabilities) through cross-entropy and ' +
      'focal-loss evaluators in one pass and bounded memory. Several files are read as one dataset.',
    'Layouts are detected from column names; flags override them.',
    'Binary: "label" (0 or 1) and one score column "logit", "prob" or "score" (--score-col). With --soft-labels ' +
      'the label is a soft target in [0, 1] (BCE with soft targets, one sigmoid element per row).',
    'Multi-class: "label" and "logit_0 … logit_K" / "prob_<class> …" (--score-prefix), or an Arrow ' +
      'FixedSizeList column "logits" / "probs" (--score-col).',
    'Multi-label (one sigmoid per element, targets in [0, 1]): wide, "logit_<c> …" and "target_<c> …" ' +
      '(--score-prefix, --target-prefix); Arrow lists, a FixedSizeList of K scores ("logits", "probs") and one ' +
      'of K float, integer or boolean targets ("targets", "labels" or --target-col); long, one row per element ' +
      'with a class, a score and a target column (--class-col, --target-col, --class-names).',
  ].join('\n\n')

  static override examples = [
    '<%= config.bin %> <%= command.id %> fixtures/example.csv',
    '<%= config.bin %> <%= command.id %> preds.arrow --gammas 0,1,2 --alpha 0.25',
    '<%= config.bin %> <%= command.id %> preds.csv --scores probs --json > report.json',
    {
      description: 'Also write a self-contained HTML page with charts (opens from file://, loads nothing)',
      command: '<%= config.bin %> <%= command.id %> fixtures/example.csv --html report.html',
    },
    {
      description: "Multi-label detection outputs (logit_car, …, target_car, …) with torchvision's defaults",
      command: '<%= config.bin %> <%= command.id %> fixtures/multilabel.csv --preset torchvision',
    },
    {
      description: 'Arrow lists of K logits and K targets, the target list named explicitly, classes named',
      command: '<%= config.bin %> <%= command.id %> anchors.arrow --target-col gt_multi_hot --class-names @classes.txt',
    },
    {
      description: 'One row per (anchor, class): the long layout',
      command:
        '<%= config.bin %> <%= command.id %> fixtures/multilabel-long.csv --class-col class --target-col target --class-names car,person,bike,dog',
    },
    {
      description: 'One α per class (multi-label: α_c for positive targets, 1 − α_c for negative ones)',
      command: '<%= config.bin %> <%= command.id %> fixtures/multilabel.csv --alpha 0.25,0.5,0.5,0.75',
    },
    {
      description: 'Class-balanced α from the effective number of samples (Cui et al. 2019)',
      command: '<%= config.bin %> <%= command.id %> fixtures/multilabel.csv --alpha effective-number --beta 0.99',
    },
    {
      description: 'VarifocalNet as ultralytics VarifocalLoss (γ 2, α 0.75, .mean(1).sum())',
      command: '<%= config.bin %> <%= command.id %> fixtures/multilabel.csv --preset ultralytics --loss varifocal',
    },
    {
      description: 'Poly-1 focal loss with ε = 2 over γ 0 and 2',
      command: '<%= config.bin %> <%= command.id %> fixtures/example.csv --loss poly1 --poly-epsilon 2 --gammas 0,2',
    },
    {
      description: 'Binary labels that are soft targets in [0, 1] (distillation, label smoothing)',
      command: '<%= config.bin %> <%= command.id %> fixtures/binary-soft.csv --soft-labels --preset ultralytics',
    },
  ]

  static override args = {
    files: Args.string({description: 'prediction files (.csv, .arrow, .arrows, .feather)', required: true}),
  }

  static override strict = false

  static override flags = {
    ...inputFlags,
    html: Flags.string({description: 'also write the report as a self-contained HTML page with charts to this file'}),
  }

  async run(): Promise<ReportResult> {
    const {argv, flags, metadata} = await this.parse(Report)
    if (flags.html !== undefined) {
      assertOutputsAreNotInputs(
        [{path: flags.html, what: '--html'}],
        expandPaths(argv as string[]).map((path) => ({path, what: 'the prediction file'})),
      )
    }
    const report = await withProgress(flags.progress, argv as string[], (onProgress) =>
      analyzePredictions(argv as string[], {...analyzeOptionsFromFlags(flags, metadata), onProgress}),
    )
    for (const line of renderWarnings(report)) process.stderr.write(`focalscope: warning: ${line}\n`)
    if (flags.html !== undefined) await this.writeHtml(report, flags.html)
    if (!this.jsonEnabled()) {
      // Imported only for the table: chalk and cli-table3 are start-up cost that --json runs never use.
      const {renderReport} = await import('../renderers/render-report.js')
      process.stdout.write(`${renderReport(report, {color: useColor(process.stdout)})}\n`)
    }
    return report
  }

  /**
   * The page, written atomically. Its renderer and Vega are a bundle of their own (scripts/bundle.mjs),
   * loaded only here: runs without --html never pay for them.
   */
  private async writeHtml(report: ReportResult, path: string): Promise<void> {
    const {renderHtmlReport} = await import('../renderers/html/render-html-report.js')
    const html = await renderHtmlReport(report, {generator: `focalscope ${this.config.version}`})
    try {
      await atomicWrite(path, html)
    } catch (error) {
      // As gate's outputs word it (gate.ts writeError); the temp file's name would only confuse.
      const code = (error as NodeJS.ErrnoException).code
      const reason =
        code === 'ENOENT'
          ? 'its directory does not exist'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : code === 'EISDIR'
              ? 'it is a directory'
              : (error as Error).message
      throw new InputError(`expected a writable path for --html, got ${code ?? 'an error'} (${reason})`, {file: path})
    }
  }
}
