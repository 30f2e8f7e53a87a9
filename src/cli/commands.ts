/**
 * oclif's explicit command list (package.json `oclif.commands.target`). A bundle entry of its own, so
 * oclif loads the commands, and with them the readers and evaluators, only to run one: `--version` and
 * the root help come from the manifest alone.
 */
import Gate from '../commands/gate.js'
import Report from '../commands/report.js'

export const COMMANDS = {gate: Gate, report: Report}
