import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {tempDir} from '../../helpers/temp-files.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const FIXTURES = `${ROOT}fixtures/parquet/`
const SCRIPT = `${ROOT}scripts/make-parquet-fixtures.ts`

describe('Parquet fixtures', () => {
  it('are exactly what scripts/make-parquet-fixtures.ts writes (rerun `npm run fixtures` after changing it)', () => {
    const out = tempDir()('regenerated')
    const result = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, out], {cwd: ROOT, encoding: 'utf8'})
    assert.equal(result.status, 0, result.stderr)
    const committed = readdirSync(FIXTURES).sort()
    assert.deepEqual(readdirSync(out).sort(), committed)
    for (const name of committed) {
      assert.ok(readFileSync(`${out}/${name}`).equals(readFileSync(`${FIXTURES}${name}`)), `${name} differs`)
    }
  })

  it('are small, and start and end with the PAR1 magic', () => {
    for (const name of readdirSync(FIXTURES)) {
      const bytes = readFileSync(`${FIXTURES}${name}`)
      assert.ok(bytes.length < 32_768, `${name}: ${bytes.length} bytes`)
      assert.equal(bytes.toString('latin1', 0, 4), 'PAR1', name)
      assert.equal(bytes.toString('latin1', bytes.length - 4), 'PAR1', name)
    }
  })
})
