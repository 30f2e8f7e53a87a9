import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {analyzeWithState} from '../pipeline/analyze-predictions.js'
import {stateFileOf, stateFileText} from '../pipeline/state-files.js'
import {AtomicWriteError, openStagedFile, type StagedFile, type StagedWrites, stageWrites} from '../cli/atomic-write.js'
import {rowsOutFormat} from '../pipeline/rows-out/rows-out.js'
import {BaseCommand} from '../cli/base-command.js'
import {hardestFlags, parseHardestFlags} from '../cli/hardest-flags.js'
import {analyzeOptionsFromFlags, inputFlags} from '../cli/input-flags.js'
import {colorFlag, defaultSections, parseSections, terminalReportFlags, warnIfFormatFlag} from '../cli/output-flags.js'
import {assertOutputsAreNotInputs, type NamedPath} from '../cli/output-paths.js'
import {terminalWidth, useColor} from '../cli/terminal.js'
import {withProgress} from '../cli/with-progress.js'
import {writeError} from '../cli/write-error.js'
import {expandPaths} from '../readers/expand-paths.js'
import type {Report as ReportResult} from '../report/types.js'
import {renderWarnings} from '../renderers/render-warnings.js'

/** The output flags of a finished report (`report`, `merge`): files, and what the terminal shows. */
export const reportOutputFlags = {
  output: Flags.string({
    char: 'o',
    description:
      'also write the JSON report (as --json prints it) to this file, atomically: a failed run leaves no file and an old one whole',
    helpGroup: 'OUTPUT',
  }),
  html: Flags.string({
    description: 'also write the report as a self-contained HTML page with charts to this file (atomically)',
    helpGroup: 'OUTPUT',
  }),
  'state-out': Flags.string({
    description:
      'also write the partial state (every sum the report is built from) to this file, atomically: `focalscope merge` ' +
      'combines such files from shards into the report of all of them (docs/state-format.md)',
    helpGroup: 'OUTPUT',
  }),
  ...colorFlag,
  ...terminalReportFlags,
}

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
    {
      description: 'Where the loss of the example predictions comes from: 8 classes, logits, the default γ sweep',
      command: '<%= config.bin %> <%= command.id %> examples/predictions.csv',
    },
    {
      description: 'The JSON report into a file (written whole or not at all) while the terminal shows the tables',
      command:
        '<%= config.bin %> <%= command.id %> examples/predictions.csv --gammas 0,1,2 --alpha 0.25 -o report.json',
    },
    {
      description: 'Predictions on standard input (-): CSV, gzip or Arrow, told apart by the first bytes',
      command:
        'gzip -c examples/predictions.csv | <%= config.bin %> <%= command.id %> - --sections classes --max-classes 3',
    },
    {
      description: 'Also write a self-contained HTML page with charts (opens from file://, loads nothing)',
      command: '<%= config.bin %> <%= command.id %> examples/predictions.csv --html report.html',
    },
    {
      description: "Multi-label detection outputs (logit_car, …, target_car, …) with torchvision's defaults",
      command: '<%= config.bin %> <%= command.id %> fixtures/multilabel.csv --preset torchvision',
    },
    {
      description: 'Arrow lists of K logits and K targets, the target list named explicitly, classes named',
      command:
        '<%= config.bin %> <%= command.id %> fixtures/multilabel-list.arrow --target-col targets --class-names car,person,bike,dog',
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
      description:
        'The 10 rows with the largest CE (file, row, line, label, predicted), and every row’s losses as Arrow',
      command: '<%= config.bin %> <%= command.id %> fixtures/multiclass.csv --top 10 --rows-out rows.arrow',
    },
    {
      description: 'Binary labels that are soft targets in [0, 1] (distillation, label smoothing)',
      command: '<%= config.bin %> <%= command.id %> fixtures/binary-soft.csv --soft-labels --preset ultralytics',
    },
  ]

  static override args = {
    files: Args.string({
      description: 'prediction files (.csv, .arrow, .arrows, .feather; .gz is decompressed); - reads standard input',
      required: true,
    }),
  }

  static override strict = false

  static override flags = {
    ...inputFlags,
    ...reportOutputFlags,
    ...hardestFlags,
    'rows-out': Flags.string({
      description:
        'also write one record per row (multi-label: per element) — file, row, label, predicted, pt, ce, fl_<γ> — to this ' +
        '.csv or .arrow file, streamed in input order and renamed into place when the run succeeds (files are then read on one thread)',
      helpGroup: 'OUTPUT',
    }),
  }

  async run(): Promise<ReportResult> {
    const {argv, flags, metadata} = await this.parse(Report)
    warnIfFormatFlag(this.argv, (message) => this.warn(message))
    const files = argv as string[]
    // Before anything is read or written: an output onto an input would destroy it.
    const rowsOutPath = flags['rows-out']
    const rowsFormat = rowsOutPath === undefined ? undefined : rowsOutFormat(rowsOutPath)
    assertOutputsAreNotInputs(
      [...reportOutputPaths(flags), ...(rowsOutPath === undefined ? [] : [{path: rowsOutPath, what: '--rows-out'}])],
      expandPaths(files).map((path) => ({path, what: 'the prediction file'})),
    )
    const sections = parseSections(flags.sections) ?? defaultSections(process.stdout)
    const options = {...analyzeOptionsFromFlags(flags, metadata), hardest: parseHardestFlags(flags)}
    // Arrow is written by a thread of its own unless the run keeps to one (--threads 1). CSV is not: its
    // run is all formatting (~4 µs a row, the write a few % of it), and the thread cost 10–25 MB of peak RSS.
    const writeBehind = options.threads >= 2 && rowsFormat === 'arrow'
    const staged = rowsOutPath === undefined ? undefined : stagedOrExit(rowsOutPath, writeBehind)
    let analyzed: Awaited<ReturnType<typeof analyzeWithState>>
    try {
      const rowsOut = staged && rowsFormat ? {format: rowsFormat, sink: staged} : undefined
      analyzed = await withProgress(flags.progress, files, (onProgress) =>
        analyzeWithState(files, {...options, onProgress, rowsOut}),
      )
      await staged?.commit()
    } catch (error) {
      await staged?.discard()
      throw error instanceof AtomicWriteError ? writeError(error, rowsOutPath ?? '', '--rows-out') : error
    }
    const {report, state, formats} = analyzed
    const stateText = (): string => stateFileText(stateFileOf(state, formats, options.scores !== undefined))
    await emitReport(this, report, {...flags, sections}, stateText)
    return report
  }
}

/** --rows-out's temp file, or the write error (exit 2) naming the target. */
function stagedOrExit(path: string, writeBehind: boolean): StagedFile {
  try {
    return openStagedFile(path, {writeBehind})
  } catch (error) {
    throw writeError(error, path, '--rows-out')
  }
}

/** The values of reportOutputFlags, sections parsed. */
export interface ReportOutputValues {
  output?: string
  html?: string
  'state-out'?: string
  color?: boolean
  'max-classes': number
  sections: ReturnType<typeof parseSections>
  verbose: boolean
}

/** The files reportOutputFlags name, for assertOutputsAreNotInputs before anything is read. */
export function reportOutputPaths(flags: {output?: string; html?: string; 'state-out'?: string}): NamedPath[] {
  return (['output', 'html', 'state-out'] as const).flatMap((name) =>
    flags[name] === undefined ? [] : [{path: flags[name], what: `--${name}`}],
  )
}

/**
 * What `report` and `merge` do with a finished report: its warnings on stderr, the files (-o, --html,
 * --state-out, whose text `stateText` gives), then the tables unless --json (oclif prints the returned
 * report then).
 */
export async function emitReport(
  command: BaseCommand,
  report: ReportResult,
  flags: ReportOutputValues,
  stateText?: () => string,
): Promise<void> {
  for (const line of renderWarnings(report)) process.stderr.write(`focalscope: warning: ${line}\n`)
  await writeOutputs(report, flags, stateText, `focalscope ${command.config.version}`)
  if (!command.jsonEnabled()) {
    // Imported only for the table: chalk and cli-table3 are start-up cost that --json runs never use.
    const {renderReport} = await import('../renderers/render-report.js')
    const text = renderReport(report, {
      color: useColor(process.stdout, process.env, flags.color),
      width: terminalWidth(process.stdout),
      maxClasses: flags['max-classes'],
      sections: flags.sections,
      verbose: flags.verbose,
    })
    process.stdout.write(`${text}\n`)
  }
}

/**
 * The JSON (-o), the HTML page (--html) and the state (--state-out), written all or nothing: each goes to
 * a temp file beside its target, and only when all are written and flushed are they renamed into place.
 * The page's renderer and Vega are a bundle of their own (scripts/bundle.mjs), loaded only here: runs
 * without --html never pay for them.
 */
async function writeOutputs(
  report: ReportResult,
  flags: {output?: string; html?: string; 'state-out'?: string},
  stateText: (() => string) | undefined,
  generator: string,
): Promise<void> {
  const files: {path: string; what: string; data: string}[] = []
  if (flags.output !== undefined) {
    files.push({path: flags.output, what: '--output', data: `${JSON.stringify(report, null, 2)}\n`})
  }
  if (flags.html !== undefined) {
    const {renderHtmlReport} = await import('../renderers/html/render-html-report.js')
    files.push({path: flags.html, what: '--html', data: await renderHtmlReport(report, {generator})})
  }
  if (flags['state-out'] !== undefined && stateText !== undefined) {
    files.push({path: flags['state-out'], what: '--state-out', data: stateText()})
  }
  if (files.length === 0) return
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
