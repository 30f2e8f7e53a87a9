import {existsSync, readdirSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

import {UsageError} from '../core/errors.js'

/**
 * Expands quoted glob patterns (`'preds/shard-*.csv'`, `'day?.arrow'`) in the file arguments, for shells
 * that pass them unexpanded (or CI configs that quote them). `*` and `?` are supported in the last
 * path segment; matches are sorted so shards are read in a stable order. A path that exists as written
 * is never treated as a pattern, and a pattern that matches nothing is an error, not an empty dataset.
 */
export function expandPaths(paths: string[]): string[] {
  return paths.flatMap((path) => {
    if (path === '-' || !/[*?]/.test(path) || existsSync(path)) return [path]
    const dir = dirname(path)
    if (/[*?]/.test(dir)) throw new UsageError(`${path}: patterns (* and ?) are supported in the file name only`)
    const pattern = globToRegExp(basename(path))
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch {
      throw new UsageError(`${path}: no such folder ${dir}`)
    }
    const matches = names.filter((name) => pattern.test(name)).sort()
    if (matches.length === 0) throw new UsageError(`${path}: no file matches this pattern`)
    return matches.map((name) => (dir === '.' && !path.startsWith('./') ? name : join(dir, name)))
  })
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]')
  return new RegExp(`^${body}$`)
}
