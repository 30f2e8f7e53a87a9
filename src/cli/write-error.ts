import {InputError} from '../core/errors.js'

/**
 * A file we could not write, as one line naming the flag, the path and why (an InputError: exit 2), e.g.
 * "out/report.json: expected a writable path for --output, got ENOENT (its directory does not exist)".
 * The temp file's name, which the file system's own message would give, would only confuse.
 */
export function writeError(error: unknown, path: string, what: string): InputError {
  const code = (error as NodeJS.ErrnoException).code
  const reason =
    code === 'ENOENT'
      ? 'its directory does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : (error as Error).message
  return new InputError(`expected a writable path for ${what}, got ${code ?? 'an error'} (${reason})`, {file: path})
}
