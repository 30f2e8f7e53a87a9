/**
 * Mutation fuzzing of the Parquet reader (issue 19): byte flips in the data, the footer and the page
 * headers, and cuts, of three fixtures. The reader must give exactly what DuckDB reads from the same bytes,
 * or one line `focalscope: error: …` naming the file (exit 2) — never a crash, a stack trace, a hang or an
 * out-of-memory. See test/helpers/parquet-fuzz.ts; `node --import tsx scripts/fuzz-parquet.ts --runs 500`
 * runs the same property on many more cases.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import type {Mutation} from '../helpers/mutate.js'
import {
  loadParquetFixture,
  PARQUET_FUZZ_FIXTURES,
  parquetMutations,
  runParquetCase,
  runParquetMutant,
} from '../helpers/parquet-fuzz.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const SEED = 19_2026_1202
type FixtureName = (typeof PARQUET_FUZZ_FIXTURES)[number]
const RUNS = 8

/** Cases worth keeping (offsets into the fixtures as `npm run fixtures` writes them). */
const REGRESSIONS: Record<FixtureName, Mutation[][]> = {
  // A flip in a page header's statistics, which focalscope skips and DuckDB refuses: the figures must be
  // those of the data under the original headers.
  'binary-snappy.parquet': [
    [
      {op: 'flip', at: 2896, xor: 101},
      {op: 'flip', at: 41, xor: 7},
    ],
  ],
  'multiclass-list.parquet': [],
  'multiclass.parquet': [],
  // The same in the footer (a column's statistics).
  'binary-hyparquet.parquet': [
    [
      {op: 'flip', at: 616, xor: 49},
      {op: 'flip', at: 3671, xor: 36},
    ],
  ],
}

describe('Parquet reader on mutated fixtures (fast-check, fixed seed)', {concurrency: true}, () => {
  for (const name of PARQUET_FUZZ_FIXTURES) {
    it(`${name}: DuckDB's figures, or exit 2 with one line; no crash, no hang`, async () => {
      const fixture = await loadParquetFixture(name)
      // The reference must agree on the unmutated fixture, or the property means nothing.
      const original = await runParquetCase(file(`original-${name}`, fixture.bytes), fixture.shape)
      assert.ok(original.ok && original.signature === 'exit 0', original.detail)
      await fc.assert(
        fc.asyncProperty(parquetMutations(fixture), async (mutations) => {
          const verdict = await runParquetMutant(fixture, mutations, file)
          assert.ok(verdict.ok, verdict.detail)
        }),
        {seed: SEED, numRuns: RUNS, endOnFailure: true, examples: REGRESSIONS[name].map((m) => [m])},
      )
    })
  }
})
