import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {dirname} from 'node:path'
import {describe, it} from 'node:test'

import {runCli} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

describe('report --html', () => {
  const temp = tempDir()

  it('writes the page and still prints the table, or the JSON with --json', () => {
    const page = temp('report.html')
    const table = runCli(['report', 'fixtures/example.csv', '--concentration', '--html', page])
    assert.equal(table.status, 0, table.stderr)
    assert.match(table.stdout, /^focalscope report — fixtures\/example\.csv/)
    const html = readFileSync(page, 'utf8')
    assert.ok(html.startsWith('<!doctype html>'))
    // The sweep, the class shares, the concentration curve (all rows) and mean loss vs p_t.
    assert.equal(html.match(/<figure class="chart"/g)?.length, 4)
    assert.match(html, /Written by focalscope \d+\.\d+\.\d+/)

    const json = runCli(['report', 'fixtures/example.csv', '--json', '--html', page])
    assert.equal(json.status, 0, json.stderr)
    assert.equal((JSON.parse(json.stdout) as {schemaVersion: number}).schemaVersion, 1)
    assert.deepEqual(
      readdirSync(dirname(page)).filter((name) => name.endsWith('.tmp')),
      [],
      'no temp file left behind',
    )
  })

  it('writes the page and -o together, with --json too: the file holds what stdout does', () => {
    const page = temp('both.html')
    const json = temp('both.json')
    const result = runCli(['report', 'fixtures/example.csv', '--json', '-o', json, '--html', page])
    assert.equal(result.status, 0, result.stderr)
    assert.equal(readFileSync(json, 'utf8'), result.stdout)
    const html = readFileSync(page, 'utf8')
    const report = JSON.parse(result.stdout) as {classes: {class: string}[]}
    for (const c of report.classes) assert.ok(html.includes(`>${c.class}`), `class ${c.class} on the page`)
    // Without --json: the tables on stdout, both files written.
    const tables = runCli(['report', 'fixtures/example.csv', '-o', json, '--html', page])
    assert.equal(tables.status, 0, tables.stderr)
    assert.match(tables.stdout, /^focalscope report — fixtures\/example\.csv/)
    assert.equal(readFileSync(json, 'utf8'), result.stdout)
  })

  it('exits 2 with one line naming the path when the page cannot be written, leaving no output', () => {
    const missing = temp('no-such-dir/report.html')
    const result = runCli(['report', 'fixtures/example.csv', '--html', missing])
    assert.equal(result.status, 2)
    assert.equal(result.stdout, '')
    assert.equal(
      result.stderr,
      `focalscope: error: ${missing}: expected a writable path for --html, got ENOENT (its directory does not exist)\n`,
    )
  })

  it('replaces an existing page whole', () => {
    const page = temp('old.html', 'an older page')
    const result = runCli(['report', 'fixtures/binary.csv', '--html', page])
    assert.equal(result.status, 0, result.stderr)
    assert.ok(readFileSync(page, 'utf8').includes('fixtures/binary.csv'))
  })

  it('refuses a page path that is one of the inputs, before reading it, and leaves the input whole', () => {
    const input = temp('in.csv', readFileSync('fixtures/binary.csv', 'utf8'))
    const before = readFileSync(input, 'utf8')
    const result = runCli(['report', input, '--html', input])
    assert.equal(result.status, 2)
    assert.equal(
      result.stderr,
      `focalscope: error: --html ${input}: expected an output that is not an input, got the same file as the prediction file ${input} (writing it would destroy the input)\n`,
    )
    assert.equal(readFileSync(input, 'utf8'), before)
  })
})
