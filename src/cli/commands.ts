/**
 * oclif's explicit command list. main.ts imports it when a run starts and exports it from the bundle as
 * COMMANDS, the identifier package.json's `oclif.commands` names.
 */
import Completion from '../commands/completion.js'
import Gate from '../commands/gate.js'
import Help from '../commands/help.js'
import Report from '../commands/report.js'
import Version from '../commands/version.js'

export const COMMANDS = {completion: Completion, gate: Gate, help: Help, report: Report, version: Version}
