/**
 * --score-cols and --ignore-cols end to end: a header as pandas' to_csv writes it (an unnamed index
 * column, bare class names, the label last), the names given inline or @FILE, and one-line exit-2 errors.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {runCli, runReportJson} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

const PANDAS = `,cat,dog,bird,label,id
0,0.7,0.2,0.1,0,17
1,0.1,0.6,0.3,1,18
2,0.25,0.25,0.5,2,19
3,0.5,0.3,0.2,1,20
`

describe('report --score-cols / --ignore-cols', () => {
  it('reads bare class names inline and from @FILE alike, the classes named by the columns', () => {
    const path = file('pandas.csv', PANDAS)
    const names = file('classes.txt', 'cat\ndog\nbird\n')
    const inline = runReportJson([path, '--score-cols', 'cat,dog,bird', '--scores', 'probs']).json
    const fromFile = runReportJson([path, '--score-cols', `@${names}`, '--scores', 'probs']).json
    assert.deepEqual(fromFile, inline)
    const classes = (inline.classes as {class: string; count: number}[]).map((c) => [c.class, c.count]).sort()
    assert.deepEqual(classes, [
      ['bird', 1],
      ['cat', 1],
      ['dog', 2],
    ])
    // CE: −(ln 0.7 + ln 0.6 + ln 0.5 + ln 0.3).
    const ce = -(Math.log(0.7) + Math.log(0.6) + Math.log(0.5) + Math.log(0.3))
    const sum = (inline.totals as {ce: {sum: number}}).ce.sum
    assert.ok(Math.abs(sum - ce) <= 1e-12 * ce, `${sum} vs ${ce}`)
  })

  it('exits 2 with one line naming the file for an unknown column, in either flag', () => {
    const path = file('pandas2.csv', PANDAS)
    const unknown = runCli(['report', path, '--score-cols', 'cat,dgo,bird', '--scores', 'probs'])
    assert.equal(unknown.status, 2)
    assert.equal(
      unknown.stderr,
      `focalscope: error: ${path}: --score-cols: no column "dgo" (columns: , cat, dog, bird, label, id)\n`,
    )
    const ignored = runCli(['report', path, '--ignore-cols', 'ids', '--score-cols', 'cat,dog,bird'])
    assert.equal(ignored.status, 2)
    assert.equal(
      ignored.stderr,
      `focalscope: error: ${path}: --ignore-cols: no column "ids" (columns: , cat, dog, bird, label, id)\n`,
    )
    const missing = runCli(['report', path, '--score-cols', '@/nonexistent/classes.txt'])
    assert.equal(missing.status, 2)
    assert.equal(missing.stderr, 'focalscope: error: --score-cols: cannot read /nonexistent/classes.txt (ENOENT)\n')
  })
})
