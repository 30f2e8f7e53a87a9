import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {PROGRESS_MIN_BYTES, shouldShowProgress} from '../../src/cli/progress-bar.js'
import {renderProgressLine} from '../../src/renderers/render-progress.js'
import {runCli} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

describe('progress bar', () => {
  it('draws the bar, percentage, megabytes and seconds', () => {
    assert.equal(renderProgressLine(25e6, 100e6, 1500, 8), '[##......]  25%  25/100 MB  1.5 s')
    assert.equal(renderProgressLine(0, 0, 0, 4), '[....]   0%  0/0 MB  0.0 s')
  })

  it('shows by default only on a terminal for large inputs; the flag decides otherwise', () => {
    const tty = {isTTY: true} as NodeJS.WriteStream
    const pipe = {isTTY: false} as NodeJS.WriteStream
    assert.equal(shouldShowProgress(undefined, tty, PROGRESS_MIN_BYTES), true)
    assert.equal(shouldShowProgress(undefined, tty, PROGRESS_MIN_BYTES - 1), false)
    assert.equal(shouldShowProgress(undefined, pipe, 1e12), false)
    assert.equal(shouldShowProgress(true, pipe, 1), true)
    assert.equal(shouldShowProgress(false, tty, 1e12), false)
  })

  it('--progress draws on stderr only: stdout stays one JSON document', () => {
    const path = file('p.csv', 'label,logit\n1,0.5\n0,-1\n')
    const result = runCli(['report', path, '--json', '--progress'])
    assert.equal(result.status, 0)
    assert.doesNotThrow(() => JSON.parse(result.stdout))
    assert.match(result.stderr, /\[#+\] 100%/)
    assert.equal(runCli(['report', path, '--json', '--no-progress']).stderr, '')
  })
})
