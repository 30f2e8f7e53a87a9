/**
 * The result's write to stdout, and what Ctrl-C (SIGINT) or SIGTERM does around it.
 *
 * A signal stops a run at once with exit 130, the one code the docs promise — except while the finished
 * result is being written: into a slow pipe that write can take as long as the reader likes, and
 * `process.exit` would drop what is still queued, leaving the reader the first 64 KiB of a JSON document.
 * So a signal that arrives while the result is draining lets the write finish, then exits 130: stdout
 * holds the whole result or none of it, and the exit code still says the run was interrupted. A second
 * signal stops at once (a reader that never reads must not make Ctrl-C powerless): the only way stdout
 * can hold part of a result, and then always with exit 130.
 */
/** EXIT.interrupted of base-command.ts (which imports this module): 128 + SIGINT. */
const EXIT_INTERRUPTED = 130

/** The result's write has started and not yet ended (every byte with the OS, or the pipe broke). */
let writing = false
/** A signal arrived while the result was being written: exit 130 when the write is done. */
let interrupted = false

/**
 * What bin/run.cjs calls on SIGINT and SIGTERM once this bundle has loaded (before that, it exits 130
 * itself): exit 130 at once, unless the result is being written — then wait for it, once.
 *
 * Example: Ctrl-C while `report big.csv --json | slow-reader` drains prints one warning on stderr, lets
 * slow-reader receive the whole document, and exits 130; a second Ctrl-C exits 130 at once.
 */
export function interrupt(): void {
  if (!writing || interrupted) process.exit(EXIT_INTERRUPTED)
  interrupted = true
  process.exitCode = EXIT_INTERRUPTED
  process.stderr.write(
    'focalscope: warning: interrupted while writing the result to stdout: finishing it first, then exiting 130 ' +
      '(interrupt again to stop at once)\n',
  )
}

/**
 * Writes the command's result (the `--json` document) to `stream`; call it once, as the run's last act.
 * The process then stays alive until the reader has taken every byte, however long that is: nothing
 * times the write out (oclif's own flush, which cut it after 10 s, is not used: src/main.ts).
 */
export function writeResult(text: string, stream: NodeJS.WritableStream = process.stdout): void {
  writing = true
  // Called with an error too (EPIPE: the reader has gone): the write is over either way.
  stream.write(text, () => {
    writing = false
    if (interrupted) process.exit(EXIT_INTERRUPTED)
  })
}
