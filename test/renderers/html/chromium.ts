/**
 * The browser side of the page tests (browser.test.ts for `report --html`, compare-browser.test.ts for
 * `compare --html`): the system's Chromium through playwright-core, which downloads nothing, and the checks
 * every page focalscope writes must pass — no console or page error, no request but the file, every chart
 * drawn with its title, no horizontal overflow at 1280 and 390 px, the dark scheme, print. Screenshots
 * and PDFs go to artifacts/html/ (git-ignored).
 */
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import type {BrowserContext, Page} from 'playwright-core'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const ARTIFACTS = join(ROOT, 'artifacts/html')

/** FOCALSCOPE_CHROMIUM, when set, is the only browser tried (set it to a missing path to see the skip). */
const CANDIDATES = process.env.FOCALSCOPE_CHROMIUM
  ? [process.env.FOCALSCOPE_CHROMIUM]
  : ['/usr/bin/chromium', '/usr/bin/chromium-browser']
export const CHROMIUM = CANDIDATES.find((path) => existsSync(path))
/** The tests' `skip` option: false, or why they cannot run here. */
export const SKIP = CHROMIUM
  ? false
  : `no Chromium at ${CANDIDATES.join(' or ')} (install Debian's chromium, or set FOCALSCOPE_CHROMIUM)`

/** Headless Chromium with a profile in `profileDir`, nothing in the background that could fetch. */
export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  const {chromium} = await import('playwright-core')
  return chromium.launchPersistentContext(profileDir, {
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
}

/** What the page did while it was open: requests, console errors, uncaught errors, dialogs. */
export interface Visit {
  page: Page
  requests: string[]
  errors: string[]
  dialogs: string[]
}

export async function open(context: BrowserContext, file: string): Promise<Visit> {
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

/** A page under test: its name (for messages and screenshots) and its file. */
export interface PageFile {
  name: string
  file: string
}

/** No console or page error, no dialog, and no request but the file itself. */
export async function assertOpensCleanly(context: BrowserContext, c: PageFile): Promise<void> {
  const visit = await open(context, c.file)
  assert.deepEqual(visit.errors, [], `${c.name}: errors`)
  assert.deepEqual(visit.dialogs, [], `${c.name}: dialogs`)
  assert.deepEqual(visit.requests, [pathToFileURL(c.file).href], `${c.name}: requests`)
  await visit.page.close()
}

/**
 * The page's figures are the charts `titles` names, in that order, each a non-empty SVG with its title in
 * the `<title>` element and drawn as text.
 */
export async function assertCharts(
  context: BrowserContext,
  c: PageFile,
  titles: Record<string, string>,
): Promise<void> {
  const visit = await open(context, c.file)
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
    Object.keys(titles),
    c.name,
  )
  for (const chart of charts) {
    const title = titles[chart.name as string]
    assert.equal(chart.title, title, `${c.name} ${chart.name}: <title>`)
    assert.ok(chart.texts.includes(title), `${c.name} ${chart.name}: title drawn`)
    assert.ok(chart.marks > 10, `${c.name} ${chart.name}: ${chart.marks} marks`)
    assert.ok(chart.width > 150 && chart.height > 100, `${c.name} ${chart.name}: ${chart.width}×${chart.height}`)
  }
  await visit.page.close()
}

/** No horizontal overflow at 1280 px or 390 px; screenshots of both. */
export async function assertFitsWidths(context: BrowserContext, c: PageFile): Promise<void> {
  const visit = await open(context, c.file)
  for (const width of [1280, 390]) {
    await visit.page.setViewportSize({width, height: 900})
    // A string, evaluated in the page: the tests are type-checked without the DOM's types.
    const overflow = (await visit.page.evaluate(
      '({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})',
    )) as {scroll: number; client: number}
    assert.ok(overflow.scroll <= overflow.client, `${c.name} at ${width} px: ${overflow.scroll} > ${overflow.client}`)
    await visit.page.screenshot({path: join(ARTIFACTS, `${c.name}-${width}.png`), fullPage: true})
  }
  await visit.page.close()
}

/** The dark scheme reaches the page and the charts' text; a screenshot of it. */
export async function assertDarkScheme(context: BrowserContext, c: PageFile): Promise<void> {
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
}

/** On paper: white, no navigation, nothing wider than an A4 page's printable width; a PDF of it. */
export async function assertPrints(context: BrowserContext, c: PageFile): Promise<void> {
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
