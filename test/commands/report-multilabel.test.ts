import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {Report} from '../../src/core/result.js'
import {runCli, runReportJson} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const CLASSES = ['car', 'person', 'dog']
const LOGITS = [
  [2.0, -1.0, 0.5],
  [-3.0, -0.2, 1.5],
  [0.3, -4.0, -2.5],
  [-1.2, 0.8, -0.1],
  [4.0, -2.0, -6.0],
]
const TARGETS = [
  [0.9, 0, 0],
  [0, 0, 0.35],
  [0, 0, 0],
  [0, 1, 0],
  [0.6, 0, 0],
]

function wideCsv(): string {
  const header = [...CLASSES.map((c) => `logit_${c}`), ...CLASSES.map((c) => `target_${c}`)].join(',')
  return [header, ...LOGITS.map((row, i) => [...row, ...TARGETS[i]].join(','))].join('\n') + '\n'
}

/** The same elements, one per row, in the same row-major order. */
function longCsv(): string {
  const lines = ['anchor,class,logit,target']
  LOGITS.forEach((row, i) => row.forEach((x, j) => lines.push(`${i},${CLASSES[j]},${x},${TARGETS[i][j]}`)))
  return lines.join('\n') + '\n'
}

async function wideArrow(): Promise<Uint8Array> {
  const {tableFromArrays, tableToIPC} = await import('apache-arrow')
  const columns: Record<string, Float64Array> = {}
  CLASSES.forEach((c, j) => (columns[`logit_${c}`] = Float64Array.from(LOGITS.map((row) => row[j]))))
  CLASSES.forEach((c, j) => (columns[`target_${c}`] = Float64Array.from(TARGETS.map((row) => row[j]))))
  return tableToIPC(tableFromArrays(columns), 'file')
}

const perClass = (r: Report): unknown =>
  r.classes.map(({class: name, count, ce, focal, byTarget}) => ({name, count, ce, focal, byTarget}))

describe('focalscope report on multi-label inputs', () => {
  it('gives identical per-class figures for the wide CSV, long CSV and wide Arrow layouts', async () => {
    const wide = runReportJson([file('wide.csv', wideCsv())]).json as unknown as Report
    const long = runReportJson([
      file('long.csv', longCsv()),
      '--class-col',
      'class',
      '--class-names',
      CLASSES.join(','),
    ]).json as unknown as Report
    const arrow = runReportJson([file('wide.arrow', await wideArrow())]).json as unknown as Report
    assert.equal(wide.input.task, 'multilabel')
    assert.deepEqual(wide.input.classes, CLASSES)
    assert.equal(wide.input.rows, 5)
    assert.equal(long.input.rows, 15)
    assert.deepEqual(perClass(long), perClass(wide))
    assert.deepEqual(perClass(arrow), perClass(wide))
    assert.deepEqual(long.splitByTarget, wide.splitByTarget)
  })

  it('--preset torchvision prints its mean, and explicit --gammas win over the preset', () => {
    const path = file('preset.csv', wideCsv())
    const r = runReportJson([path, '--preset', 'torchvision']).json as unknown as Report
    assert.equal(r.config.preset, 'torchvision')
    assert.deepEqual(r.config.gammas, [2])
    // torchvision sigmoid_focal_loss(alpha=0.25, gamma=2).mean() on these inputs, from numpy (see test/core/multilabel.test.ts).
    assert.ok(Math.abs((r.sweep[0].reduced as number) - 0.07298566448077803) < 1e-15)
    const mine = runReportJson([path, '--preset', 'torchvision', '--gammas', '1,2']).json as unknown as Report
    assert.deepEqual(mine.config.gammas, [1, 2])
    assert.equal(mine.config.alpha, 0.25)
    const table = runCli(['report', path, '--preset', 'torchvision'])
    assert.equal(table.status, 0, table.stderr)
    assert.match(table.stdout, /easy negative/)
    assert.match(table.stdout, /torchvision/)
  })

  it('refuses a target outside [0, 1], a per-class α of the wrong length, and a sigmoid preset on multi-class input', () => {
    const bad = runCli(['report', file('bad.csv', 'logit_a,logit_b,target_a,target_b\n0.1,0.2,1.5,0\n')])
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /expected a target in \[0, 1\], got 1.5/)
    const alpha = runCli(['report', file('alpha.csv', wideCsv()), '--alpha', '0.25,0.5'])
    assert.equal(alpha.status, 2)
    assert.match(alpha.stderr, /expected 3 values, one per class, got 2/)
    const mc = runCli(['report', file('mc.csv', 'label,logit_0,logit_1,logit_2\n0,1,2,3\n'), '--preset', 'mmdet'])
    assert.equal(mc.status, 2)
    assert.match(mc.stderr, /expected a binary or multi-label input/)
  })
})
