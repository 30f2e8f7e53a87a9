/**
 * `focalscope sql` without an engine: the layout from flags equals the layout from a sample, every dialect
 * gets a query from the same builder (Spark, Trino and BigQuery marked as not executed in tests), and a
 * layout or preset the query cannot serve is a usage error (exit 2, one line).
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {runCli} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

function sql(args: string[]): {sql: string; meta: Record<string, unknown>} {
  const meta = file(`meta-${Math.random().toString(36).slice(2)}.json`)
  const result = runCli(['sql', '--meta-out', meta, ...args])
  assert.equal(result.status, 0, result.stderr)
  return {sql: result.stdout, meta: JSON.parse(readFileSync(meta, 'utf8')) as Record<string, unknown>}
}

describe('focalscope sql', () => {
  it('takes the layout from flags as from a sample: the same query and settings', () => {
    const cases: [string, string[]][] = [
      ['fixtures/binary.csv', ['--score-col', 'logit']],
      ['fixtures/multiclass-probs.csv', ['--score-prefix', 'prob_', '--class-names', 'cat,dog,bird']],
      [
        'fixtures/multilabel.csv',
        ['--score-prefix', 'logit_', '--target-prefix', 'target_', '--class-names', 'car,person,bike,dog'],
      ],
    ]
    for (const [sample, flags] of cases) {
      const fromSample = sql(['--dialect', 'postgres', '--from', 'preds', '--sample', sample])
      const fromFlags = sql(['--dialect', 'postgres', '--from', 'preds', ...flags])
      assert.equal(fromFlags.sql, fromSample.sql, sample)
      assert.deepEqual(fromFlags.meta, fromSample.meta, sample)
    }
  })

  it('writes every dialect from the same builder, with its quoting, and marks the ones not executed in tests', () => {
    for (const dialect of ['duckdb', 'postgres', 'spark', 'trino', 'bigquery']) {
      const {sql: text, meta} = sql([
        '--dialect',
        dialect,
        '--from',
        '(SELECT * FROM preds WHERE split = 1)',
        '--score-prefix',
        'logit_',
        '--target-prefix',
        'target_',
        '--classes',
        '3',
      ])
      const executed = dialect === 'duckdb' || dialect === 'postgres'
      assert.equal(text.split('\n')[0].includes("not executed in focalscope's tests"), !executed, dialect)
      assert.match(text, dialect === 'spark' || dialect === 'bigquery' ? /`logit_0`/ : /"logit_0"/, dialect)
      assert.match(text, /FROM \(SELECT \* FROM preds WHERE split = 1\) AS src/)
      assert.equal(meta.dialect, dialect)
      if (dialect === 'bigquery') assert.match(text, /UNNEST\(GENERATE_ARRAY\(0, 2\)\)/)
      if (dialect === 'duckdb') assert.match(text, /fsum\(/)
    }
    const help = runCli(['sql', '--help'], {COLUMNS: '200'}).stdout
    assert.match(help.replaceAll(/\s+/g, ' '), /spark, trino and bigquery are not executed in tests/)
  })

  it('refuses what the query cannot serve, in one line with exit 2', () => {
    const meta = file('refused.json')
    const cases: [string[], RegExp][] = [
      [['--from', 't'], /expected the layout: --score-col NAME \(binary\), --score-prefix P with --classes K/],
      [['--from', 't', '--score-prefix', 'logit_'], /--score-prefix: expected --classes K or --class-names LIST/],
      [
        ['--from', 't', '--score-prefix', 'logit_', '--classes', '3', '--preset', 'kornia'],
        /--preset kornia: expected a binary input for SQL/,
      ],
    ]
    for (const [args, message] of cases) {
      const result = runCli(['sql', '--dialect', 'duckdb', '--meta-out', meta, ...args])
      assert.equal(result.status, 2, args.join(' '))
      assert.match(result.stderr, message)
      assert.equal(result.stderr.split('\n').length, 2, result.stderr)
    }
  })
})
