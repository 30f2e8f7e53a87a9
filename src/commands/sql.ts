import * as Flags from '@oclif/core/flags'

import {AtomicWriteError, stageWrites} from '../cli/atomic-write.js'
import {BaseCommand} from '../cli/base-command.js'
import {analyzeOptionsFromFlags, inputFlags} from '../cli/input-flags.js'
import {assertOutputsAreNotInputs} from '../cli/output-paths.js'
import {writeError} from '../cli/write-error.js'
import {UsageError} from '../core/errors.js'
import {sectionsFor} from '../core/evaluators/sections.js'
import {settingsOf} from '../core/state/partial-state.js'
import {canonicalSettings} from '../core/state/state-file.js'
import {type AnalyzeOptions, evaluationConfig} from '../pipeline/analyze-predictions.js'
import {settingsDigest} from '../pipeline/state-files.js'
import {type ColumnInfo, type Layout, resolveLayout} from '../readers/layout.js'
import {openSource} from '../readers/open-source.js'
import {buildQuery} from '../sql/build-query.js'
import {DIALECT_NAMES, DIALECTS, type DialectName} from '../sql/dialects.js'
import {SQL_META_VERSION, type SqlMeta, sqlMetaText} from '../sql/sql-meta.js'

// The flags that say what the columns hold and what to compute; reading flags (threads, progress, record
// size) have no meaning for a query.
const {threads: _threads, progress: _progress, 'max-record-bytes': _maxRecordBytes, ...layoutFlags} = inputFlags

/** The columns a layout given by flags has, as a file's header would list them. */
function columnsFromFlags(flags: AnalyzeOptions, classCount: number | undefined): ColumnInfo[] {
  const names = flags.classNames
  const suffixes =
    classCount !== undefined ? Array.from({length: classCount}, (_, i) => String(i)) : (names ?? undefined)
  if (flags.scorePrefix !== undefined) {
    if (suffixes === undefined) {
      throw new UsageError(
        '--score-prefix: expected --classes K or --class-names LIST (the column suffixes), got neither',
      )
    }
    const scores = suffixes.map((c) => ({name: `${flags.scorePrefix}${c}`}))
    if (flags.targetPrefix !== undefined)
      return [...scores, ...suffixes.map((c) => ({name: `${flags.targetPrefix}${c}`}))]
    return [{name: flags.labelCol}, ...scores]
  }
  if (flags.scoreCol !== undefined) {
    if (flags.classCol !== undefined) {
      return [{name: flags.classCol}, {name: flags.scoreCol}, {name: flags.targetCol ?? 'target'}]
    }
    if (suffixes !== undefined) {
      // Lists (arrays) of K scores, and of K targets for multi-label.
      const list = {name: flags.scoreCol, listSize: suffixes.length}
      if (flags.targetCol !== undefined) return [list, {name: flags.targetCol, listSize: suffixes.length}]
      return [{name: flags.labelCol}, list]
    }
    return [{name: flags.labelCol}, {name: flags.scoreCol}]
  }
  throw new UsageError(
    'expected the layout: --score-col NAME (binary), --score-prefix P with --classes K or --class-names LIST ' +
      '(multi-class; with --target-prefix: multi-label), or --sample FILE (a few rows in any format focalscope reads)',
  )
}

export default class Sql extends BaseCommand {
  static override summary =
    "Print an SQL query that computes the report's sums inside your engine (DuckDB, PostgreSQL, Spark, Trino, BigQuery)."

  static override description = [
    'The query reads --from (a table, or a subquery) where the predictions are and returns a small result: the partial ' +
      "state's sums per bucket (class × easy|hard, × positive|negative target for multi-label), the input facts and the " +
      'rows left out per reason. Save the result as CSV, JSON lines or Parquet and run `focalscope merge --from-sql RESULT ' +
      '--sql-meta META.json` for the report: the same figures as `report` on the same rows, within 1e-9 relative.',
    'focalscope never sees the data: the layout comes from the flags (as `report` takes them, plus --classes K) or from ' +
      "--sample FILE, a few rows in any format focalscope reads. The maths is the report's, in forms that neither overflow " +
      'nor underflow in any engine (PostgreSQL refuses results that round to 0: every exp, power and product is guarded).',
    'DuckDB and PostgreSQL queries are run on real engines in the tests. Spark, Trino and BigQuery queries are written from ' +
      'their documentation with the same builder and are not executed in tests. See docs/sql.md.',
  ].join('\n\n')

  static override examples = [
    {
      description: 'A DuckDB query over a Parquet file of multi-class logits, the layout taken from a sample',
      command:
        '<%= config.bin %> <%= command.id %> --dialect duckdb --from "\'fixtures/parquet/multiclass.parquet\'" --sample fixtures/parquet/multiclass.parquet --meta-out meta.json > query.sql',
    },
    {
      description: 'PostgreSQL, binary logits in the table preds(label, logit), layout from flags',
      command:
        '<%= config.bin %> <%= command.id %> --dialect postgres --from preds --score-col logit --gammas 0,2 --alpha 0.25 --meta-out meta.json',
    },
    {
      description: 'Multi-label wide columns (logit_car …, target_car …) for BigQuery (not executed in tests)',
      command:
        '<%= config.bin %> <%= command.id %> --dialect bigquery --from mydataset.anchors --score-prefix logit_ --target-prefix target_ --class-names car,person,bike,dog --meta-out meta.json',
    },
  ]

  static override flags = {
    dialect: Flags.string({
      description:
        'the engine the query is for: duckdb and postgres are run in the tests; spark, trino and bigquery are not executed in tests',
      options: [...DIALECT_NAMES],
      required: true,
    }),
    from: Flags.string({
      description:
        'the table (as your engine names it) or a subquery, e.g. "(SELECT * FROM preds WHERE split = \'val\')"',
      required: true,
    }),
    sample: Flags.string({description: 'take the layout from this file (a few rows in any format focalscope reads)'}),
    classes: Flags.integer({
      description: 'K: the score columns are PREFIX0 … PREFIX(K−1) (or lists of K scores)',
      min: 1,
    }),
    'meta-out': Flags.string({
      description: 'write the settings and layout `merge --from-sql` needs to this file (atomically)',
      required: true,
    }),
    ...layoutFlags,
  }

  async run(): Promise<{dialect: DialectName; sql: string; meta: SqlMeta}> {
    const {flags, metadata} = await this.parse(Sql)
    const inputs = flags.sample === undefined ? [] : [{path: flags.sample, what: '--sample'}]
    assertOutputsAreNotInputs([{path: flags['meta-out'], what: '--meta-out'}], inputs)
    const options = analyzeOptionsFromFlags({...flags, threads: 1}, metadata)
    const dialect = DIALECTS[flags.dialect as DialectName]
    let layout: Layout
    if (flags.sample !== undefined) {
      const source = await openSource(flags.sample, options, options.format)
      layout = source.layout
      await source.close()
    } else {
      layout = resolveLayout(columnsFromFlags(options, flags.classes), options, '--from')
    }
    const classes = options.classNames ?? layout.classes
    if (classes.length !== layout.classes.length) {
      throw new UsageError(
        `--class-names: expected ${layout.classes.length} names for the ${layout.classes.length} classes, got ${classes.length}`,
      )
    }
    if (options.positiveClass !== undefined) {
      throw new UsageError('--positive-class: not available for SQL; run focalscope report on the data')
    }
    const asked = settingsOf(evaluationConfig(layout, options), classes, options.softLabels === true)
    const query = buildQuery({dialect, from: flags.from, layout, settings: asked})
    const missing = sectionsFor(asked)
      .map((entry) => entry.name as string)
      .filter((name) => !(query.format.computed as string[]).includes(name))
    // The query sums; the concentration's histograms are not among its results. The settings say so (as
    // --no-concentration would), so the states merged from the results decode and match; the report warns.
    const settings = {
      ...asked,
      ...(missing.includes('concentration') ? {concentration: false} : {}),
      ...(missing.includes('metrics') ? {metrics: false} : {}),
    }
    if (missing.includes('kornia')) {
      // Leaving them out would print focalscope's sum as kornia's reduced value: a wrong number.
      throw new UsageError(
        "--preset kornia: expected a binary input for SQL, got a multi-class or multi-label one: kornia's extra sums are not computed by the query; run focalscope report on the data",
      )
    }
    const meta: SqlMeta = {
      kind: 'focalscope-sql-meta',
      version: SQL_META_VERSION,
      dialect: dialect.name,
      from: flags.from,
      fingerprint: settingsDigest(canonicalSettings(settings)),
      settings,
      result: query.format,
      onInvalid: options.onInvalid,
      scoresGiven: options.scores !== undefined,
      notComputed: missing,
    }
    const target = flags['meta-out']
    try {
      await (await stageWrites([{path: target, data: sqlMetaText(meta)}])).commit()
    } catch (error) {
      throw writeError(error instanceof AtomicWriteError ? error.cause : error, target, '--meta-out')
    }
    if (!this.jsonEnabled()) process.stdout.write(query.sql)
    return {dialect: dialect.name, sql: query.sql, meta}
  }
}
