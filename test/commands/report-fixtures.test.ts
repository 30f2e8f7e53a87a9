import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import type {Report} from '../../src/report/types.js'
import {parseCsvRows, referenceReport} from '../helpers/reference.js'
import {runReportJson} from '../helpers/run-cli.js'

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url))

function closeRel(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.abs(expected) + 1e-300,
    `${what}: expected ${expected}, got ${actual}`,
  )
}
function closeAbs(actual: number | null, expected: number, what: string): void {
  assert.ok(actual !== null && Math.abs(actual - expected) <= 1e-9, `${what}: expected ${expected}, got ${actual}`)
}

/** The report's figures for everything but the input block (which names the file). */
function figures(report: Report): unknown {
  return {totals: report.totals, sweep: report.sweep, split: report.split, classes: report.classes}
}

const CASES: {file: string; args: string[]; alpha: number | null; gammas: number[]}[] = [
  {file: 'binary.csv', args: [], alpha: null, gammas: [0, 0.5, 1, 2, 5]},
  {file: 'binary.csv', args: ['--alpha', '0.25', '--gammas', '2,1.5,0.25'], alpha: 0.25, gammas: [2, 1.5, 0.25]},
  {file: 'binary-probs.csv', args: [], alpha: null, gammas: [0, 0.5, 1, 2, 5]},
  {file: 'multiclass.csv', args: ['--alpha', '0.5', '--easy-threshold', '0.7'], alpha: 0.5, gammas: [0, 0.5, 1, 2, 5]},
  {file: 'multiclass-probs.csv', args: ['--gammas', '3,0,1.7'], alpha: null, gammas: [3, 0, 1.7]},
  {file: 'example.csv', args: [], alpha: null, gammas: [0, 0.5, 1, 2, 5]},
]

/**
 * Compares every number of `actual` with `expected`, field by field: sums and means to 1e-9 relative,
 * shares and ratios (fields named *share*, *Share*, ratio*) to 1e-9 absolute, everything else exactly.
 */
function assertFigures(actual: unknown, expected: unknown, path = ''): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const key = path.slice(path.lastIndexOf('.') + 1)
    if (/share|Share|ratio/.test(key)) closeAbs(actual, expected, path)
    else if (/sum|mean|^ce$/.test(key)) closeRel(actual, expected, path)
    else assert.equal(actual, expected, path)
    return
  }
  if (expected === null || typeof expected !== 'object') {
    assert.deepEqual(actual, expected, path)
    return
  }
  assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object`)
  for (const [key, value] of Object.entries(expected)) {
    assertFigures((actual as Record<string, unknown>)[key], value, path === '' ? key : `${path}.${key}`)
  }
}

describe('report on the fixtures', () => {
  for (const c of CASES) {
    it(`${c.file} ${c.args.join(' ')}: every figure matches the independent reference`, () => {
      const report = runReportJson([`${FIXTURES}${c.file}`, ...c.args]).json as unknown as Report
      const text = readFileSync(`${FIXTURES}${c.file}`, 'utf8')
      const header = text.slice(0, text.indexOf('\n')).split(',')
      const scoreColumns = header.filter((h) => h !== 'label')
      const named = report.input.classes.some((name) => !/^\d+$/.test(name))
      const rows = parseCsvRows(text, 'label', scoreColumns, named ? report.input.classes : undefined)
      const ref = referenceReport(rows, {
        task: report.input.task as 'binary' | 'multiclass',
        scores: report.input.scores,
        gammas: c.gammas,
        alpha: c.alpha,
        easyThreshold: report.config.easyThreshold,
        eps: 1e-7,
        classes: report.input.classes,
      })
      assert.equal(report.input.rows, ref.rows)
      assert.equal(report.input.clampedValues, ref.clampedValues)
      assertFigures(figures(report), figures(ref as unknown as Report))
    })
  }

  it('gives the same figures for the same predictions as CSV, Arrow file, Arrow stream and Arrow list', () => {
    const groups = [
      ['binary.csv', 'binary.arrow', 'binary.arrows'],
      ['multiclass.csv', 'multiclass.arrow', 'multiclass-list.arrow'],
    ]
    for (const group of groups) {
      const [first, ...others] = group.map((f) => runReportJson([`${FIXTURES}${f}`]).json as unknown as Report)
      for (const other of others) assert.deepEqual(figures(other), figures(first))
      for (const other of others) assert.equal(other.input.format, 'arrow')
    }
  })
})
