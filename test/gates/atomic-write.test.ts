import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {atomicWrite} from '../../src/cli/atomic-write.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const MODULE = fileURLToPath(new URL('../../src/cli/atomic-write.ts', import.meta.url))

/** Files in a directory other than `keep`: the temp files atomicWrite may have left. */
function leftovers(dir: string, keep: string[]): string[] {
  return readdirSync(dir).filter((name) => !keep.includes(name))
}

function exited(child: ChildProcess): Promise<{code: number | null; signal: NodeJS.Signals | null}> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({code, signal})))
}

/**
 * A child process that writes 64 MiB (about a quarter of a second with the fsync) with atomicWrite,
 * exiting 130 on SIGINT as bin/run.cjs does.
 */
function spawnWriter(target: string): ChildProcess {
  const code = `
    import {atomicWrite} from ${JSON.stringify(MODULE)}
    process.once('SIGINT', () => process.exit(130))
    await atomicWrite(${JSON.stringify(target)}, new Uint8Array(64 * 1024 * 1024).fill(120))
  `
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {stdio: 'ignore'})
}

/** Waits until the writer's temp file exists (the write has started), then sends `signal`. */
async function killMidWrite(child: ChildProcess, dir: string, keep: string[], signal: NodeJS.Signals): Promise<void> {
  const deadline = Date.now() + 20_000
  while (leftovers(dir, keep).length === 0) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the writer never started its temp file')
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  child.kill(signal)
}

describe('atomicWrite', () => {
  it('writes a new file and replaces an old one, leaving nothing else in the directory', async () => {
    const dir = file('plain')
    mkdirSync(dir)
    const target = join(dir, 'out.json')
    await atomicWrite(target, '{"a": 1}\n')
    assert.equal(readFileSync(target, 'utf8'), '{"a": 1}\n')
    await atomicWrite(target, new TextEncoder().encode('second'))
    assert.equal(readFileSync(target, 'utf8'), 'second')
    assert.deepEqual(leftovers(dir, ['out.json']), [])
  })

  it('fails with the file system error, leaving no temp file, when the directory is missing or the target a directory', async () => {
    const dir = file('failing')
    mkdirSync(join(dir, 'sub.json'), {recursive: true})
    await assert.rejects(atomicWrite(join(dir, 'missing', 'out.json'), 'x'), {code: 'ENOENT'})
    await assert.rejects(atomicWrite(join(dir, 'sub.json'), 'x'), (error: NodeJS.ErrnoException) =>
      ['EISDIR', 'ENOTEMPTY', 'EEXIST'].includes(error.code ?? ''),
    )
    assert.ok(statSync(join(dir, 'sub.json')).isDirectory())
    assert.deepEqual(leftovers(dir, ['sub.json']), [])
  })

  it('killed with SIGKILL mid-write: the old file is intact, never a partial one', async () => {
    const dir = file('sigkill')
    mkdirSync(dir)
    const target = join(dir, 'report.json')
    writeFileSync(target, 'old report')
    const child = spawnWriter(target)
    const done = exited(child)
    await killMidWrite(child, dir, ['report.json'], 'SIGKILL')
    assert.equal((await done).signal, 'SIGKILL')
    assert.equal(readFileSync(target, 'utf8'), 'old report')
  })

  it('interrupted with SIGINT mid-write: exit 130, the old file intact, the temp file removed', async () => {
    const dir = file('sigint')
    mkdirSync(dir)
    const target = join(dir, 'report.json')
    writeFileSync(target, 'old report')
    const child = spawnWriter(target)
    const done = exited(child)
    await killMidWrite(child, dir, ['report.json'], 'SIGINT')
    assert.equal((await done).code, 130)
    assert.equal(readFileSync(target, 'utf8'), 'old report')
    assert.deepEqual(leftovers(dir, ['report.json']), [])
  })

  it('left alone, the same writer replaces the file whole', async () => {
    const dir = file('whole')
    mkdirSync(dir)
    const target = join(dir, 'report.json')
    writeFileSync(target, 'old report')
    const {code} = await exited(spawnWriter(target))
    assert.equal(code, 0)
    assert.equal(statSync(target).size, 64 * 1024 * 1024)
    assert.deepEqual(leftovers(dir, ['report.json']), [])
  })
})
