import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import type {BrowserContext} from 'playwright-core'

import type {Report} from '../../../src/report/types.js'
import {formatCount, formatShare} from '../../../src/renderers/format-number.js'
import {chartSpecs, chartTitle} from '../../../src/renderers/html/chart-specs.js'
import {renderHtmlReport} from '../../../src/renderers/html/render-html-report.js'
import {SCRIPT_CLASS, allSectionsReport} from './all-sections-report.js'
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
import {fixtureReport, wideReport} from './fixture-reports.js'

/**
 * Each page opened from file:// in headless Chromium, as a reviewer would open it: no console or page
 * errors, no request but the file itself, every chart drawn with its title, the per-class table showing
 * the JSON's figures (as the page rounds them) and sorting by a click, no horizontal overflow at 1280 and
 * 390 px, the dark scheme applied to the charts' text, and print. Screenshots and PDFs go to artifacts/html/
 * (git-ignored).
 *
 * Uses the system's Chromium (Debian's `chromium`, or the one FOCALSCOPE_CHROMIUM names) through
 * playwright-core, which downloads nothing; where there is none, the tests are skipped, saying why.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const BIN = join(ROOT, 'bin/run.cjs')

/** A report's classes as its page lists them: largest CE share first, ties in class order. */
function byCeShare(report: Report): Report['classes'] {
  return report.classes
    .map((c, i) => ({c, i}))
    .sort((a, b) => (b.c.ce.share ?? -1) - (a.c.ce.share ?? -1) || a.i - b.i)
    .map(({c}) => c)
}

/** A page under test: the file, and the report it shows. */
interface Case {
  name: string
  file: string
  report: Report
}

/** `report FIXTURE --json --html FILE` through the built CLI: the page and the JSON of one run. */
function cliCase(dir: string, name: string, args: string[]): Case {
  const file = join(dir, `${name}.html`)
  const run = spawnSync(process.execPath, [BIN, 'report', ...args, '--json', '--html', file], {
    cwd: ROOT,
    encoding: 'utf8',
  })
  assert.equal(run.status, 0, run.stderr)
  return {name, file, report: JSON.parse(run.stdout) as Report}
}

async function renderedCase(dir: string, name: string, report: Report): Promise<Case> {
  const file = join(dir, `${name}.html`)
  writeFileSync(file, await renderHtmlReport(report, {generator: 'focalscope test'}))
  return {name, file, report}
}

describe('HTML report in headless Chromium', () => {
  let dir: string
  let context: BrowserContext
  const cases: Case[] = []

  before(async () => {
    if (SKIP) return
    dir = mkdtempSync(join(tmpdir(), 'focalscope-html-'))
    mkdirSync(ARTIFACTS, {recursive: true})
    cases.push(
      cliCase(dir, 'example', ['fixtures/example.csv']),
      cliCase(dir, 'multilabel', ['fixtures/multilabel.csv']),
      cliCase(dir, 'binary', ['fixtures/binary.csv', '--alpha', '0.25', '--gammas', '0,2']),
      await renderedCase(dir, 'all-sections', allSectionsReport() as unknown as Report),
      await renderedCase(dir, 'classes-1000', wideReport(await fixtureReport('example.csv'), 1000)),
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

  it('draws every chart: a non-empty SVG with its title, in the title element and as text', {skip: SKIP}, async () => {
    for (const c of cases) {
      const specs = chartSpecs(c.report)
      const titles = Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, chartTitle(spec)]))
      await assertCharts(context, c, titles)
    }
  })

  it(
    "shows the per-class table with the JSON's figures, as the page rounds them, largest CE share first",
    {skip: SKIP},
    async () => {
      for (const c of cases) {
        const visit = await open(context, c.file)
        const rows = await visit.page.$$eval('#class-table tbody tr', (trs) =>
          trs.map((tr) => [...tr.cells].map((cell) => cell.textContent ?? '')),
        )
        assert.equal(rows.length, c.report.classes.length, c.name)
        // Multi-label: positives and their share, what a class's ▲ is measured against (as the terminal).
        const multilabel = c.report.classes.some((x) => x.byTarget)
        const positives = c.report.input.positiveElements ?? 0
        byCeShare(c.report).forEach((expected, i) => {
          const [name, count, dataShare, ceShare, ...focal] = rows[i]
          assert.equal(name, expected.overweight ? `${expected.class} ▲` : expected.class, c.name)
          const data = multilabel
            ? [expected.byTarget?.positive.count ?? 0, (expected.byTarget?.positive.count ?? 0) / positives]
            : [expected.count, expected.countShare]
          assert.equal(count, formatCount(data[0] as number), `${c.name} ${expected.class}: rows or positives`)
          assert.equal(dataShare, formatShare(data[1]), `${c.name} ${expected.class}: row or positives share`)
          assert.equal(ceShare, formatShare(expected.ce.share), `${c.name} ${expected.class}: CE share`)
          assert.deepEqual(
            focal.slice(0, expected.focal.length),
            expected.focal.map((f) => formatShare(f.share)),
            `${c.name} ${expected.class}: focal shares`,
          )
        })
        await visit.page.close()
      }
    },
  )

  it(
    'says it is sorted by CE share; a click on that header reverses the order, another restores it',
    {skip: SKIP},
    async () => {
      const c = cases.find((x) => x.name === 'binary')!
      const visit = await open(context, c.file)
      const th = visit.page.locator('#class-table thead th', {hasText: 'CE share'})
      const byShare = byCeShare(c.report)
      const names = (): Promise<string[]> =>
        visit.page.$$eval('#class-table tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent ?? ''))
      const label = (row: Report['classes'][number]): string => (row.overweight ? `${row.class} ▲` : row.class)
      assert.equal(await th.getAttribute('aria-sort'), 'descending')
      assert.deepEqual(await names(), byShare.map(label))
      await th.locator('button').click()
      assert.equal(await th.getAttribute('aria-sort'), 'ascending')
      assert.deepEqual(await names(), [...byShare].reverse().map(label))
      await th.locator('button').click()
      assert.deepEqual(await names(), byShare.map(label))
      // Another column: its first click sorts figures largest first.
      const rowsHeader = visit.page.locator('#class-table thead th', {hasText: 'row share'})
      await rowsHeader.locator('button').click()
      assert.equal(await rowsHeader.getAttribute('aria-sort'), 'descending')
      assert.equal(await th.getAttribute('aria-sort'), 'none')
      const byRows = [...c.report.classes].sort((a, b) => (b.countShare ?? 0) - (a.countShare ?? 0))
      assert.deepEqual(await names(), byRows.map(label))
      await visit.page.close()
    },
  )

  it('does not overflow horizontally at 1280 px or 390 px, and saves screenshots', {skip: SKIP}, async () => {
    for (const c of cases) await assertFitsWidths(context, c)
  })

  it('follows the dark colour scheme: page and chart text in light colours', {skip: SKIP}, async () => {
    await assertDarkScheme(
      context,
      cases.find((x) => x.name === 'all-sections')!,
    )
  })

  it('prints on paper: light colours, no navigation, tables wrapped within an A4 width', {skip: SKIP}, async () => {
    for (const c of cases.filter((x) => x.name === 'all-sections' || x.name === 'multilabel'))
      await assertPrints(context, c)
  })

  it('keeps the script-named class as text: no script of its own runs', {skip: SKIP}, async () => {
    const c = cases.find((x) => x.name === 'all-sections')!
    const visit = await open(context, c.file)
    assert.equal(await visit.page.locator('script').count(), 1)
    const names = await visit.page.$$eval('#class-table tbody th', (cells) => cells.map((cell) => cell.textContent))
    assert.ok(names.includes(`${SCRIPT_CLASS} ▲`))
    assert.deepEqual(visit.dialogs, [])
    await visit.page.close()
  })
})
