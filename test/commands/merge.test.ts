/**
 * `report --state-out` on shards, then `merge` in any order and grouping, gives the report of one run over
 * all the shards (every figure within 1e-12 relative, everything else equal); states of other settings are
 * refused naming the difference; state files are written atomically, never onto an input, and read strictly.
 */
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {Ajv} from 'ajv'

import {runCli} from '../helpers/run-cli.js'
import {assertSameReport} from '../helpers/same-report.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const validateState = new Ajv({allErrors: true}).compile(
  JSON.parse(readFileSync(new URL('../../schema/state.schema.json', import.meta.url), 'utf8')) as object,
)

/** A seeded generator (mulberry32): the same shuffles on every run. */
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

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

/** Splits CSV text into k files of consecutive rows named so that path order is row order. */
function shardCsv(text: string, k: number, prefix: string): string[] {
  const [header, ...rows] = text.trimEnd().split('\n')
  return Array.from({length: k}, (_, i) => {
    const part = rows.slice(Math.floor((i * rows.length) / k), Math.floor(((i + 1) * rows.length) / k))
    return file(`${prefix}-shard-${String(i).padStart(2, '0')}.csv`, `${[header, ...part].join('\n')}\n`)
  })
}

function json(args: string[]): Record<string, unknown> {
  const result = runCli(args)
  assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`)
  return JSON.parse(result.stdout) as Record<string, unknown>
}

interface Dataset {
  name: string
  text: string
  flags: string[]
}

/** A binary file with rows that --on-invalid skip leaves out, in several shards. */
function withBadRows(text: string): string {
  const lines = text.trimEnd().split('\n')
  for (const at of [5, 90, 91, 250, 333]) lines[at] = lines[at].replace(/,[^,]*$/, ',abc')
  return `${lines.join('\n')}\n`
}

const DATASETS: Dataset[] = [
  {name: 'binary', text: readFileSync('fixtures/binary.csv', 'utf8'), flags: ['--alpha', '0.25']},
  {
    name: 'binary-skip',
    text: withBadRows(readFileSync('fixtures/binary.csv', 'utf8')),
    flags: ['--on-invalid', 'skip', '--loss', 'poly1'],
  },
  {
    name: 'multiclass-probs',
    text: readFileSync('fixtures/multiclass-probs.csv', 'utf8'),
    flags: ['--alpha', 'inverse-frequency', '--gammas', '0,1,2'],
  },
  {name: 'multilabel', text: readFileSync('fixtures/multilabel.csv', 'utf8'), flags: ['--preset', 'torchvision']},
  {name: 'kornia', text: readFileSync('fixtures/multiclass.csv', 'utf8'), flags: ['--preset', 'kornia']},
]

describe('report --state-out, then merge', () => {
  for (const dataset of DATASETS) {
    it(`${dataset.name}: k = 1, 2, 7 shards merged in random orders and groupings equal one report over them`, () => {
      const random = prng(dataset.name.length * 7919)
      for (const k of [1, 2, 7]) {
        const shards = shardCsv(dataset.text, k, `${dataset.name}-${k}`)
        const whole = json(['report', ...shards, ...dataset.flags, '--json'])
        const states = shards.map((shard) => {
          const state = shard.replace(/\.csv$/, '.state.json')
          json(['report', shard, ...dataset.flags, '--state-out', state, '--json'])
          const valid = validateState(JSON.parse(readFileSync(state, 'utf8')))
          assert.ok(valid, `${state}: ${JSON.stringify(validateState.errors)}`)
          return state
        })
        for (let trial = 0; trial < (k === 1 ? 1 : 2); trial++) {
          // A random tree of merges: groups of the shuffled states merged into states, then those merged.
          const order = shuffle(states, random)
          const groups: string[][] = []
          for (let i = 0; i < order.length;) {
            const size = 1 + Math.floor(random() * 3)
            groups.push(order.slice(i, i + size))
            i += size
          }
          const partials = groups.map((group, g) => {
            const out = file(`${dataset.name}-${k}-t${trial}-g${g}.state.json`)
            json(['merge', ...group, '--state-out', out, '--json'])
            return out
          })
          const merged = json(['merge', ...shuffle(partials, random), '--json'])
          assertSameReport(merged, whole, 1e-12)
        }
      }
    })
  }

  it('takes files and quoted patterns, prints the tables, and writes -o, --html and --state-out', () => {
    const shards = shardCsv(readFileSync('examples/predictions.csv', 'utf8'), 3, 'outputs')
    for (const shard of shards) json(['report', shard, '--state-out', shard.replace(/\.csv$/, '.state.json'), '--json'])
    const pattern = shards[0].replace(/shard-00\.csv$/, 'shard-*.state.json')
    const out = file('outputs-report.json')
    const html = file('outputs-report.html')
    const result = runCli(['merge', pattern, '-o', out, '--html', html, '--sections', 'input,sweep'])
    assert.equal(result.status, 0, result.stderr)
    assert.match(
      result.stdout,
      /^focalscope report — \S*outputs-shard-00\.csv,\s+\S*outputs-shard-01\.csv,\s+\S*outputs-shard-02\.csv\n/,
    )
    assert.match(result.stdout, /γ sweep/)
    assert.doesNotMatch(result.stdout, /Per class/)
    const whole = json(['report', ...shards, '--json'])
    assertSameReport(JSON.parse(readFileSync(out, 'utf8')), whole, 1e-12)
    assert.match(readFileSync(html, 'utf8'), /^<!doctype html>/i)
  })

  it('refuses states of other settings, naming the file and the first difference (exit 2, one line)', () => {
    const [a, b] = shardCsv(readFileSync('fixtures/binary.csv', 'utf8'), 2, 'mismatch')
    json(['report', a, '--state-out', file('mismatch-a.state.json'), '--json'])
    json(['report', b, '--gammas', '0,2', '--state-out', file('mismatch-b.state.json'), '--json'])
    json(['report', b, '--eps', '1e-6', '--state-out', file('mismatch-c.state.json'), '--json'])
    const gammas = runCli(['merge', file('mismatch-a.state.json'), file('mismatch-b.state.json')])
    assert.equal(gammas.status, 2)
    assert.equal(gammas.stdout, '')
    assert.equal(
      gammas.stderr,
      `focalscope: error: ${file('mismatch-b.state.json')}: expected the settings of ${file('mismatch-a.state.json')}, got different ones: gammas [0,0.5,1,2,5] vs [0,2]\n`,
    )
    const eps = runCli(['merge', file('mismatch-a.state.json'), file('mismatch-c.state.json'), '--json'])
    assert.equal(eps.status, 2)
    assert.match(
      eps.stderr,
      /^focalscope: error: .*mismatch-c\.state\.json: .*got different ones: eps 1e-7 vs 0\.000001\n$/,
    )
    const other = runCli([
      'gate',
      '--from-state',
      file('mismatch-c.state.json'),
      file('mismatch-a.state.json'),
      '--assert',
      'input.rows > 0',
    ])
    assert.equal(other.status, 2)
    assert.match(other.stderr, /^focalscope: error: .*mismatch-a\.state\.json: .*eps 0\.000001 vs 1e-7\n$/)
  })

  it('reads state files strictly: not JSON, another kind, a changed setting or a wrong length is one line, exit 2', () => {
    const [a] = shardCsv(readFileSync('fixtures/binary.csv', 'utf8'), 1, 'strict')
    const good = file('strict.state.json')
    json(['report', a, '--state-out', good, '--json'])
    const state = JSON.parse(readFileSync(good, 'utf8')) as Record<string, Record<string, unknown>>
    const cases: [string, (s: typeof state) => unknown, RegExp][] = [
      [
        'not-json',
        () => '{"kind": ',
        /expected a focalscope state file \(JSON, from report --state-out\), got text that is not JSON/,
      ],
      [
        'report',
        () => ({schemaVersion: 1}),
        /expected a focalscope state file \(kind "focalscope-partial-state"\), got kind \(none\)/,
      ],
      ['version', (s) => ({...s, version: 99}), /expected a partial state of version 1, got 99/],
      [
        'edited',
        (s) => ({...s, settings: {...s.settings, eps: 1e-6}}),
        /fingerprint: expected sha256:[0-9a-f]{32} \(the digest of the settings\), got "sha256:[0-9a-f]{32}": the file was changed by hand/,
      ],
      [
        'unknown',
        (s) => ({...s, settings: {...s.settings, extra: 1}}),
        /settings\.extra: not a setting this version of focalscope knows/,
      ],
      [
        'gamma',
        (s) => ({...s, settings: {...s.settings, gammas: [0, -1]}}),
        /settings\.gammas\[1\]: expected a number from 0 to 100/,
      ],
      [
        'length',
        (s) => ({...s, breakdown: {...s.breakdown, count: [1, 2]}}),
        /breakdown\.count: expected 4 numbers, got 2/,
      ],
      [
        'files',
        (s) => ({...s, input: {...s.input, files: [{path: 1}]}}),
        /input\.files\[0\]: expected \{path, order, rows\}/,
      ],
      ['nan', (s) => ({...s, input: {...s.input, rows: 'many'}}), /input\.rows: expected a finite number/],
    ]
    for (const [name, change, message] of cases) {
      const bad = file(`strict-${name}.state.json`)
      const value = change(state)
      writeFileSync(bad, typeof value === 'string' ? value : JSON.stringify(value))
      const result = runCli(['merge', good, bad])
      assert.equal(result.status, 2, name)
      assert.equal(result.stderr.split('\n').length, 2, `${name}: one line: ${result.stderr}`)
      assert.ok(result.stderr.startsWith(`focalscope: error: ${bad}: `), `${name}: names the file: ${result.stderr}`)
      assert.match(result.stderr, message, name)
    }
  })

  it('--state-out is written atomically and never onto an input', () => {
    const [a] = shardCsv(readFileSync('fixtures/binary.csv', 'utf8'), 1, 'atomic')
    const onInput = runCli(['report', a, '--state-out', a])
    assert.equal(onInput.status, 2)
    assert.match(
      onInput.stderr,
      /--state-out .*: expected an output that is not an input, got the same file as the prediction file/,
    )
    const state = file('atomic.state.json', 'old state')
    const bad = file('atomic-bad.csv', 'label,logit\n0,0.5\n1,abc\n')
    assert.equal(runCli(['report', bad, '--state-out', state]).status, 2)
    assert.equal(readFileSync(state, 'utf8'), 'old state')
    const merged = file('atomic-merged.json')
    json(['report', a, '--state-out', merged, '--json'])
    const ontoState = runCli(['merge', merged, '--state-out', merged])
    assert.equal(ontoState.status, 2)
    assert.match(ontoState.stderr, /expected an output that is not an input, got the same file as the state file/)
  })

  it('gate --from-state gates the merged report, and refuses input flags beside it', () => {
    const shards = shardCsv(readFileSync('examples/predictions.csv', 'utf8'), 2, 'gate')
    const states = shards.map((s) => {
      json(['report', s, '--state-out', s.replace(/\.csv$/, '.state.json'), '--json'])
      return s.replace(/\.csv$/, '.state.json')
    })
    const pass = runCli(['gate', '--from-state', ...states, '--assert', 'classes[*].ce.share <= 0.5'])
    assert.equal(pass.status, 0, pass.stderr)
    const fail = runCli(['gate', '--from-state', ...states, '--assert', 'classes[*].ce.share <= 0.2', '--json'])
    assert.equal(fail.status, 1)
    const whole = runCli(['gate', ...shards, '--assert', 'classes[*].ce.share <= 0.2', '--json'])
    assert.equal(whole.status, 1)
    const reportOf = (stdout: string): unknown => (JSON.parse(stdout) as {report: unknown}).report
    assertSameReport(reportOf(fail.stdout), reportOf(whole.stdout), 1e-12)
    const flag = runCli(['gate', '--from-state', states[0], '--gammas', '0,2', '--assert', 'input.rows > 0'])
    assert.equal(flag.status, 2)
    assert.match(flag.stderr, /--gammas: expected with prediction files, got it with --from-state/)
  })
})
