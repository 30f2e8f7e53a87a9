import {statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'

/** The names a gates file is found by, in the order they are tried in each directory. */
export const GATE_CONFIG_NAMES = ['focalscope.gates.json', join('.focalscope', 'gates.json')] as const

function isFile(path: string): boolean {
  return statSync(path, {throwIfNoEntry: false})?.isFile() === true
}

function isDirectory(path: string): boolean {
  return statSync(path, {throwIfNoEntry: false})?.isDirectory() === true
}

/**
 * The gates file `gate` uses when neither --config nor --assert is given, as eslint, ruff and pytest find
 * theirs: focalscope.gates.json, then .focalscope/gates.json, in `start` and then each parent directory,
 * stopping after the repository's root (the first directory holding `.git`, a directory or a worktree's
 * file) or the file system's root. Returns the path relative to `start` (as it is shown), or undefined.
 *
 * Example: run in repo/models/a with repo/focalscope.gates.json and repo/.git, it returns
 * "../../focalscope.gates.json".
 */
export function findGateConfig(start: string = process.cwd()): string | undefined {
  let dir = resolve(start)
  for (;;) {
    for (const name of GATE_CONFIG_NAMES) {
      const path = join(dir, name)
      if (isFile(path)) return relative(start, path) || path
    }
    const git = join(dir, '.git')
    if (isDirectory(git) || isFile(git)) return undefined
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}
