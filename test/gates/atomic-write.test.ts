import assert from 'node:assert/strict'
import {mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {atomicWrite} from '../../src/cli/atomic-write.js'
import {type RunningProcess, startNode} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const MODULE = fileURLToPath(new URL('../../src/cli/atomic-write.ts', import.meta.url))

/** Files in a directory other than `keep`: the temp files atomicWrite may have left. */
function leftovers(dir: string, keep: string[]): string[] {
  return readdirSync(dir).filter((name) => !keep.includes(name))
}

/**
 * Patches the child's flush to disk (fs.fsync, or FileHandle#sync: whichever atomicWrite uses) so that it
 * never ends, after saying so on stderr: the temp file is then written and not yet renamed, for as long
 * as the test likes. The interval only keeps the process alive until the test signals it.
 */
const FLUSH_NEVER_ENDS = `
  import fs from 'node:fs'
  import {open} from 'node:fs/promises'
  import {syncBuiltinESMExports} from 'node:module'
  const flushForever = () => {
    process.stderr.write('flushing the temp file\\n')
    setInterval(() => undefined, 2 ** 31 - 1)
    return new Promise(() => undefined)
  }
  fs.fsync = () => void flushForever()
  syncBuiltinESMExports()
  const probe = await open(process.execPath, 'r')
  Object.getPrototypeOf(probe).sync = flushForever
  await probe.close()
`

/**
 * A child process that writes 1 MiB with atomicWrite, exiting 130 on SIGINT as bin/run.cjs does; with
 * `stalled`, its flush never ends (FLUSH_NEVER_ENDS), so a signal is sure to find the write in progress.
 */
function startWriter(target: string, stalled: boolean): RunningProcess {
  const code = `
    ${stalled ? FLUSH_NEVER_ENDS : ''}
    process.once('SIGINT', () => process.exit(130))
    const {atomicWrite} = await import(${JSON.stringify(pathToFileURL(MODULE).href)})
    await atomicWrite(${JSON.stringify(target)}, new Uint8Array(1 << 20).fill(120))
  `
  return startNode(['--import', 'tsx', '--input-type=module', '-e', code])
}

/** A writer stopped in the middle of its write, with the temp file on disk; then `signal`. */
async function signalMidWrite(target: string, signal: NodeJS.Signals): Promise<RunningProcess> {
  const writer = startWriter(target, true)
  await writer.stderrLine(/^flushing the temp file$/)
  assert.equal(leftovers(dirname(target), [basename(target)]).length, 1, 'one temp file, being written')
  writer.child.kill(signal)
  return writer
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
    const writer = await signalMidWrite(target, 'SIGKILL')
    assert.equal((await writer.exited).signal, 'SIGKILL')
    assert.equal(readFileSync(target, 'utf8'), 'old report')
  })

  it('interrupted with SIGINT mid-write: exit 130, the old file intact, the temp file removed', async () => {
    const dir = file('sigint')
    mkdirSync(dir)
    const target = join(dir, 'report.json')
    writeFileSync(target, 'old report')
    const writer = await signalMidWrite(target, 'SIGINT')
    assert.deepEqual(await writer.exited, {code: 130, signal: null})
    assert.equal(readFileSync(target, 'utf8'), 'old report')
    assert.deepEqual(leftovers(dir, ['report.json']), [])
  })

  it('left alone, the same writer replaces the file whole', async () => {
    const dir = file('whole')
    mkdirSync(dir)
    const target = join(dir, 'report.json')
    writeFileSync(target, 'old report')
    assert.deepEqual(await startWriter(target, false).exited, {code: 0, signal: null})
    assert.equal(statSync(target).size, 1 << 20)
    assert.deepEqual(leftovers(dir, ['report.json']), [])
  })
})
