/**
 * Mutation fuzzing of `focalscope report` (issue 4): byte flips, truncation, inserted and deleted fields
 * and commas, duplicated lines and stray quotes in the valid fixtures. The CLI must exit 0 with figures
 * equal to an independent reference on the mutated bytes (row counts included), or exit 2 with one line on
 * stderr naming the file — never another exit code, a stack trace or a hang. See test/helpers/mutate.ts.
 *
 * A fixed seed and 25 runs of the CLI in all keep `npm test` fast and repeatable; `node --import tsx
 * scripts/fuzz.ts --runs 500` runs the same property on many more cases and shrinks what it finds.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {FUZZ_FIXTURES, loadFixture, type Mutation, mutationsArbitrary, runCase, runMutant} from '../helpers/mutate.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const SEED = 4_2026_1129
type FixtureName = (typeof FUZZ_FIXTURES)[number]
/** Mutants per fixture, regressions included (plus the unmutated fixture each): 6 + 8 + 7 + 4 + 9 + 6 + 4 = 44 runs. */
const RUNS: Record<FixtureName, number> = {
  'binary.csv': 8,
  'multiclass.csv': 7,
  'multilabel.csv': 4,
  'binary.arrow': 9,
  'binary-zstd.arrow': 6,
  'multilabel.arrow': 4,
}

/**
 * Minimal counterexamples scripts/fuzz.ts found, run first (they count towards RUNS). The offsets are
 * into the fixtures as `npm run fixtures` writes them.
 */
const REGRESSIONS: Record<FixtureName, Mutation[][]> = {
  'binary-zstd.arrow': [],
  'binary.csv': [],
  'multiclass.csv': [],
  'multilabel.csv': [],
  'multilabel.arrow': [],
  'binary.arrow': [
    // Batch 1's `nodes` count 2 → 2^28 + 2: apache-arrow decodes 2^28 field nodes (a hang, gigabytes).
    [{op: 'flip-metadata', message: 0, at: 151, xor: 0x10}],
    // A column type id in the footer's schema: "Unrecognized type: "undefined" (undefined)".
    [{op: 'flip', at: 5528, xor: 4}],
    // A column name offset in the footer's schema: "Cannot read properties of null (reading 'startsWith')".
    [{op: 'flip', at: 5608, xor: 105}],
    // Batch 1's vtable size 12 → 32780: apache-arrow reads its custom metadata from the table's bytes and
    // hangs; focalscope, which never looks that field up, read the batch (found on multiclass-list.arrow).
    [{op: 'flip-metadata', message: 0, at: 9, xor: 0x80}],
    // Batch 1's format version V5 → V1: apache-arrow reads it with the old layout, focalscope read it as V5.
    [{op: 'flip-metadata', message: 0, at: 40, xor: 4}],
  ],
}

describe('report on mutated fixtures (fast-check, fixed seed)', {concurrency: true}, () => {
  for (const name of FUZZ_FIXTURES) {
    it(`${name}: exit 0 with the reference's figures, or exit 2 with one line; no crash, no hang`, async () => {
      const fixture = loadFixture(name)
      // The reference must agree with the CLI on the unmutated fixture, or the property means nothing.
      const original = await runCase(file(`original-${name}`, fixture.bytes), fixture.kind)
      assert.ok(original.ok && original.signature === 'exit 0', original.detail)
      await fc.assert(
        fc.asyncProperty(mutationsArbitrary(fixture), async (mutations) => {
          const verdict = await runMutant(fixture, mutations, file)
          assert.ok(verdict.ok, verdict.detail)
        }),
        // No shrinking here (each step is a CLI run); scripts/fuzz.ts shrinks.
        {seed: SEED, numRuns: RUNS[name], endOnFailure: true, examples: REGRESSIONS[name].map((m) => [m])},
      )
    })
  }
})
