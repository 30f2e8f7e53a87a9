import {readFileSync} from 'node:fs'

import type {AlphaSpec} from '../core/config.js'
import {UsageError} from '../core/errors.js'
import {formatBytes} from '../readers/csv/read-csv-chunks.js'

/**
 * Flag values arrive as strings and are checked here, so a bad value is a UsageError (exit 2) with a
 * message that says what was expected — the same path as every other input error.
 */

function parseNumber(text: string, flag: string): number {
  const t = text.trim()
  const value = t === '' ? NaN : Number(t)
  if (!Number.isFinite(value)) throw new UsageError(`--${flag}: expected a number, got ${JSON.stringify(text)}`)
  return value
}

/** "0,0.5,1,2,5" → [0, 0.5, 1, 2, 5]: non-negative, finite, no repeats, kept in the given order. */
export function parseGammas(text: string): number[] {
  const parts = text.split(',')
  const gammas = parts.map((p) => parseNumber(p, 'gammas'))
  for (const g of gammas) {
    if (g < 0 || g > 100) throw new UsageError(`--gammas: expected values from 0 to 100, got ${g}`)
  }
  if (new Set(gammas).size !== gammas.length) throw new UsageError(`--gammas: expected distinct values, got "${text}"`)
  return gammas
}

/** --alphas: distinct α values in [0, 1] for the γ × α grid. */
export function parseAlphas(text: string): number[] {
  const alphas = text.split(',').map((p) => parseNumber(p, 'alphas'))
  for (const a of alphas) {
    if (a < 0 || a > 1) throw new UsageError(`--alphas: expected values from 0 to 1, got ${a}`)
  }
  if (new Set(alphas).size !== alphas.length) throw new UsageError(`--alphas: expected distinct values, got "${text}"`)
  return alphas
}

/** "none" → null; otherwise α in [0, 1]. */
export function parseAlpha(text: string): number | null {
  if (text.trim().toLowerCase() === 'none') return null
  const alpha = parseNumber(text, 'alpha')
  if (alpha < 0 || alpha > 1) throw new UsageError(`--alpha: expected "none" or a number from 0 to 1, got ${alpha}`)
  return alpha
}

/**
 * The full --alpha: "none", one α in [0, 1], one α per class ("0.25,0.5,0.75"), "inverse-frequency",
 * or "effective-number" (with --beta). A list's length is checked against the classes once they are known.
 */
export function parseAlphaSpec(text: string, beta: number): AlphaSpec {
  const t = text.trim().toLowerCase()
  if (t === 'none') return {kind: 'none'}
  if (t === 'inverse-frequency') return {kind: 'inverse-frequency'}
  if (t === 'effective-number') return {kind: 'effective-number', beta}
  if (t.includes(',')) {
    const values = t.split(',').map((p) => parseNumber(p, 'alpha'))
    for (const a of values) {
      if (a < 0 || a > 1) throw new UsageError(`--alpha: expected per-class values from 0 to 1, got ${a}`)
    }
    return {kind: 'list', values}
  }
  const value = parseAlpha(text)
  return value === null ? {kind: 'none'} : {kind: 'scalar', value}
}

/** β of the effective number of samples: in [0, 1). */
export function parseBeta(text: string): number {
  const beta = parseNumber(text, 'beta')
  if (!(beta >= 0 && beta < 1)) throw new UsageError(`--beta: expected a number in [0, 1), got ${beta}`)
  return beta
}

/** Poly-1's ε: at least −1, so CE + ε(1 − p_t) stays ≥ 0. */
export function parsePolyEpsilon(text: string): number {
  const eps = parseNumber(text, 'poly-epsilon')
  if (!(eps >= -1 && eps <= 100)) throw new UsageError(`--poly-epsilon: expected a number from -1 to 100, got ${eps}`)
  return eps
}

export function parseEasyThreshold(text: string): number {
  const t = parseNumber(text, 'easy-threshold')
  if (t < 0 || t >= 1) throw new UsageError(`--easy-threshold: expected a number in [0, 1), got ${t}`)
  return t
}

/**
 * The smallest --eps: 2^-53, the gap below 1. Under it 1 − eps rounds to 1, so a probability of 1 stays 1
 * after clamping and a label-0 row gets CE = −log 0 = ∞; at it, every clamped CE is at most 53 · ln 2.
 */
export const MIN_EPS = 2 ** -53

export function parseEps(text: string): number {
  const eps = parseNumber(text, 'eps')
  if (!(eps > 0 && eps < 0.5)) throw new UsageError(`--eps: expected a number in (0, 0.5), got ${eps}`)
  if (eps < MIN_EPS) {
    throw new UsageError(
      `--eps: expected at least 2^-53 (${MIN_EPS}; below it 1 − eps rounds to 1 and a probability of 1 gives an infinite CE), got ${eps}`,
    )
  }
  return eps
}

export function parseRowSumTolerance(text: string): number {
  const t = parseNumber(text, 'row-sum-tolerance')
  if (!(t >= 0 && t < 1)) throw new UsageError(`--row-sum-tolerance: expected a number in [0, 1), got ${t}`)
  return t
}

const BYTE_UNITS: Record<string, number> = {'': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30}

/**
 * A size in bytes: a whole number, optionally with a binary unit K, M or G, also written KiB, MiB, GiB
 * ("64M" is 67108864). Not "KB"/"MB", which some tools read as powers of 1000. From 1 to `max` bytes.
 */
export function parseByteSize(text: string, flag: string, max: number): number {
  const match = /^(\d+)\s*(?:([kmg])(?:ib)?)?$/i.exec(text.trim())
  const bytes = match ? Number(match[1]) * BYTE_UNITS[(match[2] ?? '').toLowerCase()] : NaN
  if (!(bytes >= 1 && bytes <= max)) {
    throw new UsageError(
      `--${flag}: expected a size from 1 byte to ${formatBytes(max)}, such as 65536, 512K or 64M, got ${JSON.stringify(text)}`,
    )
  }
  return bytes
}

/**
 * "cat,dog,bird" → the names; "@classes.txt" → one name per line of that file (blank lines ignored).
 * Names must be distinct and non-empty.
 */
export function parseClassNames(
  text: string,
  readFile: (path: string, flag: string) => string = readNamesFile,
  flag = '--class-names',
): string[] {
  const names = text.startsWith('@')
    ? readFile(text.slice(1), flag)
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : text.split(',').map((s) => s.trim())
  if (names.some((n) => n === '')) throw new UsageError(`${flag}: expected non-empty names, got "${text}"`)
  if (new Set(names).size !== names.length) throw new UsageError(`${flag}: expected distinct names, got "${text}"`)
  return names
}

/** --score-cols and --ignore-cols: column names, comma-separated or @FILE with one a line (as --class-names). */
export function parseColumnNames(flag: '--score-cols' | '--ignore-cols', text: string): string[] {
  return parseClassNames(text, readNamesFile, flag)
}

function readNamesFile(path: string, flag = '--class-names'): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
}
