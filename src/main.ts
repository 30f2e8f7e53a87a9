/**
 * The entry bin/run.cjs calls. The build bundles it, with @oclif/core and everything else, into
 * dist/bundle/focalscope.js (scripts/bundle.mjs), which bin/run.cjs loads with a V8 code cache. The bundle
 * is also oclif's command target (package.json `oclif.commands`): oclif reads COMMANDS from it, and HELP
 * (`oclif.helpClass`).
 */
import type {COMMANDS as Commands} from './commands/index.js'
import type {FocalscopeHelp} from './cli/help.js'

/** oclif's command list, set by `run` before oclif reads it. */
export let COMMANDS: typeof Commands | undefined

/** oclif's help class (package.json `oclif.helpClass`), set by `run` before oclif reads it. */
export let HELP: typeof FocalscopeHelp | undefined

/** Loads the commands (and with them oclif's Command class) into COMMANDS, and the help class into HELP. */
export async function loadCommands(): Promise<void> {
  const [commands, help] = await Promise.all([import('./commands/index.js'), import('./cli/help.js')])
  COMMANDS = commands.COMMANDS
  HELP = help.FocalscopeHelp
}

export {interrupt} from './cli/write-result.js'

/**
 * Runs the command line; `dir` is the bin script's URL (oclif finds package.json from it). What oclif's
 * `execute` does, without its `flush`: that waits at most 10 s for stdout to drain, then throws, which
 * cut a document still draining into a slow reader (`| less`) at 64 KiB with exit 1 and a stack trace.
 * Node itself keeps the process alive until stdout has drained. Errors raised outside a command (a
 * mistyped command, help for no command) end the run as a command's do: one line, exit 2 (exit-error.ts).
 */
export async function run(dir: string): Promise<void> {
  const argv = process.argv.slice(2)
  try {
    await loadCommands()
    const {assertKnownCommand} = await import('./cli/known-command.js')
    assertKnownCommand(argv, Object.keys(COMMANDS ?? {}))
    // CommonJS module: imported dynamically, its exports are the default export.
    const oclif = await import('@oclif/core/run')
    await oclif.default.run(argv, dir)
  } catch (error) {
    const {reportError} = await import('./cli/exit-error.js')
    reportError(error as Error)
  }
}
