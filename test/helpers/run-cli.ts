import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/run.cjs', import.meta.url))

export interface CliResult {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs the built CLI (`npm run build` first) as a user would: a child process, no TTY. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, input?: Uint8Array | string): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: {...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env},
    input,
  })
  return {status: result.status, stdout: result.stdout, stderr: result.stderr}
}

/** Runs `report … --json` and parses stdout, failing loudly if it is not exactly one JSON document. */
export function runReportJson(args: string[]): {status: number | null; json: Record<string, unknown>; stderr: string} {
  const result = runCli(['report', ...args, '--json'])
  if (result.status !== 0) throw new Error(`exit ${result.status}: ${result.stderr}`)
  return {status: result.status, json: JSON.parse(result.stdout) as Record<string, unknown>, stderr: result.stderr}
}

/** A running child process (startCli, startNode): stdout and stdin are pipes the test drives; stderr is collected. */
export interface RunningProcess {
  child: ChildProcess
  /** Settles when the process has exited: its code, or the signal that killed it. */
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  /** stderr so far. */
  stderr: () => string
  /** Resolves once stderr holds a line matching `pattern`; rejects if the process exits first. */
  stderrLine: (pattern: RegExp) => Promise<string>
  /** Resolves once stdout has bytes to read (none are consumed); rejects if the process exits first. */
  stdoutReadable: () => Promise<void>
  /** Reads stdout to its end. */
  readStdout: () => Promise<string>
}

/**
 * Starts the built CLI as a child process without waiting for it, for tests that signal a run in
 * progress. Nothing here is timed: each wait ends on something the child did (a line on stderr, bytes on
 * stdout) or on its exit. `nodeArgs` go to node before the script (`--import …`).
 */
export function startCli(
  args: string[],
  options: {env?: NodeJS.ProcessEnv; nodeArgs?: string[]; stdin?: 'pipe' | 'ignore'} = {},
): RunningProcess {
  return startNode([...(options.nodeArgs ?? []), BIN, ...args], options)
}

/** Starts `node …args` as startCli does (the environment without colour settings, plus `env`). */
export function startNode(
  args: string[],
  options: {env?: NodeJS.ProcessEnv; stdin?: 'pipe' | 'ignore'} = {},
): RunningProcess {
  const child = spawn(process.execPath, args, {
    env: {...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env},
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  const stderrWaiters: (() => void)[] = []
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text
    for (const wake of stderrWaiters.splice(0)) wake()
  })
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) =>
    child.once('exit', (code, signal) => resolve({code, signal})),
  )
  const beforeExit = <T>(what: string, wait: Promise<T>): Promise<T> =>
    Promise.race([
      wait,
      exited.then(({code, signal}) => {
        throw new Error(`the process exited (${code ?? signal}) before ${what}; stderr: ${stderr}`)
      }),
    ])
  return {
    child,
    exited,
    stderr: () => stderr,
    stderrLine: (pattern) =>
      beforeExit(
        `a line on stderr matching ${pattern}`,
        new Promise<string>((resolve) => {
          const check = (): void => {
            const line = stderr.split('\n').find((l) => pattern.test(l))
            if (line === undefined) stderrWaiters.push(check)
            else resolve(line)
          }
          check()
        }),
      ),
    stdoutReadable: () =>
      beforeExit('writing to stdout', new Promise<void>((resolve) => child.stdout?.once('readable', resolve))),
    readStdout: async () => {
      const chunks: Buffer[] = []
      for await (const chunk of child.stdout ?? []) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks).toString('utf8')
    },
  }
}
