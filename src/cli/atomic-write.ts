import {close, fsync, openSync, type Stats, statSync, unlinkSync, writeFile, writevSync} from 'node:fs'
import {rename, unlink} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import {WriteBehind} from './write-behind.js'

/**
 * Temp files on disk right now: removed if the process exits before they are renamed. A path is added in
 * the same synchronous step that creates its file, so whenever a signal handler can run, every temp file
 * on disk is in this set (an asynchronous open could create its file after the exit handler had looked).
 */
const pending = new Set<string>()
let cleanupInstalled = false

/** Removes every temp file not yet renamed: run on `exit`, so Ctrl-C (bin/run.cjs exits 130) leaves none. */
function removePendingTempFiles(): void {
  for (const path of pending) {
    try {
      unlinkSync(path)
    } catch {
      // Already gone (renamed just now, or removed): nothing to clean.
    }
  }
  pending.clear()
}

/**
 * The temp files the `exit` handler would remove now. Each one is on disk until its rename is issued
 * (test/gates/atomic-write-signals.test.ts checks this at every turn of the event loop).
 */
export function pendingTempFiles(): string[] {
  return [...pending]
}

/**
 * Test hook: with FOCALSCOPE_TEST_PAUSE_WRITE=POINT in the environment, the write stops at POINT
 * (`before-open`, `after-open`, `writing`, `after-write`, `after-rename`), prints `focalscope: test: paused
 * at POINT` to stderr and never goes on, so a test can signal the process at a known moment instead of
 * after a sleep (test/commands/gate-outputs.test.ts). Unset, it costs one property read.
 */
async function pauseForTest(point: string): Promise<void> {
  if (process.env.FOCALSCOPE_TEST_PAUSE_WRITE !== point) return
  process.stderr.write(`focalscope: test: paused at ${point}\n`)
  // The interval only keeps the event loop (and so the process) alive until the test signals it.
  await new Promise<never>(() => setInterval(() => undefined, 2 ** 31 - 1))
}

/** A file to write: its final path and its bytes. */
export interface FileToWrite {
  path: string
  data: string | Uint8Array
}

/** The target a write failed for (the error's own `path` may be the temp file), with the error. */
export class AtomicWriteError extends Error {
  constructor(
    readonly target: string,
    override readonly cause: NodeJS.ErrnoException,
  ) {
    super(cause.message)
    this.name = 'AtomicWriteError'
  }

  get code(): string | undefined {
    return this.cause.code
  }
}

/** Temp files written and flushed, ready to be renamed over their targets (`commit`) or dropped (`discard`). */
export interface StagedWrites {
  commit(): Promise<void>
  discard(): Promise<void>
}

function tempPathFor(path: string): string {
  // pid and a random suffix keep concurrent writers apart, and 'wx' refuses a name already taken. (Not
  // node:crypto: loading it cost every run ~4 ms of start-up, for a name.)
  const suffix = Math.floor(Math.random() * 2 ** 32)
    .toString(16)
    .padStart(8, '0')
  return join(dirname(path), `.${basename(path)}.${process.pid}.${suffix}.tmp`)
}

/** A failure for `target`, as an AtomicWriteError (an fs error stays the cause). */
function failure(target: string, error: unknown): AtomicWriteError {
  return error instanceof AtomicWriteError ? error : new AtomicWriteError(target, error as NodeJS.ErrnoException)
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

async function removeTemps(temps: string[]): Promise<void> {
  for (const temp of temps) {
    await unlink(temp).catch(() => undefined)
    pending.delete(temp)
  }
}

/**
 * Phase one of writing several files all or nothing: each file's bytes go to a temp file beside it (same
 * file system, so a rename is atomic) and are flushed to disk; nothing is renamed yet. A target that is a
 * directory is refused here, so `commit` has nothing left to fail on but the unexpected. If any write
 * fails, every temp file is removed and the error (an AtomicWriteError naming the target) is thrown: no
 * target has been touched.
 *
 * Interrupted runs: each temp file is created synchronously and registered in the same step, and an `exit`
 * handler removes them, so Ctrl-C leaves none however the signal falls; after a SIGKILL or a power cut a
 * hidden `.NAME.PID.RANDOM.tmp` may stay behind, but the targets are untouched.
 */
export async function stageWrites(files: FileToWrite[]): Promise<StagedWrites> {
  if (!cleanupInstalled) {
    process.on('exit', removePendingTempFiles)
    cleanupInstalled = true
  }
  const temps: string[] = []
  try {
    // Synchronous, like the opens below: from the call to the last temp file registered, nothing waits on
    // the thread pool, so a busy pool cannot leave a creation in flight.
    for (const {path} of files) {
      const existing = statOrUndefined(path)
      if (existing?.isDirectory()) {
        throw new AtomicWriteError(
          path,
          Object.assign(new Error(`EISDIR: expected a file to replace, got a directory: '${path}'`), {code: 'EISDIR'}),
        )
      }
    }
    await pauseForTest('before-open')
    const fds: number[] = []
    try {
      for (const {path} of files) {
        const temp = tempPathFor(path)
        try {
          fds.push(openSync(temp, 'wx'))
        } catch (error) {
          throw failure(path, error)
        }
        // Registered in the same synchronous step that created it: no signal can fall in between.
        pending.add(temp)
        temps.push(temp)
      }
      await pauseForTest('after-open')
      const writes = files.map(async ({path, data}, i) => {
        try {
          await fdCall<void>((done) => writeFile(fds[i], data, done))
          await fdCall<void>((done) => fsync(fds[i], done))
        } catch (error) {
          throw failure(path, error)
        }
      })
      await pauseForTest('writing')
      // Every write settles before any descriptor is closed: a closed number could be reused mid-write.
      const failed = (await Promise.allSettled(writes)).find((r) => r.status === 'rejected')
      if (failed !== undefined) throw failed.reason
    } finally {
      for (const fd of fds) await fdCall<void>((done) => close(fd, done)).catch(() => undefined)
    }
    await pauseForTest('after-write')
  } catch (error) {
    await removeTemps(temps)
    throw error
  }
  return {
    async commit() {
      for (let i = 0; i < files.length; i++) {
        try {
          await rename(temps[i], files[i].path)
          pending.delete(temps[i])
        } catch (error) {
          // Targets renamed before this one keep their new content: a rename cannot be taken back.
          await removeTemps(temps.slice(i))
          throw failure(files[i].path, error)
        }
      }
      await pauseForTest('after-rename')
    },
    discard: () => removeTemps(temps),
  }
}

/** A callback-style fs call on a descriptor (fs/promises has no FileHandle for a number), as a promise. */
function fdCall<T>(call: (done: (error: NodeJS.ErrnoException | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => call((error, value) => (error ? reject(error) : resolve(value as T))))
}

/**
 * Writes `data` to `path` so that a reader sees either the old file or the whole new one, never a part:
 * `stageWrites` then `commit`. Errors are AtomicWriteErrors carrying the file system's `code` (ENOENT,
 * EACCES, EISDIR …); no temp file is left.
 *
 * Example: `await atomicWrite('out/report.json', json)` — while it runs, `out/report.json` still holds
 * the previous report (or does not exist).
 */
export async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  const staged = await stageWrites([{path, data}])
  await staged.commit()
}

/** A file written block by block to a temp file beside its target, renamed into place by `commit`. */
export interface StagedFile {
  /**
   * Memory of at least `bytes` to build the next block in: the caller's until it passes the block to
   * `write` (the same memory may be lent again after that).
   */
  lend(bytes: number): ArrayBufferLike
  /** Appends `pieces` in order (memory from `lend` among them is the file's again from now on). */
  write(pieces: Uint8Array[]): void
  /** Flushes to disk and renames onto the target. */
  commit(): Promise<void>
  /** Removes the temp file; the target is left as it was. */
  discard(): Promise<void>
}

/**
 * Writes every byte of `pieces` at the file's position (writev(2) may write less than asked). The writer
 * thread (write-behind.ts) runs the same loop in its own source, which cannot import this one.
 */
function writeAllSync(fd: number, pieces: Uint8Array[]): void {
  let left = pieces.filter((piece) => piece.byteLength > 0)
  while (left.length > 0) {
    let written = writevSync(fd, left)
    while (left.length > 0 && written >= left[0].byteLength) {
      written -= left[0].byteLength
      left = left.slice(1)
    }
    if (written > 0) left[0] = left[0].subarray(written)
  }
}

/**
 * A streamed write with the guarantees of stageWrites: a temp file beside `path`, created and registered
 * for removal at exit in one synchronous step, so a failed or interrupted run leaves the old file whole.
 * For outputs too large to hold (--rows-out). With `writeBehind`, the bytes are written by a thread of
 * their own (write-behind.ts) while this one goes on; else here, as `write` is called. Errors are
 * AtomicWriteErrors naming `path`.
 */
export function openStagedFile(path: string, options: {writeBehind?: boolean} = {}): StagedFile {
  if (!cleanupInstalled) {
    process.on('exit', removePendingTempFiles)
    cleanupInstalled = true
  }
  if (statOrUndefined(path)?.isDirectory()) {
    throw new AtomicWriteError(
      path,
      Object.assign(new Error(`EISDIR: expected a file to replace, got a directory: '${path}'`), {code: 'EISDIR'}),
    )
  }
  const temp = tempPathFor(path)
  let fd: number | undefined
  try {
    fd = openSync(temp, 'wx')
  } catch (error) {
    throw failure(path, error)
  }
  pending.add(temp)
  const behind = options.writeBehind === true ? new WriteBehind(fd) : undefined
  let scratch = new ArrayBuffer(0)
  const closeFd = async (): Promise<void> => {
    if (fd === undefined) return
    const open = fd
    fd = undefined
    // The writer first: its descriptor number must not be reused while it may still write.
    await behind?.stop()
    await fdCall<void>((done) => close(open, done))
  }
  return {
    lend(bytes) {
      try {
        if (behind !== undefined) return behind.lend(bytes)
      } catch (error) {
        throw failure(path, error)
      }
      if (scratch.byteLength < bytes) scratch = new ArrayBuffer(bytes)
      return scratch
    },
    write(pieces) {
      try {
        if (behind !== undefined) behind.write(pieces)
        else writeAllSync(fd as number, pieces)
      } catch (error) {
        throw failure(path, error)
      }
    },
    async commit() {
      try {
        await behind?.finish()
        await fdCall<void>((done) => fsync(fd as number, done))
        await closeFd()
        await rename(temp, path)
        pending.delete(temp)
      } catch (error) {
        await closeFd().catch(() => undefined)
        await removeTemps([temp])
        throw failure(path, error)
      }
    },
    async discard() {
      await closeFd().catch(() => undefined)
      await removeTemps([temp])
    },
  }
}
