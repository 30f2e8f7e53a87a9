import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {tempDir} from '../helpers/temp-files.js'

const BIN = fileURLToPath(new URL('../../bin/run.cjs', import.meta.url))
const EXAMPLE = fileURLToPath(new URL('../../examples/predictions.csv', import.meta.url))
const temp = tempDir()

/** `gate …` run in `cwd`, as a user would, outside GitHub Actions. */
function gate(cwd: string, args: string[]): {status: number | null; stdout: string; stderr: string} {
  const result = spawnSync(process.execPath, [BIN, 'gate', ...args], {
    cwd,
    encoding: 'utf8',
    env: {...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: ''},
  })
  return {status: result.status, stdout: result.stdout, stderr: result.stderr}
}

const PASSING = JSON.stringify({rules: [{assert: 'input.skippedRows == 0'}]})
const FAILING = JSON.stringify({rules: [{name: 'tiny classes only', assert: 'classes[*].ce.share <= 0.1'}]})

/** repo/.git, repo/a/b (the working directory), and whatever gates files `files` puts where. */
function tree(name: string, files: Record<string, string>, gitAs: 'dir' | 'file' = 'dir'): string {
  const root = temp(name)
  mkdirSync(join(root, 'repo', 'a', 'b'), {recursive: true})
  if (gitAs === 'dir') mkdirSync(join(root, 'repo', '.git'))
  else writeFileSync(join(root, 'repo', '.git'), 'gitdir: /elsewhere\n')
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), {recursive: true})
    writeFileSync(join(root, path), text)
  }
  return join(root, 'repo', 'a', 'b')
}

describe('gate finds its rules without --config or --assert', () => {
  it('uses focalscope.gates.json from the nearest parent, and says which on stderr', () => {
    const cwd = tree('parent', {'repo/focalscope.gates.json': FAILING, 'repo/a/.focalscope/gates.json': PASSING})
    const result = gate(cwd, [EXAMPLE])
    assert.equal(result.status, 0, result.stderr)
    assert.equal(
      result.stderr,
      `focalscope: using the gates file ${join('..', '.focalscope', 'gates.json')} (--config FILE or --assert RULE to choose)\n`,
    )
  })

  it('prefers focalscope.gates.json to .focalscope/gates.json in one directory, and reads the current one first', () => {
    const cwd = tree('here', {
      'repo/a/b/focalscope.gates.json': FAILING,
      'repo/a/b/.focalscope/gates.json': PASSING,
      'repo/focalscope.gates.json': PASSING,
    })
    const result = gate(cwd, [EXAMPLE])
    assert.equal(result.status, 1)
    assert.match(result.stderr, /^focalscope: using the gates file focalscope\.gates\.json /)
    assert.match(result.stdout, /FAIL {2}tiny classes only/)
  })

  it("stops at the repository root (.git as a directory or a worktree's file)", () => {
    for (const gitAs of ['dir', 'file'] as const) {
      const cwd = tree(`root-${gitAs}`, {'focalscope.gates.json': PASSING}, gitAs)
      const result = gate(cwd, [EXAMPLE])
      assert.equal(result.status, 2)
      assert.match(
        result.stderr,
        /^focalscope: error: expected rules from --config FILE or --assert RULE, got neither \(and no focalscope\.gates\.json or \.focalscope\/gates\.json here or in a parent directory up to the repository root\)\n$/,
      )
    }
  })

  it('looks for no file when --assert or --config is given', () => {
    const cwd = tree('given', {'repo/focalscope.gates.json': FAILING})
    const asserted = gate(cwd, [EXAMPLE, '--assert', 'input.skippedRows == 0'])
    assert.equal(asserted.status, 0)
    assert.equal(asserted.stderr, '')
    const configured = gate(cwd, [EXAMPLE, '--config', join(cwd, '..', '..', 'focalscope.gates.json')])
    assert.equal(configured.status, 1)
    assert.equal(configured.stderr, '')
  })

  it('refuses to write an output onto the gates file it found', () => {
    const cwd = tree('onto', {'repo/a/b/focalscope.gates.json': PASSING})
    const result = gate(cwd, [EXAMPLE, '--report', 'focalscope.gates.json'])
    assert.equal(result.status, 2)
    assert.match(
      result.stderr,
      /--report focalscope\.gates\.json: expected an output that is not an input, got the same file as the gates file/,
    )
  })
})

describe('gate --quiet', () => {
  it('prints only the rules that did not pass and the verdict, no report', () => {
    const cwd = temp('quiet')
    mkdirSync(cwd)
    const failed = gate(cwd, [
      EXAMPLE,
      '--quiet',
      '--assert',
      'input.skippedRows == 0',
      '--assert',
      'classes[*].ce.share <= 0.2',
    ])
    assert.equal(failed.status, 1)
    assert.equal(
      failed.stdout,
      [
        'FAIL  classes[*].ce.share <= 0.2',
        '      1 of 8 fail:',
        '        classes[class=cat].ce.share is 0.229721, expected <= 0.2',
        '',
        'Gate failed: 1 failed, 1 passed',
        '',
      ].join('\n'),
    )
    const passed = gate(cwd, [EXAMPLE, '-q', '--assert', 'input.skippedRows == 0'])
    assert.equal(passed.status, 0)
    assert.equal(passed.stdout, 'Gate passed: 1 passed\n')
  })

  it('still writes --junit and --report', () => {
    const cwd = temp('quiet-outputs')
    mkdirSync(cwd)
    const result = gate(cwd, [
      EXAMPLE,
      '-q',
      '--assert',
      'input.skippedRows == 0',
      '--junit',
      'g.xml',
      '--report',
      'r.json',
    ])
    assert.equal(result.status, 0)
    assert.match(readFileSync(join(cwd, 'g.xml'), 'utf8'), /<testsuite name="focalscope gate"/)
    assert.match(readFileSync(join(cwd, 'r.json'), 'utf8'), /"schemaVersion": 1/)
  })
})
