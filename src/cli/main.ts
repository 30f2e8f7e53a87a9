/**
 * The entry bin/run.js calls. The build bundles it, with @oclif/core and everything else, into
 * dist/bundle/ (scripts/bundle.mjs): a few files to load instead of ~250, which halves the start-up cost
 * of importing oclif. The commands are a separate entry (commands.ts), loaded by oclif when one runs.
 */
import {prestartForArgv} from './prestart.js'

/** Runs the command line; `dir` is the bin script's URL (oclif finds package.json from it). */
export async function run(dir: string): Promise<void> {
  // Worker threads a big input will need boot while oclif loads (so oclif is imported after this).
  prestartForArgv(process.argv.slice(2))
  // A CommonJS module: imported dynamically, its exports are the default export.
  const oclif = await import('@oclif/core/execute')
  await oclif.default.execute({dir})
}
