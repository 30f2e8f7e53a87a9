import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {expandPaths} from '../../src/readers/expand-paths.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

describe('expandPaths', () => {
  it('expands * and ? in the file name, sorted, and leaves other paths alone', () => {
    const a = file('shard-2.csv', 'x')
    file('shard-10.csv', 'x')
    file('shard-1.csv', 'x')
    file('other.txt', 'x')
    const dir = a.slice(0, a.lastIndexOf('/'))
    assert.deepEqual(
      expandPaths([`${dir}/shard-*.csv`]).map((p) => p.slice(dir.length + 1)),
      ['shard-1.csv', 'shard-10.csv', 'shard-2.csv'],
    )
    assert.deepEqual(
      expandPaths([`${dir}/shard-?.csv`]).map((p) => p.slice(dir.length + 1)),
      ['shard-1.csv', 'shard-2.csv'],
    )
    assert.deepEqual(expandPaths(['-', a]), ['-', a])
  })

  it('treats an existing file with * in its name as a file, and refuses patterns that match nothing', () => {
    const odd = file('odd*name.csv', 'x')
    assert.deepEqual(expandPaths([odd]), [odd])
    assert.throws(() => expandPaths([`${odd}.none*`]), /no file matches this pattern/)
    assert.throws(() => expandPaths(['/no/such/dir/*.csv']), /no such folder/)
    assert.throws(() => expandPaths(['/tmp/*/x.csv']), /in the file name only/)
  })
})
