/**
 * oclif's explicit command list. main.ts imports it when a run starts and exports it from the bundle as
 * COMMANDS, the identifier package.json's `oclif.commands` names.
 */
import Gate from './gate.js'
import Report from './report.js'

export const COMMANDS = {gate: Gate, report: Report}
