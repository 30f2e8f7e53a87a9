import assert from 'node:assert/strict'
import {before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {analyzeOptionsFromFlags, type InputFlagValues} from '../../src/cli/input-flags.js'
import {analyzePredictions} from '../../src/pipeline/analyze-predictions.js'
import {reportDelta} from '../../src/report/compare-reports.js'
import type {Report} from '../../src/report/types.js'

/**
 * reportDelta against differences the test takes itself: every numeric leaf of two real reports (the
 * example predictions and the candidate model's on the same rows), found by walking both, must appear in
 * the delta at the same path as b − a — or null where either is null — while the names of rows are
 * copied and text, flags and settings are left out.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

const FLAGS: InputFlagValues = {
  'label-col': 'label',
  gammas: '0,0.5,1,2,5',
  alpha: 'none',
  beta: '0.999',
  loss: 'focal',
  'poly-epsilon': '1',
  'easy-threshold': '0.5',
  threads: 1,
  eps: '1e-7',
  'on-invalid': 'fail',
  'row-sum': 'refuse',
  'row-sum-tolerance': '1e-3',
}

async function reportOf(path: string): Promise<Report> {
  return analyzePredictions([`${ROOT}${path}`], analyzeOptionsFromFlags(FLAGS))
}

type Json = Record<string, unknown>

/** Every leaf of a JSON value with its path, as [path, value]. */
function leaves(value: unknown, path: (string | number)[] = []): [(string | number)[], unknown][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, [...path, i]))
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]))
  }
  return [[path, value]]
}

function at(value: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((v, key) => (v === undefined || v === null ? undefined : (v as Json)[key]), value)
}

/** Row names, copied rather than subtracted. */
const NAMES = new Set(['gamma', 'class', 'threshold', 'tolerance', 'group', 'lower', 'upper', 'alpha'])
/** Subtrees that are settings or describe files: not in the delta. */
const LEFT_OUT = [
  ['config'],
  ['schemaVersion'],
  ['input', 'files'],
  ['input', 'fileRows'],
  ['input', 'skipped'],
  ['input', 'warnings'],
]

function leftOut(path: (string | number)[]): boolean {
  return LEFT_OUT.some((prefix) => prefix.every((key, i) => path[i] === key))
}

describe('reportDelta', () => {
  let a: Report
  let b: Report
  before(async () => {
    a = await reportOf('examples/predictions.csv')
    b = await reportOf('examples/candidate-predictions.csv')
  })

  it('holds b − a for every numeric figure of both reports, at the same path', () => {
    const delta = reportDelta(a, b)
    let checked = 0
    for (const [path, x] of leaves(a)) {
      const y = at(b, path)
      if (leftOut(path)) {
        assert.equal(at(delta, path), undefined, `${path.join('.')} is left out`)
        continue
      }
      const name = path[path.length - 1]
      // A curve's point is [fraction, share]: the fraction names it.
      const curvePoint = path[path.length - 3] === 'curve' && name === 0
      if ((typeof name === 'string' && NAMES.has(name)) || curvePoint) {
        assert.equal(at(delta, path), x, `${path.join('.')} is copied`)
      } else if (typeof x === 'number' && typeof y === 'number') {
        assert.equal(at(delta, path), y - x, path.join('.'))
        checked++
      } else if (x === null || y === null) {
        assert.equal(at(delta, path), null, `${path.join('.')}: null in a run`)
      } else {
        assert.equal(at(delta, path), undefined, `${path.join('.')} (${typeof x}) is not a figure`)
      }
    }
    // 5 γ and 8 classes: 180 figures (each class alone has count, shares, CE and 5 FL sums and shares).
    assert.ok(checked >= 180, `${checked} figures checked`)
    assert.equal((delta as Json).config, undefined)
  })

  it('spot checks: totals, a class, a sweep row, the split', () => {
    const delta = reportDelta(a, b)
    assert.equal(delta.totals?.ce?.sum, b.totals.ce.sum - a.totals.ce.sum)
    assert.equal(delta.classes?.[7]?.class, 'deer')
    assert.equal(delta.classes?.[7]?.ce?.share, (b.classes[7].ce.share as number) - (a.classes[7].ce.share as number))
    assert.equal(delta.sweep?.[3]?.gamma, 2)
    assert.equal(delta.sweep?.[3]?.ratioToCe, (b.sweep[3].ratioToCe as number) - (a.sweep[3].ratioToCe as number))
    assert.equal(delta.split?.hard?.count, b.split.hard.count - a.split.hard.count)
    assert.equal(delta.input?.rows, 0)
  })

  it('gives null where either run has null, and leaves out lists of other lengths', () => {
    const y = structuredClone(b)
    y.classes[2].ce.share = null
    y.input.fileRows = [400, 400]
    const delta = reportDelta(a, y)
    assert.equal(delta.classes?.[2]?.ce?.share, null)
    assert.equal(delta.classes?.[2]?.ce?.sum, y.classes[2].ce.sum - a.classes[2].ce.sum)
    assert.equal(delta.input?.fileRows, undefined)
    assert.equal(delta.input?.positiveElements, null, 'null in both (multi-class)')
  })

  it('leaves out a list whose rows are named differently (another γ), not subtracting unlike rows', () => {
    const y = structuredClone(b)
    y.sweep[1].gamma = 0.75
    y.classes[3].class = 'zebra'
    const delta = reportDelta(a, y)
    assert.equal(delta.sweep, undefined)
    assert.equal(delta.classes, undefined)
    assert.ok(delta.totals, 'the rest stays')
  })

  it('takes the sections other issues add as they come, and leaves out rankings of rows', () => {
    const cells = (scale: number) => [
      {
        gamma: 2,
        alpha: 0.25,
        sum: 10 * scale,
        ratioToCe: 0.5 * scale,
        positiveShare: null,
        minorityShare: 0.1,
        hardShare: 0.9,
      },
      {
        gamma: 2,
        alpha: 0.5,
        sum: 20 * scale,
        ratioToCe: 0.6 * scale,
        positiveShare: null,
        minorityShare: 0.2,
        hardShare: 0.8,
      },
    ]
    const x = {...structuredClone(a), grid: cells(1), hardest: {by: 'ce', rows: [{file: 'a', row: 1, ce: 3}]}}
    const y = {...structuredClone(b), grid: cells(3), hardest: {by: 'ce', rows: [{file: 'b', row: 9, ce: 4}]}}
    const delta = reportDelta(x as Report, y as Report) as Json
    assert.deepEqual(delta.grid, [
      {gamma: 2, alpha: 0.25, sum: 30 - 10, ratioToCe: 1.5 - 0.5, positiveShare: null, minorityShare: 0, hardShare: 0},
      {
        gamma: 2,
        alpha: 0.5,
        sum: 60 - 20,
        ratioToCe: 0.6 * 3 - 0.6,
        positiveShare: null,
        minorityShare: 0,
        hardShare: 0,
      },
    ])
    assert.equal(delta.hardest, undefined)
  })
})
