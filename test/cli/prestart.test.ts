import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {after, describe, it} from 'node:test'

import {prestartForArgv} from '../../src/cli/prestart.js'
import {MIN_PARALLEL_BYTES, prestartedWorkers, takeWorker} from '../../src/parallel/worker-pool.js'
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
  })

  it('starts none for small files, one thread, skip mode, help, gzip or other commands', async () => {
    assert.equal(await startedBy(['report', small, '--threads', '4']), 0)
    assert.equal(await startedBy(['report', big, '--threads', '1']), 0)
    assert.equal(await startedBy(['report', big, '--threads=1']), 0)
    assert.equal(await startedBy(['report', big, '--on-invalid', 'skip', '--threads', '2']), 0)
    assert.equal(await startedBy(['report', big, '--help', '--threads', '2']), 0)
    assert.equal(await startedBy(['report', `${big}.gz`, '--threads', '2']), 0)
    assert.equal(await startedBy(['--version']), 0)
    assert.equal(await startedBy(['report', 'missing.csv', '--threads', '2']), 0)
  })
})
