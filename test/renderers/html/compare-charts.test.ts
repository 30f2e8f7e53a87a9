import assert from 'node:assert/strict'
import {before, describe, it} from 'node:test'

import {compile} from 'vega-lite'

import type {Comparison} from '../../../src/report/compare-types.js'
import {moverOrder} from '../../../src/renderers/compare-view.js'
import {chartTitle} from '../../../src/renderers/html/chart-specs.js'
import {MAX_CHART_CLASSES, RUN_A, RUN_B, compareChartSpecs} from '../../../src/renderers/html/charts/compare-charts.js'
import {comparePredictions} from '../../helpers/compare-runs.js'
import {wideReport} from './fixture-reports.js'
import {compareReports, hardRowsNotCompared} from '../../../src/report/compare-reports.js'

/**
 * compare's paired chart specs as data: each compiles without a Vega-Lite warning, is titled and
 * described, has titled axes and legends, carries its data inline, and draws the comparison's own
 * figures — A's and B's from their reports, the change from `delta`.
 */

type Json = Record<string, unknown>

function dataValues(spec: Json): Json[][] {
  const own = (spec.data as {values?: Json[]} | undefined)?.values
  const layers = Array.isArray(spec.layer) ? (spec.layer as Json[]).flatMap(dataValues) : []
  return [...(own ? [own] : []), ...layers]
}

function assertWellFormed(name: string, spec: Json): void {
  const warnings: string[] = []
  const logger = {
    level: () => logger,
    error: (...m: unknown[]) => (warnings.push(m.join(' ')), logger),
    warn: (...m: unknown[]) => (warnings.push(m.join(' ')), logger),
    info: () => logger,
    debug: () => logger,
  }
  compile(spec as never, {logger: logger as never})
  assert.deepEqual(warnings, [], `${name}: Vega-Lite warnings`)
  assert.ok(chartTitle(spec as never).length > 0, `${name}: a title`)
  assert.ok(typeof spec.description === 'string' && spec.description.length > 40, `${name}: a description`)
  const text = JSON.stringify(spec)
  assert.ok(!text.includes('"url"'), `${name}: inline data only`)
  for (const channel of ['x', 'y'])
    assert.match(text, new RegExp(`"${channel}":\\{[^}]*"title":"[^"]{3,}`), `${name}: ${channel} titled`)
  assert.deepEqual(JSON.parse(text), spec, `${name}: JSON round trip`)
}

describe('compareChartSpecs', () => {
  let comparison: Comparison
  before(async () => {
    comparison = await comparePredictions('examples/predictions.csv', 'examples/candidate-predictions.csv')
  })

  it('gives the paired sweep, the per-class shares and the change per class, each well formed', () => {
    const specs = compareChartSpecs(comparison)
    assert.deepEqual(Object.keys(specs), ['sweep', 'classShares', 'classMoves'])
    for (const [name, spec] of Object.entries(specs)) assertWellFormed(name, spec as unknown as Json)
  })

  it("draws the sweep's FL/CE and hard share of A and of B, from their reports", () => {
    const [values] = dataValues(compareChartSpecs(comparison).sweep as unknown as Json)
    const expected = [
      [RUN_A, comparison.a],
      [RUN_B, comparison.b],
    ].flatMap(([run, report]) =>
      (report as Comparison['a']).sweep.flatMap((row) => [
        [run, row.gamma, row.ratioToCe],
        [run, row.gamma, row.hardShare],
      ]),
    )
    assert.deepEqual(
      values.map((v) => [v.run, v.gamma, v.value]),
      expected,
    )
  })

  it("draws each class's CE share in A and B, its row share, and the change B − A from delta", () => {
    const specs = compareChartSpecs(comparison)
    const [moves, ticks, points] = dataValues(specs.classShares as unknown as Json)
    assert.equal(points.length, 2 * comparison.a.classes.length)
    for (const c of comparison.a.classes) {
      const i = comparison.a.classes.indexOf(c)
      const own = points.filter((p) => p.class === c.class).map((p) => p.share)
      assert.deepEqual(own, [c.ce.share, comparison.b.classes[i].ce.share])
      assert.equal(ticks.find((t) => t.class === c.class)?.share, c.countShare)
      assert.deepEqual(
        moves.filter((m) => m.class === c.class).map((m) => [m.from, m.to]),
        [[c.ce.share, comparison.b.classes[i].ce.share]],
      )
    }
    const [bars] = dataValues(specs.classMoves as unknown as Json)
    assert.deepEqual(
      bars.map((b) => [b.class, b.change]),
      moverOrder(comparison).map((i) => [comparison.a.classes[i].class, comparison.delta.classes?.[i]?.ce?.share]),
    )
  })

  it(`past ${MAX_CHART_CLASSES} classes, draws the ones that moved most, and says how many it left out`, () => {
    const x = wideReport(comparison.a, 100)
    const y = wideReport(comparison.b, 100)
    const wide = compareReports(comparison.inputs, x, y, hardRowsNotCompared('test', x))
    const spec = compareChartSpecs(wide).classShares as unknown as Json
    const [, , points] = dataValues(spec)
    const drawn = new Set(points.map((p) => p.class))
    assert.equal(drawn.size, MAX_CHART_CLASSES)
    assert.deepEqual(
      [...drawn],
      moverOrder(wide)
        .slice(0, MAX_CHART_CLASSES)
        .map((i) => wide.a.classes[i].class),
    )
    assert.match(String(spec.description), /70 classes that moved less are not drawn/)
  })
})
