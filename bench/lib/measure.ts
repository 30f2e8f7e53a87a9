/**
 * Runs a child process and measures its wall time (performance.now() around the spawn) and peak RSS:
 * through `/usr/bin/time -v` when GNU time is there ("Maximum resident set size"), otherwise through
 * bench/maxrss-preload.mjs, which makes a Node child report its own getrusage peak when it exits.
 */
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export interface Measurement {
  wallMs: number
  /** Peak resident set size in KiB, or null when it could not be measured. */
  maxRssKiB: number | null
  /**
   * User + system CPU time of the child, all its threads, in ms (null without the RSS wrapper): on a shared
   * machine the steadier figure, since waiting for a core is not counted.
   */
  cpuMs: number | null
  exitCode: number | null
  stdout: string
  stderr: string
}

const PRELOAD = fileURLToPath(new URL('../maxrss-preload.mjs', import.meta.url))
const GNU_TIME = '/usr/bin/time'

let timeWorks: boolean | undefined

/** Whether /usr/bin/time -v -o FILE works here (GNU time). BENCH_RSS=preload forces the fallback. */
export function hasGnuTime(): boolean {
  if (timeWorks === undefined) {
    timeWorks = false
    if (process.env.BENCH_RSS !== 'preload' && existsSync(GNU_TIME)) {
      const dir = mkdtempSync(join(tmpdir(), 'bench-time-'))
      try {
        const out = join(dir, 'time.txt')
        const r = spawnSync(GNU_TIME, ['-v', '-o', out, 'true'], {stdio: 'ignore'})
        timeWorks = r.status === 0 && existsSync(out) && /Maximum resident set size/.test(readFileSync(out, 'utf8'))
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    }
  }
  return timeWorks
}

/**
 * Variables removed from both tools' environment. Node 20 reads and parses the whole NODE_EXTRA_CA_CERTS
 * file when a process starts (about 80 ms per process on the 2-core machine, where the sandbox sets it
 * for its proxy); neither tool opens a TLS connection, so it would only add the same constant to both.
 */
export const SCRUBBED_ENV = ['NODE_EXTRA_CA_CERTS'] as const

/** The environment every measured child gets: this process's, without SCRUBBED_ENV, plus `extra`. */
export function childEnvironment(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = {...process.env, ...extra}
  for (const name of SCRUBBED_ENV) delete env[name]
  return env
}

/** Which of SCRUBBED_ENV this process has, for the bench's header. */
export function scrubbedHere(): string[] {
  return SCRUBBED_ENV.filter((name) => process.env[name] !== undefined)
}

export function rssMethod(): string {
  return hasGnuTime() ? '/usr/bin/time -v (Maximum resident set size)' : 'getrusage() of the child (preload)'
}

/**
 * Runs `node <nodeArgs…>` (a Node child, so the fallback preload can be used) and measures it.
 * `measureRss: false` skips the wrapper (start-up timing).
 */
export async function measureNode(
  nodeArgs: string[],
  opts: {cwd: string; measureRss?: boolean; env?: NodeJS.ProcessEnv},
): Promise<Measurement> {
  const measureRss = opts.measureRss ?? true
  const dir = measureRss ? mkdtempSync(join(tmpdir(), 'bench-rss-')) : undefined
  const report = dir ? join(dir, 'rss.txt') : undefined
  let command = process.execPath
  let args = nodeArgs
  const env = childEnvironment(opts.env)
  if (report && hasGnuTime()) {
    command = GNU_TIME
    args = ['-v', '-o', report, process.execPath, ...nodeArgs]
  } else if (report) {
    args = ['--import', PRELOAD, ...nodeArgs]
    env.BENCH_MAXRSS_FILE = report
  }
  try {
    const started = performance.now()
    const {code, stdout, stderr} = await new Promise<{code: number | null; stdout: string; stderr: string}>(
      (resolve, reject) => {
        const child = spawn(command, args, {cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
        const out: Buffer[] = []
        const err: Buffer[] = []
        child.stdout.on('data', (d: Buffer) => out.push(d))
        child.stderr.on('data', (d: Buffer) => err.push(d))
        child.on('error', reject)
        child.on('close', (c) =>
          resolve({code: c, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')}),
        )
      },
    )
    const wallMs = performance.now() - started
    let maxRssKiB: number | null = null
    let cpuMs: number | null = null
    let exitCode = code
    if (report && existsSync(report)) {
      const text = readFileSync(report, 'utf8')
      if (hasGnuTime()) {
        const m = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(text)
        if (m) maxRssKiB = Number(m[1])
        const s = /Exit status:\s*(\d+)/.exec(text)
        if (s) exitCode = Number(s[1])
        const user = /User time \(seconds\):\s*([\d.]+)/.exec(text)
        const system = /System time \(seconds\):\s*([\d.]+)/.exec(text)
        if (user && system) cpuMs = 1000 * (Number(user[1]) + Number(system[1]))
      } else {
        // The preload writes "maxRSS-KiB cpu-microseconds".
        const m = /^(\d+) (\d+)$/.exec(text.trim())
        if (m) {
          maxRssKiB = Number(m[1])
          cpuMs = Number(m[2]) / 1000
        }
      }
    }
    return {wallMs, maxRssKiB, cpuMs, exitCode, stdout, stderr}
  } finally {
    if (dir) rmSync(dir, {recursive: true, force: true})
  }
}
