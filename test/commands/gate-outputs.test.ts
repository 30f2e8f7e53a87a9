import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {closeSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {type CliResult, runCli} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const BIN = fileURLToPath(new URL('../../bin/run.cjs', import.meta.url))
const CSV = 'label,logit\n0,-3\n0,-2\n0,0.5\n1,3\n1,2.5\n1,-0.5\n'
const RULE = ['-a', 'input.rows > 0']

/** `gate …` with the CI variables of the machine running the tests cleared (or set by the test). */
function gate(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  return runCli(['gate', ...args], {GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined, ...env})
}

let dirs = 0
/** A fresh directory holding `files` (name → content). */
function directory(files: Record<string, string>): string {
  const dir = file(`dir-${dirs++}`)
  mkdirSync(dir)
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

/** The directory's files and their contents (a folder as "<folder>"): what a run left behind. */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, {withFileTypes: true})
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((entry) => [entry.name, entry.isDirectory() ? '<folder>' : readFileSync(join(dir, entry.name), 'utf8')]),
  )
}

function refusedWith(run: CliResult, expected: string | RegExp): void {
  assert.equal(run.status, 2, run.stderr)
  assert.equal(run.stdout, '')
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr)
  if (typeof expected === 'string') assert.equal(run.stderr, `focalscope: error: ${expected}\n`)
  else assert.match(run.stderr.trim(), expected)
}

const report = (() => {
  const run = runCli(['report', file('for-report.csv', CSV), '--json'])
  assert.equal(run.status, 0, run.stderr)
  return run.stdout
})()
const GATES = '{"rules": [{"assert": "input.rows > 0"}]}\n'

describe('focalscope gate: an output onto an input is refused before anything is read or written', () => {
  // Each input a gate reads, as the arguments that name `path` as that input.
  const inputs: [what: string, content: string, args: (path: string) => string[]][] = [
    ['the prediction file', CSV, (path) => [path, ...RULE]],
    ['--from-report', report, (path) => ['--from-report', path, ...RULE]],
    [
      '--baseline',
      report,
      (path) => [file('base-run.csv', CSV), '--baseline', path, '-a', 'delta(totals.ce.sum) <= 0'],
    ],
    ['--config', GATES, (path) => [file('config-run.csv', CSV), '--config', path]],
  ]
  const outputs: [what: string, args: (path: string) => string[], env: (path: string) => NodeJS.ProcessEnv][] = [
    ['--report', (path) => ['--report', path], () => ({})],
    ['--junit', (path) => ['--junit', path], () => ({})],
    ['$GITHUB_STEP_SUMMARY', () => [], (path) => ({GITHUB_STEP_SUMMARY: path})],
  ]
  for (const [input, content, inputArgs] of inputs) {
    for (const [output, outputArgs, env] of outputs) {
      it(`${output} onto ${input}: exit 2, the input untouched`, () => {
        const dir = directory({'in.file': content})
        const path = join(dir, 'in.file')
        const run = gate([...inputArgs(path), ...outputArgs(path)], env(path))
        refusedWith(
          run,
          `${output} ${path}: expected an output that is not an input, got the same file as ${input} ${path} (writing it would destroy the input)`,
        )
        assert.deepEqual(contents(dir), {'in.file': content})
      })
    }
  }

  it('through a symbolic link, a hard link, another spelling of the path, or standard input', () => {
    const dir = directory({'in.csv': CSV})
    const input = join(dir, 'in.csv')
    symlinkSync(input, join(dir, 'symlink.csv'))
    linkSync(input, join(dir, 'hardlink.csv'))
    for (const output of [
      join(dir, 'symlink.csv'),
      join(dir, 'hardlink.csv'),
      join(dir, '..', basename(dir), '.', 'in.csv'),
    ]) {
      refusedWith(
        gate([input, ...RULE, '--report', output]),
        /expected an output that is not an input, got the same file as the prediction file /,
      )
    }
    // `gate - < in.csv`: standard input is the file itself.
    const stdin = openSync(input, 'r')
    const run = spawnSync(process.execPath, [BIN, 'gate', '-', ...RULE, '--junit', input], {
      stdio: [stdin, 'pipe', 'pipe'],
      encoding: 'utf8',
      env: {...process.env, GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined},
    })
    closeSync(stdin)
    refusedWith(
      {status: run.status, stdout: run.stdout, stderr: run.stderr},
      `--junit ${input}: expected an output that is not an input, got the same file as standard input (writing it would destroy the input)`,
    )
    assert.equal(readFileSync(input, 'utf8'), CSV)
  })

  it('is found before the input is read: a malformed config is not what the error names', () => {
    const dir = directory({'gates.json': '{"rules": ['})
    const config = join(dir, 'gates.json')
    refusedWith(
      gate([file('malformed-run.csv', CSV), '--config', config, '--report', config]),
      `--report ${config}: expected an output that is not an input, got the same file as --config ${config} (writing it would destroy the input)`,
    )
    assert.deepEqual(contents(dir), {'gates.json': '{"rules": ['})
  })

  it('refuses one file named by two outputs, new or old, however it is spelled', () => {
    const input = file('twice.csv', CSV)
    const dir = directory({})
    const out = join(dir, 'out')
    refusedWith(
      gate([input, ...RULE, '--report', out, '--junit', join(dir, '.', 'out')]),
      `--junit ${join(dir, '.', 'out')}: expected each output in a file of its own, got the same file as --report ${out}`,
    )
    refusedWith(
      gate([input, ...RULE, '--junit', out], {GITHUB_STEP_SUMMARY: out}),
      `$GITHUB_STEP_SUMMARY ${out}: expected each output in a file of its own, got the same file as --junit ${out}`,
    )
    assert.deepEqual(contents(dir), {})
  })
})

describe('focalscope gate: writes every output or none', () => {
  const input = file('all-or-none.csv', CSV)
  const failures: [what: string, args: (dir: string) => string[], env: (dir: string) => NodeJS.ProcessEnv, RegExp][] = [
    [
      '--junit in a directory that does not exist',
      (dir) => ['--junit', join(dir, 'missing', 'gate.xml')],
      () => ({}),
      /missing\/gate\.xml: expected a writable path for --junit, got ENOENT \(its directory does not exist\)$/,
    ],
    [
      '--junit naming a directory',
      (dir) => ['--junit', join(dir, 'sub')],
      () => ({}),
      /sub: expected a writable path for --junit, got EISDIR \(it is a directory\)$/,
    ],
    [
      '$GITHUB_STEP_SUMMARY in a directory that does not exist',
      (dir) => ['--junit', join(dir, 'gate.xml')],
      (dir) => ({GITHUB_STEP_SUMMARY: join(dir, 'missing', 'summary.md')}),
      /summary\.md: expected a writable path for \$GITHUB_STEP_SUMMARY, got ENOENT/,
    ],
  ]
  for (const [what, args, env, expected] of failures) {
    it(`${what}: exit 2, and --report is not written either`, () => {
      for (const previous of [undefined, 'previous report']) {
        const dir = directory(previous === undefined ? {} : {'report.json': previous})
        mkdirSync(join(dir, 'sub'))
        const before = contents(dir)
        refusedWith(gate([input, ...RULE, '--report', join(dir, 'report.json'), ...args(dir)], env(dir)), expected)
        assert.deepEqual(contents(dir), before)
      }
    })
  }

  it('writes them all when all can be written', () => {
    const dir = directory({'summary.md': '## earlier\n'})
    const run = gate([input, ...RULE, '--report', join(dir, 'report.json'), '--junit', join(dir, 'gate.xml')], {
      GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    })
    assert.equal(run.status, 0, run.stderr)
    const written = contents(dir)
    assert.deepEqual(Object.keys(written), ['gate.xml', 'report.json', 'summary.md'])
    assert.match(written['gate.xml'], /^<\?xml/)
    assert.equal(JSON.parse(written['report.json']).input.rows, 6)
    assert.match(written['summary.md'], /^## earlier\n### ✅ focalscope gate passed/)
  })
})

describe('focalscope gate: Ctrl-C at any point of writing the outputs leaves no temp file', () => {
  const saved = file('saved.json', report)

  /**
   * Runs a gate that writes --report and --junit over previous files, paused by the test hook at `point`
   * (src/cli/atomic-write.ts: it prints a line and waits for ever), interrupts it when that line arrives,
   * and returns the exit code and what the directory holds.
   */
  async function interruptAt(point: string): Promise<{code: number | null; left: Record<string, string>}> {
    const dir = directory({'report.json': 'previous report', 'gate.xml': 'previous junit'})
    const child = spawn(
      process.execPath,
      [
        BIN,
        'gate',
        '--from-report',
        saved,
        ...RULE,
        '--report',
        join(dir, 'report.json'),
        '--junit',
        join(dir, 'gate.xml'),
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          ...process.env,
          GITHUB_ACTIONS: undefined,
          GITHUB_STEP_SUMMARY: undefined,
          FOCALSCOPE_TEST_PAUSE_WRITE: point,
        },
      },
    )
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    let stderr = ''
    await new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding('utf8')
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk
        if (stderr.includes(`focalscope: test: paused at ${point}\n`)) resolve()
      })
      child.once('exit', () => reject(new Error(`the gate ended before pausing at ${point}: ${stderr}`)))
    })
    child.kill('SIGINT')
    return {code: await exited, left: contents(dir)}
  }

  for (const point of ['before-open', 'after-open', 'writing', 'after-write']) {
    it(`at ${point}: exit 130, the previous files whole, no temp file`, async () => {
      const {code, left} = await interruptAt(point)
      assert.equal(code, 130)
      assert.deepEqual(left, {'gate.xml': 'previous junit', 'report.json': 'previous report'})
    })
  }

  it('after the renames: exit 130, both new files whole, no temp file', async () => {
    const {code, left} = await interruptAt('after-rename')
    assert.equal(code, 130)
    // What the same gate writes when left alone.
    const dir = directory({})
    const run = gate([
      '--from-report',
      saved,
      ...RULE,
      '--report',
      join(dir, 'report.json'),
      '--junit',
      join(dir, 'gate.xml'),
    ])
    assert.equal(run.status, 0, run.stderr)
    assert.deepEqual(left, contents(dir))
  })
})
