import {unlinkSync} from 'node:fs'
import {open, rename, unlink} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

/** Temp files being written right now: removed if the process exits before they are renamed. */
const pending = new Set<string>()
let cleanupInstalled = false

function removePending(): void {
  for (const path of pending) {
    try {
      unlinkSync(path)
    } catch {
      // Already gone, or never created: nothing to clean.
    }
  }
  pending.clear()
}

/**
 * Writes `data` to `path` so that a reader sees either the old file or the whole new one, never a part:
 * the bytes go to a temp file in the same directory (same file system, so the rename is atomic), are
 * flushed to disk, and the temp file is renamed over `path`.
 *
 * Interrupted runs: on Ctrl-C (bin/run.cjs exits 130) the `exit` handler removes the temp file; after a
 * SIGKILL or a power cut a hidden `.NAME.PID.RANDOM.tmp` may stay behind, but `path` is untouched.
 * Errors are the file system's own (`code` ENOENT, EACCES, EISDIR …); the temp file is removed first.
 *
 * Example: `await atomicWrite('out/report.json', json)` — while it runs, `out/report.json` still holds
 * the previous report (or does not exist).
 */
export async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  if (!cleanupInstalled) {
    process.on('exit', removePending)
    cleanupInstalled = true
  }
  // pid and a random suffix keep concurrent writers apart, and 'wx' refuses a name already taken. (Not
  // node:crypto: loading it cost every run ~4 ms of start-up, for a name.)
  const suffix = Math.floor(Math.random() * 2 ** 32)
    .toString(16)
    .padStart(8, '0')
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${suffix}.tmp`)
  pending.add(temp)
  let created = false
  try {
    const handle = await open(temp, 'wx')
    created = true
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
    pending.delete(temp)
  } catch (error) {
    if (created) await unlink(temp).catch(() => undefined)
    pending.delete(temp)
    throw error
  }
}
