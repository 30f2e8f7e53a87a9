/**
 * The CLI as one module: oclif's explicit command list, and the entry bin/run.js calls. The build bundles
 * this file (with @oclif/core and everything else but apache-arrow) into dist/bundle/focalscope.js: one
 * file to load instead of ~250, which halves the start-up cost of importing oclif (scripts/bundle.mjs).
 */
import {execute} from '@oclif/core/execute'

import Gate from '../commands/gate.js'
import Report from '../commands/report.js'

export const COMMANDS = {gate: Gate, report: Report}

/** Runs the command line; `dir` is the bin script's URL (oclif finds package.json from it). */
export async function run(dir: string): Promise<void> {
  await execute({dir})
}
