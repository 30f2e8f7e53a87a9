/**
 * What the terminal is like: whether to colour, and how wide a line may be. One decision each, made
 * here and passed to every renderer, so chalk, cli-table3 and oclif's help never disagree.
 */

/** Values of FORCE_COLOR that turn colour off, as supports-color reads them. */
const FORCE_OFF = new Set(['0', 'false'])

/**
 * One colour decision for the whole run, passed to every renderer: chalk 5 does not read NO_COLOR, and
 * cli-table3 colours its borders unless told not to. In order: `--color` / `--no-color` (`flag`), then
 * NO_COLOR (any non-empty value: off), then FORCE_COLOR (`0` or `false`: off, anything else: on), then
 * whether `stream` is a terminal other than TERM=dumb.
 *
 * Example: `useColor(process.stdout, {FORCE_COLOR: '0'})` is false on a terminal too.
 */
export function useColor(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv = process.env, flag?: boolean): boolean {
  if (flag !== undefined) return flag
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return !FORCE_OFF.has(env.FORCE_COLOR.toLowerCase())
  return stream.isTTY === true && env.TERM !== 'dumb'
}

/** The width used when the output is not a terminal (a pipe, a file, CI) and COLUMNS is not set. */
export const DEFAULT_WIDTH = 80

/** No layout is attempted below this: the tables' narrowest form needs about this much. */
export const MIN_WIDTH = 40

/**
 * How many columns a line written to `stream` may take: COLUMNS when it is a positive integer (as
 * ls, git and Python's shutil read it), else the terminal's width, else 80 (not a terminal, or its
 * width unknown). Never below MIN_WIDTH.
 *
 * Example: `terminalWidth({isTTY: false}, {COLUMNS: '120'})` is 120; `terminalWidth({isTTY: false}, {})` is 80.
 */
export function terminalWidth(
  stream: {isTTY?: boolean; columns?: number},
  env: NodeJS.ProcessEnv = process.env,
): number {
  const fromEnv = /^\d+$/.test(env.COLUMNS?.trim() ?? '') ? Number(env.COLUMNS) : 0
  const width =
    fromEnv > 0 ? fromEnv : stream.isTTY === true && (stream.columns ?? 0) > 0 ? stream.columns! : DEFAULT_WIDTH
  return Math.max(MIN_WIDTH, width)
}
