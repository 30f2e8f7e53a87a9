/**
 * examples/dask/report_shards.py: `focalscope report --state-out` on each shard as a task of a Dask
 * LocalCluster of 2 worker processes, the states sent back to the client and merged, equals one `report`
 * over the shards (every figure within 1e-12 relative). Needs /usr/bin/python3 with dask.distributed
 * (Debian's python3-distributed; .ci/run installs it): skipped, saying why, where either is missing.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {runCli} from '../helpers/run-cli.js'
import {assertSameReport} from '../helpers/same-report.js'
import {tempDir} from '../helpers/temp-files.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PYTHON = '/usr/bin/python3'

/** Why the test cannot run here, or undefined. */
function missing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import dask.distributed'], {encoding: 'utf8'})
  if (probe.error !== undefined) return `${PYTHON} is not installed`
  if (probe.status !== 0) return `${PYTHON} has no dask.distributed (apt-get install python3-distributed)`
  return undefined
}

const file = tempDir()

describe('a distributed run on Dask', () => {
  const why = missing()
  it(
    'reports shards as tasks of a 2-process LocalCluster and merges their states into the whole report',
    {skip: why},
    () => {
      const [header, ...rows] = readFileSync(join(ROOT, 'examples/predictions.csv'), 'utf8').trimEnd().split('\n')
      const shards = Array.from({length: 5}, (_, i) =>
        file(`part-${i}.csv`, `${[header, ...rows.filter((_, r) => r % 5 === i)].join('\n')}\n`),
      )
      const flags = '--gammas 0,1,2 --alpha inverse-frequency'
      const run = spawnSync(
        PYTHON,
        [
          join(ROOT, 'examples/dask/report_shards.py'),
          '--workers',
          '2',
          '--states-dir',
          file('states'),
          '--focalscope',
          `"${process.execPath}" "${join(ROOT, 'bin/run.cjs')}"`,
          // With "=": argparse would take a value starting with "--" for an option of its own.
          `--report-flags=${flags}`,
          '--merge-flags=--json',
          ...shards,
        ],
        {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}},
      )
      assert.equal(run.status, 0, run.stderr)
      assert.match(run.stderr, /focalscope: 5 shards reported on 2 Dask workers/)
      const whole = runCli(['report', ...shards, ...flags.split(' '), '--json'])
      assert.equal(whole.status, 0, whole.stderr)
      assertSameReport(JSON.parse(run.stdout), JSON.parse(whole.stdout), 1e-12)
    },
  )
})
