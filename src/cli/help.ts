/**
 * focalscope's help: oclif's, fitted to the terminal (COLUMNS honoured, 80 into a pipe), without colour
 * when the run has none, and with the sections every command shares — exit codes and the environment —
 * after each command's own. package.json `oclif.helpClass` names it (the CLI bundle's HELP export), so
 * `--help`, `-h` and `focalscope help COMMAND` all print this.
 */
import type {Command} from '@oclif/core/command'
import {CommandHelp, Help} from '@oclif/core/help'
import type {Config, HelpOptions} from '@oclif/core/interfaces'

import {UsageError} from '../core/errors.js'
import {unknownCommandMessage} from './known-command.js'
import {terminalWidth, useColor} from './terminal.js'

/** The exit codes, as every command's help lists them; `gate` adds what 1 means for it. */
export function exitCodeRows(commandId?: string): [string, string][] {
  return [
    ['0', 'success'],
    ...(commandId === undefined || commandId === 'gate'
      ? [['1', 'a quality gate failed (focalscope gate)'] as [string, string]]
      : []),
    ['2', 'usage or input error: one line on stderr naming the file, line or batch, column and what was expected'],
    ['3', 'internal error, a bug: one line on stderr (run with DEBUG=focalscope for the stack; please report it)'],
    ['130', 'interrupted (Ctrl-C or SIGTERM)'],
  ]
}

/** The environment variables focalscope reads. */
export const ENVIRONMENT_ROWS: [string, string][] = [
  ['NO_COLOR', 'any value: no colour (as --no-color)'],
  ['FORCE_COLOR', '0: no colour; 1, 2 or 3: colour even into a pipe (--color / --no-color win)'],
  ['COLUMNS', 'the width tables and help are fitted to (default: the terminal, else 80)'],
  ['DEBUG', 'focalscope: print the stack trace of an internal error'],
  ['TMPDIR', 'where an Arrow file read from standard input (-) is spooled'],
]

/** oclif's command help plus the shared sections; long flag descriptions kept inside the width. */
class FocalscopeCommandHelp extends CommandHelp {
  /**
   * oclif indents a flag's description that goes on its own lines by 6 columns but wraps it for 4, so
   * its lines ran 2 columns past the width (at 80 columns, 10 lines of `report --help`): wrap for 2 more.
   */
  override renderList(
    input: (string | undefined)[][],
    opts: {indentation: number; spacer?: string; stripAnsi?: boolean; multiline?: boolean},
  ): string {
    return super.renderList(input, {...opts, indentation: opts.indentation + 2})
  }

  /**
   * Each example as a description, then the command after "$ ", wrapped between shell words with a
   * trailing backslash: oclif's wrap could break a quoted rule ('classes[*].ce.share <= 0.5') inside its
   * quotes, where a backslash-newline is no longer a line continuation, and left plain strings unwrapped.
   */
  override examples(examples: Command.Example[] | string | undefined): string | undefined {
    if (examples === undefined || examples.length === 0) return undefined
    return formatExamples(typeof examples === 'string' ? [examples] : examples, this.opts.maxWidth, (text) =>
      this.render(text),
    )
  }

  override generate(): string {
    const id = this.command.id
    return [
      super.generate(),
      this.section('EXIT CODES', exitCodeRows(id)),
      this.section('ENVIRONMENT', ENVIRONMENT_ROWS),
    ].join('\n\n')
  }
}

/**
 * A shell command as lines of at most `width` columns, broken between words (a quoted string is one word)
 * with " \\" at the end of every line but the last, and the next ones indented by 4. A word longer than
 * the width stays whole.
 *
 * Example: `wrapCommand("$ focalscope gate a.csv --assert 'x <= 1'", 30)` is
 * `["$ focalscope gate a.csv \\", "    --assert 'x <= 1'"]`.
 */
export function wrapCommand(command: string, width: number): string[] {
  const words = command.match(/(?:'[^']*'|"(?:\\.|[^"\\])*"|\S)+/g) ?? []
  const lines: string[] = []
  let line = ''
  for (const word of words) {
    const next = line === '' ? word : `${line} ${word}`
    // Room for the " \\" that ends a line which is continued.
    if (line !== '' && [...next].length + 2 > width) {
      lines.push(`${line} \\`)
      line = `    ${word}`
    } else {
      line = next
    }
  }
  if (line !== '') lines.push(line)
  return lines
}

/**
 * Examples as the help shows them: each description wrapped, a blank line, then the command after "$ ",
 * indented and wrapped by wrapCommand. `render` fills in oclif's templates (<%= config.bin %>).
 */
export function formatExamples(
  examples: Command.Example[],
  width: number,
  render: (text: string) => string = (text) => text,
): string {
  return examples
    .map((example) => {
      const {description, command} = typeof example === 'string' ? {description: '', command: example} : example
      const lines = wrapCommand(`$ ${render(command)}`, width - 4).map((line) => `  ${line}`)
      if (description === '') return lines.join('\n')
      return `${wrapText(render(description), width - 2).join('\n')}\n\n${lines.join('\n')}`
    })
    .join('\n\n')
}

/** Prose as lines of at most `width` columns, broken at spaces (a longer word stays whole). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = []
  for (const paragraph of text.split('\n')) {
    let line = ''
    for (const word of paragraph.split(/ +/)) {
      const next = line === '' ? word : `${line} ${word}`
      if (line !== '' && [...next].length > width) {
        lines.push(line)
        line = word
      } else {
        line = next
      }
    }
    lines.push(line)
  }
  return lines
}

/** The help class oclif loads (package.json `oclif.helpClass`). */
export class FocalscopeHelp extends Help {
  protected override CommandHelpClass = FocalscopeCommandHelp

  constructor(config: Config, opts: Partial<HelpOptions> = {}) {
    super(config, {maxWidth: terminalWidth(process.stdout), stripAnsi: !useColor(process.stdout), ...opts})
  }

  /** The summary line, wrapped like the rest (oclif printed it on one line, however long). */
  override async showCommandHelp(command: Command.Loadable): Promise<void> {
    const summary = this.summary(command)
    if (summary) this.log(`${this.wrap(summary, 0)}\n`)
    this.log(this.formatCommand(command))
    this.log('')
  }

  /** A help subject that is no command is a usage error with a suggestion, as a mistyped command is. */
  override async showHelp(argv: string[]): Promise<void> {
    const subject = argv.find((arg) => !arg.startsWith('-') && arg !== 'help')
    if (subject !== undefined && this.config.findCommand(subject) === undefined) {
      throw new UsageError(unknownCommandMessage(subject, this.config.commandIDs))
    }
    await super.showHelp(argv.filter((arg) => arg === subject || arg.startsWith('-')))
  }

  override formatRoot(): string {
    const {bin} = this.config
    const description = this.config.pjson.description ?? ''
    return [
      this.wrap(description, 0),
      this.section('VERSION', this.config.userAgent),
      this.section('USAGE', `$ ${bin} COMMAND [FILE...] [FLAGS]`),
    ].join('\n\n')
  }

  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp()
    const {bin} = this.config
    this.log(
      this.section(
        'EXAMPLES',
        formatExamples(
          [
            {
              description: 'Where the loss of the example predictions comes from (8 classes, 800 rows)',
              command: `${bin} report examples/predictions.csv`,
            },
            {
              description: 'Fail a CI step when a class carries more than half of the cross-entropy',
              command: `${bin} gate examples/predictions.csv --assert 'classes[*].ce.share <= 0.5'`,
            },
            {
              description: 'A candidate model against the current one on the same rows: B − A, and where',
              command: `${bin} compare examples/predictions.csv examples/candidate-predictions.csv`,
            },
          ],
          this.opts.maxWidth,
        ),
      ),
    )
    this.log('')
    this.log(this.section('EXIT CODES', exitCodeRows()))
    this.log('')
    this.log(this.section('ENVIRONMENT', ENVIRONMENT_ROWS))
    this.log('')
    this.log(this.wrap(`Run "${bin} help COMMAND" (or "${bin} COMMAND --help") for a command's flags and examples.`, 0))
  }
}
