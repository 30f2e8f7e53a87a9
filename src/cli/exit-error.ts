/**
 * How any error ends a run: one line on stderr, `focalscope: error: …`, and the documented exit code.
 * Used by every command (base-command.ts) and by the entry (main.ts) for errors raised before a command
 * runs, so a mistyped command and a malformed file read the same way.
 */
import * as Errors from '@oclif/core/errors'

import {InputError, UsageError} from '../core/errors.js'
import {didYouMean} from './suggest.js'

/** Exit codes, the same for every command. */
export const EXIT = {ok: 0, gateFailed: 1, usage: 2, internal: 3, interrupted: 130} as const

/** oclif's own flag and argument errors (unknown flag, missing argument, bad option value). */
function isParseError(error: unknown): boolean {
  return (
    error instanceof Errors.CLIError && /Error$/.test(error.constructor.name) && error.constructor.name !== 'CLIError'
  )
}

/** What the run was doing when it failed, for suggestions: the command's id and its flag names. */
export interface ErrorContext {
  commandId?: string
  /** Long flag names without dashes, and one-letter ones. */
  flags?: string[]
}

/** oclif's message for an unknown flag, said our way: with the closest flag, if one is close. */
function unknownFlagMessage(unknown: string[], context: ErrorContext): string {
  const names = context.flags ?? []
  const help = `focalscope ${context.commandId === undefined ? '' : `${context.commandId} `}--help lists the flags`
  const parts = unknown.map((flag) => {
    const bare = flag.replace(/^-+/, '').replace(/=.*$/, '')
    const suggestion = didYouMean(
      bare,
      names.filter((n) => n.length > 1),
    )
    return suggestion === undefined ? flag : `${flag} (did you mean --${suggestion}?)`
  })
  return `unknown flag${unknown.length === 1 ? '' : 's'} ${parts.join(', ')}; ${help}`
}

/** Flag values oclif refused, with the way out for the one flag whose name misleads (`--format json`). */
function invalidOptionMessage(message: string): string {
  if (/^Expected --(input-)?format=/.test(message)) {
    return `${message} (--input-format, formerly --format, names the input's format; for JSON output use --json or -o FILE)`
  }
  return message
}

/**
 * The line to print and the exit code for `error`. Input and usage errors, and oclif's flag errors, exit 2;
 * an `ExitError` keeps its code; anything else is a bug in focalscope: exit 3, with the DEBUG hint (and the
 * stack, when DEBUG names focalscope).
 *
 * Example: `describeError(new UsageError('--gammas: expected a number, got "x"'))` is
 * `{message: '--gammas: expected a number, got "x"', exitCode: 2}`.
 */
export function describeError(
  error: Error & {oclif?: {exit?: number}; flags?: string[]},
  context: ErrorContext = {},
): {message: string | undefined; exitCode: number} {
  if (error instanceof Errors.ExitError) return {message: undefined, exitCode: error.oclif.exit ?? EXIT.usage}
  if (error instanceof InputError || error instanceof UsageError)
    return {message: firstLine(error.message), exitCode: EXIT.usage}
  if (isParseError(error)) {
    const message =
      error.constructor.name === 'NonExistentFlagsError' && Array.isArray(error.flags)
        ? unknownFlagMessage(error.flags, context)
        : invalidOptionMessage(firstLine(error.message))
    return {message, exitCode: EXIT.usage}
  }
  if (error instanceof Errors.CLIError) return {message: firstLine(error.message), exitCode: EXIT.usage}
  return {
    message: `internal error: ${firstLine(error.message)} (a bug in focalscope: run with DEBUG=focalscope for the stack; please report it)`,
    exitCode: EXIT.internal,
  }
}

/** Prints `error` as describeError words it, and sets the exit code. */
export function reportError(error: Error, context: ErrorContext = {}): void {
  const {message, exitCode} = describeError(error, context)
  if (exitCode === EXIT.internal && process.env.DEBUG?.includes('focalscope')) {
    process.stderr.write(`${error.stack}\n`)
  }
  if (message !== undefined) process.stderr.write(`focalscope: error: ${message}\n`)
  process.exitCode = exitCode
}

function firstLine(message: string): string {
  // oclif's parse errors span several lines ("See more help with --help"): keep them on one.
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^See more help with/.test(l))
    .join(' ')
}
