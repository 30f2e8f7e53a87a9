import {LF, QUOTE} from './bytes.js'

/** Reads a quoted field starting at the opening quote; null if it does not close before `length`. */
export function readQuoted(
  buf: Uint8Array,
  start: number,
  length: number,
  eof: boolean,
): {text: string; end: number; newlines: number} | null {
  let p = start + 1
  let newlines = 0
  const parts: string[] = []
  let from = p
  for (;;) {
    if (p >= length) return null
    const c = buf[p]
    if (c === QUOTE) {
      if (p + 1 >= length && !eof) return null // cannot tell "" from the closing quote yet
      if (p + 1 < length && buf[p + 1] === QUOTE) {
        parts.push(Buffer.from(buf.buffer, buf.byteOffset + from, p + 1 - from).toString('utf8'))
        p += 2
        from = p
        continue
      }
      parts.push(Buffer.from(buf.buffer, buf.byteOffset + from, p - from).toString('utf8'))
      return {text: parts.join(''), end: p + 1, newlines}
    }
    if (c === LF) newlines++
    p++
  }
}
