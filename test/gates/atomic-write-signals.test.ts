import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {AtomicWriteError, pendingTempFiles, stageWrites} from '../../src/cli/atomic-write.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

function tempFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.tmp'))
    .map((name) => join(dir, name))
    .sort()
}

/**
 * Runs `check` now and after every turn of the event loop until `work` settles. A signal handler (and so
 * the exit handler that removes temp files) runs between callbacks of the loop, never inside one.
 */
async function atEveryTurn(work: Promise<unknown>, check: () => void): Promise<number> {
  let settled = false
  work.then(
    () => (settled = true),
    () => (settled = true),
  )
  let turns = 0
  check()
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve))
    check()
    turns++
  }
  return turns
}

/**
 * Makes every thread of libuv's pool wait on opening a FIFO for reading, so that any file system call
 * queued after this one waits too, until `release` opens the FIFOs' other ends. No timing: the queue is
 * first in, first out.
 */
async function occupyThreadPool(dir: string): Promise<{release: () => Promise<void>}> {
  mkdirSync(dir)
  const size = Number(process.env.UV_THREADPOOL_SIZE) || 4
  const fifos = Array.from({length: size}, (_, i) => join(dir, `fifo-${i}`))
  const made = spawnSync('mkfifo', fifos)
  assert.equal(made.status, 0, String(made.stderr))
  const readers = fifos.map((fifo) => open(fifo, 'r'))
  return {
    async release() {
      const writers = fifos.map((fifo) => openSync(fifo, 'w'))
      for (const reader of await Promise.all(readers)) await reader.close()
      for (const writer of writers) closeSync(writer)
    },
  }
}

describe('stageWrites and commit: what an exit handler finds at any moment', () => {
  it('every temp file is created and registered before a signal handler can run, however busy the thread pool', async () => {
    const dir = file('every-turn')
    mkdirSync(dir)
    writeFileSync(join(dir, 'report.json'), 'previous report')
    const files = [
      {path: join(dir, 'report.json'), data: new Uint8Array(8 * 1024 * 1024).fill(120)},
      {path: join(dir, 'gate.xml'), data: '<testsuites/>\n'},
    ]
    // An open still in flight (queued behind a busy pool) would be registered but not on disk, and would
    // create its file after an exit handler had looked: the leftover temp file of issue 14, item 9.
    const pool = await occupyThreadPool(file('fifos'))
    let staging
    try {
      staging = stageWrites(files)
      await new Promise((resolve) => setImmediate(resolve))
      assert.equal(tempFilesIn(dir).length, 2)
      assert.deepEqual(pendingTempFiles().sort(), tempFilesIn(dir))
    } finally {
      await pool.release()
    }
    await atEveryTurn(staging, () => assert.deepEqual(pendingTempFiles().sort(), tempFilesIn(dir)))
    assert.equal(readFileSync(join(dir, 'report.json'), 'utf8'), 'previous report')
    // During the renames a registered file may be gone already, but none on disk is unregistered.
    const staged = await staging
    await atEveryTurn(staged.commit(), () => {
      for (const temp of tempFilesIn(dir)) assert.ok(pendingTempFiles().includes(temp), temp)
    })
    assert.deepEqual(pendingTempFiles(), [])
    assert.deepEqual(readdirSync(dir).sort(), ['gate.xml', 'report.json'])
    assert.equal(readFileSync(join(dir, 'report.json')).length, 8 * 1024 * 1024)
  })

  it('a target that cannot be written: the error names it, no temp file stays, no target is touched', async () => {
    const dir = file('failing')
    mkdirSync(join(dir, 'folder'), {recursive: true})
    writeFileSync(join(dir, 'report.json'), 'previous report')
    for (const [bad, code] of [
      [join(dir, 'missing', 'gate.xml'), 'ENOENT'],
      [join(dir, 'folder'), 'EISDIR'],
    ]) {
      await assert.rejects(
        stageWrites([
          {path: join(dir, 'report.json'), data: 'new'},
          {path: bad, data: 'x'},
        ]),
        (error) => {
          assert.ok(error instanceof AtomicWriteError, String(error))
          assert.equal(error.target, bad)
          assert.equal(error.code, code)
          return true
        },
      )
      assert.deepEqual(readdirSync(dir).sort(), ['folder', 'report.json'])
      assert.equal(readFileSync(join(dir, 'report.json'), 'utf8'), 'previous report')
      assert.deepEqual(pendingTempFiles(), [])
    }
  })

  it('discard removes the staged files and leaves the targets as they were', async () => {
    const dir = file('discard')
    mkdirSync(dir)
    const staged = await stageWrites([{path: join(dir, 'a.json'), data: 'a'}])
    assert.equal(tempFilesIn(dir).length, 1)
    await staged.discard()
    assert.deepEqual(readdirSync(dir), [])
    assert.equal(existsSync(join(dir, 'a.json')), false)
    assert.deepEqual(pendingTempFiles(), [])
  })
})
