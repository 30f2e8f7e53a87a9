import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {copyFileSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {codeCachePath, loadBundle} from '../../src/cli/load-bundle.js'
import {tempDir} from '../helpers/temp-files.js'

// The built CLI bundle (npm test builds first) and the code cache the build wrote for it.
const BUNDLE = join(import.meta.dirname, '..', '..', 'dist', 'bundle', 'focalscope.js')
const LOADER = join(import.meta.dirname, '..', '..', 'dist', 'bundle', 'load-bundle.js')
const file = tempDir()

/** A copy of the bundle in a temp folder, with `cache` (or none) beside it. */
function copyOfBundle(name: string, cache?: Buffer): string {
  const path = file(`${name}-focalscope.js`)
  copyFileSync(BUNDLE, path)
  if (cache) writeFileSync(codeCachePath(path), cache)
  return path
}

describe('loadBundle', () => {
  // tsx, which runs the tests, turns source maps on; loadBundle then skips the cache (tested below).
  const mapped = process.sourceMapsEnabled
  before(() => process.setSourceMapsEnabled(false))
  after(() => process.setSourceMapsEnabled(mapped))

  it('runs the built bundle with the code cache the build wrote, and V8 accepts it', () => {
    const loaded = loadBundle(BUNDLE)
    assert.equal(loaded.cache, 'used')
    assert.equal(typeof loaded.exports.run, 'function')
  })

  it('finds every built bundle pure ASCII (one other character makes Node read it as a two-byte string)', () => {
    const dir = join(import.meta.dirname, '..', '..', 'dist', 'bundle')
    const bundles = readdirSync(dir).filter((name) => name.endsWith('.js'))
    assert.ok(bundles.includes('focalscope.js') && bundles.includes('evaluate-part-worker.js'))
    for (const name of bundles) {
      const bytes = readFileSync(join(dir, name))
      const at = bytes.findIndex((b) => b > 0x7f)
      assert.equal(at, -1, `${name}: byte ${at} is not ASCII`)
    }
  })

  it('finds the oclif manifest pure ASCII too: oclif reads it at every start, and it says the same', () => {
    const path = join(import.meta.dirname, '..', '..', 'oclif.manifest.json')
    const bytes = readFileSync(path)
    assert.equal(
      bytes.findIndex((b) => b > 0x7f),
      -1,
      'oclif.manifest.json is ASCII',
    )
    const manifest = JSON.parse(bytes.toString('utf8')) as {commands: Record<string, {summary?: string}>}
    // The escapes are JSON's: the text oclif shows is the text the command declares.
    assert.match(manifest.commands.report.summary ?? '', /focal-loss γ sweep/)
  })

  it('compiles without a cache when there is none', () => {
    const loaded = loadBundle(copyOfBundle('none'))
    assert.equal(loaded.cache, 'none')
    assert.equal(typeof loaded.exports.run, 'function')
  })

  it('never uses a cache written for another build, even of the same length', () => {
    const cache = readFileSync(codeCachePath(BUNDLE))
    const newline = cache.indexOf(0x0a)
    // Another build id of the same length (V8 would take the cache: it checks only the source's length).
    const other = Buffer.from(cache)
    other[newline - 1] = other[newline - 1] === 0x30 ? 0x31 : 0x30
    assert.equal(loadBundle(copyOfBundle('other', other)).cache, 'none')
  })

  it('loads the bundle the usual way under --enable-source-maps, so stack traces name the sources', () => {
    const script = `const {loadBundle} = require(${JSON.stringify(LOADER)}); console.log(loadBundle(${JSON.stringify(BUNDLE)}).cache)`
    const run = (flags: string[]): string =>
      execFileSync(process.execPath, [...flags, '-e', script], {encoding: 'utf8'}).trim()
    assert.equal(run(['--enable-source-maps']), 'none')
    assert.equal(run([]), 'used')
  })

  it('writes a cache that the next load uses', () => {
    const path = copyOfBundle('rewritten')
    loadBundle(path).writeCodeCache(codeCachePath(path))
    assert.equal(loadBundle(path).cache, 'used')
  })
})
