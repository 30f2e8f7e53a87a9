/**
 * The entry bin/run.cjs calls. The build bundles it, with @oclif/core and everything else, into
 * dist/bundle/focalscope.js (scripts/bundle.mjs), which bin/run.cjs loads with a V8 code cache. The bundle
 * is also oclif's command target (package.json `oclif.commands`): oclif reads COMMANDS from it.
 */
import type {COMMANDS as Commands} from './commands/index.js'

/** oclif's command list, set by `run` before oclif reads it. */
export let COMMANDS: typeof Commands | undefined

/** Loads the commands (and with them oclif's Command class) into COMMANDS. */
export async function loadCommands(): Promise<void> {
  ;({COMMANDS} = await import('./commands/index.js'))
}

export {interrupt} from './cli/write-result.js'

/**
 * Runs the command line; `dir` is the bin script's URL (oclif finds package.json from it). What oclif's
 * `execute` does, without its `flush`: that waits at most 10 s for stdout to drain, then throws, which
 * cut a document still draining into a slow reader (`| less`) at 64 KiB with exit 1 and a stack trace.
 * Node itself keeps the process alive until stdout has drained.
 */
export async function run(dir: string): Promise<void> {
  await loadCommands()
  // CommonJS modules: imported dynamically, their exports are the default export.
  const [oclif, errors] = await Promise.all([import('@oclif/core/run'), import('@oclif/core/handle')])
  await oclif.default.run(process.argv.slice(2), dir).catch(async (error: Error) => errors.default.handle(error))
}
