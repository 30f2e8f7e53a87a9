import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import type {BrowserContext} from 'playwright-core'

import {compareReports, hardRowsNotCompared} from '../../../src/report/compare-reports.js'
import type {Comparison} from '../../../src/report/compare-types.js'
import type {Report} from '../../../src/report/types.js'
import {formatLossDelta, formatShareDelta} from '../../../src/renderers/format-delta.js'
import {formatLoss, formatShare} from '../../../src/renderers/format-number.js'
import {chartTitle} from '../../../src/renderers/html/chart-specs.js'
import {compareChartSpecs} from '../../../src/renderers/html/charts/compare-charts.js'
import {renderHtmlCompare} from '../../../src/renderers/html/render-html-report.js'
import {
  ARTIFACTS,
  SKIP,
  assertCharts,
  assertDarkScheme,
  assertFitsWidths,
  assertOpensCleanly,
  assertPrints,
  launchChromium,
  open,
} from './chromium.js'
import {wideReport} from './fixture-reports.js'

/**
 * `compare --html` pages in headless Chromium, through the same checks as the report's page
 * (chromium.ts): no console or page error, no request but the file, every chart drawn with its title, no
 * horizontal overflow at 1280 and 390 px, the dark scheme, print — and the per-class table showing the
 * comparison JSON's figures (A, B and B − A, as the page rounds them), sorting by a click.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const BIN = join(ROOT, 'bin/run.cjs')
const SCRIPT_CLASS = '<script>alert(1)</script>'

interface Case {
  name: string
  file: string
  comparison: Comparison
}

/** `compare A B --json --html FILE` through the built CLI: the page and the JSON of one run. */
function cliCase(dir: string, name: string, args: string[]): Case {
  const file = join(dir, `${name}.html`)
  const run = spawnSync(process.execPath, [BIN, 'compare', ...args, '--json', '--html', file], {
    cwd: ROOT,
    encoding: 'utf8',
  })
  assert.equal(run.status, 0, run.stderr)
  return {name, file, comparison: JSON.parse(run.stdout) as Comparison}
}

async function renderedCase(dir: string, name: string, comparison: Comparison): Promise<Case> {
  const file = join(dir, `${name}.html`)
  const warnings: string[] = []
  writeFileSync(
    file,
    await renderHtmlCompare(comparison, {generator: 'focalscope test', onWarning: (w) => warnings.push(w)}),
  )
  assert.deepEqual(warnings, [], `${name}: charting warnings`)
  return {name, file, comparison}
}

/** Two saved reports made wide (300 classes), the first class named like a script: size and escaping. */
function wideComparison(a: Report, b: Report): Comparison {
  const [x, y] = [wideReport(a, 300), wideReport(b, 300)]
  for (const report of [x, y]) {
    report.classes[0] = {...report.classes[0], class: SCRIPT_CLASS}
    report.input.classes = report.classes.map((c) => c.class)
  }
  return compareReports(
    {a: {path: 'a <img src=x onerror=alert(1)>.json', kind: 'report'}, b: {path: 'b.json', kind: 'report'}},
    x,
    y,
    hardRowsNotCompared('a.json is a saved report: only two prediction files have rows to pair', x),
  )
}

/** The multi-label fixture with every logit moved: a second model on the same rows. */
function movedMultilabel(): string {
  const lines = readFileSync(join(ROOT, 'fixtures/multilabel.csv'), 'utf8').trimEnd().split('\n')
  const moved = lines.slice(1).map((line, i) =>
    line
      .split(',')
      .map((cell, j) => (j < 4 ? (Number(cell) + 1.5 * Math.sin(7 * i + j)).toFixed(4) : cell))
      .join(','),
  )
  return `${[lines[0], ...moved].join('\n')}\n`
}

/** A's classes as the page lists them: largest CE share in A first, ties in class order. */
function pageOrder(comparison: Comparison): number[] {
  return comparison.a.classes
    .map((c, i) => ({c, i}))
    .sort((x, y) => (y.c.ce.share ?? -1) - (x.c.ce.share ?? -1) || x.i - y.i)
    .map(({i}) => i)
}

describe('compare page in headless Chromium', () => {
  let dir: string
  let context: BrowserContext
  const cases: Case[] = []

  before(async () => {
    if (SKIP) return
    dir = mkdtempSync(join(tmpdir(), 'focalscope-compare-html-'))
    mkdirSync(ARTIFACTS, {recursive: true})
    const moved = join(dir, 'multilabel-b.csv')
    writeFileSync(moved, movedMultilabel())
    const example = cliCase(dir, 'compare-example', ['examples/predictions.csv', 'examples/candidate-predictions.csv'])
    cases.push(
      example,
      cliCase(dir, 'compare-multilabel', ['fixtures/multilabel.csv', moved]),
      cliCase(dir, 'compare-other-rows', ['examples/previous-predictions.csv', 'examples/predictions.csv']),
      await renderedCase(dir, 'compare-300-classes', wideComparison(example.comparison.a, example.comparison.b)),
    )
    context = await launchChromium(join(dir, 'profile'))
  })

  after(async () => {
    await context?.close()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('opens each page with no console or page error, no dialog and no request but the file', {skip: SKIP}, async () => {
    for (const c of cases) await assertOpensCleanly(context, c)
  })

  it(
    'draws every paired chart: a non-empty SVG with its title, in the title element and as text',
    {skip: SKIP},
    async () => {
      for (const c of cases) {
        const specs = compareChartSpecs(c.comparison)
        const titles = Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, chartTitle(spec)]))
        await assertCharts(context, c, titles)
      }
    },
  )

  it(
    "shows the per-class table with A's, B's and B − A's figures from the JSON, as the page rounds them",
    {skip: SKIP},
    async () => {
      for (const c of cases) {
        const visit = await open(context, c.file)
        const rows = await visit.page.$$eval('#class-table tbody tr', (trs) =>
          trs.map((tr) => [...tr.cells].map((cell) => cell.textContent ?? '')),
        )
        const {a, b, delta} = c.comparison
        assert.equal(rows.length, a.classes.length, c.name)
        pageOrder(c.comparison).forEach((i, k) => {
          const [name, , , ceA, ceB, ceDelta, , , , sumA, sumB, sumDelta, marks] = rows[k]
          const what = `${c.name} ${a.classes[i].class}`
          assert.equal(name, a.classes[i].class, what)
          assert.equal(ceA, formatShare(a.classes[i].ce.share), `${what}: A CE share`)
          assert.equal(ceB, formatShare(b.classes[i].ce.share), `${what}: B CE share`)
          assert.equal(ceDelta, formatShareDelta(delta.classes?.[i]?.ce?.share ?? null), `${what}: Δ CE share`)
          assert.equal(sumA, formatLoss(a.classes[i].ce.sum), `${what}: A CE sum`)
          assert.equal(sumB, formatLoss(b.classes[i].ce.sum), `${what}: B CE sum`)
          assert.equal(sumDelta, formatLossDelta(delta.classes?.[i]?.ce?.sum ?? null), `${what}: Δ CE sum`)
          const expected = [a.classes[i].overweight ? 'A' : '', b.classes[i].overweight ? 'B' : '']
            .filter(Boolean)
            .join(' ')
          assert.equal(marks, expected || '–', `${what}: ▲ in`)
        })
        await visit.page.close()
      }
    },
  )

  it(
    'sorts the per-class table by B − A of the CE share on a click, largest first, then smallest first',
    {skip: SKIP},
    async () => {
      const c = cases.find((x) => x.name === 'compare-example')!
      const visit = await open(context, c.file)
      const header = visit.page.locator('#class-table thead th', {hasText: 'Δ CE share'}).locator('button')
      const change = (i: number): number => c.comparison.delta.classes?.[i]?.ce?.share ?? 0
      const byChange = c.comparison.a.classes.map((_, i) => i).sort((x, y) => change(y) - change(x))
      const names = (): Promise<string[]> =>
        visit.page.$$eval('#class-table tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent ?? ''))
      await header.click()
      assert.deepEqual(
        await names(),
        byChange.map((i) => c.comparison.a.classes[i].class),
      )
      await header.click()
      assert.deepEqual(
        await names(),
        [...byChange].reverse().map((i) => c.comparison.a.classes[i].class),
      )
      await visit.page.close()
    },
  )

  it('does not overflow horizontally at 1280 px or 390 px, and saves screenshots', {skip: SKIP}, async () => {
    for (const c of cases) await assertFitsWidths(context, c)
  })

  it('follows the dark colour scheme and prints on paper', {skip: SKIP}, async () => {
    await assertDarkScheme(context, cases[0])
    for (const c of cases) await assertPrints(context, c)
  })

  it('keeps the script-named class and the file name as text: no script of its own runs', {skip: SKIP}, async () => {
    const c = cases.find((x) => x.name === 'compare-300-classes')!
    const visit = await open(context, c.file)
    assert.equal(await visit.page.locator('script').count(), 1)
    assert.equal(await visit.page.locator('img').count(), 0)
    const names = await visit.page.$$eval('#class-table tbody th', (cells) => cells.map((cell) => cell.textContent))
    assert.ok(names.includes(SCRIPT_CLASS))
    assert.deepEqual(visit.dialogs, [])
    await visit.page.close()
  })
})
