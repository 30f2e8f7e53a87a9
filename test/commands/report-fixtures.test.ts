import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import type {Report} from '../../src/core/result.js'
import {referenceFromCsv} from '../helpers/reference-report.js'
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

describe('report on the fixtures', () => {
  for (const c of CASES) {
    it(`${c.file} ${c.args.join(' ')}: every figure matches the independent reference`, () => {
      const report = runReportJson([`${FIXTURES}${c.file}`, ...c.args]).json as unknown as Report
      const threshold = report.config.easyThreshold
      const ref = referenceFromCsv(`${FIXTURES}${c.file}`, report.input.classes, {
        gammas: c.gammas,
        alpha: c.alpha,
        threshold,
        eps: 1e-7,
      })
      assert.equal(report.input.rows, ref.rows)
      assert.equal(report.input.clampedValues, ref.clamped)
      closeRel(report.totals.ce.sum, ref.ce, 'CE sum')
      closeRel(report.totals.ce.mean as number, ref.ce / ref.rows, 'CE mean')
      report.sweep.forEach((s, g) => {
        assert.equal(s.gamma, c.gammas[g])
        closeRel(s.sum, ref.focal[g], `FL γ=${s.gamma}`)
        closeRel(s.mean as number, ref.focal[g] / ref.rows, `FL mean γ=${s.gamma}`)
        closeAbs(s.ratioToCe, ref.focal[g] / ref.ce, `FL/CE γ=${s.gamma}`)
        closeAbs(s.easyShare, ref.focalEasy[g] / ref.focal[g], `easy share γ=${s.gamma}`)
        closeAbs(s.hardShare, 1 - ref.focalEasy[g] / ref.focal[g], `hard share γ=${s.gamma}`)
      })
      assert.equal(report.split.easy.count, ref.easyCount)
      closeAbs(report.split.easy.ceShare, ref.easyCe / ref.ce, 'easy CE share')
      closeAbs(report.split.hard.countShare, 1 - ref.easyCount / ref.rows, 'hard count share')
      report.classes.forEach((row, k) => {
        assert.equal(row.count, ref.classCount[k])
        closeAbs(row.countShare, ref.classCount[k] / ref.rows, `class ${row.class} count share`)
        closeRel(row.ce.sum, ref.classCe[k], `class ${row.class} CE`)
        closeAbs(row.ce.share, ref.classCe[k] / ref.ce, `class ${row.class} CE share`)
        row.focal.forEach((f, g) =>
          closeAbs(f.share, ref.classFocal[k][g] / ref.focal[g], `class ${row.class} FL share`),
        )
      })
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
