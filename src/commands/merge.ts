import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../cli/base-command.js'
import {defaultSections, parseSections} from '../cli/output-flags.js'
import {assertOutputsAreNotInputs} from '../cli/output-paths.js'
import {checkHardestCut, parseHardestCut} from '../cli/hardest-flags.js'
import {UsageError} from '../core/errors.js'
import type {StateFile} from '../core/state/state-file.js'
import {mergeStateFiles, reportOfStateFile, stateFileText} from '../pipeline/state-files.js'
import {expandPaths} from '../readers/expand-paths.js'
import type {Report as ReportResult} from '../report/types.js'
import {emitReport, reportOutputFlags, reportOutputPaths} from './report.js'

export default class Merge extends BaseCommand {
  static override summary =
    'The report of many partial results: state files of shards (report --state-out), or an SQL result (focalscope sql).'

  static override description = [
    'Merges partial states and prints the report that one `report` over all their data would print: every figure within ' +
      '1e-12 relative (sums are added in another order). Shards may have been read on other machines, at other times, by ' +
      'Dask or Spark tasks; the order of the files does not matter. Files that sort by (position on the command line, path) ' +
      'in one run sort by path here: each shard was position 0 of its own run.',
    'States computed with different settings (γ, α, loss, eps, thresholds, classes, layout, …) are refused, naming the first ' +
      'difference. --state-out writes the merged state, to merge further (a tree of merges).',
    'With --from-sql, the input is the result of the query `focalscope sql` printed, run in your engine and saved as CSV, ' +
      'JSON lines or Parquet, with the --sql-meta file `sql --meta-out` wrote. See docs/state-format.md and docs/sql.md.',
  ].join('\n\n')

  static override examples = [
    {
      description: 'Each shard on its own, on any machine: the report of the shard, and its state',
      command: '<%= config.bin %> report examples/shards/part-1.csv --state-out part-1.state.json --sections input',
    },
    {
      description: '…and the other shard',
      command: '<%= config.bin %> report examples/shards/part-2.csv --state-out part-2.state.json --sections input',
    },
    {
      description: 'The report of both shards, as `report examples/predictions.csv` prints it',
      command: '<%= config.bin %> <%= command.id %> part-1.state.json part-2.state.json',
    },
    {
      description: 'A quoted pattern; the JSON report into a file, the merged state for a further merge',
      command: `<%= config.bin %> <%= command.id %> 'part-*.state.json' -o report.json --state-out all.state.json`,
    },
  ]

  static override strict = false

  static override flags = {
    'from-sql': Flags.string({
      description:
        'the result of the query `focalscope sql` printed, as your engine saved it (CSV, JSON lines or Parquet), instead of state files; repeatable',
      multiple: true,
    }),
    'sql-meta': Flags.string({description: 'the META.json `focalscope sql --meta-out` wrote for that query'}),
    ...reportOutputFlags,
    top: Flags.string({
      description: 'show the N hardest rows the states kept (they must have been written with report --top M, M ≥ N)',
      helpGroup: 'HARDEST ROWS',
    }),
    'top-per-class': Flags.string({
      description: 'show N hardest rows per class (states written with report --top-per-class M ≥ N)',
      helpGroup: 'HARDEST ROWS',
    }),
  }

  async run(): Promise<ReportResult> {
    const {argv, flags} = await this.parse(Merge)
    const sections = parseSections(flags.sections) ?? defaultSections(process.stdout)
    const fromSql = flags['from-sql'] ?? []
    const inputs = expandPaths(argv as string[])
    if (fromSql.length > 0 && inputs.length > 0) {
      throw new UsageError(`expected state files or --from-sql, got both (${inputs[0]} and ${fromSql[0]})`)
    }
    if (fromSql.length === 0 && inputs.length === 0) {
      throw new UsageError('expected state files (from report --state-out) or --from-sql RESULT, got neither')
    }
    const sqlResults = expandPaths(fromSql)
    assertOutputsAreNotInputs(reportOutputPaths(flags), [
      ...inputs.map((path) => ({path, what: 'the state file'})),
      ...sqlResults.map((path) => ({path, what: '--from-sql'})),
      ...(flags['sql-meta'] === undefined ? [] : [{path: flags['sql-meta'], what: '--sql-meta'}]),
    ])
    let file: StateFile
    let warnings: string[] = []
    if (sqlResults.length > 0) {
      if (flags['sql-meta'] === undefined) {
        throw new UsageError(
          '--from-sql: expected --sql-meta META.json (what `focalscope sql --meta-out` wrote), got none',
        )
      }
      // Loaded only here: runs that merge state files never pay for the result readers.
      const {mergeSqlResults} = await import('../pipeline/sql-results.js')
      ;({file, warnings} = await mergeSqlResults(sqlResults, flags['sql-meta']))
    } else {
      file = mergeStateFiles(inputs)
    }
    const top = checkHardestCut(parseHardestCut(flags), file.state.settings.hardest)
    const report = reportOfStateFile(file, (sqlResults.length > 0 ? sqlResults : inputs).join(', '), warnings, top)
    await emitReport(this, report, {...flags, sections}, () => stateFileText(file))
    return report
  }
}
