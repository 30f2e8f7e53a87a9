/**
 * The Parquet fuzz property of test/fuzz/parquet-fuzz.test.ts on many more cases (see
 * test/helpers/parquet-fuzz.ts), printing each distinct kind of failure once with its first mutant.
 *
 *   node --import tsx scripts/fuzz-parquet.ts [--runs 300] [--seed N] [--fixture NAME]… [--concurrency N]
 *
 * Exit code: 0 when no case failed, 1 otherwise.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {availableParallelism, tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import fc from 'fast-check'

import {setMaxRunning} from '../test/helpers/mutate.js'
import {
  loadParquetFixture,
  PARQUET_FUZZ_FIXTURES,
  parquetMutations,
  runParquetMutant,
} from '../test/helpers/parquet-fuzz.js'

const {values} = parseArgs({
  options: {
    runs: {type: 'string', default: '300'},
    seed: {type: 'string'},
    fixture: {type: 'string', multiple: true},
    concurrency: {type: 'string', default: String(availableParallelism())},
  },
})
const runs = Number(values.runs)
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed)
setMaxRunning(Number(values.concurrency))
const work = mkdtempSync(join(tmpdir(), 'focalscope-fuzz-parquet-'))
const file = (name: string, content: Uint8Array): string => {
  const path = join(work, name)
  writeFileSync(path, content)
  return path
}

let failed = 0
for (const name of values.fixture ?? [...PARQUET_FUZZ_FIXTURES]) {
  const fixture = await loadParquetFixture(name)
  const cases = fc.sample(parquetMutations(fixture), {seed, numRuns: runs})
  const outcomes = new Map<string, {count: number; detail: string; ok: boolean}>()
  await Promise.all(
    cases.map(async (mutations) => {
      const verdict = await runParquetMutant(fixture, mutations, file)
      const seen = outcomes.get(verdict.signature)
      if (seen) seen.count++
      else outcomes.set(verdict.signature, {count: 1, detail: verdict.detail, ok: verdict.ok})
    }),
  )
  console.log(`${name} (seed ${seed}, ${runs} mutants):`)
  for (const [signature, {count, detail, ok}] of [...outcomes].sort((a, b) => b[1].count - a[1].count)) {
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${String(count).padStart(4)}  ${signature}`)
    if (!ok) {
      failed++
      console.log(`        ${detail.replace(/\n/g, '\n        ')}`)
    }
  }
}
rmSync(work, {recursive: true, force: true})
process.exit(failed > 0 ? 1 : 0)
