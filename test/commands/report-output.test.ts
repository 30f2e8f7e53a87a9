import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {dirname} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {runCli} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const EXAMPLE = fileURLToPath(new URL('../../examples/predictions.csv', import.meta.url))
const ESC = '\u001b['
const temp = tempDir()

/** `classes` classes, `rows` rows of seeded logits: class c drawn with weight 1 / (c + 1). */
function manyClasses(classes: number, rows: number): string {
  let seed = 7
  const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32
  const lines = [['label', ...Array.from({length: classes}, (_, c) => `logit_${c}`)].join(',')]
  for (let r = 0; r < rows; r++) {
    const label = Math.min(classes - 1, Math.floor(classes * random() ** 2))
    const logits = Array.from({length: classes}, (_, c) =>
      (c === label ? 2 + 3 * random() : 4 * random() - 2).toFixed(2),
    )
    lines.push([label, ...logits].join(','))
  }
  return `${lines.join('\n')}\n`
}

describe('report -o/--output FILE', () => {
  it('writes the JSON report that --json prints while the terminal shows the tables', () => {
    const out = temp('report.json')
    const result = runCli(['report', EXAMPLE, '-o', out])
    assert.equal(result.status, 0, result.stderr)
    assert.match(result.stdout, /^focalscope report — /)
    const json = runCli(['report', EXAMPLE, '--json'])
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), JSON.parse(json.stdout))
    assert.equal(readFileSync(out, 'utf8'), json.stdout)
    // --output is the same flag.
    const long = temp('long.json')
    assert.equal(runCli(['report', EXAMPLE, '--output', long, '--json']).status, 0)
    assert.equal(readFileSync(long, 'utf8'), json.stdout)
  })

  it('leaves no file, and an old one whole, when the run fails; no temp file either', () => {
    const bad = temp('bad.csv', 'label,logit\n1,0.5\n0,abc\n')
    const fresh = temp('fresh.json')
    const failed = runCli(['report', bad, '-o', fresh])
    assert.equal(failed.status, 2)
    assert.equal(failed.stdout, '')
    assert.equal(existsSync(fresh), false)
    const old = temp('old.json', '{"old": true}\n')
    assert.equal(runCli(['report', bad, '-o', old]).status, 2)
    assert.equal(readFileSync(old, 'utf8'), '{"old": true}\n')
    assert.deepEqual(
      readdirSync(dirname(old)).filter((n) => n.endsWith('.tmp')),
      [],
    )
  })

  it('refuses an output that is an input, or a directory that does not exist, exit 2 with one line', () => {
    const input = temp('input.csv', readFileSync(EXAMPLE))
    const before = readFileSync(input)
    const same = runCli(['report', input, '-o', input])
    assert.equal(same.status, 2)
    assert.match(same.stderr, /^focalscope: error: --output .*input\.csv: expected an output that is not an input/)
    assert.ok(readFileSync(input).equals(before))
    const both = runCli(['report', EXAMPLE, '-o', temp('x.html'), '--html', temp('x.html')])
    assert.equal(both.status, 2)
    assert.match(both.stderr, /expected each output in a file of its own/)
    const nowhere = runCli(['report', EXAMPLE, '-o', temp('missing/report.json')])
    assert.equal(nowhere.status, 2)
    assert.equal(nowhere.stderr.split('\n').length, 2)
    assert.match(nowhere.stderr, /report\.json: expected a writable path for --output, got ENOENT/)
  })
})

describe('report --input-format (formerly --format)', () => {
  it('reads with --input-format, and with --format after a one-line deprecation warning', () => {
    const json = runCli(['report', EXAMPLE, '--json']).stdout
    const named = runCli(['report', EXAMPLE, '--input-format', 'csv', '--json'])
    assert.equal(named.status, 0)
    assert.equal(named.stderr, '')
    assert.equal(named.stdout, json)
    for (const args of [['--format', 'csv'], ['--format=csv']]) {
      const old = runCli(['report', EXAMPLE, ...args, '--json'])
      assert.equal(old.status, 0)
      assert.equal(old.stdout, json)
      assert.match(old.stderr, /^focalscope: warning: --format is deprecated .* use --input-format .*\n$/)
    }
  })

  it('--input-format parquet reads a CSV file as Parquet, and says it is not one: exit 2', () => {
    const result = runCli(['report', EXAMPLE, '--input-format', 'parquet'])
    assert.equal(result.status, 2)
    assert.equal(
      result.stderr,
      `focalscope: error: ${EXAMPLE}: expected a Parquet file (it starts with "PAR1"), got text (a CSV file? pass --input-format csv)\n`,
    )
  })
})

describe('report: colour, width, classes and sections', () => {
  it('makes one colour decision for headings and borders: --color, --no-color, NO_COLOR, FORCE_COLOR=0', () => {
    const forced = runCli(['report', EXAMPLE, '--color']).stdout
    assert.ok(forced.includes(`${ESC}1mInput`), 'bold heading')
    assert.ok(forced.includes(`${ESC}90m┌`), 'grey border')
    assert.ok(!runCli(['report', EXAMPLE, '--no-color'], {FORCE_COLOR: '1'}).stdout.includes(ESC))
    assert.ok(runCli(['report', EXAMPLE], {FORCE_COLOR: '1'}).stdout.includes(ESC))
    assert.ok(!runCli(['report', EXAMPLE], {FORCE_COLOR: '0'}).stdout.includes(ESC))
    assert.ok(runCli(['report', EXAMPLE, '--color'], {NO_COLOR: '1'}).stdout.includes(ESC), '--color wins')
  })

  it('fits the tables to COLUMNS, 80 when not a terminal', () => {
    const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l].length))
    const file = temp('many.csv', manyClasses(12, 400))
    assert.ok(widest(runCli(['report', file, '--gammas', '0,0.5,1,2,3,5']).stdout) <= 80)
    assert.ok(widest(runCli(['report', file, '--gammas', '0,0.5,1,2,3,5'], {COLUMNS: '60'}).stdout) <= 60)
    assert.ok(widest(runCli(['report', file, '--gammas', '0,0.5,1,2,3,5'], {COLUMNS: '150'}).stdout) > 80)
  })

  it('shows 30 classes by default, the largest CE share first, and says how many more; --json keeps all', () => {
    const file = temp('hundred.csv', manyClasses(100, 1500))
    const json = JSON.parse(runCli(['report', file, '--json']).stdout) as {
      classes: {class: string; ce: {share: number}}[]
    }
    assert.equal(json.classes.length, 100)
    const text = runCli(['report', file, '--sections', 'classes']).stdout
    const rows = [...text.matchAll(/^│ (\d+)(?: ▲)? +│/gm)].map((m) => m[1])
    const top = [...json.classes].sort((a, b) => b.ce.share - a.ce.share).slice(0, 30)
    assert.deepEqual(
      rows,
      top.map((c) => c.class),
    )
    assert.match(text, /^… 70 more classes \(/m)
    const five = runCli(['report', file, '--sections', 'classes', '--max-classes', '5']).stdout
    assert.equal([...five.matchAll(/^│ \d+/gm)].length, 5)
    assert.match(five, /^… 95 more classes/m)
    const all = runCli(['report', file, '--sections', 'classes', '--max-classes', '0']).stdout
    assert.equal([...all.matchAll(/^│ \d+/gm)].length, 100)
    assert.doesNotMatch(all, /more classes/)
  })

  it('prints only the sections asked for, and refuses an unknown one naming the valid ones', () => {
    const text = runCli(['report', EXAMPLE, '--sections', 'sweep']).stdout
    assert.match(text, /γ sweep/)
    assert.doesNotMatch(text, /Input|Per class|Easy \/ hard/)
    const bad = runCli(['report', EXAMPLE, '--sections', 'sweep,clases'])
    assert.equal(bad.status, 2)
    assert.equal(
      bad.stderr,
      'focalscope: error: --sections: expected names from input, sweep, classes, split, concentration, grid, hardest, charts, comma-separated, got "clases"\n',
    )
  })
})
