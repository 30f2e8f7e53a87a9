import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {cpSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {tempDir} from '../helpers/temp-files.js'

/**
 * Every command the README and docs/ show in a ```sh block runs as written, against files that ship
 * (examples/, fixtures/), and ends with the exit code the text gives it: `# exit 1` at the end of the line,
 * else 0. A line with an `# illustration` comment is not run (a command on files the reader has, not we). Each
 * document's commands run in order, in a temp folder holding copies of examples/ and fixtures/, so files
 * they write (report.json) are there for the next ones and never land in the repository.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = join(ROOT, 'bin', 'run.cjs')
const DOCUMENTS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .map((n) => `docs/${n}`),
]

interface DocCommand {
  line: number
  command: string
  exit: number
}

/** The runnable `focalscope …` lines of the ```sh blocks of `markdown` (continuation lines joined). */
function docCommands(markdown: string): DocCommand[] {
  const commands: DocCommand[] = []
  let inSh = false
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim()
    if (trimmed.startsWith('```')) {
      inSh = !inSh && /^```(sh|bash|shell)\s*$/.test(trimmed)
      continue
    }
    if (!inSh) continue
    const start = i
    let text = trimmed
    while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i].trim()}`
    if (!/^focalscope /.test(text) || /#\s*illustration\b/.test(text)) continue
    const exit = /#\s*exit (\d+)\s*$/.exec(text)
    commands.push({line: start + 1, command: text, exit: exit ? Number(exit[1]) : 0})
  }
  return commands
}

/** The environment of a documented run: no CI variables, colour or width from the machine running the tests. */
const ENV = {
  ...process.env,
  GITHUB_ACTIONS: '',
  GITHUB_STEP_SUMMARY: '',
  NO_COLOR: '',
  FORCE_COLOR: '',
  COLUMNS: '',
  FOCALSCOPE_TEST_PAUSE_WRITE: '',
}

function runInCopy(cwd: string, command: string): {status: number | null; stdout: string; stderr: string} {
  // The shell does what a reader's shell would (quotes, redirections); `focalscope` is the built CLI.
  const shell = command.replace(/^focalscope /, `"${process.execPath}" "${BIN}" `)
  const result = spawnSync('sh', ['-c', shell], {cwd, env: ENV, encoding: 'utf8'})
  return {status: result.status, stdout: result.stdout, stderr: result.stderr}
}

describe('documented commands run as written', () => {
  it('finds commands in the README and docs/, with exit codes and illustrations told apart', () => {
    const sample = [
      '```sh',
      'focalscope report a.csv \\',
      '  --gammas 0,2',
      'focalscope gate a.csv --assert x   # exit 1',
      'focalscope report mine.csv   # illustration: your own file',
      'npm ci',
      '```',
      '```',
      'focalscope report not-sh.csv',
      '```',
    ].join('\n')
    assert.deepEqual(docCommands(sample), [
      {line: 2, command: 'focalscope report a.csv  --gammas 0,2', exit: 0},
      {line: 4, command: 'focalscope gate a.csv --assert x   # exit 1', exit: 1},
    ])
    const total = DOCUMENTS.reduce((n, doc) => n + docCommands(readFileSync(join(ROOT, doc), 'utf8')).length, 0)
    assert.ok(total >= 15, `only ${total} documented commands found`)
  })

  for (const doc of DOCUMENTS) {
    const commands = docCommands(readFileSync(join(ROOT, doc), 'utf8'))
    if (commands.length === 0) continue
    it(`${doc}: each of its ${commands.length} commands exits as documented`, () => {
      const cwd = tempDir()('docs')
      for (const dir of ['examples', 'fixtures']) cpSync(join(ROOT, dir), join(cwd, dir), {recursive: true})
      for (const {line, command, exit} of commands) {
        const result = runInCopy(cwd, command)
        assert.equal(result.status, exit, `${doc}:${line}: ${command}\n${result.stderr}`)
        assert.doesNotMatch(result.stderr, /internal error/, `${doc}:${line}`)
      }
    })
  }
})

describe('examples/ci/github-workflow.yml', () => {
  /** The `node bin/run.cjs …` commands of the workflow's run steps (folded `>-` blocks joined). */
  function workflowCommands(): string[] {
    const lines = readFileSync(join(ROOT, 'examples', 'ci', 'github-workflow.yml'), 'utf8').split('\n')
    const commands: string[] = []
    for (let i = 0; i < lines.length; i++) {
      const match = /^\s*(?:- )?run: (?:>-|\|)?\s*(.*)$/.exec(lines[i])
      if (!match) continue
      const parts = match[1] === '' ? [] : [match[1]]
      const key = lines[i].indexOf('run:')
      while (i + 1 < lines.length && /^\s*\S/.test(lines[i + 1]) && lines[i + 1].search(/\S/) > key) {
        parts.push(lines[++i].trim())
      }
      commands.push(
        ...parts
          .join(' ')
          .split(/\s*&&\s*/)
          .filter((c) => c.startsWith('node bin/run.cjs ')),
      )
    }
    return commands
  }

  it('runs focalscope from the checked-out repository, never an unpublished package name', () => {
    const steps = readFileSync(join(ROOT, 'examples', 'ci', 'github-workflow.yml'), 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n')
    assert.doesNotMatch(steps, /npx (--yes )?focalscope|npm exec focalscope/)
    assert.ok(workflowCommands().length >= 2)
  })

  it('has gate steps that pass on the example predictions, with and without a baseline', () => {
    const cwd = tempDir()('workflow')
    for (const dir of ['examples', 'fixtures']) cpSync(join(ROOT, dir), join(cwd, dir), {recursive: true})
    for (const command of workflowCommands()) {
      const result = runInCopy(cwd, command.replace(/^node bin\/run\.cjs /, 'focalscope '))
      assert.equal(result.status, 0, `${command}\n${result.stderr}`)
    }
  })
})

describe("every command's help examples run as written", () => {
  const COMMANDS = ['compare', 'completion', 'gate', 'help', 'merge', 'report', 'sql', 'version']

  /** The `$ …` commands of a help text's EXAMPLES, continuation lines joined. */
  function helpExamples(help: string): string[] {
    const examples = help.split(/^EXAMPLES$/m)[1]?.split(/^[A-Z][A-Z ]+$/m)[0] ?? ''
    return [...examples.replace(/ \\\n\s+/g, ' ').matchAll(/^ {4}\$ (.*)$/gm)].map((m) => m[1])
  }

  for (const command of COMMANDS) {
    it(`${command}: each example exits 0 (in a copy of examples/ and fixtures/, with a focalscope.gates.json)`, () => {
      const help = spawnSync(process.execPath, [BIN, command, '--help'], {
        env: {...ENV, COLUMNS: '200'},
        encoding: 'utf8',
      })
      const examples = helpExamples(help.stdout)
      assert.ok(examples.length >= 2, `${command}: ${examples.length} examples`)
      const cwd = tempDir()('help')
      for (const dir of ['examples', 'fixtures']) cpSync(join(ROOT, dir), join(cwd, dir), {recursive: true})
      cpSync(join(ROOT, 'examples', 'ci', 'focalscope.gates.json'), join(cwd, 'focalscope.gates.json'))
      for (const example of examples) {
        // zsh and fish are not installed here; their scripts are checked in conventions.test.ts.
        if (/completion (zsh|fish)/.test(example)) continue
        const shell = example.replaceAll(/(^|\| |\$\()focalscope /g, `$1"${process.execPath}" "${BIN}" `)
        const result = spawnSync('bash', ['-c', `set -o pipefail; ${shell}`], {cwd, env: ENV, encoding: 'utf8'})
        assert.equal(result.status, 0, `${command}: ${example}\n${result.stderr}`)
      }
    })
  }
})
