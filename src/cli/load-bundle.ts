/**
 * Loads the CLI bundle (a CommonJS file, scripts/bundle.mjs) as a vm.Script with the V8 code cache the
 * build wrote beside it. Node 20 has no compile cache for modules (module.enableCompileCache is Node 22),
 * and compiling the bundle was ~40 ms of every run. The cache is used only if it was written for this
 * very bundle — V8 itself checks only the source's length — and V8 accepts it (same V8 version and
 * flags); otherwise the bundle is compiled as usual.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import Module, {createRequire} from 'node:module'
import {dirname} from 'node:path'
import {Script} from 'node:vm'

export interface LoadedBundle {
  exports: Record<string, unknown>
  /** What became of the code cache: none found (or written for another build), used, or refused by V8. */
  cache: 'none' | 'used' | 'rejected'
  /** Writes the code cache of everything compiled so far (the build calls it after a run). */
  writeCodeCache(path: string): void
}

/** The comment the build appends to a bundle: `// focalscope-build <id>`. */
const BUILD_ID = /\/\/ focalscope-build (\S+)\n/

export function codeCachePath(file: string): string {
  return `${file}.v8cache`
}

export function loadBundle(file: string): LoadedBundle {
  // Node maps stack traces through source maps (--enable-source-maps) only for code it loads itself: when
  // asked to, load the bundle the usual way, without the cache.
  if (process.sourceMapsEnabled) {
    return {
      exports: createRequire(file)(file) as Record<string, unknown>,
      cache: 'none',
      writeCodeCache: () => {
        throw new Error('no code cache with --enable-source-maps')
      },
    }
  }
  const source = readFileSync(file, 'utf8')
  const header = `${BUILD_ID.exec(source.slice(-300))?.[1] ?? ''}\n`
  let cachedData: Buffer | undefined
  try {
    const cache = readFileSync(codeCachePath(file))
    if (header.length > 1 && cache.toString('latin1', 0, header.length) === header) {
      cachedData = cache.subarray(header.length)
    }
  } catch {
    // No cache: compile.
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  })
  // A module like one require() makes, and in require's cache: oclif requires this file for the commands.
  const bundle = new Module(file)
  bundle.filename = file
  const require = createRequire(file)
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void
  wrapper.call(bundle.exports, bundle.exports, require, bundle, file, dirname(file))
  bundle.loaded = true
  require.cache[file] = bundle
  return {
    exports: bundle.exports as Record<string, unknown>,
    cache: cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used',
    writeCodeCache: (path) => writeFileSync(path, Buffer.concat([Buffer.from(header), script.createCachedData()])),
  }
}
