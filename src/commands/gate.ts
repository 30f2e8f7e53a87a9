import {type FileHandle, open, readFile} from 'node:fs/promises'

import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {analyzePredictions} from '../pipeline/analyze-predictions.js'
import {mergeStateFiles, reportOfStateFile} from '../pipeline/state-files.js'
import {withProgress} from '../cli/with-progress.js'
import {AtomicWriteError, type StagedWrites, stageWrites} from '../cli/atomic-write.js'
import {BaseCommand, EXIT} from '../cli/base-command.js'
import {analyzeOptionsFromFlags, inputFlags} from '../cli/input-flags.js'
import {assertOutputsAreNotInputs, type NamedPath} from '../cli/output-paths.js'
import {findGateConfig, GATE_CONFIG_NAMES} from '../cli/find-gate-config.js'
import {colorFlag, defaultSections, parseSections, terminalReportFlags, warnIfFormatFlag} from '../cli/output-flags.js'
import {terminalWidth, useColor} from '../cli/terminal.js'
import {writeError} from '../cli/write-error.js'
import {InputError, UsageError} from '../core/errors.js'
import type {Report} from '../report/types.js'
import {checkRuleFields} from '../gates/check-rule-fields.js'
import type {GateResult, GateRule} from '../gates/gate-result.js'
import {loadGateConfig} from '../gates/load-gate-config.js'
import {loadReport} from '../gates/load-report.js'
import {parseRule, usesBaseline} from '../gates/parse-rule.js'
import {RuleError} from '../gates/rule-error.js'
import {type Baseline, runGates} from '../gates/run-gates.js'
import {expandPaths} from '../readers/expand-paths.js'
import {fsError} from '../readers/open-source.js'
import {renderGateTable} from '../renderers/render-gate-table.js'
import {renderGithub} from '../renderers/render-github.js'
import {renderJunit} from '../renderers/render-junit.js'
import {renderMarkdownSummary} from '../renderers/render-markdown-summary.js'
import {renderReport} from '../renderers/render-report.js'
import {renderWarnings} from '../renderers/render-warnings.js'

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw fsError(error, path)
  }
}

const STEP_SUMMARY = '$GITHUB_STEP_SUMMARY'

/** Every file the gate writes, with the flag (or variable) that named it. */
function outputPaths(flags: {junit?: string; report?: string}): NamedPath[] {
  const outputs: NamedPath[] = []
  if (flags.report !== undefined) outputs.push({path: flags.report, what: '--report'})
  if (flags.junit !== undefined) outputs.push({path: flags.junit, what: '--junit'})
  const summary = process.env.GITHUB_STEP_SUMMARY
  if (summary !== undefined && summary !== '') outputs.push({path: summary, what: STEP_SUMMARY})
  return outputs
}

function parseAssertFlag(text: string): GateRule {
  const origin = `--assert ${JSON.stringify(text)}`
  try {
    return {name: text, assert: text, severity: 'error', origin, expression: parseRule(text)}
  } catch (error) {
    if (error instanceof RuleError) throw new UsageError(`${origin}: ${error.message}`)
    throw error
  }
}

export default class Gate extends BaseCommand {
  static override summary =
    'Fail a CI build when the loss breakdown crosses a threshold or regresses against a baseline.'

  // One line per paragraph: the help wraps them to the terminal.
  static override description = [
    'Computes the report (as `report` does) or reads a saved one (--from-report), then checks rules over its figures: ' +
      '`classes[*].ce.share <= 0.5`, `sweep[gamma=2].hardShare >= 0.6`, `delta(classes[*].ce.share) <= 0.05` against --baseline. ' +
      'Rules come from --config and --assert; with neither, from focalscope.gates.json (or .focalscope/gates.json) in this ' +
      'directory or the nearest parent, up to the repository root, whose name is printed on stderr.',
    'Exit codes: 0 every rule passed (warnings allowed), 1 an error rule failed, 2 usage, input or config error, ' +
      '3 internal error, 130 interrupted. The grammar, output formats and a CI example are in docs/gates.md.',
  ].join('\n\n')

  static override examples = [
    {
      description: 'One rule from the command line: no class carries more than half of the cross-entropy',
      command: `<%= config.bin %> <%= command.id %> examples/predictions.csv --assert 'classes[*].ce.share <= 0.5'`,
    },
    {
      description: 'Rules from a file, two of them against a baseline report; JUnit XML for the CI',
      command:
        '<%= config.bin %> <%= command.id %> examples/predictions.csv --config examples/ci/focalscope.gates.baseline.json --baseline examples/baseline-report.json --junit gate.xml',
    },
    {
      description:
        'Only the verdict, from focalscope.gates.json found in this directory or a parent (up to the repository root)',
      command: '<%= config.bin %> <%= command.id %> examples/predictions.csv --quiet',
    },
    {
      description: 'Gate a saved report instead of predictions',
      command:
        '<%= config.bin %> <%= command.id %> --from-report examples/baseline-report.json --config examples/ci/focalscope.gates.json',
    },
  ]

  static override args = {
    files: Args.string({
      description:
        'prediction files (.csv, .arrow, .arrows, .feather; .gz is decompressed), or none with --from-report; - reads standard input',
    }),
  }

  static override strict = false

  static override flags = {
    config: Flags.string({
      char: 'c',
      description:
        'gates file: {"rules": [{"name", "assert", "severity"}]} (default, without --assert: focalscope.gates.json or .focalscope/gates.json in this directory or a parent, up to the repository root)',
    }),
    assert: Flags.string({
      char: 'a',
      description: 'a rule, e.g. "classes[*].ce.share <= 0.5" (repeatable; severity error)',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'from-report': Flags.string({description: 'gate a saved `report --json` output instead of prediction files'}),
    'from-state': Flags.string({
      description:
        'gate the merge of state files (report --state-out, files or quoted patterns) instead of prediction files',
      multiple: true,
    }),
    baseline: Flags.string({description: 'an earlier `report --json` output, for delta(…) and relative(…)'}),
    junit: Flags.string({description: 'write JUnit XML here (one test case per rule)', helpGroup: 'OUTPUT'}),
    report: Flags.string({
      description: 'save the report JSON here (usable later as --from-report or --baseline)',
      helpGroup: 'OUTPUT',
    }),
    quiet: Flags.boolean({
      char: 'q',
      description:
        'print only the verdict: the rules that failed or warned, and the last line (JUnit, --report, annotations and the job summary are written as usual)',
      helpGroup: 'OUTPUT',
    }),
    ...colorFlag,
    ...terminalReportFlags,
    ...inputFlags,
  }

  async run(): Promise<GateResult> {
    const {argv, flags, metadata} = await this.parse(Gate)
    warnIfFormatFlag(this.argv, (message) => this.warn(message))
    const files = argv as string[]
    const sections = parseSections(flags.sections) ?? defaultSections(process.stdout)

    // Without --config or --assert, the gates file is found as eslint and pytest find theirs, and named.
    let configPath = flags.config
    if (configPath === undefined && (flags.assert ?? []).length === 0) {
      configPath = findGateConfig()
      if (configPath !== undefined) {
        process.stderr.write(
          `focalscope: using the gates file ${configPath} (--config FILE or --assert RULE to choose)\n`,
        )
      }
    }

    // Before anything is read or written: an output onto an input would destroy it.
    const outputs = outputPaths(flags)
    const states = expandPaths(flags['from-state'] ?? [])
    assertOutputsAreNotInputs(outputs, [
      ...expandPaths(files).map((path) => ({path, what: 'the prediction file'})),
      ...states.map((path) => ({path, what: '--from-state'})),
      ...(['from-report', 'baseline'] as const).flatMap((flag) =>
        flags[flag] === undefined ? [] : [{path: flags[flag], what: `--${flag}`}],
      ),
      ...(configPath === undefined
        ? []
        : [{path: configPath, what: flags.config === undefined ? 'the gates file' : '--config'}]),
    ])

    // Everything that can be wrong with the command line is found before any prediction is read.
    const rules: GateRule[] = []
    if (configPath !== undefined) rules.push(...loadGateConfig(await readText(configPath), configPath))
    for (const text of flags.assert ?? []) rules.push(parseAssertFlag(text))
    if (rules.length === 0) {
      throw new UsageError(
        `expected rules from --config FILE or --assert RULE, got neither (and no ${GATE_CONFIG_NAMES.join(' or ')} here or in a parent directory up to the repository root)`,
      )
    }
    for (const rule of rules) checkRuleFields(rule)
    const needsBaseline = rules.find((rule) => usesBaseline(rule.expression))
    if (needsBaseline !== undefined && flags.baseline === undefined) {
      throw new UsageError(`${needsBaseline.origin}: expected --baseline FILE for delta(…) and relative(…), got none`)
    }

    const fromReport = flags['from-report']
    if (states.length > 0 && (fromReport !== undefined || files.length > 0)) {
      const other = fromReport ?? files[0]
      throw new UsageError(
        `expected --from-state or ${fromReport === undefined ? 'prediction files' : '--from-report'}, got both (${states[0]} and ${other})`,
      )
    }
    if (fromReport !== undefined && files.length > 0) {
      throw new UsageError(`expected prediction files or --from-report, got both (${files[0]} and ${fromReport})`)
    }
    if (fromReport === undefined && files.length === 0 && states.length === 0) {
      throw new UsageError('expected prediction files, --from-report FILE or --from-state STATE…, got none')
    }
    if (fromReport !== undefined || states.length > 0) {
      // A saved report keeps the settings it was computed with: a flag that would change them is a mistake.
      const given = Object.keys(inputFlags).find(
        (name) => flags[name as keyof typeof flags] !== undefined && metadata.flags[name]?.setFromDefault !== true,
      )
      if (given !== undefined) {
        throw new UsageError(
          `--${given}: expected with prediction files, got it with ${fromReport === undefined ? '--from-state (a state keeps its settings)' : '--from-report (a saved report keeps its settings)'}`,
        )
      }
    }
    // Input flags are checked here, before the baseline is read and long before the predictions are.
    const source =
      fromReport !== undefined
        ? ({kind: 'saved', path: fromReport} as const)
        : states.length > 0
          ? ({kind: 'states', paths: states} as const)
          : ({kind: 'predictions', options: analyzeOptionsFromFlags(flags, metadata)} as const)

    let baseline: Baseline | undefined
    if (flags.baseline !== undefined) {
      baseline = {report: loadReport(await readText(flags.baseline), flags.baseline), source: flags.baseline}
    }
    const report: Report =
      source.kind === 'saved'
        ? loadReport(await readText(source.path), source.path)
        : source.kind === 'states'
          ? reportOfStateFile(mergeStateFiles(source.paths), source.paths.join(', '))
          : await withProgress(flags.progress, files, (onProgress) =>
              analyzePredictions(files, {...source.options, onProgress}),
            )

    if (source.kind !== 'saved') {
      for (const line of renderWarnings(report)) process.stderr.write(`focalscope: warning: ${line}\n`)
    }
    const result = runGates(rules, report, baseline)
    await this.writeOutputs(result, outputs)
    if (!this.jsonEnabled()) {
      const color = useColor(process.stdout, process.env, flags.color)
      const width = terminalWidth(process.stdout)
      if (!result.passed && !flags.quiet) {
        const options = {color, width, maxClasses: flags['max-classes'], sections, verbose: flags.verbose}
        process.stdout.write(`${renderReport(report, options)}\n\n`)
      }
      process.stdout.write(`${renderGateTable(result, {color, quiet: flags.quiet})}\n`)
    }
    process.exitCode = result.passed ? EXIT.ok : EXIT.gateFailed
    return result
  }

  /**
   * Writes every output or none: the files are staged (temp files written and flushed), the step summary
   * opened for appending, and only when all of that worked are the files renamed into place and the
   * summary appended to. A failure before that point leaves every target as it was.
   */
  private async writeOutputs(result: GateResult, outputs: NamedPath[]): Promise<void> {
    const render: Record<string, () => string> = {
      '--report': () => `${JSON.stringify(result.report, null, 2)}\n`,
      '--junit': () => renderJunit(result),
    }
    const files = outputs.filter((o) => o.what !== STEP_SUMMARY)
    const summary = outputs.find((o) => o.what === STEP_SUMMARY)
    const failed = (error: unknown, fallback: NamedPath): InputError => {
      const output = error instanceof AtomicWriteError ? outputs.find((o) => o.path === error.target) : undefined
      return writeError(error, (output ?? fallback).path, (output ?? fallback).what)
    }
    let staged: StagedWrites
    try {
      staged = await stageWrites(files.map(({path, what}) => ({path, data: render[what]()})))
    } catch (error) {
      throw failed(error, files[0])
    }
    let summaryHandle: FileHandle | undefined
    if (summary !== undefined) {
      try {
        summaryHandle = await open(summary.path, 'a')
      } catch (error) {
        await staged.discard()
        throw writeError(error, summary.path, summary.what)
      }
    }
    try {
      await staged.commit()
    } catch (error) {
      await summaryHandle?.close()
      throw failed(error, files[0])
    }
    if (summary !== undefined && summaryHandle !== undefined) {
      // Appended after the renames: an append cannot be taken back, so it comes last.
      try {
        await summaryHandle.writeFile(renderMarkdownSummary(result))
      } catch (error) {
        throw writeError(error, summary.path, summary.what)
      } finally {
        await summaryHandle.close()
      }
    }
    if (process.env.GITHUB_ACTIONS === 'true') {
      // The runner reads workflow commands from stdout and stderr alike; with --json, stdout is one JSON document.
      const annotations = renderGithub(result)
      if (annotations !== '') (this.jsonEnabled() ? process.stderr : process.stdout).write(annotations)
    }
  }
}
