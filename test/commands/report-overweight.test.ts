import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {runCli, runReportJson} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

describe('report: the ▲ mark (overweight classes)', () => {
  const temp = tempDir()

  it('never marks a class with no rows, whose CE share and row share are both 0', () => {
    // Class 2 has no rows; class 1 carries far more than its share of the loss.
    const csv = temp('zero.csv', 'label,logit_0,logit_1,logit_2\n0,3,0,0\n0,3,0,0\n0,3,0,0\n1,3,0,0\n')
    const {json} = runReportJson([csv])
    const classes = json.classes as {class: string; count: number; overweight: boolean}[]
    assert.deepEqual(
      classes.map((c) => [c.class, c.count, c.overweight]),
      [
        ['0', 3, false],
        ['1', 1, true],
        ['2', 0, false],
      ],
    )
  })

  it('marks a multi-label class by its share of the positive elements, as the table shows it, not by 1/K', () => {
    // a: 8 of the 9 positives, all well predicted. b: 1 positive, badly predicted. c: no positive, but two
    // confident false positives: much loss, and no positives to compare it with, so no mark.
    const header = 'logit_a,logit_b,logit_c,target_a,target_b,target_c'
    const rows = [...Array.from({length: 8}, () => '3,-3,-3,1,0,0'), '-3,-3,3,0,1,0', '-3,-3,3,0,0,0']
    const csv = temp('multilabel.csv', `${header}\n${rows.join('\n')}\n`)
    const {json} = runReportJson([csv])
    const classes = json.classes as {class: string; ce: {share: number}; overweight: boolean}[]
    assert.deepEqual(
      classes.map((c) => [c.class, c.overweight]),
      [
        ['a', false],
        ['b', true],
        ['c', false],
      ],
    )
    // b: 1 of 9 positives (11.1 %) and more than twice that share of the CE.
    assert.ok(classes[1].ce.share >= 2 / 9)
    const table = runCli(['report', csv, '--sections', 'classes']).stdout
    assert.match(table, /│ b ▲ +│ +1 │ +11\.1% │/)
    assert.match(table, /│ c +│ +0 │ +0\.0% │/)
  })
})
