// Bundles the CLI (src/main.ts, with @oclif/core and the commands) into dist/bundle/focalscope.js with
// esbuild. Node spends most of focalscope's start-up resolving and compiling @oclif/core's ~250 files; one
// bundled file loads in about half the time. The bundles are CommonJS so that bin/run.cjs can load the CLI
// with a V8 code cache (src/cli/load-bundle.ts; scripts/write-code-cache.mjs writes it): Node 20 has a
// code cache for scripts, not for ES modules. What the source imports dynamically (the commands, the table
// renderer) runs only when first imported: esbuild wraps each such module in an init function. The worker,
// apache-arrow (needed only for some Arrow inputs) and the HTML report with Vega (needed only for --html)
// are bundles of their own beside the CLI's.
import {randomUUID} from 'node:crypto'
import {readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'

import {build} from 'esbuild'

// Nothing else lives in dist/: type-checking (tsc --noEmit) writes no files.
rmSync('dist', {recursive: true, force: true})

const shared = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
}
// apache-arrow's own bundle, loaded only when a file needs it (from-arrow.ts): the CLI and the worker then
// compile ~450 KB less at every start.
await build({...shared, entryPoints: {'apache-arrow': 'apache-arrow'}, outdir: 'dist/bundle'})
// The source's import('apache-arrow') becomes a require() of that bundle: a vm.Script (how bin/run.cjs runs
// the CLI) has no import().
const arrowBundle = {
  name: 'apache-arrow-bundle',
  setup(b) {
    b.onResolve({filter: /^apache-arrow$/}, () => ({path: 'apache-arrow', namespace: 'arrow-bundle'}))
    b.onLoad({filter: /.*/, namespace: 'arrow-bundle'}, () => ({
      contents: "module.exports = require('./apache-arrow.js')",
    }))
    b.onResolve({filter: /^\.\/apache-arrow\.js$/, namespace: 'arrow-bundle'}, (args) => ({
      path: args.path,
      external: true,
    }))
  },
}

// The HTML report (src/renderers/html/render-html-report.ts, with vega and vega-lite: ~1.7 MB) is its own
// bundle, html-report.js, which the CLI requires only when --html is given: other runs neither read nor
// compile it. As with apache-arrow, the source's dynamic import becomes a require() of that bundle.
const htmlReportBundle = {
  name: 'html-report-bundle',
  setup(b) {
    b.onResolve({filter: /[\\/]renderers[\\/]html[\\/]render-html-report\.js$/}, (args) =>
      args.kind === 'dynamic-import' ? {path: 'html-report', namespace: 'html-report-bundle'} : undefined,
    )
    b.onLoad({filter: /.*/, namespace: 'html-report-bundle'}, () => ({
      contents: "module.exports = require('./html-report.js')",
    }))
    b.onResolve({filter: /^\.\/html-report\.js$/, namespace: 'html-report-bundle'}, (args) => ({
      path: args.path,
      external: true,
    }))
  },
}
// vega-canvas tries a top-level `await import('canvas')` (which a CommonJS bundle cannot hold) to measure
// text; focalscope renders SVG with no canvas, where Vega estimates text widths instead, so the page is the
// same on every machine, node-canvas installed or not.
const noCanvas = {
  name: 'no-canvas',
  setup(b) {
    b.onResolve({filter: /^vega-canvas$/}, () => ({path: 'vega-canvas', namespace: 'no-canvas'}))
    b.onLoad({filter: /.*/, namespace: 'no-canvas'}, () => ({
      contents: 'export const canvas = () => null, domCanvas = () => null, nodeCanvas = () => null, image = () => null',
    }))
  },
}

// oclif sorts the command list with localeCompare, whose first call loads ICU's collation data: ~12 ms of
// every start, --version included. The ids are lower-case ASCII, which code-point order sorts the same way.
// The build fails if oclif's code changes, rather than silently losing the edit.
const LOCALE_SORT = '.sort((a, b) => a.id.localeCompare(b.id))'
const oclifPluginSort = {
  name: 'oclif-plugin-sort',
  setup(b) {
    b.onLoad({filter: /@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/}, (args) => {
      const source = readFileSync(args.path, 'utf8')
      if (!source.includes(LOCALE_SORT)) throw new Error(`${args.path}: no \`${LOCALE_SORT}\` to replace`)
      return {contents: source.replace(LOCALE_SORT, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))')}
    })
  },
}

// The worker pool is a module of its own (dist/bundle/worker-pool.js), which the CLI bundle and prestart.js
// require: bin/run.cjs starts the workers through prestart.js before it loads the CLI, and the CLI takes
// them from the same pool.
const sharedWorkerPool = {
  name: 'shared-worker-pool',
  setup(b) {
    b.onResolve({filter: /[\\/]worker-pool\.js$/}, (args) =>
      args.kind === 'entry-point' ? undefined : {path: './worker-pool.js', external: true},
    )
  },
}

// A dynamic import of a Node built-in (`await import('node:zlib')`: zlib only for a compressed input) becomes
// a require() run when the import is: esbuild leaves import() of an external module as it is, and a
// vm.Script (how bin/run.cjs runs the CLI) has no import().
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({filter: /^node:/}, (args) =>
      args.kind === 'dynamic-import' ? {path: args.path, namespace: 'lazy-builtin'} : undefined,
    )
    b.onLoad({filter: /.*/, namespace: 'lazy-builtin'}, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)})`,
    }))
  },
}

const common = {
  ...shared,
  outdir: 'dist/bundle',
  // Inlines the modules' constant primitives (byte codes, table sizes) at their uses: in a bundle they
  // are otherwise mutable top-level vars, loaded from memory in every hot loop (the CSV fast path ran
  // 1.2–1.4× slower with them). Names are kept, so stack traces stay readable.
  minifySyntax: true,
  // Never loaded at run time (oclif looks for them only to run TypeScript sources in development).
  external: ['typescript', 'ts-node', 'tsx'],
  define: {'import.meta.url': 'import_meta_url', 'import.meta.resolve': 'import_meta_resolve'},
  banner: {
    js: [
      "const import_meta_url = require('node:url').pathToFileURL(__filename).href;",
      "const import_meta_resolve = (s) => require('node:url').pathToFileURL(require.resolve(s)).href;",
    ].join(' '),
  },
}
await build({...common, entryPoints: {'worker-pool': 'src/pipeline/parallel/worker-pool.ts'}})
await build({...common, plugins: [noCanvas], entryPoints: {'html-report': 'src/renderers/html/render-html-report.ts'}})
await build({...common, plugins: [sharedWorkerPool], entryPoints: {prestart: 'src/cli/prestart.ts'}})
await build({
  ...common,
  plugins: [arrowBundle, htmlReportBundle, oclifPluginSort, sharedWorkerPool, lazyBuiltins],
  entryPoints: {
    focalscope: 'src/main.ts',
    'evaluate-part-worker': 'src/pipeline/parallel/evaluate-part-worker.ts',
    'load-bundle': 'src/cli/load-bundle.ts',
  },
  // Names this build, so bin/run.cjs never uses a code cache written for another one (V8 checks only the
  // source's length).
  footer: {js: `// focalscope-build ${randomUUID()}`},
})
writeFileSync('dist/bundle/package.json', JSON.stringify({type: 'commonjs'}) + '\n')

// esbuild escapes non-ASCII characters in strings but leaves those of comments and regular expressions,
// and one such character makes Node read the whole file as a two-byte string: readFileSync of the 850 KB
// CLI bundle took 4-6 ms, against ~1 ms for ASCII. A \uXXXX escape means the same character in a comment,
// a string, a template, a regular expression or an identifier.
for (const name of readdirSync('dist/bundle').filter((n) => n.endsWith('.js'))) {
  const path = `dist/bundle/${name}`
  const source = readFileSync(path, 'utf8')
  const ascii = source.replace(/(\\*)([^\0-\x7f])/g, (_, slashes, c) => {
    // After an odd run of backslashes the character is itself escaped, and "\\uXXXX" would mean a backslash.
    if (slashes.length % 2 === 1) throw new Error(`${path}: an escaped non-ASCII character (${c})`)
    return `${slashes}\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  })
  if (ascii !== source) writeFileSync(path, ascii)
}
