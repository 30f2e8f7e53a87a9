/**
 * The entry bin/run.cjs calls. The build bundles it, with @oclif/core and everything else, into
 * dist/bundle/focalscope.js (scripts/bundle.mjs), which bin/run.cjs loads with a V8 code cache. The bundle
 * is also oclif's command target (package.json `oclif.commands`): oclif reads COMMANDS from it.
 */
import type {COMMANDS as Commands} from './commands.js'

/** oclif's command list, set by `run` before oclif reads it. */
export let COMMANDS: typeof Commands | undefined

/** Loads the commands (and with them oclif's Command class) into COMMANDS. */
export async function loadCommands(): Promise<void> {
  ;({COMMANDS} = await import('./commands.js'))
}

/** Runs the command line; `dir` is the bin script's URL (oclif finds package.json from it). */
export async function run(dir: string): Promise<void> {
  await loadCommands()
  // A CommonJS module: imported dynamically, its exports are the default export.
  const oclif = await import('@oclif/core/execute')
  await oclif.default.execute({dir})
}
