import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {runReportJson} from '../helpers/run-cli.js'
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
})
