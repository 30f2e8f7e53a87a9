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
 * `JSON.parse` with an error that names the file, line and column: Node 20 reports a character offset
 * ("… in JSON at position 32") and sometimes quotes the whole text, which is no use on one stderr line.
 */
export function parseJson(text: string, file: string): unknown {
  if (text.trim() === '') throw new InputError('expected valid JSON, got an empty file', {file})
  try {
    return JSON.parse(text)
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
}
