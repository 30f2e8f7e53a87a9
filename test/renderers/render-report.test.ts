import assert from 'node:assert/strict'
import {readdirSync, readFileSync, unlinkSync, writeFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {analyzePredictions} from '../../src/pipeline/analyze-predictions.js'
import {analyzeOptionsFromFlags, type InputFlagValues} from '../../src/cli/input-flags.js'
import type {Report} from '../../src/report/types.js'
import {renderReport} from '../../src/renderers/render-report.js'
import {buildReportView} from '../../src/renderers/report-view.js'
import {tempDir} from '../helpers/temp-files.js'

/**
 * Golden tables: the terminal report of each case below, colour off, byte for byte, at 80 columns (what a
 * pipe or CI log gets) and at 120. The figures themselves are checked against independent references
 * elsewhere; these pin the layout. After a deliberate change to the tables, regenerate with
 *   UPDATE_GOLDEN=1 node scripts/run-tests.mjs test/renderers/render-report.test.ts
 * and read the diff of test/renderers/golden/ before committing it.
 */
const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url))
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url))
const UPDATE = process.env.UPDATE_GOLDEN === '1'
const WIDTHS = [80, 120]
const file = tempDir()

/** The CLI's flag defaults, as oclif hands them to the command. */
const DEFAULT_FLAGS: InputFlagValues = {
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

/** mulberry32, as scripts/make-fixtures.ts: the many-class input is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** 60 classes, 600 rows, a long tail (class c drawn with weight 1 / (c + 1)), rarer classes learnt worse. */
function manyClassesCsv(): string {
  const random = prng(60)
  const k = 60
  const weights = Array.from({length: k}, (_, c) => 1 / (c + 1))
  const total = weights.reduce((a, b) => a + b, 0)
  const lines = [['label', ...weights.map((_, c) => `logit_${c}`)].join(',')]
  for (let r = 0; r < 600; r++) {
    let u = random() * total
    let label = 0
    while (label < k - 1 && (u -= weights[label]) >= 0) label++
    const logits = weights.map(() => (random() * 4 - 2).toFixed(2))
    logits[label] = (2 + 6 * random() - Math.log(label + 1)).toFixed(2)
    lines.push([label, ...logits].join(','))
  }
  return `${lines.join('\n')}\n`
}

interface Case {
  golden: string
  fixture: string
  flags: Partial<InputFlagValues>
  /** A file made by the test rather than a committed fixture. */
  content?: () => string
}

const CASES: Case[] = [
  {golden: 'example', fixture: 'example.csv', flags: {}},
  {golden: 'binary-alpha', fixture: 'binary.csv', flags: {alpha: '0.25', gammas: '0,2'}},
  {golden: 'multilabel', fixture: 'multilabel.csv', flags: {}},
  {golden: 'multilabel-torchvision', fixture: 'multilabel.csv', flags: {preset: 'torchvision'}},
  {golden: 'multilabel-list', fixture: 'multilabel-list.arrow', flags: {'class-names': 'car,person,bike,dog'}},
  {golden: 'binary-soft', fixture: 'binary-soft.csv', flags: {'soft-labels': true, alpha: '0.25', gammas: '0,2'}},
  {golden: 'multiclass-probs', fixture: 'multiclass-probs.csv', flags: {preset: 'kornia'}},
  {golden: 'many-classes', fixture: 'many-classes.csv', flags: {gammas: '0,0.5,1,2,3,5'}, content: manyClassesCsv},
]

async function reportOf(c: Case): Promise<Report> {
  // Goldens pin the concentration section and charts too (--concentration; off by default).
  const flags = {...DEFAULT_FLAGS, concentration: true, ...c.flags}
  // The preset's γ and α apply unless given: tell the options which flags were typed.
  const metadata = {
    flags: Object.fromEntries(Object.keys(DEFAULT_FLAGS).map((name) => [name, {setFromDefault: !(name in c.flags)}])),
  }
  const path = c.content ? file(c.fixture, c.content()) : `${FIXTURES}${c.fixture}`
  const report = await analyzePredictions([path], analyzeOptionsFromFlags(flags, metadata))
  report.input.files = [`fixtures/${c.fixture}`]
  return report
}

/** The lines of `text` wider than `width` columns (one per code point: every character here is narrow). */
function longLines(text: string, width: number): string[] {
  return text.split('\n').filter((line) => [...line].length > width)
}

describe('renderReport golden tables at 80 and 120 columns (colour off)', () => {
  if (UPDATE) {
    for (const name of readdirSync(GOLDEN)) unlinkSync(`${GOLDEN}${name}`)
  }
  for (const c of CASES) {
    it(`${c.golden}: focalscope report fixtures/${c.fixture} --max-classes 30`, async () => {
      const report = await reportOf(c)
      for (const width of WIDTHS) {
        const text = `${renderReport(report, {color: false, width, maxClasses: 30})}\n`
        const golden = `${GOLDEN}${c.golden}.${width}.txt`
        if (UPDATE) writeFileSync(golden, text)
        assert.equal(text, readFileSync(golden, 'utf8'), `${c.golden} at ${width}`)
        assert.deepEqual(longLines(text, width), [], `${c.golden} at ${width}`)
      }
    })
  }
})

describe('renderReport fits any width', () => {
  it('keeps every line within the width from 40 to 200 columns, for every case, --verbose too', async () => {
    for (const c of CASES) {
      const report = await reportOf(c)
      for (let width = 40; width <= 200; width += 7) {
        const text = renderReport(report, {color: false, width, maxClasses: 30, verbose: true})
        assert.deepEqual(longLines(text, width), [], `${c.golden} at ${width}`)
      }
    }
  })

  it('shows every γ column and full headings when wide, and says which columns it left out when narrow', async () => {
    const report = await reportOf(CASES[0])
    const wide = renderReport(report, {color: false, width: 200})
    assert.match(wide, /│ class │ rows │ row share │ CE share │ FL γ=0 │ FL γ=0\.5 │ FL γ=1 │ FL γ=2 │ FL γ=5 │/)
    assert.doesNotMatch(wide, /left out/)
    const narrow = renderReport(report, {color: false, width: 60})
    assert.match(narrow, /│ class │ rows │ row % │ {2}CE % │ {3}γ=0 │ {3}γ=2 │ {3}γ=5 │/)
    assert.match(narrow.replaceAll('\n', ' '), /\(FL γ=0\.5, FL γ=1 left out to fit 60 columns/)
  })

  it('moves the semantics sentence to --verbose, wrapped under its label', async () => {
    const report = await reportOf(CASES[0])
    assert.doesNotMatch(renderReport(report, {color: false}), /Semantics/)
    const verbose = renderReport(report, {color: false, verbose: true})
    assert.match(verbose, /^Semantics {2}softmax focal loss/m)
    assert.match(verbose, /^ {11}\S/m)
  })
})

describe('the per-class table', () => {
  it('sorts by CE share, shows --max-classes rows and says how many more there are and what they hold', async () => {
    const report = await reportOf(CASES[CASES.length - 1])
    const view = buildReportView(report, {sections: ['classes'], maxClasses: 10})
    const table = view.sections[0].tables[0]
    assert.equal(table.rows.length, 10)
    const byShare = [...report.classes].sort((a, b) => (b.ce.share ?? 0) - (a.ce.share ?? 0))
    assert.deepEqual(
      table.rows.map((r) => r.cells[0]),
      byShare.slice(0, 10).map((c) => c.class),
    )
    const rest = byShare.slice(10)
    const restRows = rest.reduce((a, c) => a + (c.countShare ?? 0), 0)
    const restCe = rest.reduce((a, c) => a + (c.ce.share ?? 0), 0)
    assert.equal(
      table.omitted?.replace(/, \d+ ▲/, ''),
      `… 50 more classes (${(restRows * 100).toFixed(1)}% of rows, ${(restCe * 100).toFixed(1)}% of CE; --max-classes 0 shows all)`,
    )
    assert.equal(buildReportView(report, {sections: ['classes'], maxClasses: 0}).sections[0].tables[0].rows.length, 60)
  })

  it("shows multi-label positives and each class's share of the positive elements", async () => {
    const report = await reportOf(CASES[2])
    const table = buildReportView(report, {sections: ['classes']}).sections[0].tables[0]
    assert.deepEqual(
      table.columns.slice(0, 4).map((c) => c.head),
      ['class', 'positives', 'pos. share', 'CE share'],
    )
    const positives = report.input.positiveElements as number
    for (const row of table.rows) {
      const c = report.classes.find((x) => x.class === row.cells[0])
      assert.equal(row.cells[1], c?.byTarget?.positive.count)
      assert.equal(row.cells[2], (c?.byTarget?.positive.count as number) / positives)
    }
  })

  it('names rows and probabilities in the singular when there is one', async () => {
    const report = await reportOf(CASES[0])
    report.input.skippedRows = 1
    report.input.clampedValues = 1
    assert.match(renderReport(report, {color: false}), /Checks {5}1 row skipped · 1 probability clamped/)
  })
})

describe('sections', () => {
  it("prints only the sections asked for, in the report's order", async () => {
    const report = await reportOf(CASES[0])
    const text = renderReport(report, {color: false, sections: ['split', 'sweep']})
    assert.match(text, /^focalscope report — fixtures\/example\.csv\n\nγ sweep/)
    assert.match(text, /Easy \/ hard/)
    assert.doesNotMatch(text, /Input|Per class/)
  })
})
