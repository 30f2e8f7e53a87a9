/**
 * The fuzz property of test/fuzz/report-fuzz.test.ts on many more cases, with every distinct kind of
 * failure shrunk to a minimal counterexample. Build first (`npm run build`).
 *
 *   node --import tsx scripts/fuzz.ts [--runs 500] [--seed N] [--fixture binary.csv] [--concurrency N]
 *                                     [--timeout 15] [--no-shrink] [--out DIR]
 *
 * --runs is the number of mutants per fixture. Each failure kind (its "signature": the exit code and the
 * message with numbers and the path collapsed) is shrunk with fast-check from the first case that showed
 * it; the minimal mutant is written to --out (default: a new folder under the OS temp folder) so it can
 * be fed to the CLI by hand. Exit code: 0 when no case failed, 1 otherwise.
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {availableParallelism, tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import fc from 'fast-check'

import {
  applyMutations,
  describeMutations,
  FUZZ_FIXTURES,
  type FuzzFixture,
  loadFixture,
  type Mutation,
  mutationsArbitrary,
  runMutant,
  setMaxRunning,
  type Verdict,
} from '../test/helpers/mutate.js'

const {values} = parseArgs({
  options: {
    runs: {type: 'string', default: '200'},
    seed: {type: 'string'},
    fixture: {type: 'string', multiple: true},
    concurrency: {type: 'string', default: String(availableParallelism())},
    timeout: {type: 'string', default: '15'},
    'no-shrink': {type: 'boolean', default: false},
    out: {type: 'string'},
  },
})

const runs = Number(values.runs)
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed)
const timeoutMs = Number(values.timeout) * 1000
const names = values.fixture ?? [...FUZZ_FIXTURES]
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed) || !(timeoutMs > 0)) {
  console.error('usage: scripts/fuzz.ts [--runs N] [--seed N] [--fixture NAME]… [--concurrency N] [--timeout S]')
  process.exit(2)
}
setMaxRunning(Number(values.concurrency))

const work = mkdtempSync(join(tmpdir(), 'focalscope-fuzz-'))
const out = values.out ?? mkdtempSync(join(tmpdir(), 'focalscope-fuzz-found-'))
mkdirSync(out, {recursive: true})
const file = (name: string, content: Uint8Array): string => {
  const path = join(work, name)
  writeFileSync(path, content)
  return path
}

interface Finding {
  signature: string
  count: number
  /** Index of the first case with this signature in the sampled sequence. */
  firstIndex: number
  first: Mutation[]
  detail: string
}

async function fuzzFixture(fixture: FuzzFixture): Promise<{outcomes: Map<string, number>; findings: Finding[]}> {
  const arbitrary = mutationsArbitrary(fixture)
  // The cases are drawn up front (the same sequence fc.check walks with this seed) and run side by side.
  const cases = fc.sample(arbitrary, {seed, numRuns: runs})
  const outcomes = new Map<string, number>()
  const findings = new Map<string, Finding>()
  let done = 0
  await Promise.all(
    cases.map(async (mutations, index) => {
      const verdict = await runMutant(fixture, mutations, file, timeoutMs)
      const key = verdict.ok ? verdict.signature : `FAIL ${verdict.signature}`
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
      if (!verdict.ok) {
        const seen = findings.get(verdict.signature)
        if (!seen || index < seen.firstIndex) {
          findings.set(verdict.signature, {
            signature: verdict.signature,
            count: (seen?.count ?? 0) + 1,
            firstIndex: index,
            first: mutations,
            detail: verdict.detail,
          })
        } else seen.count++
      }
      if (++done % 50 === 0) process.stderr.write(`  ${fixture.name}: ${done}/${runs}\n`)
    }),
  )
  return {outcomes, findings: [...findings.values()].sort((a, b) => a.firstIndex - b.firstIndex)}
}

/** Shrinks a finding: the smallest mutation list fast-check reaches that still fails with the same signature. */
async function shrink(fixture: FuzzFixture, finding: Finding): Promise<{mutations: Mutation[]; verdict: Verdict}> {
  let last: {mutations: Mutation[]; verdict: Verdict} | undefined
  const details = await fc.check(
    fc.asyncProperty(mutationsArbitrary(fixture), async (mutations) => {
      const verdict = await runMutant(fixture, mutations, file, timeoutMs)
      const same = !verdict.ok && verdict.signature === finding.signature
      if (same) last = {mutations, verdict}
      return !same
    }),
    // Start from the case itself; a hang costs the timeout at every step, so each finding has a time budget.
    {examples: [[finding.first]], numRuns: 1, interruptAfterTimeLimit: 10 * 60_000},
  )
  if (details.failed && details.counterexample) {
    const [mutations] = details.counterexample
    if (last && describeMutations(last.mutations) === describeMutations(mutations)) return last
    return {mutations, verdict: await runMutant(fixture, mutations, file, timeoutMs)}
  }
  return last ?? {mutations: finding.first, verdict: {ok: false, signature: finding.signature, detail: finding.detail}}
}

async function main(): Promise<void> {
  console.log(`focalscope fuzz: seed ${seed}, ${runs} mutants per fixture, timeout ${timeoutMs / 1000} s`)
  let failures = 0
  for (const name of names) {
    const fixture = loadFixture(name)
    const started = Date.now()
    const {outcomes, findings} = await fuzzFixture(fixture)
    console.log(`\n== ${name}: ${runs} mutants in ${((Date.now() - started) / 1000).toFixed(0)} s`)
    for (const [outcome, count] of [...outcomes].sort((a, b) => b[1] - a[1])) console.log(`  ${count}\t${outcome}`)
    for (const finding of findings) {
      failures += finding.count
      console.log(`\n  FAILURE (${finding.count}×) ${finding.signature}`)
      console.log(`    first case (#${finding.firstIndex}): ${describeMutations(finding.first)}`)
      if (values['no-shrink']) {
        console.log(`    ${finding.detail.replace(/\n/g, '\n    ')}`)
        continue
      }
      // A failure that does not come back (e.g. dist/ rebuilt during the run) is reported, not shrunk.
      const again = await runMutant(fixture, finding.first, file, timeoutMs)
      if (again.ok || again.signature !== finding.signature) {
        console.log(`    not reproduced (now: ${again.signature}); first time:`)
        console.log(`    ${finding.detail.replace(/\n/g, '\n    ')}`)
        continue
      }
      const minimal = await shrink(fixture, finding)
      const path = join(out, `${name.replace(/\..*$/, '')}-${findings.indexOf(finding) + 1}.${name.split('.').pop()}`)
      writeFileSync(path, applyMutations(fixture.bytes, minimal.mutations))
      console.log(`    minimal: ${describeMutations(minimal.mutations)}`)
      console.log(`    file: ${path}`)
      console.log(`    ${minimal.verdict.detail.replace(/\n/g, '\n    ')}`)
    }
  }
  rmSync(work, {recursive: true, force: true})
  console.log(
    failures === 0 ? '\nno failures' : `\n${failures} failing cases; minimal mutants in ${out} (seed ${seed})`,
  )
  process.exitCode = failures === 0 ? 0 : 1
}

await main()
