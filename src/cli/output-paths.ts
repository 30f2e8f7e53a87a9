import {fstatSync, type Stats, statSync} from 'node:fs'
import {basename, dirname, resolve} from 'node:path'

import {UsageError} from '../core/errors.js'

/** A file a command reads or writes, and what named it (`--report`, `--baseline`, `the prediction file`). */
export interface NamedPath {
  path: string
  what: string
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return path === '-' ? fstatSync(0) : statSync(path)
  } catch {
    return undefined
  }
}

/**
 * Which file a path names, as a key two spellings of one file share: device and inode (stat follows
 * links, so a symlink or hard link to a file is that file). A file not there yet is its directory's
 * device and inode plus its name, so `out/a.json` and `./link-to-out/a.json` still match; without a
 * directory, the absolute path (writing there fails anyway, later and with its own message).
 */
function fileKey(path: string): string {
  const file = statOrUndefined(path)
  if (file !== undefined) return `${file.dev}:${file.ino}`
  const dir = statOrUndefined(dirname(path))
  return dir === undefined ? resolve(path) : `${dir.dev}:${dir.ino}/${basename(path)}`
}

/**
 * Refuses (a `UsageError`, exit 2) an output that is the same file as an input — writing it would destroy
 * what the run reads — or as another output. Call it before anything is read or written, with every output
 * path the command will write and every input it will read (`-` is standard input, which may be a file
 * redirected from the same path). An input that does not exist is left to the reader to report.
 *
 * Example: `assertOutputsAreNotInputs([{path: 'in.csv', what: '--report'}], [{path: 'in.csv', what:
 * 'the prediction file'}])` throws "--report in.csv: expected an output that is not an input, got the
 * prediction file in.csv".
 */
export function assertOutputsAreNotInputs(outputs: NamedPath[], inputs: NamedPath[]): void {
  const inputKeys = new Map<string, NamedPath>()
  for (const input of inputs) {
    const stats = statOrUndefined(input.path)
    if (stats !== undefined && !inputKeys.has(`${stats.dev}:${stats.ino}`)) {
      inputKeys.set(`${stats.dev}:${stats.ino}`, input)
    }
  }
  const outputKeys = new Map<string, NamedPath>()
  for (const output of outputs) {
    const key = fileKey(output.path)
    const input = inputKeys.get(key)
    if (input !== undefined) {
      const name = input.path === '-' ? 'standard input' : `${input.what} ${input.path}`
      throw new UsageError(
        `${output.what} ${output.path}: expected an output that is not an input, got the same file as ${name} (writing it would destroy the input)`,
      )
    }
    const other = outputKeys.get(key)
    if (other !== undefined) {
      throw new UsageError(
        `${output.what} ${output.path}: expected each output in a file of its own, got the same file as ${other.what} ${other.path}`,
      )
    }
    outputKeys.set(key, output)
  }
}
