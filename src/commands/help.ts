import * as Args from '@oclif/core/args'

import {BaseCommand} from '../cli/base-command.js'
import {FocalscopeHelp} from '../cli/help.js'

/** `focalscope help [COMMAND]`: what `--help` prints, as a command (as git, npm and oclif's plugin-help have it). */
export default class Help extends BaseCommand {
  static override summary = 'Show the help of focalscope or of one of its commands.'

  static override description =
    'The same text as `focalscope --help` or `focalscope COMMAND --help` (also -h): usage, flags, examples, exit codes and the environment variables read. It is fitted to the terminal width (COLUMNS, else 80 into a pipe).'

  static override enableJsonFlag = false

  static override examples = [
    {description: 'The commands, with the exit codes every command shares', command: '<%= config.bin %> help'},
    {description: "The report command's flags and examples", command: '<%= config.bin %> help report'},
  ]

  static override args = {command: Args.string({description: 'the command to explain (default: all of them)'})}

  static override strict = false

  async run(): Promise<void> {
    const {argv} = await this.parse(Help)
    await new FocalscopeHelp(this.config).showHelp(argv as string[])
  }
}
