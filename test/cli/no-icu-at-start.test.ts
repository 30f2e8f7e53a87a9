/**
 * The first locale-aware call (localeCompare, toLocaleString, an Intl object) loads ICU data: 12–25 ms,
 * a fifth of a start. The built CLI must make none on its common paths (scripts/bundle.mjs patches
 * oclif's command sort; formatCount groups digits itself). A preload records every such call.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {runCli} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

const PRELOAD = `
const calls = new Set()
const wrap = (owner, name, label) => {
  const original = owner[name]
  owner[name] = function (...args) {
    calls.add(label)
    return original.apply(this, args)
  }
}
wrap(String.prototype, 'localeCompare', 'String#localeCompare')
wrap(Number.prototype, 'toLocaleString', 'Number#toLocaleString')
wrap(Date.prototype, 'toLocaleString', 'Date#toLocaleString')
wrap(Date.prototype, 'toLocaleDateString', 'Date#toLocaleDateString')
wrap(Date.prototype, 'toLocaleTimeString', 'Date#toLocaleTimeString')
for (const name of ['Collator', 'NumberFormat', 'DateTimeFormat', 'Segmenter', 'PluralRules', 'ListFormat']) {
  const original = Intl[name]
  Intl[name] = new Proxy(original, {
    construct(target, args) { calls.add('Intl.' + name); return new target(...args) },
    apply(target, self, args) { calls.add('Intl.' + name); return target(...args) },
  })
}
process.on('exit', () => require('node:fs').writeFileSync(process.env.ICU_CALLS_LOG, JSON.stringify([...calls])))
`

function icuCalls(args: string[], env: NodeJS.ProcessEnv = {}): string[] {
  const preload = file('record-icu-calls.cjs', PRELOAD)
  const log = file(`icu-${args.join('-').replace(/\W+/g, '_')}.json`)
  const result = runCli(args, {...env, NODE_OPTIONS: `--require ${preload}`, ICU_CALLS_LOG: log})
  assert.ok(result.status === 0, `exit ${result.status}: ${result.stderr}`)
  return JSON.parse(readFileSync(log, 'utf8')) as string[]
}

describe('start-up makes no locale-aware call', () => {
  it('records them when they happen (the preload works)', () => {
    const probe = file('probe.cjs', "'a'.localeCompare('b'); (1234).toLocaleString('en-US')")
    const preload = file('record-icu-calls.cjs', PRELOAD)
    const log = file('probe.json')
    spawnSync(process.execPath, ['--require', preload, probe], {env: {...process.env, ICU_CALLS_LOG: log}})
    assert.deepEqual(JSON.parse(readFileSync(log, 'utf8')), ['String#localeCompare', 'Number#toLocaleString'])
  })

  for (const args of [
    ['--version'],
    ['--help'],
    ['report', 'fixtures/binary.arrow', '--json'],
    ['report', 'fixtures/example.csv'],
  ]) {
    it(args.join(' '), () => {
      assert.deepEqual(icuCalls(args), [])
    })
  }

  it('gate, with a GitHub job summary', () => {
    const summary = file('summary.md')
    const calls = icuCalls(['gate', 'fixtures/binary.csv', '-a', 'totals.ce.mean <= 100'], {
      GITHUB_STEP_SUMMARY: summary,
    })
    assert.deepEqual(calls, [])
    assert.match(readFileSync(summary, 'utf8'), /400 rows/)
  })
})
