import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {analyzePredictions} from '../../src/pipeline/analyze-predictions.js'
import {analyzeOptionsFromFlags, type InputFlagValues} from '../../src/cli/input-flags.js'
import {renderReport} from '../../src/renderers/render-report.js'

/**
 * Golden tables: the terminal report of each fixture below, colour off, byte for byte. The figures
 * themselves are checked against independent references elsewhere; these pin the layout of the tables.
 * After a deliberate change to the tables, regenerate with
 *   UPDATE_GOLDEN=1 node scripts/run-tests.mjs test/renderers/render-report.test.ts
 * and read the diff of test/renderers/golden/ before committing it.
 */
const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url))
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url))
const UPDATE = process.env.UPDATE_GOLDEN === '1'

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

const CASES: {golden: string; fixture: string; flags: Partial<InputFlagValues>}[] = [
  {golden: 'example.txt', fixture: 'example.csv', flags: {}},
  {golden: 'binary-alpha.txt', fixture: 'binary.csv', flags: {alpha: '0.25', gammas: '0,2'}},
  {golden: 'multilabel.txt', fixture: 'multilabel.csv', flags: {}},
  {golden: 'multilabel-torchvision.txt', fixture: 'multilabel.csv', flags: {preset: 'torchvision'}},
  {golden: 'multilabel-list.txt', fixture: 'multilabel-list.arrow', flags: {'class-names': 'car,person,bike,dog'}},
  {golden: 'binary-soft.txt', fixture: 'binary-soft.csv', flags: {'soft-labels': true, alpha: '0.25', gammas: '0,2'}},
]

describe('renderReport golden tables (colour off)', () => {
  for (const c of CASES) {
    it(`${c.golden}: focalscope report fixtures/${c.fixture}`, async () => {
      const flags = {...DEFAULT_FLAGS, ...c.flags}
      // The preset's γ and α apply unless given: tell the options which flags were typed.
      const metadata = {
        flags: Object.fromEntries(
          Object.keys(DEFAULT_FLAGS).map((name) => [name, {setFromDefault: !(name in c.flags)}]),
        ),
      }
      const report = await analyzePredictions([`${FIXTURES}${c.fixture}`], analyzeOptionsFromFlags(flags, metadata))
      report.input.files = [`fixtures/${c.fixture}`]
      const text = `${renderReport(report, {color: false})}\n`
      if (UPDATE) writeFileSync(`${GOLDEN}${c.golden}`, text)
      assert.equal(text, readFileSync(`${GOLDEN}${c.golden}`, 'utf8'))
    })
  }
})
