import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {LineRuns} from '../../../src/readers/csv/line-runs.js'

describe('LineRuns', () => {
  it('gives back the line of every row, whatever mix of runs and single rows was added', () => {
    fc.assert(
      fc.property(
        // Steps: a run of n consecutive lines (the fast path), or one record after `gap` skipped lines.
        fc.array(fc.tuple(fc.integer({min: 1, max: 50}), fc.integer({min: 0, max: 3}), fc.boolean()), {maxLength: 40}),
        (steps) => {
          const expected: number[] = []
          let line = 2
          for (const [n, gap, run] of steps) {
            line += gap
            for (let i = 0; i < (run ? n : 1); i++) expected.push(line++)
          }
          const runs = new LineRuns(Math.max(1, expected.length))
          let row = 0
          line = 2
          for (const [n, gap, run] of steps) {
            line += gap
            runs.add(row, line)
            const added = run ? n : 1
            row += added
            line += added
          }
          expected.forEach((l, r) => assert.equal(runs.lineOf(r), l, `row ${r}`))
          assert.ok(runs.count <= Math.max(1, steps.length))
        },
      ),
    )
  })
})
