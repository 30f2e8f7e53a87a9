import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {fileURLToPath, pathToFileURL} from 'node:url'

import type {BrowserContext, Page} from 'playwright-core'

import type {Report} from '../../../src/report/types.js'
import {formatCount, formatShare} from '../../../src/renderers/format-number.js'
import {chartSpecs, chartTitle} from '../../../src/renderers/html/chart-specs.js'
import {renderHtmlReport} from '../../../src/renderers/html/render-html-report.js'
import {SCRIPT_CLASS, allSectionsReport} from './all-sections-report.js'
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
const ARTIFACTS = join(ROOT, 'artifacts/html')
/** FOCALSCOPE_CHROMIUM, when set, is the only browser tried (set it to a missing path to see the skip). */
const CANDIDATES = process.env.FOCALSCOPE_CHROMIUM
  ? [process.env.FOCALSCOPE_CHROMIUM]
  : ['/usr/bin/chromium', '/usr/bin/chromium-browser']
const CHROMIUM = CANDIDATES.find((path) => existsSync(path))
const SKIP = CHROMIUM
  ? false
  : `no Chromium at ${CANDIDATES.join(' or ')} (install Debian's chromium, or set FOCALSCOPE_CHROMIUM)`

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

/** What the page did while it was open: requests, console errors, uncaught errors, dialogs. */
interface Visit {
  page: Page
  requests: string[]
  errors: string[]
  dialogs: string[]
}

async function open(context: BrowserContext, file: string): Promise<Visit> {
  const page = await context.newPage()
  const visit: Visit = {page, requests: [], errors: [], dialogs: []}
  page.on('request', (request) => visit.requests.push(request.url()))
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') visit.errors.push(message.text())
  })
  page.on('pageerror', (error) => visit.errors.push(error.message))
  page.on('dialog', (dialog) => {
    visit.dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  await page.goto(pathToFileURL(file).href, {waitUntil: 'load'})
  return visit
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
    const {chromium} = await import('playwright-core')
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  })

  after(async () => {
    await context?.close()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('opens each page with no console or page error, no dialog and no request but the file', {skip: SKIP}, async () => {
    for (const c of cases) {
      const visit = await open(context, c.file)
      assert.deepEqual(visit.errors, [], `${c.name}: errors`)
      assert.deepEqual(visit.dialogs, [], `${c.name}: dialogs`)
      assert.deepEqual(visit.requests, [pathToFileURL(c.file).href], `${c.name}: requests`)
      await visit.page.close()
    }
  })

  it('draws every chart: a non-empty SVG with its title, in the title element and as text', {skip: SKIP}, async () => {
    for (const c of cases) {
      const visit = await open(context, c.file)
      const specs = chartSpecs(c.report)
      const charts = await visit.page.$$eval('figure.chart', (figures) =>
        figures.map((figure) => {
          const svg = figure.querySelector('svg')
          const box = svg?.getBoundingClientRect()
          return {
            name: figure.getAttribute('data-chart'),
            title: svg?.querySelector(':scope > title')?.textContent ?? null,
            texts: [...(svg?.querySelectorAll('text') ?? [])].map((t) => t.textContent),
            marks: svg?.querySelectorAll('path, line, rect, circle').length ?? 0,
            width: box?.width ?? 0,
            height: box?.height ?? 0,
          }
        }),
      )
      assert.deepEqual(
        charts.map((chart) => chart.name),
        Object.keys(specs),
        c.name,
      )
      for (const chart of charts) {
        const title = chartTitle(specs[chart.name as keyof typeof specs]!)
        assert.equal(chart.title, title, `${c.name} ${chart.name}: <title>`)
        assert.ok(chart.texts.includes(title), `${c.name} ${chart.name}: title drawn`)
        assert.ok(chart.marks > 10, `${c.name} ${chart.name}: ${chart.marks} marks`)
        assert.ok(chart.width > 150 && chart.height > 100, `${c.name} ${chart.name}: ${chart.width}×${chart.height}`)
      }
      await visit.page.close()
    }
  })

  it("shows the per-class table with the JSON's figures, as the page rounds them", {skip: SKIP}, async () => {
    for (const c of cases) {
      const visit = await open(context, c.file)
      const rows = await visit.page.$$eval('#class-table tbody tr', (trs) =>
        trs.map((tr) => [...tr.cells].map((cell) => cell.textContent ?? '')),
      )
      assert.equal(rows.length, c.report.classes.length, c.name)
      c.report.classes.forEach((expected, i) => {
        const [name, rowCount, rowShare, ceShare, ...focal] = rows[i]
        assert.equal(name, expected.overweight ? `${expected.class} ▲` : expected.class, c.name)
        assert.equal(rowCount, formatCount(expected.count), `${c.name} ${expected.class}: rows`)
        assert.equal(rowShare, formatShare(expected.countShare), `${c.name} ${expected.class}: row share`)
        assert.equal(ceShare, formatShare(expected.ce.share), `${c.name} ${expected.class}: CE share`)
        assert.deepEqual(
          focal.slice(0, expected.focal.length),
          expected.focal.map((f) => formatShare(f.share)),
          `${c.name} ${expected.class}: focal shares`,
        )
      })
      await visit.page.close()
    }
  })

  it('sorts the per-class table by a clicked header, largest first, then smallest first', {skip: SKIP}, async () => {
    const c = cases.find((x) => x.name === 'example')!
    const visit = await open(context, c.file)
    const header = visit.page.locator('#class-table thead th', {hasText: 'CE share'}).locator('button')
    const byShare = [...c.report.classes].sort((a, b) => (b.ce.share ?? 0) - (a.ce.share ?? 0))
    const names = (): Promise<string[]> =>
      visit.page.$$eval('#class-table tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent ?? ''))
    const label = (row: Report['classes'][number]): string => (row.overweight ? `${row.class} ▲` : row.class)
    await header.click()
    assert.deepEqual(await names(), byShare.map(label))
    assert.equal(
      await visit.page.locator('#class-table thead th', {hasText: 'CE share'}).getAttribute('aria-sort'),
      'descending',
    )
    await header.click()
    assert.deepEqual(await names(), [...byShare].reverse().map(label))
    await visit.page.close()
  })

  it('does not overflow horizontally at 1280 px or 390 px, and saves screenshots', {skip: SKIP}, async () => {
    for (const c of cases) {
      const visit = await open(context, c.file)
      for (const width of [1280, 390]) {
        await visit.page.setViewportSize({width, height: 900})
        // A string, evaluated in the page: the tests are type-checked without the DOM's types.
        const overflow = (await visit.page.evaluate(
          '({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})',
        )) as {scroll: number; client: number}
        assert.ok(
          overflow.scroll <= overflow.client,
          `${c.name} at ${width} px: ${overflow.scroll} > ${overflow.client}`,
        )
        await visit.page.screenshot({path: join(ARTIFACTS, `${c.name}-${width}.png`), fullPage: true})
      }
      await visit.page.close()
    }
  })

  it('follows the dark colour scheme: page and chart text in light colours', {skip: SKIP}, async () => {
    const c = cases.find((x) => x.name === 'all-sections')!
    const visit = await open(context, c.file)
    await visit.page.emulateMedia({colorScheme: 'dark'})
    await visit.page.setViewportSize({width: 1280, height: 900})
    const colours = (await visit.page.evaluate(
      "({background: getComputedStyle(document.body).backgroundColor, axisText: getComputedStyle(document.querySelector('figure.chart svg text')).fill})",
    )) as {background: string; axisText: string}
    assert.equal(colours.background, 'rgb(23, 25, 29)')
    assert.equal(colours.axisText, 'rgb(233, 233, 233)')
    await visit.page.screenshot({path: join(ARTIFACTS, `${c.name}-dark.png`), fullPage: true})
    await visit.page.close()
  })

  it('prints on paper: light colours, no navigation, tables wrapped within an A4 width', {skip: SKIP}, async () => {
    for (const c of cases.filter((x) => x.name === 'all-sections' || x.name === 'multilabel')) {
      const visit = await open(context, c.file)
      // An A4 page's printable width at 96 dpi; the reader's dark scheme must not reach the paper.
      await visit.page.setViewportSize({width: 720, height: 1000})
      await visit.page.emulateMedia({media: 'print', colorScheme: 'dark'})
      const printed = (await visit.page.evaluate(
        "({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, background: getComputedStyle(document.body).backgroundColor, nav: getComputedStyle(document.querySelector('nav')).display})",
      )) as {scroll: number; client: number; background: string; nav: string}
      assert.ok(printed.scroll <= printed.client, `${c.name}: ${printed.scroll} > ${printed.client}`)
      assert.equal(printed.background, 'rgb(255, 255, 255)')
      assert.equal(printed.nav, 'none')
      await visit.page.pdf({path: join(ARTIFACTS, `${c.name}.pdf`)})
      await visit.page.close()
    }
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
