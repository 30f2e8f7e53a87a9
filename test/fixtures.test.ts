import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {tempDir} from './helpers/temp-files.js'

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))
const SCRIPT = fileURLToPath(new URL('../scripts/make-fixtures.ts', import.meta.url))

describe('fixtures', () => {
  it('are exactly what scripts/make-fixtures.ts writes (rerun `npm run fixtures` after changing it)', () => {
    const out = tempDir()('regenerated')
    const result = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, out], {encoding: 'utf8'})
    assert.equal(result.status, 0, result.stderr)
    const committed = readdirSync(FIXTURES).sort()
    assert.deepEqual(readdirSync(out).sort(), committed)
    for (const name of committed) {
      assert.ok(readFileSync(`${out}/${name}`).equals(readFileSync(`${FIXTURES}${name}`)), `${name} differs`)
    }
  })
})
