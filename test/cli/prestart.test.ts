import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {after, describe, it} from 'node:test'

import {prestartForArgv} from '../../src/cli/prestart.js'
import {MIN_PARALLEL_BYTES, prestartedWorkers, takeWorker} from '../../src/pipeline/parallel/worker-pool.js'
import {runCli} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

async function startedBy(argv: string[]): Promise<number> {
  prestartForArgv(argv)
  let started = 0
  while (prestartedWorkers() > 0) {
    started++
    await takeWorker({kind: 'none'}).terminate()
  }
  return started
}

describe('prestartForArgv', () => {
  const big = file('big.csv', 'label,logit\n')
  writeFileSync(big, Buffer.alloc(MIN_PARALLEL_BYTES, 0x30))
  const small = file('small.csv', 'label,logit\n1,0.5\n')
  after(async () => {
    while (prestartedWorkers() > 0) await takeWorker({kind: 'none'}).terminate()
  })

  it('starts threads − 1 workers for report or gate on a file big enough to be split', async () => {
    assert.equal(await startedBy(['report', big, '--threads', '3']), 2)
    assert.equal(await startedBy(['gate', '--threads=2', big]), 1)
    // Skip mode reads large files on several threads too.
    assert.equal(await startedBy(['report', big, '--on-invalid', 'skip', '--threads', '2']), 1)
  })

  it('starts none for small files, one thread, help, gzip or other commands', async () => {
    assert.equal(await startedBy(['report', small, '--threads', '4']), 0)
    assert.equal(await startedBy(['report', big, '--threads', '1']), 0)
    assert.equal(await startedBy(['report', big, '--threads=1']), 0)
    assert.equal(await startedBy(['report', big, '--help', '--threads', '2']), 0)
    assert.equal(await startedBy(['report', `${big}.gz`, '--threads', '2']), 0)
    assert.equal(await startedBy(['--version']), 0)
    assert.equal(await startedBy(['report', 'missing.csv', '--threads', '2']), 0)
  })

  it('bin/run.cjs starts the workers before it loads the CLI bundle, and the CLI runs on them', () => {
    // A preload records each new Worker and whether the CLI bundle was loaded by then.
    const preload = file(
      'record-workers.cjs',
      `const threads = require('node:worker_threads')
const Original = threads.Worker
const spawns = []
threads.Worker = class extends Original {
  constructor(...args) {
    super(...args)
    spawns.push(Object.keys(require.cache).some((path) => path.endsWith('focalscope.js')))
  }
}
process.on('exit', () => require('node:fs').writeFileSync(process.env.WORKERS_LOG, JSON.stringify(spawns)))`,
    )
    const rows = 'label,logit\n' + '1,0.5\n0,-2.25\n'.repeat(Math.ceil(MIN_PARALLEL_BYTES / 14))
    const data = file('parallel.csv', rows)
    const log = file('workers.json')
    const result = runCli(['report', data, '--json', '--threads', '3'], {
      NODE_OPTIONS: `--require ${preload}`,
      WORKERS_LOG: log,
    })
    assert.equal(result.status, 0, result.stderr)
    assert.equal(
      (JSON.parse(result.stdout) as {input: {rows: number}}).input.rows,
      2 * Math.ceil(MIN_PARALLEL_BYTES / 14),
    )
    // Two workers (threads − 1), both started before the bundle, none started again by the CLI.
    assert.deepEqual(JSON.parse(readFileSync(log, 'utf8')), [false, false])
  })
})
