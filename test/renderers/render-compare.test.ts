import assert from 'node:assert/strict'
import {readdirSync, readFileSync, unlinkSync, writeFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import type {Comparison} from '../../src/report/compare-types.js'
import {buildCompareView} from '../../src/renderers/compare-view.js'
import {renderCompare} from '../../src/renderers/render-compare.js'
import {comparePredictions} from '../helpers/compare-runs.js'
import {tempDir} from '../helpers/temp-files.js'

/**
 * Golden output of `compare`, colour off, byte for byte, at 80 and 120 columns, as the report's
 * (render-report.test.ts). The figures are checked elsewhere (test/commands/compare.test.ts); these pin the
 * layout. After a deliberate change, regenerate with
 *   UPDATE_GOLDEN=1 node scripts/run-tests.mjs test/renderers/render-compare.test.ts
 * and read the diff of test/renderers/golden-compare/ before committing it.
 */
const GOLDEN = fileURLToPath(new URL('./golden-compare/', import.meta.url))
const UPDATE = process.env.UPDATE_GOLDEN === '1'
const WIDTHS = [80, 120]
const file = tempDir()

/** mulberry32, as scripts/make-fixtures.ts. */
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

/** 40 classes, 400 rows, a long tail; `skill` says how far the true logit stands out (two models). */
function manyClassesCsv(skill: number, seed: number): string {
  const labels = prng(40)
  const noise = prng(seed)
  const k = 40
  const weights = Array.from({length: k}, (_, c) => 1 / (c + 1))
  const total = weights.reduce((x, y) => x + y, 0)
  const lines = [['label', ...weights.map((_, c) => `logit_${c}`)].join(',')]
  for (let r = 0; r < 400; r++) {
    let u = labels() * total
    let label = 0
    while (label < k - 1 && (u -= weights[label]) >= 0) label++
    const logits = weights.map(() => (noise() * 4 - 2).toFixed(2))
    logits[label] = (skill + 5 * noise() - Math.log(label + 1)).toFixed(2)
    lines.push([label, ...logits].join(','))
  }
  return `${lines.join('\n')}\n`
}

/** The multi-label fixture with every logit moved: a second model on the same rows. */
function movedMultilabel(): string {
  const lines = readFileSync('fixtures/multilabel.csv', 'utf8').trimEnd().split('\n')
  const moved = lines.slice(1).map((line, i) =>
    line
      .split(',')
      .map((cell, j) => (j < 4 ? (Number(cell) + 1.5 * Math.sin(7 * i + j)).toFixed(4) : cell))
      .join(','),
  )
  return `${[lines[0], ...moved].join('\n')}\n`
}

interface Case {
  golden: string
  comparison: () => Promise<Comparison>
}

const CASES: Case[] = [
  {
    golden: 'example',
    comparison: () => comparePredictions('examples/predictions.csv', 'examples/candidate-predictions.csv'),
  },
  {
    golden: 'other-rows',
    comparison: () => comparePredictions('examples/previous-predictions.csv', 'examples/predictions.csv'),
  },
  {
    golden: 'multilabel',
    comparison: () =>
      comparePredictions('fixtures/multilabel.csv', file('multilabel-b.csv', movedMultilabel()), {}, [
        'fixtures/multilabel.csv',
        'multilabel-b.csv',
      ]),
  },
  {
    golden: 'many-classes',
    comparison: () =>
      comparePredictions(file('many-a.csv', manyClassesCsv(2, 1)), file('many-b.csv', manyClassesCsv(3, 2)), {}, [
        'many-a.csv',
        'many-b.csv',
      ]),
  },
]

function longLines(text: string, width: number): string[] {
  return text.split('\n').filter((line) => [...line].length > width)
}

describe('renderCompare golden output at 80 and 120 columns (colour off)', () => {
  if (UPDATE) {
    for (const name of readdirSync(GOLDEN)) unlinkSync(`${GOLDEN}${name}`)
  }
  for (const c of CASES) {
    it(`${c.golden}, --max-classes 30`, async () => {
      const comparison = await c.comparison()
      for (const width of WIDTHS) {
        const text = `${renderCompare(comparison, {color: false, width, maxClasses: 30})}\n`
        const golden = `${GOLDEN}${c.golden}.${width}.txt`
        if (UPDATE) writeFileSync(golden, text)
        assert.equal(text, readFileSync(golden, 'utf8'), `${c.golden} at ${width}`)
        assert.deepEqual(longLines(text, width), [], `${c.golden} at ${width}`)
      }
    })
  }
})

describe('renderCompare', () => {
  it('keeps every line within the width from 40 to 200 columns', async () => {
    for (const c of CASES) {
      const comparison = await c.comparison()
      for (let width = 40; width <= 200; width += 9) {
        const text = renderCompare(comparison, {color: false, width, maxClasses: 30})
        assert.deepEqual(longLines(text, width), [], `${c.golden} at ${width}`)
      }
    }
  })

  it("shows each class's A, B and B − A from the comparison, A's largest CE share first", async () => {
    const comparison = await CASES[0].comparison()
    const table = buildCompareView(comparison).sections.find((s) => s.name === 'classes')!.tables[0]
    const order = [...comparison.a.classes.keys()].sort(
      (x, y) => (comparison.a.classes[y].ce.share ?? 0) - (comparison.a.classes[x].ce.share ?? 0),
    )
    assert.deepEqual(
      table.rows.map((r) => r.cells[0]),
      order.map((i) => comparison.a.classes[i].class),
    )
    const ce = table.columns.findIndex((c) => c.head === 'A CE share')
    table.rows.forEach((row, k) => {
      const i = order[k]
      assert.equal(row.cells[ce], comparison.a.classes[i].ce.share)
      assert.equal(row.cells[ce + 1], comparison.b.classes[i].ce.share)
      assert.equal(row.cells[ce + 2], comparison.delta.classes?.[i]?.ce?.share)
    })
  })

  it('lists the classes that moved most by |B − A| of their CE share, and --max-classes limits the table', async () => {
    const comparison = await CASES[3].comparison()
    const view = buildCompareView(comparison, {maxClasses: 5})
    const movers = view.sections.find((s) => s.name === 'movers')!.tables[0]
    const moves = (comparison.delta.classes ?? []).map((d) => Math.abs(d.ce?.share ?? 0))
    const largest = [...moves].sort((x, y) => y - x).slice(0, 10)
    assert.deepEqual(
      movers.rows.map((r) => Math.abs(r.cells[3] as number)),
      largest,
    )
    const classes = view.sections.find((s) => s.name === 'classes')!.tables[0]
    assert.equal(classes.rows.length, 5)
    assert.match(classes.omitted ?? '', /^… 35 more classes/)
  })
})
