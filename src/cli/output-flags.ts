import * as Flags from '@oclif/core/flags'

import {UsageError} from '../core/errors.js'
import {REPORT_SECTIONS, type ReportSectionName} from '../renderers/report-view.js'

/** Shown under OUTPUT FLAGS in the help, apart from the many input flags. */
const helpGroup = 'OUTPUT'

/** `--color` / `--no-color`: the one colour decision (terminal.ts `useColor`) with the last word. */
export const colorFlag = {
  color: Flags.boolean({
    description:
      'colour the terminal output, or not (default: when stdout is a terminal; NO_COLOR and FORCE_COLOR are read)',
    allowNo: true,
    helpGroup,
  }),
}

/** How much of the report the terminal shows (`report`, and `gate` when a gate fails). */
export const terminalReportFlags = {
  'max-classes': Flags.integer({
    description:
      'per-class rows in the terminal table, the largest CE share first, then "… N more classes"; 0: all (the JSON always has every class)',
    default: 30,
    min: 0,
    helpGroup,
  }),
  sections: Flags.string({
    description: `the parts of the terminal report to print, comma-separated: ${REPORT_SECTIONS.join(', ')} (default: all on a terminal; all but charts into a pipe or file, so CI logs stay short)`,
    helpGroup,
  }),
  verbose: Flags.boolean({
    description: 'also print the semantics sentence (which published definition the figures follow)',
    helpGroup,
  }),
}

/** The sections printed without --sections: every one on a terminal, all but the charts into a pipe or a log. */
export function defaultSections(stream: {isTTY?: boolean}): ReportSectionName[] {
  return REPORT_SECTIONS.filter((name) => name !== 'charts' || stream.isTTY === true)
}

/**
 * "sweep,classes" → ['sweep', 'classes']; undefined → undefined (all). An unknown name is a UsageError
 * listing the valid ones.
 */
export function parseSections(text: string | undefined): ReportSectionName[] | undefined {
  if (text === undefined) return undefined
  const names = text.split(',').map((s) => s.trim().toLowerCase())
  for (const name of names) {
    if (!(REPORT_SECTIONS as readonly string[]).includes(name)) {
      throw new UsageError(
        `--sections: expected names from ${REPORT_SECTIONS.join(', ')}, comma-separated, got ${JSON.stringify(name)}`,
      )
    }
  }
  return names as ReportSectionName[]
}

/** `--format` was renamed `--input-format`: said once on stderr when the old name is used. */
export function warnIfFormatFlag(argv: readonly string[], warn: (message: string) => void): void {
  if (argv.some((arg) => arg === '--format' || arg.startsWith('--format='))) {
    warn(
      '--format is deprecated and will be removed in a later release: use --input-format (it names the input format; for JSON output use --json or -o FILE)',
    )
  }
}
