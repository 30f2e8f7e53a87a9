/**
 * The CSV fast path for `label,score…` files runs in WebAssembly (src/readers/csv/plain-scores.wat). Node
 * under --jitless has no WebAssembly: the JavaScript loop then takes every record, and the report must be
 * the same, byte for byte — which also checks the two loops against each other end to end.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {tempDir} from '../helpers/temp-files.js'

const BIN = fileURLToPath(new URL('../../bin/run.cjs', import.meta.url))
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url))
const file = tempDir()

function report(nodeArgs: string[], path: string): string {
  const result = spawnSync(process.execPath, [...nodeArgs, BIN, 'report', path, '--json', '--threads', '1'], {
    encoding: 'utf8',
    env: {...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined},
  })
  assert.equal(result.status, 0, result.stderr)
  return result.stdout
}

/** 30,000 rows of 5 logits in the spellings writers use (a few past 15 digits), several slices long. */
function spelledCsv(): string {
  let seed = 99
  const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
  // Mostly what WebAssembly takes; a 17-digit score every 97th row, which the JavaScript loop takes.
  const spell = (x: number, i: number, j: number): string =>
    i % 97 === 3 && j === 2
      ? x.toPrecision(17)
      : [x.toFixed(4), x.toPrecision(6), x.toExponential(3), x.toPrecision(12)][(i + j) % 4]
  const lines = ['label,logit_0,logit_1,logit_2,logit_3,logit_4']
  for (let i = 0; i < 30_000; i++) {
    const row = Array.from({length: 5}, (_, j) => spell((random() - 0.5) * 16, i, j))
    lines.push(`${i % 5},${row.join(',')}`)
  }
  return lines.join('\n') + '\n'
}

describe('report without WebAssembly (node --jitless)', () => {
  for (const name of ['example.csv', 'multiclass.csv']) {
    it(`gives the same report as with it: ${name}`, () => {
      assert.equal(report(['--jitless'], `${FIXTURES}${name}`), report([], `${FIXTURES}${name}`))
    })
  }

  it('gives the same report as with it on 30,000 rows in many spellings', () => {
    const path = file('spelled.csv', spelledCsv())
    assert.equal(report(['--jitless'], path), report([], path))
  })
})
