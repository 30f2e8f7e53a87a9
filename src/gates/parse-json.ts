import {InputError} from '../core/errors.js'

/** Line and column (1-based) of a character offset. */
function lineAndColumn(text: string, offset: number): {line: number; column: number} {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return {line, column: offset - before.lastIndexOf('\n')}
}

/** Whether `JSON.parse` fails on `text` for a reason other than running out of text. */
function failsBeforeEnd(text: string): boolean {
  try {
    JSON.parse(text)
    return false
  } catch (error) {
    const message = (error as Error).message
    const position = /at position (\d+)/.exec(message)
    const ranOut =
      /end of JSON input|Unterminated string/.test(message) || (position !== null && Number(position[1]) >= text.length)
    return !ranOut
  }
}

/**
 * Where the first bad character is, when V8 does not say ("Unexpected token '}', …" on Node 20): the
 * shortest prefix that fails for another reason than its end ends with it. Prefixes before the error
 * only ever run out of text, so a binary search finds it.
 */
function errorOffset(text: string): number {
  let low = 1
  let high = text.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (failsBeforeEnd(text.slice(0, mid))) high = mid
    else low = mid + 1
  }
  return low - 1
}

/**
 * The path (`sweep[1].sum`) of the first number in a parsed JSON value that is not finite, or undefined.
 * JSON has no Infinity, but `JSON.parse` reads a literal beyond the largest double (`1e999`) as one.
 */
export function nonFiniteNumberPath(value: unknown, path = ''): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path
  if (value === null || typeof value !== 'object') return undefined
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [`${path}[${i}]`, item])
    : Object.entries(value).map(([key, item]) => [path === '' ? key : `${path}.${key}`, item])
  for (const [at, item] of entries) {
    const found = nonFiniteNumberPath(item, at)
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * `JSON.parse` with an error that names the file, line and column: Node 20 reports a character offset
 * ("… in JSON at position 32") and sometimes quotes the whole text, which is no use on one stderr line.
 * A number beyond the double range (`1e999`, read as Infinity) is refused too, naming its field: a
 * report or baseline holding one is malformed, and a gate must not compare with it.
 */
export function parseJson(text: string, file: string): unknown {
  if (text.trim() === '') throw new InputError('expected valid JSON, got an empty file', {file})
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const message = (error as Error).message
    const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '')
    const position = /at position (\d+)/.exec(message)
    if (position === null && !failsBeforeEnd(text)) {
      throw new InputError(`expected valid JSON, got a syntax error: ${reason}`, {file})
    }
    const offset = position === null ? errorOffset(text) : Number(position[1])
    const {line, column} = lineAndColumn(text, offset)
    throw new InputError(`column ${column}: expected valid JSON, got a syntax error: ${reason}`, {file, line})
  }
  const field = nonFiniteNumberPath(value)
  if (field !== undefined) {
    const where = field === '' ? 'the document' : `"${field}"`
    throw new InputError(
      `expected ${where} to be a finite number, got a number beyond the largest double (such as 1e999, read as Infinity)`,
      {file},
    )
  }
  return value
}
