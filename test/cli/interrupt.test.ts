/**
 * Ctrl-C (SIGINT) or SIGTERM while the `--json` document is still draining into a slow reader: the
 * reader gets the whole document, then the CLI exits 130 (README, "Exit codes" and "Bad and unusual
 * input"). The document is ~650 KB, ten times what a pipe holds, and the test reads nothing until it has
 * sent its signal: so the signal lands while the write is in progress, with nothing timed.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {Report} from '../../src/report/types.js'
import {startCli} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const CLASSES = 1000

/** Two rows of 1000-class logits: a report of ~650 KB (one entry per class), computed in a moment. */
function manyClassesCsv(): string {
  const header = `label,${Array.from({length: CLASSES}, (_, j) => `logit_${j}`).join(',')}\n`
  const row = (label: number): string =>
    `${label},${Array.from({length: CLASSES}, (_, j) => (((label * 31 + j * 17) % 97) / 10 - 4.8).toFixed(2)).join(',')}\n`
  return file('classes.csv', header + row(0) + row(1))
}

/** Parses `text` as one JSON report, failing with its length and end if it is not whole. */
function parseWhole(text: string): Report {
  try {
    return JSON.parse(text) as Report
  } catch (error) {
    assert.fail(
      `stdout is not one whole JSON document (${text.length} bytes, ending ${JSON.stringify(text.slice(-40))}): ${String(error)}`,
    )
  }
}

const WARNING = /^focalscope: warning: interrupted while writing the result to stdout: finishing it first/

describe('interrupted while the --json result drains into a slow reader', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: the whole document reaches the reader, then exit 130`, async () => {
      const run = startCli(['report', manyClassesCsv(), '--json'])
      // The first bytes are out: the write has begun, and the rest waits for the test to read.
      await run.stdoutReadable()
      run.child.kill(signal)
      // The CLI has taken the signal (it says so) before the test reads a byte more.
      await run.stderrLine(WARNING)
      const report = parseWhole(await run.readStdout())
      assert.equal(report.classes.length, CLASSES)
      assert.deepEqual(await run.exited, {code: 130, signal: null})
      assert.equal(
        run
          .stderr()
          .split('\n')
          .filter((line) => WARNING.test(line)).length,
        1,
        run.stderr(),
      )
    })
  }

  it('a second signal stops at once, though the reader never reads (exit 130)', async () => {
    const run = startCli(['report', manyClassesCsv(), '--json'])
    await run.stdoutReadable()
    run.child.kill('SIGINT')
    await run.stderrLine(WARNING)
    run.child.kill('SIGINT')
    // stdout is never read: the CLI must not wait for the reader.
    assert.deepEqual(await run.exited, {code: 130, signal: null})
    run.child.stdout?.destroy()
  })

  it('the reader going away too (Ctrl-C stops a whole pipeline) ends the wait: exit 130', async () => {
    const run = startCli(['report', manyClassesCsv(), '--json'])
    await run.stdoutReadable()
    run.child.kill('SIGINT')
    await run.stderrLine(WARNING)
    run.child.stdout?.destroy()
    assert.deepEqual(await run.exited, {code: 130, signal: null})
  })

  it('a reader slower than any timeout still gets the whole document (exit 0)', async () => {
    // Every timer of a second or more fires at once in the CLI: the reader stands for one that takes
    // longer than any deadline. (oclif's flush gave up on stdout after 10 s and cut the document.)
    const deadlinesPassAtOnce = `
      const setTimeoutAsUsual = globalThis.setTimeout
      globalThis.setTimeout = (callback, ms, ...args) => {
        if (!(ms >= 1000)) return setTimeoutAsUsual(callback, ms, ...args)
        queueMicrotask(() => callback(...args))
        return setTimeoutAsUsual(() => undefined, 0)
      }`
    const run = startCli(['report', manyClassesCsv(), '--json'], {
      nodeArgs: ['--import', `data:text/javascript,${encodeURIComponent(deadlinesPassAtOnce)}`],
    })
    await run.stdoutReadable()
    const report = parseWhole(await run.readStdout())
    assert.equal(report.classes.length, CLASSES)
    assert.deepEqual(await run.exited, {code: 0, signal: null})
    assert.equal(run.stderr(), '')
  })
})
