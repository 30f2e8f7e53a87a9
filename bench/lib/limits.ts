/**
 * The two limits every bench case is measured against (issue 20): focalscope's time as a multiple of
 *   - the compute limit: its own evaluation over the rows already in memory as typed arrays, same threads
 *     (bench/compute-limit.ts, run as a child bundled like the CLI), and
 *   - the read limit: reading the file's bytes and nothing else, one thread, 1 MiB at a time (the CSV
 *     reader's block size), from the page cache as the tools do.
 * "1.4× compute limit, 6× read limit": how far the tool is from what the maths and the bytes cost.
 */
import {closeSync, openSync, readSync} from 'node:fs'
import {join} from 'node:path'

import {build} from 'esbuild'

import type {ComputeLimitResult} from '../compute-limit.js'
import {measureNode} from './measure.js'

/** Bundles bench/compute-limit.ts (and its worker) with the CLI's own esbuild settings (scripts/bundle.mjs) into `outDir`. */
export async function buildComputeLimit(root: string, outDir: string): Promise<string> {
  await build({
    entryPoints: {
      'compute-limit': join(root, 'bench', 'compute-limit.ts'),
      'compute-limit-worker': join(root, 'bench', 'compute-limit-worker.ts'),
    },
    outdir: outDir,
    outExtension: {'.js': '.cjs'},
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    // As shipped: constant primitives inlined into the hot loops (they are 1.2–1.4× slower without).
    minifySyntax: true,
    external: ['typescript', 'ts-node', 'tsx'],
    define: {'import.meta.url': 'import_meta_url', 'import.meta.resolve': 'import_meta_resolve'},
    banner: {
      js: [
        "const import_meta_url = require('node:url').pathToFileURL(__filename).href;",
        "const import_meta_resolve = (s) => require('node:url').pathToFileURL(require.resolve(s)).href;",
      ].join(' '),
    },
  })
  return join(outDir, 'compute-limit.cjs')
}

export interface ComputeLimit extends ComputeLimitResult {
  /** Median of the warm runs (all but the first), seconds. */
  medianS: number
  error?: string
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Runs the bundled compute-limit child on `file`. */
export async function measureComputeLimit(
  script: string,
  file: string,
  gammas: number[],
  opts: {cwd: string; repeat: number; threads?: number},
): Promise<ComputeLimit | {error: string}> {
  const args = [script, '--file', file, '--gammas', gammas.join(','), '--repeat', String(opts.repeat)]
  if (opts.threads !== undefined) args.push('--threads', String(opts.threads))
  const m = await measureNode(args, {cwd: opts.cwd, measureRss: false})
  if (m.exitCode !== 0) {
    return {error: `compute-limit exited with ${m.exitCode}: ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`}
  }
  const r = JSON.parse(m.stdout) as ComputeLimitResult
  return {...r, medianS: median(r.runsMs.slice(1)) / 1000}
}

/** Seconds to read `path` whole, 1 MiB at a time, on this thread: the median of `runs`. */
export function measureReadLimit(path: string, runs: number): number {
  const buf = Buffer.allocUnsafe(1 << 20)
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    const fd = openSync(path, 'r')
    try {
      while (readSync(fd, buf, 0, buf.length, null) > 0);
    } finally {
      closeSync(fd)
    }
    times.push((performance.now() - started) / 1000)
  }
  return median(times)
}
