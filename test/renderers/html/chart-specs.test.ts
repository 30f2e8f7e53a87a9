import assert from 'node:assert/strict'
import {before, describe, it} from 'node:test'

import {compile} from 'vega-lite'

import type {Report} from '../../../src/report/types.js'
import {type ChartSpecs, chartSpecs, chartTitle} from '../../../src/renderers/html/chart-specs.js'
import {MAX_CONFUSION_CLASSES} from '../../../src/renderers/html/charts/confusion-chart.js'
import {
  LOG_SCALE_CLASSES,
  OVERWEIGHT_SERIES,
  OVERWEIGHT_SERIES_POSITIVES,
} from '../../../src/renderers/html/charts/class-share-chart.js'
import {PALETTE} from '../../../src/renderers/html/charts/chart-style.js'
import {allSectionsReport} from './all-sections-report.js'
import {fixtureReport, wideReport} from './fixture-reports.js'

/**
 * The chart specs as data: what each report yields, that every spec is labelled (title, description,
 * axis titles, a legend for every series), carries its data inline as figures of the report (not computed
 * anew), survives JSON (it goes into the JSON report for Altair) and compiles without a warning.
 */

type Json = Record<string, unknown>

/** Every unit spec (layers, facets) inside a spec. */
function units(spec: Json): Json[] {
  if (Array.isArray(spec.layer)) return (spec.layer as Json[]).flatMap((layer) => units({...layer}))
  if (spec.spec) return units(spec.spec as Json)
  return [spec]
}

/** Every `data.values` array in a spec (top level and layers). */
function dataValues(spec: Json): Json[][] {
  const own = (spec.data as {values?: Json[]} | undefined)?.values
  const layers = Array.isArray(spec.layer) ? (spec.layer as Json[]).flatMap(dataValues) : []
  return [...(own ? [own] : []), ...layers]
}

/** Every spec compiles with no warning, and every unit with a mark has titled x and y axes. */
function assertLabelled(name: string, spec: Json): void {
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
  assert.ok(typeof spec.description === 'string' && spec.description.length > 20, `${name}: a description`)
  assert.equal(spec.$schema, 'https://vega.github.io/schema/vega-lite/v6.json')
  const topEncoding = (spec.encoding ?? {}) as Json
  for (const unit of units(spec)) {
    const encoding = {...topEncoding, ...((unit.encoding ?? {}) as Json)} as Record<
      string,
      {title?: string; field?: string}
    >
    for (const channel of ['x', 'y']) {
      const title =
        encoding[channel]?.title ?? (spec.encoding as Record<string, {title?: string}> | undefined)?.[channel]?.title
      assert.ok(title && title.length > 2, `${name}: ${channel} axis titled`)
    }
    // A series told apart by colour is also in a legend with a title (or shares the title of its shape).
    const color = encoding.color as {field?: string; title?: string; legend?: unknown} | undefined
    if (color?.field) assert.ok(color.title && color.legend !== null, `${name}: colour legend titled`)
  }
  // No data from elsewhere: the page and a notebook both draw from the spec alone.
  assert.ok(!JSON.stringify(spec).includes('"url"'), `${name}: inline data only`)
  assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec, `${name}: JSON round trip`)
}

describe('chartSpecs', () => {
  let example: Report
  let multilabel: Report
  before(async () => {
    example = await fixtureReport('example.csv')
    multilabel = await fixtureReport('multilabel.csv')
  })

  it('gives the sweep and class charts for a plain report, and nothing it has no figures for', () => {
    assert.deepEqual(Object.keys(chartSpecs(example)), ['sweep', 'classShares'])
    assert.deepEqual(Object.keys(chartSpecs(multilabel)), ['sweep', 'classShares'])
  })

  it('adds a chart for each section present: Figure 1, concentration, grid, confusion, reliability', () => {
    assert.deepEqual(Object.keys(chartSpecs(allSectionsReport())), [
      'sweep',
      'classShares',
      'lossByPt',
      'concentration',
      'grid',
      'confusion',
      'reliability',
    ])
  })

  it('labels every chart, compiles it without warnings and keeps its data inline and JSON-safe', () => {
    for (const report of [example, multilabel, allSectionsReport()]) {
      for (const [name, spec] of Object.entries(chartSpecs(report))) assertLabelled(name, spec as Json)
    }
  })

  it('draws the sweep from the report figures themselves: FL/CE and hard share per γ', () => {
    const [values] = dataValues(chartSpecs(example).sweep as unknown as Json)
    const expected = example.sweep.flatMap((s) => [s.ratioToCe, s.hardShare])
    assert.deepEqual(
      values.map((v) => v.value),
      expected,
    )
    assert.deepEqual(
      values.map((v) => v.gamma),
      example.sweep.flatMap((s) => [s.gamma, s.gamma]),
    )
  })

  it('places each class at (row share, CE share) and marks exactly the overweight ones, drawn last', () => {
    const [, points] = dataValues(chartSpecs(example).classShares as unknown as Json)
    const byName = (a: unknown[], b: unknown[]): number => String(a[0]).localeCompare(String(b[0]))
    assert.deepEqual(
      points.map((p) => [p.class, p.rowShare, p.ceShare, p.kind === OVERWEIGHT_SERIES]).sort(byName),
      example.classes.map((c) => [c.class, c.countShare, c.ce.share, c.overweight]).sort(byName),
    )
    assert.ok(
      example.classes.some((c) => c.overweight),
      'the example has ▲ classes',
    )
    const firstOverweight = points.findIndex((p) => p.kind === OVERWEIGHT_SERIES)
    assert.ok(points.slice(firstOverweight).every((p) => p.kind === OVERWEIGHT_SERIES))
  })

  it('multi-label: places each class at (share of the positive elements, CE share), as its ▲ is defined', () => {
    const spec = chartSpecs(multilabel).classShares as unknown as Json
    const [, points] = dataValues(spec)
    const positives = multilabel.input.positiveElements as number
    const byName = (a: unknown[], b: unknown[]): number => String(a[0]).localeCompare(String(b[0]))
    assert.deepEqual(
      points.map((p) => [p.class, p.x, p.y, p.kind === OVERWEIGHT_SERIES_POSITIVES]).sort(byName),
      multilabel.classes
        .map((c) => [c.class, (c.byTarget?.positive.count as number) / positives, c.ce.share, c.overweight])
        .sort(byName),
    )
    // Rows are no measure of a multi-label class (each has every row): the chart must not say it is.
    const text = JSON.stringify(spec)
    assert.match(text, /share of positives/)
    assert.doesNotMatch(text, /row share|share of rows/)
  })

  it('uses log axes past 30 classes, leaving out of the chart only the classes with a zero share', () => {
    const wide = wideReport(example, LOG_SCALE_CLASSES + 1)
    wide.classes[0] = {...wide.classes[0], count: 0, countShare: 0, ce: {sum: 0, share: 0}}
    const spec = chartSpecs(wide).classShares as unknown as Json
    const [, points] = dataValues(spec)
    assert.equal(points.length, LOG_SCALE_CLASSES)
    const x = ((spec.layer as Json[])[1].encoding as Record<string, {scale: {type?: string}}>).x
    assert.equal(x.scale.type, 'log')
    assert.match(String(spec.description), /1 classes with a zero share are not drawn/)
    assert.equal(((chartSpecs(example).classShares as unknown as Json).layer as Json[]).length, 3)
  })

  it('draws the concentration curves of the non-class groups, points as the report gives them', () => {
    const report = allSectionsReport()
    const spec = chartSpecs(report).concentration as unknown as Json
    const [values] = dataValues(spec)
    const expected = report
      .concentration!.groups.filter((g) => g.group === 'all')
      .flatMap((g) => g.curve.map(([fraction, share]) => [g.group, `γ = ${g.gamma}`, fraction, share]))
    assert.deepEqual(
      values.map((v) => [v.group, v.gamma, v.fraction, v.share]),
      expected,
    )
    const x = ((spec.spec as Json).encoding as Record<string, {scale: {type: string}}>).x
    assert.equal(x.scale.type, 'log')
  })

  it('colours the grid by the minority share for multi-class and by the positive share for sigmoid tasks', () => {
    const report = allSectionsReport()
    const [cells] = dataValues(chartSpecs(report).grid as unknown as Json)
    assert.deepEqual(
      cells.map((c) => c.value),
      report.grid!.map((c) => c.minorityShare),
    )
    const sigmoid = {
      ...report,
      grid: report.grid!.map((c) => ({...c, minorityShare: null, positiveShare: c.alpha / 2})),
    }
    assert.deepEqual(
      dataValues(chartSpecs(sigmoid).grid as unknown as Json)[0].map((c) => c.value),
      sigmoid.grid.map((c) => c.positiveShare),
    )
  })

  it('draws the confusion matrix cell by cell, and not at all past the class limit or for multi-label', () => {
    const report = allSectionsReport()
    const [cells] = dataValues(chartSpecs(report).confusion as unknown as Json)
    assert.deepEqual(
      cells.map((c) => [c.actual, c.predicted, c.count]),
      report.confusion!.flatMap((row, i) =>
        (row as number[]).map((n, j) => [report.input.classes[i], report.input.classes[j], n]),
      ),
    )
    const k = MAX_CONFUSION_CLASSES + 1
    const wide = {
      ...report,
      input: {...report.input, classes: Array.from({length: k}, (_, i) => `c${i}`)},
      confusion: Array.from({length: k}, () => Array.from({length: k}, () => 1)),
    }
    assert.equal(chartSpecs(wide).confusion, undefined)
    const multilabelConfusion = {
      ...report,
      confusion: [
        [
          [90, 1],
          [2, 7],
        ],
        [
          [80, 5],
          [5, 10],
        ],
        [
          [70, 10],
          [10, 10],
        ],
      ],
    }
    assert.equal(chartSpecs(multilabelConfusion).confusion, undefined)
  })

  it('draws only the reliability bins that have rows, with accuracy and confidence as given', () => {
    const report = allSectionsReport()
    const values = dataValues(chartSpecs(report).reliability as unknown as Json)
    const nonEmpty = report.calibration!.reliability.filter((b) => b.count > 0)
    assert.deepEqual(
      values[1].map((v) => v.value),
      nonEmpty.map((b) => b.accuracy),
    )
    assert.deepEqual(
      values[2].map((v) => v.value),
      nonEmpty.map((b) => b.confidence),
    )
  })

  it('uses the Okabe–Ito palette for series, without black', () => {
    const specs: ChartSpecs = chartSpecs(allSectionsReport())
    const text = JSON.stringify(specs)
    for (const colour of PALETTE) assert.match(colour, /^#[0-9A-F]{6}$/)
    assert.ok(!PALETTE.includes('#000000'))
    assert.ok(text.includes(PALETTE[0]) && text.includes(PALETTE[1]))
  })
})
