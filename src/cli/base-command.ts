import {Command} from '@oclif/core/command'
import * as Errors from '@oclif/core/errors'

import {InputError, UsageError} from '../core/errors.js'
import {writeResult} from './write-result.js'

/** Exit codes, the same for every command. */
export const EXIT = {ok: 0, gateFailed: 1, usage: 2, interrupted: 130} as const

/** oclif's own flag and argument errors (unknown flag, missing argument, bad option value). */
function isParseError(error: unknown): boolean {
  return (
    error instanceof Errors.CLIError && /Error$/.test(error.constructor.name) && error.constructor.name !== 'CLIError'
  )
}

/**
 * Every focalscope command extends this. It turns any error into one line on stderr (no stack trace)
 * and the documented exit code: oclif 4 would exit 1 for all of them, which CI would read as a
 * failed gate (fixed upstream only in oclif 5, oclif/core#1423).
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  /**
   * oclif's logJson runs the text through its JSON colouriser, which without a configured theme adds no
   * colour but tokenises the whole document (~6 ms for a small report). The same text, written directly,
   * as the run's last act: a signal from here on lets the document finish (write-result.ts).
   */
  override logJson(json: unknown): void {
    writeResult(`${JSON.stringify(json, null, 2)}\n`)
  }

  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<void> {
    if (error instanceof Errors.ExitError) {
      process.exitCode = error.oclif.exit
      return
    }
    let message: string
    if (error instanceof InputError || error instanceof UsageError || isParseError(error)) {
      message = error.message
    } else if (error instanceof Errors.CLIError) {
      message = error.message
    } else {
      message = `internal error: ${error.message} (run with DEBUG=focalscope for the stack; please report it)`
      if (process.env.DEBUG?.includes('focalscope')) process.stderr.write(`${error.stack}\n`)
    }
    process.stderr.write(`focalscope: error: ${firstLine(message)}\n`)
    process.exitCode = EXIT.usage
  }
}

function firstLine(message: string): string {
  // oclif's parse errors span several lines ("See more help with --help"): keep them on one.
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ')
}
