import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import type {Report} from '../../../src/report/types.js'
import {formatShare} from '../../../src/renderers/format-number.js'
import {renderHtml} from '../../../src/renderers/html/render-html.js'
import {buildReportView} from '../../../src/renderers/report-view.js'
import {renderHtmlReport} from '../../../src/renderers/html/render-html-report.js'
import {MARKUP_FILE, SCRIPT_CLASS, allSectionsReport} from './all-sections-report.js'
import {fixtureReport, wideReport} from './fixture-reports.js'
import {pageText} from './page-text.js'

/**
 * The page as text: golden files of its visible text (charts replaced by "[chart]", so a new Vega version
 * does not churn them), escaping, self-containment and size. After a deliberate change to the page,
 * regenerate with
 *   UPDATE_GOLDEN=1 node scripts/run-tests.mjs test/renderers/html/render-html.test.ts
 * and read the diff of test/renderers/html/golden/ before committing it.
 */
const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url))
const UPDATE = process.env.UPDATE_GOLDEN === '1'

/** Renders with the real charts and fails on any charting warning. */
async function page(report: Report | ReturnType<typeof allSectionsReport>): Promise<string> {
  const warnings: string[] = []
  const html = await renderHtmlReport(report, {generator: 'focalscope test', onWarning: (m) => warnings.push(m)})
  assert.deepEqual(warnings, [])
  return html
}

/** The text of each cell of the table with this id, row by row (header row first). */
function tableCells(html: string, id: string): string[][] {
  const table = new RegExp(`<table[^>]*id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(html)
  assert.ok(table, `table #${id}`)
  return [...table[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => pageText(cell[1])),
  )
}

describe('renderHtml', () => {
  const pages = new Map<string, string>()
  let example: Report
  before(async () => {
    example = await fixtureReport('example.csv')
    pages.set('example', await page(example))
    pages.set('multilabel', await page(await fixtureReport('multilabel.csv')))
    pages.set('binary', await page(await fixtureReport('binary.csv', {alpha: '0.25', gammas: '0,2'})))
    pages.set('all-sections', await page(allSectionsReport()))
  })

  it('states the input, checks, preset and reduction as the terminal does (mmdet: avg_factor + 2^-23)', async () => {
    for (const preset of ['mmdet', 'kornia', 'torchvision']) {
      const report = await fixtureReport('multilabel.csv', {preset})
      // One of each, which the words must name in the singular.
      report.input.skippedRows = 1
      report.input.clampedValues = 1
      const facts = buildReportView(report, {sections: ['input', 'sweep']}).sections.flatMap((s) => s.facts)
      const html = await page(report)
      for (const label of ['Input', 'Checks', 'CE', 'Preset', 'Reduction']) {
        const terminal = facts.find((f) => f.label === label)?.text
        const onPage = new RegExp(`<dt>${label}</dt><dd>([^<]*)</dd>`).exec(html)?.[1]
        assert.ok(terminal, `${preset}: the terminal's ${label}`)
        assert.equal(pageText(onPage ?? ''), terminal, `${preset}: ${label}`)
      }
    }
  })

  it('matches the golden text of each page (charts as [chart])', () => {
    for (const [name, html] of pages) {
      const text = `${pageText(html)}\n`
      const golden = `${GOLDEN}${name}.txt`
      if (UPDATE) writeFileSync(golden, text)
      assert.equal(text, readFileSync(golden, 'utf8'), name)
    }
  })

  it('escapes class and file names: a class named <script> is text, and the page has one script', () => {
    const html = pages.get('all-sections')!
    assert.ok(!html.includes(SCRIPT_CLASS), 'the raw class name never appears')
    assert.ok(!html.includes('<img'), 'the file name’s markup never appears')
    assert.equal(html.match(/<script/g)?.length, 1)
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'))
    const text = pageText(html)
    assert.ok(text.includes(`${SCRIPT_CLASS} ▲`), 'shown as text, with its ▲')
    assert.ok(text.includes(MARKUP_FILE))
  })

  it('refers to nothing outside itself: no src, no external href, no url(), no @import', () => {
    for (const [name, html] of pages) {
      // Inside tags only: the escaped file name's text "&lt;img src=x" is not an attribute.
      assert.ok(!/<[a-z][^>]*\ssrc=/i.test(html), `${name}: a src attribute`)
      assert.ok(!/<[a-z][^>]*\s(href|xlink:href)="(?!#)/i.test(html), `${name}: an href out of the page`)
      // url(#gradient_0): a gradient defined in the same SVG.
      assert.ok(!/url\((?!#)|@import/i.test(html), `${name}: a CSS fetch`)
      assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`), name)
    }
  })

  it('shows the sections of issues 17 and 18 only when the report has them', () => {
    const sections = (html: string): string[] => [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1])
    assert.deepEqual(sections(pages.get('example')!), ['summary', 'sweep', 'classes', 'split'])
    assert.deepEqual(sections(pages.get('all-sections')!), [
      'summary',
      'sweep',
      'classes',
      'split',
      'loss-by-pt',
      'concentration',
      'grid',
      'confusions',
      'calibration',
      'hardest',
    ])
  })

  it('puts each chart in a figure with its title, and its SVG labelled by that title', () => {
    for (const [name, html] of pages) {
      const figures = [...html.matchAll(/<figure class="chart" data-chart="([^"]+)">([\s\S]*?)<\/figure>/g)]
      assert.ok(figures.length >= 2, name)
      for (const [, chart, body] of figures) {
        const title = /<title id="chart-[^"]+-title">([^<]+)<\/title>/.exec(body)?.[1]
        assert.ok(title, `${name} ${chart}: an SVG title`)
        assert.ok(body.includes(`<figcaption><strong>${title}.</strong>`), `${name} ${chart}: caption`)
        assert.match(body, /<svg[^>]* role="img" aria-labelledby="chart-/)
      }
    }
  })

  it('shows every class figure as the terminal rounds it, and keeps the full value for sorting', () => {
    const rows = tableCells(pages.get('example')!, 'class-table')
    assert.deepEqual(rows[0].slice(0, 5), ['class', 'rows', 'row share', 'CE share', 'FL γ=0'])
    example.classes.forEach((c, i) => {
      const row = rows[i + 1]
      assert.equal(row[0], c.overweight ? `${c.class} ▲` : c.class)
      assert.equal(row[2], formatShare(c.countShare))
      assert.equal(row[3], formatShare(c.ce.share))
      assert.deepEqual(
        row.slice(4),
        c.focal.map((f) => formatShare(f.share)),
      )
    })
    assert.ok(pages.get('example')!.includes(`data-value="${example.classes[0].ce.share}"`))
  })

  it('renders a placeholder, not an error, for a chart it was not given', () => {
    const html = renderHtml(example, {charts: {}})
    assert.equal(html.match(/\(Chart not rendered\.\)/g)?.length, 2)
  })

  it('stays under 1 MB for the example and 5 MB for 1,000 classes', async () => {
    assert.ok(pages.get('example')!.length < 1_000_000)
    const wide = await page(wideReport(example, 1000))
    assert.ok(Buffer.byteLength(wide) < 5_000_000, `${Buffer.byteLength(wide)} bytes`)
    assert.equal(tableCells(wide, 'class-table').length, 1001)
  })
})
