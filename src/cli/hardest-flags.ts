/**
 * --top, --top-per-class and --top-gamma (issue 18): which hardest rows `report` keeps (a setting of the
 * run, so part of its state) and how many of them `merge` shows.
 */
import * as Flags from '@oclif/core/flags'

import {UsageError} from '../core/errors.js'
import {type HardestSettings, MAX_TOP} from '../core/evaluators/hardest-rows.js'

const helpGroup = 'HARDEST ROWS'

// Strings, checked here: a bad value is a UsageError (exit 2) saying what was expected.
export const hardestFlags = {
  top: Flags.string({
    description:
      'list the N rows (multi-label: elements) with the largest loss, hardest first, ties in input order, with file, row, ' +
      'CSV line or Arrow batch and row, label, predicted class, p_t and CE (JSON "hardest")',
    helpGroup,
  }),
  'top-per-class': Flags.string({
    description: 'also list the N hardest rows of each class (JSON "hardestByClass")',
    helpGroup,
  }),
  'top-gamma': Flags.string({
    description:
      'rank --top by the focal loss (1 − p_t)^γ · CE at this γ (any γ from 0 to 100, α not applied) instead of CE',
    helpGroup,
  }),
}

function parseCount(text: string, flag: string): number {
  const t = text.trim()
  const n = /^\d+$/.test(t) ? Number(t) : NaN
  if (!Number.isInteger(n) || n < 1 || n > MAX_TOP) {
    throw new UsageError(`--${flag}: expected a whole number from 1 to ${MAX_TOP}, got ${JSON.stringify(text)}`)
  }
  return n
}

export interface HardestFlagValues {
  top?: string
  'top-per-class'?: string
  'top-gamma'?: string
}

/** What `merge` may cut the states' lists to. */
export function parseHardestCut(flags: HardestFlagValues): {rows?: number; perClass?: number} {
  if (flags['top-gamma'] !== undefined) {
    throw new UsageError(
      '--top-gamma: expected it with `report` (the states were ranked when they were read), got it with merge',
    )
  }
  return {
    ...(flags.top === undefined ? {} : {rows: parseCount(flags.top, 'top')}),
    ...(flags['top-per-class'] === undefined ? {} : {perClass: parseCount(flags['top-per-class'], 'top-per-class')}),
  }
}

/** The run's HardestSettings, or undefined when neither --top nor --top-per-class is given. */
export function parseHardestFlags(flags: HardestFlagValues): HardestSettings | undefined {
  const rows = flags.top === undefined ? 0 : parseCount(flags.top, 'top')
  const perClass = flags['top-per-class'] === undefined ? 0 : parseCount(flags['top-per-class'], 'top-per-class')
  let gamma: number | null = null
  if (flags['top-gamma'] !== undefined) {
    const t = flags['top-gamma'].trim()
    gamma = t === '' ? NaN : Number(t)
    if (!(gamma >= 0 && gamma <= 100)) {
      throw new UsageError(`--top-gamma: expected a number from 0 to 100, got ${JSON.stringify(flags['top-gamma'])}`)
    }
    if (rows === 0 && perClass === 0)
      throw new UsageError('--top-gamma: expected --top or --top-per-class with it, got neither')
  }
  if (rows === 0 && perClass === 0) return undefined
  return {rows, perClass, gamma}
}

/** merge's cut, checked against what the states kept: a list they did not keep, or a longer one, is refused. */
export function checkHardestCut(
  cut: {rows?: number; perClass?: number},
  kept: HardestSettings | undefined,
): {rows?: number; perClass?: number} {
  const check = (asked: number | undefined, has: number, flag: string): void => {
    if (asked === undefined || asked <= has) return
    const got = has === 0 ? `states written without --${flag}` : `states that kept ${has} (report --${flag} ${has})`
    throw new UsageError(`--${flag}: expected at most the rows the states kept, got ${asked} for ${got}`)
  }
  check(cut.rows, kept?.rows ?? 0, 'top')
  check(cut.perClass, kept?.perClass ?? 0, 'top-per-class')
  return cut
}
