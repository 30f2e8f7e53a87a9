/**
 * oclif's explicit command list. main.ts imports it when a run starts and exports it from the bundle as
 * COMMANDS, the identifier package.json's `oclif.commands` names.
 */
import Compare from './compare.js'
import Completion from './completion.js'
import Gate from './gate.js'
import Help from './help.js'
import Merge from './merge.js'
import Report from './report.js'
import Sql from './sql.js'
import Version from './version.js'

export const COMMANDS = {
  compare: Compare,
  completion: Completion,
  gate: Gate,
  help: Help,
  merge: Merge,
  report: Report,
  sql: Sql,
  version: Version,
}
