import assert from 'node:assert/strict'
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import Gate from '../../src/commands/gate.js'
import type {Report} from '../../src/report/types.js'
import type {GateResult} from '../../src/gates/gate-result.js'
import {type CliResult, runCli, startCli} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'
import {findAll, parseXml} from '../renderers/parse-xml.js'

const file = tempDir()
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const EXAMPLE_GATES = join(ROOT, 'examples/ci/focalscope.gates.json')
const EXAMPLE_BASELINE_GATES = join(ROOT, 'examples/ci/focalscope.gates.baseline.json')

/** `gate …` with the CI variables of the machine running the tests cleared (or set by the test). */
function gate(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  return runCli(['gate', ...args], {GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined, ...env})
}

function gateJson(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): {status: number | null; result: GateResult; stderr: string} {
  const run = gate([...args, '--json'], env)
  return {status: run.status, result: JSON.parse(run.stdout) as GateResult, stderr: run.stderr}
}

/**
 * Binary predictions: class 1 rows are confidently right in `good.csv` and barely right in `worse.csv`,
 * so class 1's share of the CE (and the focal loss) grows from good to worse.
 */
const GOOD = 'label,logit\n0,-3\n0,-2\n0,0.5\n1,3\n1,2.5\n1,-0.5\n'
const WORSE = 'label,logit\n0,-3\n0,-2\n0,0.5\n1,0.2\n1,0.1\n1,-0.5\n'
const ISSUE_EXAMPLES = [
  'classes[*].ce.share <= 0.5',
  'sweep[gamma=2].hardShare >= 0.6',
  'split.easy.ceShare <= 0.8',
  'input.skippedRows == 0',
]

function reportOf(csv: string, name: string): {csvPath: string; reportPath: string; report: Report} {
  const csvPath = file(`${name}.csv`, csv)
  const run = runCli(['report', csvPath, '--json'])
  assert.equal(run.status, 0, run.stderr)
  const reportPath = file(`${name}.json`, run.stdout)
  return {csvPath, reportPath, report: JSON.parse(run.stdout) as Report}
}

const good = reportOf(GOOD, 'good')
const worse = reportOf(WORSE, 'worse')

describe('focalscope gate: exit 0 and 1', () => {
  it('exits 0 when every rule passes, printing each rule and the verdict', () => {
    const run = gate([good.csvPath, '--assert', 'input.skippedRows == 0', '--assert', 'classes[*].ce.share <= 1'])
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stderr, '')
    assert.match(run.stdout, /^focalscope gate — .*good\.csv · 6 rows\n/)
    assert.match(run.stdout, /\nPASS {2}input\.skippedRows == 0\n {6}input\.skippedRows is 0 == 0\n/)
    assert.match(run.stdout, /\nGate passed: 2 passed\n$/)
    assert.doesNotMatch(run.stdout, /γ sweep/)
  })

  it('exits 1 when an error rule fails, showing the report, then which elements failed', () => {
    const run = gate([good.csvPath, '--assert', 'classes[*].ce.share <= 0.01'])
    assert.equal(run.status, 1, run.stderr)
    assert.equal(run.stderr, '')
    assert.match(run.stdout, /^focalscope report — /)
    assert.match(run.stdout, /γ sweep/)
    assert.match(
      run.stdout,
      /FAIL {2}classes\[\*\]\.ce\.share <= 0\.01\n {6}2 of 2 fail:\n {8}classes\[class=0\]\.ce\.share is /,
    )
    assert.match(run.stdout, /\nGate failed: 1 failed\n$/)
  })

  it('exits 0 when only a warn rule fails', () => {
    const config = file('warn.json', JSON.stringify({rules: [{assert: 'input.rows > 100', severity: 'warn'}]}))
    const run = gate([good.csvPath, '--config', config])
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /WARN {2}input\.rows > 100\n {6}input\.rows is 6, expected > 100\n/)
    assert.match(run.stdout, /Gate passed: 1 warning\n$/)
  })

  it('--json prints one object with the rule results and the report, with exit 0 or 1 as without', () => {
    const passed = gateJson([good.csvPath, '--assert', 'input.rows == 6'])
    assert.equal(passed.status, 0)
    assert.equal(passed.stderr, '')
    assert.equal(passed.result.passed, true)
    assert.deepEqual(passed.result.report, good.report)
    const failed = gateJson([good.csvPath, '--assert', 'input.rows == 7', '--assert', 'input.rows == 6'])
    assert.equal(failed.status, 1)
    assert.equal(failed.result.passed, false)
    assert.deepEqual(failed.result.summary, {rules: 2, passed: 1, failed: 1, warned: 0})
    assert.deepEqual(failed.result.rules[0].checks[0], {
      passed: false,
      left: {expression: 'input.rows', value: 6},
      op: '==',
      right: {expression: '7', value: 7},
      message: 'input.rows is 6, expected == 7',
    })
  })

  it('takes the examples of issue 5 exactly as written, as --assert values and in a config file', () => {
    const byFlags = gateJson([good.csvPath, ...ISSUE_EXAMPLES.flatMap((rule) => ['--assert', rule])])
    assert.deepEqual(
      byFlags.result.rules.map((r) => r.assert),
      ISSUE_EXAMPLES,
    )
    const config = file('issue.json', JSON.stringify({rules: ISSUE_EXAMPLES.map((assert) => ({assert}))}))
    const byConfig = gateJson([good.csvPath, '--config', config])
    assert.deepEqual(byConfig.result.rules, byFlags.result.rules)
    // Each figure is the report's own: the rules read the report, they do not recompute it.
    const sweep2 = good.report.sweep.find((s) => s.gamma === 2)
    assert.equal(byFlags.result.rules[1].checks[0].left.value, sweep2?.hardShare)
    assert.equal(byFlags.result.rules[2].checks[0].left.value, good.report.split.easy.ceShare)
    const baselineRules = ['delta(classes[*].ce.share) <= 0.05', 'relative(sweep[gamma=2].sum) <= 0.03']
    const withBaseline = gateJson([
      good.csvPath,
      '--baseline',
      good.reportPath,
      ...baselineRules.flatMap((r) => ['-a', r]),
    ])
    assert.equal(withBaseline.status, 0, withBaseline.stderr)
    assert.deepEqual(
      withBaseline.result.rules.map((r) => [r.assert, r.status]),
      baselineRules.map((r) => [r, 'pass']),
    )
  })

  it('reads --assert before or after the files', () => {
    const run = gate(['--assert', 'input.rows == 6', good.csvPath])
    assert.equal(run.status, 0, run.stderr)
  })

  it('gates a saved report with --from-report, the same as the predictions', () => {
    const fromFile = gateJson(['--from-report', good.reportPath, '--assert', 'classes[*].ce.share <= 0.9'])
    const fromCsv = gateJson([good.csvPath, '--assert', 'classes[*].ce.share <= 0.9'])
    assert.equal(fromFile.status, fromCsv.status)
    assert.deepEqual(fromFile.result, fromCsv.result)
  })

  it('runs the baseline example gates file of examples/ci against a baseline', () => {
    const same = gateJson([good.csvPath, '--config', EXAMPLE_BASELINE_GATES, '--baseline', good.reportPath])
    assert.equal(same.result.summary.rules, 5)
    assert.deepEqual(
      same.result.rules
        .filter((r) => r.assert.startsWith('delta') || r.assert.startsWith('relative'))
        .map((r) => r.status),
      ['pass', 'pass', 'pass'],
    )
    const regressed = gateJson([worse.csvPath, '--config', EXAMPLE_BASELINE_GATES, '--baseline', good.reportPath])
    assert.equal(regressed.status, 1)
    assert.equal(regressed.result.rules[2].assert, 'delta(classes[*].ce.share) <= 0.05')
    assert.equal(regressed.result.rules[2].status, 'fail')
  })

  it('runs the baseline-free example gates file without --baseline', () => {
    const run = gateJson([good.csvPath, '--config', EXAMPLE_GATES])
    assert.notEqual(run.status, 2)
    assert.equal(run.result.summary.rules, 4)
    assert.equal(run.result.baseline, null)
  })
})

describe('focalscope gate --baseline', () => {
  const rules = ['-a', 'delta(classes[*].ce.share) <= 0.05', '-a', 'relative(sweep[gamma=2].sum) <= 0.03']

  it('fails a regression, naming the class and both figures', () => {
    const {status, result} = gateJson([worse.csvPath, '--baseline', good.reportPath, ...rules])
    assert.equal(status, 1)
    const [share, focal] = result.rules
    assert.equal(share.status, 'fail')
    const failed = share.checks.filter((c) => !c.passed)
    assert.deepEqual(
      failed.map((c) => c.left.expression),
      ['delta(classes[class=1].ce.share)'],
    )
    assert.equal(failed[0].left.baseline, good.report.classes[1].ce.share)
    assert.equal(failed[0].left.current, worse.report.classes[1].ce.share)
    assert.equal(focal.status, 'fail')
    assert.deepEqual(result.baseline, {source: good.reportPath, files: [good.csvPath]})
  })

  it('passes an improvement of the loss itself', () => {
    // Shares add up to 1: when class 1 improves, class 0's *share* grows though its rows did not change.
    // So the improvement is gated on sums: class 0's CE sum is the same, class 1's and the γ = 2 total fell.
    const sums = ['-a', 'delta(classes[*].ce.sum) <= 0', '-a', 'relative(sweep[gamma=2].sum) <= 0.03']
    const {status, result} = gateJson([good.csvPath, '--baseline', worse.reportPath, ...sums])
    assert.equal(status, 0)
    assert.deepEqual(
      result.rules[0].checks.map((c) => [c.left.expression, c.left.value === 0, (c.left.value as number) < 0]),
      [
        ['delta(classes[class=0].ce.sum)', true, false],
        ['delta(classes[class=1].ce.sum)', false, true],
      ],
    )
    assert.ok((result.rules[1].checks[0].left.value as number) < -0.03)
    const shares = gateJson([good.csvPath, '--baseline', worse.reportPath, ...rules])
    assert.equal(shares.status, 1)
    assert.equal(
      shares.result.rules[0].checks.find((c) => !c.passed)?.left.expression,
      'delta(classes[class=0].ce.share)',
    )
  })

  it('accepts a saved gate --json output as the baseline', () => {
    const saved = gate([good.csvPath, '--assert', 'input.rows > 0', '--json'])
    const baseline = file('gate-output.json', saved.stdout)
    const {status} = gateJson([worse.csvPath, '--baseline', baseline, ...rules])
    assert.equal(status, 1)
  })
})

describe('focalscope gate: output files', () => {
  it('--report saves what report --json prints; --junit writes JUnit XML that parses back', () => {
    const dir = file('outputs')
    mkdirSync(dir)
    const reportPath = join(dir, 'report.json')
    const junitPath = join(dir, 'gate.xml')
    const run = gate([
      worse.csvPath,
      '--report',
      reportPath,
      '--junit',
      junitPath,
      '--baseline',
      good.reportPath,
      '-a',
      'input.skippedRows == 0',
      '-a',
      'delta(classes[*].ce.share) <= 0.05',
    ])
    assert.equal(run.status, 1)
    assert.equal(readFileSync(reportPath, 'utf8'), readFileSync(worse.reportPath, 'utf8'))
    const root = parseXml(readFileSync(junitPath, 'utf8'))
    assert.equal(root.attributes.tests, '2')
    assert.equal(root.attributes.failures, '1')
    const cases = findAll(root, 'testcase')
    assert.deepEqual(
      cases.map((c) => [c.attributes.name, findAll(c, 'failure').length]),
      [
        ['input.skippedRows == 0', 0],
        ['delta(classes[*].ce.share) <= 0.05', 1],
      ],
    )
    assert.match(
      findAll(cases[1], 'failure')[0].attributes.message,
      /^1 of 2 fail: delta\(classes\[class=1\]\.ce\.share\) is \+/,
    )
    assert.deepEqual(readdirSync(dir).sort(), ['gate.xml', 'report.json'])
  })

  it('with GITHUB_ACTIONS=true prints annotations: on stdout, or on stderr with --json', () => {
    const args = [good.csvPath, '-a', 'input.rows > 100', '-a', 'input.rows > 0']
    const run = gate(args, {GITHUB_ACTIONS: 'true'})
    assert.equal(run.status, 1)
    assert.match(
      run.stdout,
      /^::error title=focalscope gate%3A input\.rows > 100::input\.rows is 6, expected > 100%0Arule: input\.rows > 100$/m,
    )
    assert.equal(run.stdout.match(/^::/gm)?.length, 1)
    const json = gate([...args, '--json'], {GITHUB_ACTIONS: 'true'})
    assert.equal(json.status, 1)
    assert.equal((JSON.parse(json.stdout) as GateResult).passed, false)
    assert.match(json.stderr, /^::error title=focalscope gate%3A input\.rows > 100::/)
    const off = gate(args)
    assert.doesNotMatch(off.stdout + off.stderr, /::error/)
  })

  it('appends a Markdown summary to $GITHUB_STEP_SUMMARY, keeping what is there', () => {
    const summary = file('summary.md', '## earlier step\n')
    const run = gate([good.csvPath, '-a', 'input.rows > 100'], {GITHUB_STEP_SUMMARY: summary})
    assert.equal(run.status, 1)
    const text = readFileSync(summary, 'utf8')
    assert.ok(text.startsWith('## earlier step\n### ❌ focalscope gate failed: 1 failed\n'), text)
    assert.ok(text.includes('| ❌ | `input.rows > 100` | input.rows is 6, expected > 100 |\n'), text)
  })
})

describe('focalscope gate: exit 2 with one line on stderr', () => {
  const config = (name: string, content: string): string => file(name, content)
  const cases: [string, () => string[], string | RegExp][] = [
    [
      'no rules',
      () => [good.csvPath],
      'focalscope: error: expected rules from --config FILE or --assert RULE, got neither (and no focalscope.gates.json or .focalscope/gates.json here or in a parent directory up to the repository root)',
    ],
    [
      'a bad --assert',
      () => [good.csvPath, '--assert', 'input.skippedRows = 0'],
      'focalscope: error: --assert "input.skippedRows = 0": column 19: expected a comparison (<, <=, >, >=, ==, !=), got "=" (write == for "equal")',
    ],
    [
      'a bad rule in the config',
      () => [
        good.csvPath,
        '--config',
        config('bad.json', '{"rules": [{"assert": "classes[*].ce.share <= 0.5", "severity": "fatal"}]}'),
      ],
      /focalscope: error: .*bad\.json: rules\[0\]\.severity: expected "error" or "warn", got "fatal"$/,
    ],
    [
      'a config that is not JSON',
      () => [good.csvPath, '--config', config('broken.json', '{"rules": [\n')],
      /broken\.json: expected valid JSON/,
    ],
    ['a missing config', () => [good.csvPath, '--config', file('nope.json')], /nope\.json: no such file$/],
    ['a missing predictions file', () => [file('missing.csv'), '-a', 'input.rows > 0'], /missing\.csv: no such file$/],
    [
      'a path that is not in the report',
      () => [good.csvPath, '-a', 'sweep[gamma=3].sum < 1'],
      'focalscope: error: --assert "sweep[gamma=3].sum < 1": column 7: expected a gamma of sweep (0, 0.5, 1, 2, 5), got 3',
    ],
    [
      // Found before the (missing) predictions file is opened: a typo does not cost reading the input.
      'a path whose first field no report has, before any prediction is read',
      () => [file('missing.csv'), '-a', 'ce.mean <= 1'],
      'focalscope: error: --assert "ce.mean <= 1": column 1: expected a field of the report (schemaVersion, input, config, totals, sweep, split, splitByTarget, classes, concentration, lossByPt, grid, accuracy, …), got "ce"',
    ],
    [
      'such a path inside delta(…), from a gates file',
      () => [
        file('missing.csv'),
        '--config',
        config('typo.json', '{"rules": [{"name": "t", "assert": "delta(clases[*].ce.share) <= 0.1"}]}'),
        '--baseline',
        good.reportPath,
      ],
      /typo\.json: rules\[0\]\.assert "delta\(clases\[\*\]\.ce\.share\) <= 0\.1": column 7: expected a field of the report \(.*\), got "clases"$/,
    ],
    [
      'delta without --baseline',
      () => [good.csvPath, '-a', 'delta(classes[*].ce.share) <= 0.05'],
      'focalscope: error: --assert "delta(classes[*].ce.share) <= 0.05": expected --baseline FILE for delta(…) and relative(…), got none',
    ],
    [
      'a baseline that is not a report',
      () => [good.csvPath, '-a', 'delta(totals.ce.sum) <= 0', '--baseline', config('notreport.json', '{"a": 1}')],
      /notreport\.json: expected a focalscope report \(the output of report --json\), got an object without "schemaVersion"$/,
    ],
    [
      'a baseline with another α',
      () => {
        const other = runCli(['report', good.csvPath, '--json', '--alpha', '0.25'])
        return [good.csvPath, '-a', 'delta(totals.ce.sum) <= 0', '--baseline', config('alpha.json', other.stdout)]
      },
      /alpha\.json: expected a baseline computed with --alpha none like this report, got --alpha 0\.25/,
    ],
    [
      'both files and --from-report',
      () => [good.csvPath, '--from-report', good.reportPath, '-a', 'input.rows > 0'],
      /expected prediction files or --from-report, got both/,
    ],
    [
      'neither files nor --from-report',
      () => ['-a', 'input.rows > 0'],
      'focalscope: error: expected prediction files, --from-report FILE or --from-state STATE…, got none',
    ],
    [
      'an input flag with --from-report',
      () => ['--from-report', good.reportPath, '--gammas', '0,2', '-a', 'input.rows > 0'],
      'focalscope: error: --gammas: expected with prediction files, got it with --from-report (a saved report keeps its settings)',
    ],
    [
      'a bad --gammas',
      () => [good.csvPath, '--gammas', '1,x', '-a', 'input.rows > 0'],
      /--gammas: expected a number, got "x"/,
    ],
    [
      'a --junit path in a missing directory',
      () => [good.csvPath, '-a', 'input.rows > 0', '--junit', join(file('nodir'), 'gate.xml')],
      /nodir\/gate\.xml: expected a writable path for --junit, got ENOENT \(its directory does not exist\)$/,
    ],
    [
      'an unknown flag',
      () => [good.csvPath, '--bogus'],
      /unknown flag --bogus; focalscope (report|gate) --help lists the flags/,
    ],
  ]
  for (const [what, args, expected] of cases) {
    it(`for ${what}, with and without --json`, () => {
      for (const json of [false, true]) {
        const run = gate([...args(), ...(json ? ['--json'] : [])])
        assert.equal(run.status, 2, run.stderr)
        assert.equal(run.stdout, '')
        assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr)
        if (typeof expected === 'string') assert.equal(run.stderr, `${expected}\n`)
        else assert.match(run.stderr.trim(), expected)
      }
    })
  }
})

describe('focalscope gate: interrupted runs (exit 130) leave no partial file', () => {
  /** 10-class logits, about `bytes` of them after the header. */
  function csvText(bytes: number): {header: string; rows: string} {
    let seed = 7
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
    let block = ''
    for (let i = 0; i < 1000; i++) {
      const label = Math.floor(random() * 10)
      block += `${label},${Array.from({length: 10}, () => (random() * 8 - 4).toFixed(6)).join(',')}\n`
    }
    const header = `label,${Array.from({length: 10}, (_, j) => `logit_${j}`).join(',')}\n`
    return {header, rows: block.repeat(Math.ceil(bytes / block.length))}
  }

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`${signal} during the run keeps the previous --report and --junit files whole`, async () => {
      const dir = file(`interrupted-${signal}`)
      mkdirSync(dir)
      const reportPath = join(dir, 'report.json')
      const junitPath = join(dir, 'gate.xml')
      writeFileSync(reportPath, 'previous report')
      writeFileSync(junitPath, 'previous junit')
      // The predictions come on stdin, which the test never closes: the run cannot end before the signal.
      const run = startCli(['gate', '-', '-a', 'input.rows > 0', '--report', reportPath, '--junit', junitPath], {
        env: {GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined},
        stdin: 'pipe',
      })
      const stdin = run.child.stdin
      assert.ok(stdin)
      // 4 MiB, many times what a pipe holds: once the write is done the CLI has read most of it, so it is
      // running (its signal handlers are in place) and waits for more.
      const {header, rows} = csvText(4 << 20)
      await new Promise<void>((resolve, reject) =>
        stdin.write(header + rows, (error) => (error ? reject(error) : resolve())),
      )
      run.child.kill(signal)
      const result = await run.exited
      stdin.destroy()
      if (signal === 'SIGINT') assert.deepEqual(result, {code: 130, signal: null}, run.stderr())
      else assert.equal(result.signal, 'SIGKILL')
      assert.equal(readFileSync(reportPath, 'utf8'), 'previous report')
      assert.equal(readFileSync(junitPath, 'utf8'), 'previous junit')
      assert.deepEqual(readdirSync(dirname(reportPath)).sort(), ['gate.xml', 'report.json'])
    })
  }
})

describe('examples/ci/github-workflow.yml', () => {
  it('runs focalscope gate with flags the command has, and the example gates files', () => {
    const workflow = readFileSync(join(ROOT, 'examples/ci/github-workflow.yml'), 'utf8')
    const commands = [...workflow.matchAll(/node bin\/run\.cjs gate[^\n]*(?:\n {10}--[^\n]*)*/g)].map((m) => m[0])
    assert.equal(commands.length, 2, 'two gate steps in the workflow')
    const flags = commands.map((command) =>
      [...command.slice(command.indexOf(' gate ')).matchAll(/--([a-z-]+)/g)].map((m) => m[1]),
    )
    assert.deepEqual(flags, [
      ['config', 'junit', 'report'],
      ['config', 'baseline', 'quiet'],
    ])
    for (const flag of flags.flat()) assert.ok(flag in Gate.flags, flag)
    assert.match(commands[0], /--config examples\/ci\/focalscope\.gates\.json/)
    assert.match(commands[1], /--config examples\/ci\/focalscope\.gates\.baseline\.json/)
  })
})
