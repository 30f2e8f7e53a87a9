/**
 * One colour decision for the whole run, passed to every renderer: chalk 5 does not read NO_COLOR,
 * and cli-table3 colours its borders unless told not to.
 */
export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true
  return stream.isTTY === true && env.TERM !== 'dumb'
}
