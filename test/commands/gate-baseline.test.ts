import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {Report} from '../../src/report/types.js'
import {type CliResult, runCli} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
const CSV = file('preds.csv', 'label,logit\n0,-3\n0,-2\n0,0.5\n1,3\n1,2.5\n1,-0.5\n')

function gate(args: string[]): CliResult {
  return runCli(['gate', ...args], {GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined})
}

/** `report --json` of the predictions with `flags`, saved as `name`. */
function baseline(name: string, flags: string[], edit?: (report: Report) => void): string {
  const run = runCli(['report', CSV, '--json', ...flags])
  assert.equal(run.status, 0, run.stderr)
  const report = JSON.parse(run.stdout) as Report
  edit?.(report)
  return file(name, JSON.stringify(report))
}

function refused(run: CliResult, name: string, ours: string, theirs: string): void {
  assert.equal(run.status, 2, run.stderr)
  assert.equal(run.stdout, '')
  assert.equal(
    run.stderr,
    `focalscope: error: ${file(name)}: expected a baseline computed with ${ours} like this report, got ${theirs} (recompute one of them with the same setting)\n`,
  )
}

describe('focalscope gate --baseline computed with other settings', () => {
  it('refuses a poly1 baseline for a focal run, which compared gave a delta of the loss change, not the model', () => {
    const poly = baseline('poly1.json', ['--loss', 'poly1'])
    refused(
      gate([CSV, '--baseline', poly, '-a', 'delta(sweep[gamma=2].sum) <= 0']),
      'poly1.json',
      '--loss focal',
      '--loss poly1',
    )
  })

  it('refuses an inverse-frequency baseline for an effective-number run', () => {
    const inverse = baseline('inverse.json', ['--alpha', 'inverse-frequency'])
    const run = gate([CSV, '--alpha', 'effective-number', '--baseline', inverse, '-a', 'delta(totals.ce.sum) <= 0'])
    refused(run, 'inverse.json', '--alpha effective-number', '--alpha inverse-frequency')
  })

  it('compares a baseline computed with the same settings, preset or not', () => {
    for (const flags of [
      ['--loss', 'poly1'],
      ['--preset', 'mmdet'],
      ['--alpha', '0.3,0.7'],
      ['--eps', '1e-6'],
    ]) {
      const same = baseline('same.json', flags)
      const run = gate([CSV, ...flags, '--baseline', same, '-a', 'delta(sweep[*].sum) <= 0'])
      assert.equal(run.status, 0, `${flags.join(' ')}: ${run.stderr}`)
    }
  })

  it('reads a baseline from before the optional config fields as their defaults, never as "anything goes"', () => {
    const old = baseline('old.json', [], (report) => {
      for (const field of [
        'alphaSpec',
        'beta',
        'alphaByClass',
        'loss',
        'polyEpsilon',
        'preset',
        'reduction',
      ] as const) {
        delete report.config[field]
      }
    })
    assert.equal(gate([CSV, '--baseline', old, '-a', 'delta(totals.ce.sum) <= 0']).status, 0)
    const poly = gate([CSV, '--loss', 'poly1', '--baseline', old, '-a', 'delta(totals.ce.sum) <= 0'])
    refused(poly, 'old.json', '--loss poly1', '--loss focal')
    const preset = gate([
      CSV,
      '--preset',
      'torchvision',
      '--gammas',
      '0,0.5,1,2,5',
      '--alpha',
      'none',
      '--baseline',
      old,
      '-a',
      'delta(totals.ce.sum) <= 0',
    ])
    refused(preset, 'old.json', '--reduction mean', 'no --reduction')
  })
})
