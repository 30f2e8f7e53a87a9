import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {AtomicWriteError, type StagedWrites, stageWrites} from '../cli/atomic-write.js'
import {BaseCommand} from '../cli/base-command.js'
import {compareInputKind, readSavedReport} from '../cli/compare-inputs.js'
import {analyzeOptionsFromFlags, inputFlags} from '../cli/input-flags.js'
import {colorFlag, terminalReportFlags, warnIfFormatFlag} from '../cli/output-flags.js'
import {assertOutputsAreNotInputs, type NamedPath} from '../cli/output-paths.js'
import {terminalWidth, useColor} from '../cli/terminal.js'
import {withProgress} from '../cli/with-progress.js'
import {writeError} from '../cli/write-error.js'
import {UsageError} from '../core/errors.js'
import type {Settings} from '../core/state/partial-state.js'
import {assertSameSettings} from '../gates/run-gates.js'
import {type AnalyzeOptions, analyzeDataset} from '../pipeline/analyze-predictions.js'
import {pairHardRows} from '../pipeline/pair-hard-rows.js'
import {compareReports, hardRowsNotCompared} from '../report/compare-reports.js'
import type {CompareInput, Comparison} from '../report/compare-types.js'
import type {Report} from '../report/types.js'
import {renderWarnings} from '../renderers/render-warnings.js'

/** One side of the comparison as read: the report, and for a prediction file the settings it was read with. */
interface Run {
  input: CompareInput
  report: Report
  settings?: Settings
}

export default class Compare extends BaseCommand {
  static override summary =
    'Compare two runs side by side: totals, γ sweep, per-class shares, their changes (B − A) and how A’s hard rows fare in B.'

  // One line per paragraph: oclif wraps the help text to the terminal itself.
  static override description = [
    'A and B are prediction files (any format report reads, with the same layout and classes) or saved reports ' +
      '(report --json or -o output), told apart by their content. Prediction files are evaluated with the input ' +
      'flags, as report does; a saved report keeps the settings it was computed with.',
    'The two runs must have been computed with the same settings (task, scores, γ list, α, loss, eps, easy ' +
      'threshold, reduction, classes): otherwise compare stops, naming the first difference (exit 2).',
    'When both are prediction files of the same rows (the same number of data rows, in the same order, with the ' +
      'same labels), each file is read once more, in step, to count how many of A’s hard rows (p_t ≤ the easy ' +
      'threshold) are still hard in B.',
  ].join('\n\n')

  static override examples = [
    {
      description: 'The current model against a candidate, on the same 800 rows',
      command: '<%= config.bin %> <%= command.id %> examples/predictions.csv examples/candidate-predictions.csv',
    },
    {
      description: 'A page with paired charts, to attach to a review (self-contained, loads nothing)',
      command:
        '<%= config.bin %> <%= command.id %> examples/predictions.csv examples/candidate-predictions.csv --html diff.html',
    },
    {
      description: 'A saved report against new predictions; the comparison as JSON ({a, b, delta, hardRows})',
      command: '<%= config.bin %> <%= command.id %> examples/baseline-report.json examples/predictions.csv --json',
    },
  ]

  static override args = {
    a: Args.string({description: 'the first run (A): a prediction file or a saved report', required: true}),
    b: Args.string({description: 'the second run (B), compared with A: B − A', required: true}),
  }

  static override flags = {
    ...inputFlags,
    output: Flags.string({
      char: 'o',
      description:
        'also write the comparison JSON (as --json prints it) to this file, atomically: a failed run leaves no file and an old one whole',
      helpGroup: 'OUTPUT',
    }),
    html: Flags.string({
      description: 'also write the comparison as a self-contained HTML page with paired charts (atomically)',
      helpGroup: 'OUTPUT',
    }),
    ...colorFlag,
    'max-classes': terminalReportFlags['max-classes'],
  }

  async run(): Promise<Comparison> {
    const {args, flags, metadata} = await this.parse(Compare)
    warnIfFormatFlag(this.argv, (message) => this.warn(message))
    const paths = [args.a, args.b]
    const outputs: NamedPath[] = [
      ...(flags.output === undefined ? [] : [{path: flags.output, what: '--output'}]),
      ...(flags.html === undefined ? [] : [{path: flags.html, what: '--html'}]),
    ]
    // Before anything is read or written: an output onto an input would destroy it.
    assertOutputsAreNotInputs(
      outputs,
      paths.map((path, i) => ({path, what: i === 0 ? 'input A' : 'input B'})),
    )
    const kinds = [await compareInputKind(args.a), await compareInputKind(args.b)]
    const predictions = kinds.includes('predictions')
    if (!predictions) {
      // Two saved reports keep their settings: a flag that would change them is a mistake.
      const given = Object.keys(inputFlags).find(
        (name) => flags[name as keyof typeof flags] !== undefined && metadata.flags[name]?.setFromDefault !== true,
      )
      if (given !== undefined) {
        throw new UsageError(
          `--${given}: expected with a prediction file, got two saved reports (a saved report keeps its settings)`,
        )
      }
    }
    // Input flags are checked before any file is read.
    const options = predictions ? analyzeOptionsFromFlags(flags, metadata) : undefined
    const runs: Run[] = []
    for (let i = 0; i < 2; i++) runs.push(await this.readRun({path: paths[i], kind: kinds[i]}, options, flags.progress))
    const [a, b] = runs
    assertSameSettings(a.report, b.report, {source: b.input.path, noun: 'a run', reference: a.input.path}, [
      {phrase: 'computed with', read: (r) => `--gammas ${r.config.gammas.join(',')}`},
    ])

    const hardRows =
      a.settings && b.settings && options
        ? await pairHardRows(
            {path: a.input.path, settings: a.settings, report: a.report},
            {path: b.input.path, settings: b.settings, report: b.report},
            options,
          )
        : hardRowsNotCompared(
            `${[a, b].find((run) => run.input.kind === 'report')?.input.path} is a saved report: only two prediction files have rows to pair`,
            a.report,
          )
    const comparison = compareReports({a: a.input, b: b.input}, a.report, b.report, hardRows)
    if (outputs.length > 0) await this.writeOutputs(comparison, flags.output, flags.html)
    if (!this.jsonEnabled()) {
      // Imported only for the table: chalk and cli-table3 are start-up cost that --json runs never use.
      const {renderCompare} = await import('../renderers/render-compare.js')
      const text = renderCompare(comparison, {
        color: useColor(process.stdout, process.env, flags.color),
        width: terminalWidth(process.stdout),
        maxClasses: flags['max-classes'],
      })
      process.stdout.write(`${text}\n`)
    }
    return comparison
  }

  /** A saved report as it is, or a prediction file evaluated as `report` would (with its warnings on stderr). */
  private async readRun(
    input: CompareInput,
    options: AnalyzeOptions | undefined,
    progress: boolean | undefined,
  ): Promise<Run> {
    if (input.kind === 'report' || options === undefined) return {input, report: await readSavedReport(input.path)}
    const {report, settings} = await withProgress(progress, [input.path], (onProgress) =>
      analyzeDataset([input.path], {...options, onProgress}),
    )
    for (const line of renderWarnings(report)) process.stderr.write(`focalscope: warning: ${input.path}: ${line}\n`)
    return {input, report, settings}
  }

  /**
   * The JSON (-o) and the page (--html), written all or nothing, as `report` writes its outputs. The page's
   * renderer and Vega are the lazily loaded HTML bundle (scripts/bundle.mjs): runs without --html never
   * load them.
   */
  private async writeOutputs(
    comparison: Comparison,
    json: string | undefined,
    html: string | undefined,
  ): Promise<void> {
    const files: {path: string; what: string; data: string}[] = []
    if (json !== undefined) files.push({path: json, what: '--output', data: `${JSON.stringify(comparison, null, 2)}\n`})
    if (html !== undefined) {
      const {renderHtmlCompare} = await import('../renderers/html/render-html-report.js')
      const page = await renderHtmlCompare(comparison, {generator: `focalscope ${this.config.version}`})
      files.push({path: html, what: '--html', data: page})
    }
    let staged: StagedWrites
    try {
      staged = await stageWrites(files)
      await staged.commit()
    } catch (error) {
      const target = error instanceof AtomicWriteError ? error.target : files[0].path
      const file = files.find((f) => f.path === target) ?? files[0]
      throw writeError(error, file.path, file.what)
    }
  }
}
