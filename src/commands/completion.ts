import * as Args from '@oclif/core/args'

import {BaseCommand} from '../cli/base-command.js'
import {type CompletionCommand, completionScript, type Shell, SHELLS} from '../cli/completion-scripts.js'

/** What each command's arguments are, for completion. */
const ARGUMENTS: Record<string, CompletionCommand['args']> = {
  report: 'files',
  gate: 'files',
  help: 'commands',
  completion: 'shells',
}

/** `focalscope completion bash|zsh|fish`: a completion script on stdout, made from the commands' flags. */
export default class Completion extends BaseCommand {
  static override summary = 'Print a shell completion script for bash, zsh or fish.'

  static override description =
    "Completes command names, flag names, the choices of a flag (--scores logits|probs) and file names. The script is made from the installed version's flags: load it from your shell's start-up file (below) so it follows upgrades."

  static override enableJsonFlag = false

  static override examples = [
    {description: 'bash: add this line to ~/.bashrc', command: 'eval "$(<%= config.bin %> completion bash)"'},
    {
      description: 'zsh: add this line to ~/.zshrc, after compinit',
      command: 'eval "$(<%= config.bin %> completion zsh)"',
    },
    {
      description: 'fish: add this line to ~/.config/fish/config.fish',
      command: '<%= config.bin %> completion fish | source',
    },
  ]

  static override args = {
    shell: Args.string({description: 'the shell to complete for', options: [...SHELLS], required: true}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Completion)
    const commands: CompletionCommand[] = this.config.commands
      .filter((c) => !c.hidden)
      .map((c) => ({
        id: c.id,
        summary: c.summary ?? c.description ?? '',
        args: ARGUMENTS[c.id] ?? 'none',
        flags: Object.entries(c.flags)
          .filter(([, f]) => !f.hidden)
          .map(([name, f]) => ({
            name,
            char: f.char,
            description: f.summary ?? f.description ?? '',
            takesValue: f.type === 'option',
            options: f.type === 'option' ? f.options : undefined,
            allowNo: f.type === 'boolean' && f.allowNo,
          })),
      }))
    process.stdout.write(completionScript(args.shell as Shell, this.config.bin, commands))
  }
}
