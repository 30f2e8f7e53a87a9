import {spawnSync} from 'node:child_process'
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
