import {createWriteStream, mkdtempSync, openSync, rmSync} from 'node:fs'
import {rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'

import {InputError, UsageError} from '../core/errors.js'
import type {StreamBytes} from './byte-source.js'

/** Spool directories not yet removed: the `exit` handler removes them (Ctrl-C exits 130 at once). */
const spoolDirs = new Set<string>()
let spoolCleanupInstalled = false

function removeSpoolDirs(): void {
  for (const dir of spoolDirs) {
    try {
      rmSync(dir, {recursive: true, force: true})
    } catch {
      // Exiting anyway: a directory that cannot be removed must not turn the exit into a crash.
    }
  }
  spoolDirs.clear()
}

async function removeSpoolDir(dir: string): Promise<void> {
  await rm(dir, {recursive: true, force: true})
  spoolDirs.delete(dir)
}

/**
 * Copies a file arriving on a stream (an Arrow IPC file or a Parquet file on standard input: formats whose
 * footer sits at the end, so they need random access) to a temp file, opens it with `open`, and deletes it
 * when the opened source is closed — or, when the process exits first (Ctrl-C, SIGTERM: bin/run.cjs exits
 * 130), in a synchronous `exit` handler. The directory and the file are created synchronously, so a signal
 * finds them registered whenever it comes. Messages name the stream (`path`, `-`), never the temp file.
 */
export async function spoolStream<S extends {close(): Promise<void>}>(
  path: string,
  stream: StreamBytes,
  what: string,
  extension: string,
  open: (file: string) => Promise<S>,
): Promise<S> {
  if (!spoolCleanupInstalled) {
    process.on('exit', removeSpoolDirs)
    spoolCleanupInstalled = true
  }
  let dir: string
  try {
    dir = mkdtempSync(join(tmpdir(), 'focalscope-'))
  } catch (error) {
    throw spoolError(error, path, what)
  }
  spoolDirs.add(dir)
  const file = join(dir, `input${extension}`)
  try {
    let fd: number
    try {
      fd = openSync(file, 'wx')
    } catch (error) {
      throw spoolError(error, path, what)
    }
    try {
      // The write stream closes the descriptor when it ends or fails (autoClose).
      await pipeline(Readable.from(stream.remaining()), createWriteStream(file, {fd}))
    } catch (error) {
      // A failing stdin is the stream's own error (it names `path`); a failing write is the temp file's.
      if (error instanceof InputError || error instanceof UsageError) throw error
      throw spoolError(error, path, what)
    }
    const source = await open(file)
    const close = source.close.bind(source)
    source.close = async () => {
      await close()
      await removeSpoolDir(dir)
    }
    return source
  } catch (error) {
    await removeSpoolDir(dir)
    throw error
  }
}

/** A failure to write the spool copy, naming the stream and the temp directory (TMPDIR), not the temp file. */
function spoolError(error: unknown, path: string, what: string): InputError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
  return new InputError(
    `could not copy the ${what} file to a temporary file in ${tmpdir()} (${code}; set TMPDIR to a writable directory with room)`,
    {file: path},
  )
}
