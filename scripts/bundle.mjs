// Bundles the CLI (src/cli/main.ts) and the parallel worker into dist/bundle/ with esbuild. Node spends
// most of focalscope's start-up resolving and compiling @oclif/core's ~250 files; one bundled file loads
// in about half the time. apache-arrow stays external: it is imported lazily, only for Arrow input.
// The worker sits beside the CLI bundle, where evaluate-parallel.ts looks for it.
import {rmSync} from 'node:fs'

import {build} from 'esbuild'

// Nothing else lives in dist/: type-checking (tsc --noEmit) writes no files.
rmSync('dist', {recursive: true, force: true})

await build({
  entryPoints: {focalscope: 'src/cli/main.ts', 'evaluate-part-worker': 'src/parallel/evaluate-part-worker.ts'},
  outdir: 'dist/bundle',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // Never loaded at run time (oclif looks for them only to run TypeScript sources in development).
  external: ['apache-arrow', 'typescript', 'ts-node', 'tsx'],
  // CommonJS dependencies (oclif) call require() for Node's built-ins; an ES module has no require.
  banner: {
    js: "import {createRequire as __createRequire} from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
})
