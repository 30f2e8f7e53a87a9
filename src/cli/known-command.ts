/**
 * The first word of the command line must be a command (or --help / --version). Checked before oclif
 * sees it: oclif glues the words of a command line with topics into one id (`reprot fixtures/a.csv`
 * became "command reprot:fixtures/a.csv not found") and has no suggestion of its own on Node 20.
 */
import {UsageError} from '../core/errors.js'
import {didYouMean} from './suggest.js'

/** What may come first instead of a command (package.json `oclif.additionalHelpFlags` / `additionalVersionFlags`). */
const ROOT_FLAGS = ['--help', '-h', '--version', '-v']

/**
 * "expected a command (gate, report), got "reprot"; did you mean "report"? (focalscope --help lists
 * them)" — the one wording for a mistyped command, whether it came first or as `help`'s subject.
 */
export function unknownCommandMessage(word: string, commandIds: readonly string[]): string {
  const suggestion = didYouMean(word, commandIds)
  const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`
  return `expected a command (${commandIds.join(', ')}), got "${word}"${hint} (focalscope --help lists them)`
}

/**
 * Throws a UsageError (exit 2) unless `argv` is empty or starts with a command id or a root flag.
 *
 * Example: `assertKnownCommand(['reprot', 'a.csv'], ['gate', 'report'])` throws `expected a command (gate,
 * report), got "reprot"; did you mean "report"? …` — the file is not part of the word.
 */
export function assertKnownCommand(argv: readonly string[], commandIds: readonly string[]): void {
  const first = argv[0]
  if (first === undefined || commandIds.includes(first) || ROOT_FLAGS.includes(first)) return
  if (first.startsWith('-')) {
    const suggestion = didYouMean(first.replace(/^-+/, ''), ['help', 'version'])
    const hint = suggestion === undefined ? '' : `; did you mean "--${suggestion}"?`
    throw new UsageError(
      `expected a command (${commandIds.join(', ')}) or --help or --version first, got "${first}"${hint} (flags go after the command: focalscope report FILE ${first})`,
    )
  }
  throw new UsageError(unknownCommandMessage(first, commandIds))
}
