import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {runCli} from '../helpers/run-cli.js'

const ESC = '\u001b['
const EXAMPLE = fileURLToPath(new URL('../../examples/predictions.csv', import.meta.url))
const COMMANDS = ['compare', 'completion', 'gate', 'help', 'merge', 'report', 'sql', 'version']
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string})
  .version

/** The lines of `text` longer than `width` characters (code points), colour codes removed. */
function longLines(text: string, width: number): string[] {
  // eslint-disable-next-line no-control-regex
  return text.split('\n').filter((line) => [...line.replaceAll(/\u001b\[[0-9;]*m/g, '')].length > width)
}

describe('focalscope help, -h and --help', () => {
  it('prints every command\'s help with -h, --help and "help COMMAND" alike, with usage, exit codes, environment and two examples', () => {
    for (const command of COMMANDS) {
      const long = runCli([command, '--help'])
      assert.equal(long.status, 0, `${command}: ${long.stderr}`)
      assert.equal(long.stderr, '')
      assert.equal(runCli([command, '-h']).stdout, long.stdout, command)
      assert.equal(runCli(['help', command]).stdout, long.stdout, command)
      for (const section of ['USAGE', 'EXIT CODES', 'ENVIRONMENT', 'EXAMPLES']) {
        assert.match(long.stdout, new RegExp(`^${section}$`, 'm'), `${command}: ${section}`)
      }
      assert.match(long.stdout, /^ {2}3 {4}internal error, a bug/m, command)
      assert.match(long.stdout, /^ {2}NO_COLOR /m, command)
      const examples = long.stdout.split(/^EXAMPLES$/m)[1].split(/^EXIT CODES$/m)[0]
      assert.ok((examples.match(/^ {4}\$ .*focalscope /gm) ?? []).length >= 2, `${command}: two examples`)
    }
  })

  it('says that - reads standard input in the help of the commands that read files', () => {
    for (const command of ['report', 'gate']) {
      assert.match(runCli([command, '--help']).stdout.replaceAll(/\s+/g, ' '), /; - reads standard input/)
    }
  })

  it('prints the root help for no command, --help, -h and help, listing every command', () => {
    const root = runCli(['--help'])
    assert.equal(root.status, 0)
    for (const args of [[], ['-h'], ['help']]) assert.equal(runCli(args).stdout, root.stdout, args.join(' '))
    for (const command of COMMANDS) assert.match(root.stdout, new RegExp(`^ {2}${command} `, 'm'))
    assert.match(root.stdout, /^EXIT CODES$/m)
  })

  it('fits every help line to COLUMNS (80 when unset and not a terminal)', () => {
    for (const command of [[], ...COMMANDS.map((c) => [c])]) {
      for (const columns of [undefined, '60', '120']) {
        const help = runCli([...command, '--help'], {COLUMNS: columns})
        const width = columns === undefined ? 80 : Number(columns)
        assert.deepEqual(longLines(help.stdout, width), [], `${command.join(' ')} at ${width}`)
      }
    }
    // Wider lines where the terminal is wider: the width is used, not a fixed 80.
    assert.ok(longLines(runCli(['report', '--help'], {COLUMNS: '120'}).stdout, 80).length > 0)
  })

  it('colours the help only when colour is on: FORCE_COLOR=1 yes, NO_COLOR or FORCE_COLOR=0 no', () => {
    assert.ok(runCli(['report', '--help'], {FORCE_COLOR: '1'}).stdout.includes(ESC))
    assert.ok(!runCli(['report', '--help'], {FORCE_COLOR: '1', NO_COLOR: '1'}).stdout.includes(ESC))
    assert.ok(!runCli(['report', '--help'], {FORCE_COLOR: '0'}).stdout.includes(ESC))
    assert.ok(!runCli(['report', '--help']).stdout.includes(ESC))
  })
})

describe('focalscope -v, --version and version', () => {
  it('prints one version line for each, exit 0', () => {
    const line = runCli(['--version'])
    assert.equal(line.status, 0)
    assert.match(line.stdout, new RegExp(`^focalscope/${VERSION.replaceAll('.', '\\.')} \\S+ node-v\\S+\\n$`))
    assert.equal(runCli(['-v']).stdout, line.stdout)
    assert.equal(runCli(['version']).stdout, line.stdout)
  })

  it('prints the parts as JSON with version --json', () => {
    const result = runCli(['version', '--json'])
    assert.equal(result.status, 0)
    const json = JSON.parse(result.stdout) as Record<string, string>
    assert.equal(json.version, VERSION)
    assert.equal(json.node, process.versions.node)
  })
})

describe('mistyped commands and flags', () => {
  it('suggests the command for a typo, without the file argument glued to it, exit 2', () => {
    const result = runCli(['reprot', EXAMPLE])
    assert.equal(result.status, 2)
    assert.equal(result.stdout, '')
    assert.equal(
      result.stderr,
      'focalscope: error: expected a command (compare, completion, gate, help, merge, report, sql, version), got "reprot"; did you mean "report"? (focalscope --help lists them)\n',
    )
  })

  it('suggests nothing for a word far from every command, and says so for help WORD too', () => {
    const far = runCli(['frobnicate', EXAMPLE])
    assert.equal(far.status, 2)
    assert.doesNotMatch(far.stderr, /did you mean/)
    const help = runCli(['help', 'gaet'])
    assert.equal(help.status, 2)
    assert.match(help.stderr, /^focalscope: error: .*got "gaet"; did you mean "gate"\?/)
    const flagHelp = runCli(['raport', '--help'])
    assert.equal(flagHelp.status, 2)
    assert.match(flagHelp.stderr, /did you mean "report"\?/)
  })

  it('refuses a flag before the command, suggesting --version for --verison', () => {
    const result = runCli(['--verison'])
    assert.equal(result.status, 2)
    assert.match(result.stderr, /^focalscope: error: .*got "--verison"; did you mean "--version"\?/)
  })

  it('suggests the flag for a mistyped flag, with and without --json, exit 2', () => {
    for (const json of [[], ['--json']]) {
      const result = runCli(['report', EXAMPLE, '--gamas', '0,2', ...json])
      assert.equal(result.status, 2)
      assert.equal(result.stdout, '')
      assert.equal(
        result.stderr,
        'focalscope: error: unknown flag --gamas (did you mean --gammas?); focalscope report --help lists the flags\n',
      )
    }
    assert.match(
      runCli(['gate', EXAMPLE, '--junti', 'x.xml']).stderr,
      /unknown flag --junti \(did you mean --junit\?\)/,
    )
  })

  it('says --format names the input format when given an output format', () => {
    const result = runCli(['report', EXAMPLE, '--format', 'json'])
    assert.equal(result.status, 2)
    assert.match(result.stderr, /for JSON output use --json or -o FILE/)
  })
})

describe('internal errors', () => {
  it('exit 3 with one line and the DEBUG hint, with and without --json; DEBUG=focalscope adds the stack', () => {
    for (const json of [[], ['--json']]) {
      const result = runCli(['report', EXAMPLE, ...json], {FOCALSCOPE_TEST_INTERNAL_ERROR: '1'})
      assert.equal(result.status, 3)
      assert.equal(result.stdout, '')
      assert.equal(
        result.stderr,
        'focalscope: error: internal error: a deliberate bug for the tests (a bug in focalscope: run with DEBUG=focalscope for the stack; please report it)\n',
      )
    }
    const debug = runCli(['report', EXAMPLE], {FOCALSCOPE_TEST_INTERNAL_ERROR: '1', DEBUG: 'focalscope'})
    assert.equal(debug.status, 3)
    assert.match(debug.stderr, /^TypeError: a deliberate bug for the tests\n\s+at /)
  })
})

describe('focalscope completion', () => {
  /** What bash completes for `words` (the last one being typed), with the script loaded. */
  function bashComplete(words: string[]): string[] {
    const script = runCli(['completion', 'bash']).stdout
    const program = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _focalscope_complete; printf '%s\\n' "\${COMPREPLY[@]}"`
    const result = spawnSync('bash', ['-c', program], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('../../examples/', import.meta.url)),
    })
    assert.equal(result.status, 0, result.stderr)
    return result.stdout.split('\n').filter((l) => l !== '')
  }

  it('completes commands, flags, flag choices and files in bash', () => {
    assert.deepEqual(bashComplete(['focalscope', 're']), ['report'])
    assert.deepEqual(bashComplete(['focalscope', 'report', '--gam']), ['--gammas'])
    assert.deepEqual(bashComplete(['focalscope', 'report', '--scores', '']).sort(), ['logits', 'probs'])
    assert.deepEqual(bashComplete(['focalscope', 'report', '--input-format', 'a']), ['arrow'])
    assert.ok(bashComplete(['focalscope', 'report', 'pred']).includes('predictions.csv'))
    assert.deepEqual(bashComplete(['focalscope', 'completion', 'z']), ['zsh'])
    assert.ok(bashComplete(['focalscope', 'gate', '--no-']).includes('--no-color'))
  })

  it('writes zsh and fish scripts naming every command and every flag of report', () => {
    const report = runCli(['report', '--help']).stdout
    const flags = [...report.matchAll(/^ {2}(?:-\w, )?--(?:\[no-\])?([a-z-]+)/gm)].map((m) => m[1])
    assert.ok(flags.length > 20)
    const zsh = runCli(['completion', 'zsh'])
    const fish = runCli(['completion', 'fish'])
    assert.equal(zsh.status, 0)
    assert.equal(fish.status, 0)
    assert.match(zsh.stdout, /^#compdef focalscope$/m)
    for (const command of COMMANDS) {
      assert.match(zsh.stdout, new RegExp(`'${command}:`))
      assert.match(fish.stdout, new RegExp(`-a ${command} -d`))
    }
    for (const flag of flags) {
      assert.match(zsh.stdout, new RegExp(`'--${flag}[=\\[]`), `zsh --${flag}`)
      assert.match(fish.stdout, new RegExp(`__fish_seen_subcommand_from report' -l ${flag}\\b`), `fish --${flag}`)
    }
  })

  it('refuses a shell it does not know, exit 2', () => {
    const result = runCli(['completion', 'powershell'])
    assert.equal(result.status, 2)
    assert.match(result.stderr, /^focalscope: error: Expected powershell to be one of: bash, zsh, fish/)
  })
})
