/**
 * `compare`'s figures: B − A for every figure two reports share (reportDelta), and the comparison object
 * `compare --json` prints. Pure: it reads two reports, whose settings the command has checked are equal
 * (gates/run-gates.ts assertSameSettings), and subtracts.
 */
import {COMPARE_SCHEMA_VERSION, type Comparison, type HardRowComparison, type ReportDelta} from './compare-types.js'
import type {Report} from './types.js'

/** Report fields that are settings or lists of rows, not figures to subtract. */
const LEFT_OUT = new Set([
  'schemaVersion',
  // Equal in both runs (the settings check), so there is nothing to subtract.
  'config',
  // Chart specs (notebooks), and rankings of rows whose members differ from run to run.
  'charts',
  'hardest',
  'topConfusions',
])

/** Input fields that describe the files rather than measure the data. */
const INPUT_LEFT_OUT = new Set(['files', 'fileRows', 'skipped', 'warnings'])

/**
 * Fields that name what a row of a list is (a γ, a class, a bin), not a figure: copied into the delta
 * when equal in both reports; when they differ, the two rows are not the same row and are left out.
 */
const IDENTITY_FIELDS = new Set([
  'gamma',
  'alpha',
  'class',
  'threshold',
  'tolerance',
  'group',
  'lower',
  'upper',
  'bins',
  'actual',
  'predicted',
])

/** Marks a value the delta leaves out. */
const OMIT = Symbol('omit')
type Omitted = typeof OMIT

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function deltaOf(a: unknown, b: unknown, key: string | undefined): unknown {
  // (`bins` names a count of bins; a list of bins, as the loss-vs-p_t table's, is compared bin by bin.)
  if (key !== undefined && IDENTITY_FIELDS.has(key) && !Array.isArray(a)) return a === b ? a : OMIT
  if (key === 'curve') return curveDelta(a, b)
  if (a === undefined || b === undefined) return OMIT
  if (typeof a === 'number' && typeof b === 'number') return b - a
  if (a === null || b === null) {
    // A figure undefined in either run (a share of nothing) has no difference.
    const other = a === null ? b : a
    return other === null || typeof other === 'number' || typeof other === 'object' ? null : OMIT
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return OMIT
    const out: unknown[] = []
    for (let i = 0; i < a.length; i++) {
      const d = deltaOf(a[i], b[i], undefined)
      // One element that is not the same row (or not a figure) makes the whole list so.
      if (d === OMIT) return OMIT
      out.push(d)
    }
    return out
  }
  if (isObject(a) && isObject(b)) return objectDelta(a, b, new Set())
  return OMIT
}

/**
 * A concentration curve's points are [fraction, share]: the fraction names the point (copied when equal in
 * both, else the curves are not alike and are left out), the share is a figure.
 */
function curveDelta(a: unknown, b: unknown): unknown {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return OMIT
  const out: [number, number][] = []
  for (let i = 0; i < a.length; i++) {
    const [x, y] = a[i] as [number, number]
    const [u, v] = b[i] as [number, number]
    if (x !== u) return OMIT
    out.push([x, v - y])
  }
  return out
}

function objectDelta(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  leftOut: ReadonlySet<string>,
): Record<string, unknown> | Omitted {
  const out: Record<string, unknown> = {}
  let figures = 0
  for (const key of Object.keys(a)) {
    if (leftOut.has(key) || !Object.hasOwn(b, key)) continue
    const d = deltaOf(a[key], b[key], key)
    if (d === OMIT) {
      // Rows named differently (another γ, class or bin) are not the same row.
      if (IDENTITY_FIELDS.has(key) && a[key] !== undefined && b[key] !== undefined) return OMIT
      continue
    }
    out[key] = d
    if (!IDENTITY_FIELDS.has(key) || Array.isArray(d)) figures++
  }
  return figures === 0 ? OMIT : out
}

/**
 * B − A for every numeric figure of the same shape in the two reports, under the report's field names
 * (see ReportDelta). Example: a.totals.ce.sum 1338.7 and b.totals.ce.sum 1200.2 give
 * `delta.totals.ce.sum` = −138.5; a class's `ce.share` null in A gives `ce.share` null.
 */
export function reportDelta(a: Report, b: Report): ReportDelta {
  const out: Record<string, unknown> = {}
  const ra = a as unknown as Record<string, unknown>
  const rb = b as unknown as Record<string, unknown>
  for (const key of Object.keys(ra)) {
    if (LEFT_OUT.has(key) || !Object.hasOwn(rb, key)) continue
    const d =
      key === 'input' && isObject(ra.input) && isObject(rb.input)
        ? objectDelta(ra.input, rb.input, INPUT_LEFT_OUT)
        : deltaOf(ra[key], rb[key], key)
    if (d !== OMIT) out[key] = d
  }
  return out as ReportDelta
}

/** The comparison `compare --json` prints: both reports, B − A, and the hard-row pairing. */
export function compareReports(
  inputs: Comparison['inputs'],
  a: Report,
  b: Report,
  hardRows: HardRowComparison,
): Comparison {
  return {
    kind: 'focalscope-compare',
    schemaVersion: COMPARE_SCHEMA_VERSION,
    inputs,
    a,
    b,
    delta: reportDelta(a, b),
    hardRows,
  }
}

/**
 * A hard-row comparison that was not made, saying why (a saved report has no rows; the files differ in
 * length or hold other rows).
 */
export function hardRowsNotCompared(reason: string, a: Report): HardRowComparison {
  return {
    compared: false,
    reason,
    pairedBy: 'order',
    unit: hardRowUnit(a),
    threshold: a.split.threshold,
    pairedRows: null,
    unpairedRows: null,
    paired: null,
    hardInA: null,
    hardInB: null,
    stillHard: null,
    nowEasy: null,
    newlyHard: null,
    stillHardShare: null,
  }
}

/** "elements" when a row holds several (multi-label wide), else "rows": what the report's split counts. */
export function hardRowUnit(report: Report): 'rows' | 'elements' {
  return (report.input.elements ?? report.input.rows) === report.input.rows ? 'rows' : 'elements'
}
