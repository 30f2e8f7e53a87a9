import {open, readFile} from 'node:fs/promises'

import {UsageError} from '../core/errors.js'
import {loadReport} from '../gates/load-report.js'
import type {CompareInput} from '../report/compare-types.js'
import type {Report} from '../report/types.js'
import {fsError, STDIN} from '../readers/open-source.js'

/** Bytes read to tell a saved report from predictions: a UTF-8 BOM and blank space, then the first character. */
const SNIFF_BYTES = 4096

/**
 * What a file given to `compare` holds, told by its content, not its name: a saved report (JSON: the
 * first character after an optional BOM and blank space is `{`) or predictions (anything else: CSV,
 * Arrow, Parquet, gzip — which the readers tell apart in turn). A CSV header cannot start with `{`
 * unless a column is named so, and Arrow, Parquet and gzip start with their magic bytes.
 */
export async function compareInputKind(path: string): Promise<CompareInput['kind']> {
  if (path === STDIN) {
    throw new UsageError(
      'compare: expected two files, got - (standard input): compare may read each file twice (the hard-row pairing), so save it to a file first',
    )
  }
  let handle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    throw fsError(error, path)
  }
  try {
    const head = Buffer.alloc(SNIFF_BYTES)
    const {bytesRead} = await handle.read(head, 0, SNIFF_BYTES, 0)
    let i = 0
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3
    while (i < bytesRead && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++
    return i < bytesRead && head[i] === 0x7b ? 'report' : 'predictions'
  } catch (error) {
    throw fsError(error, path)
  } finally {
    await handle.close()
  }
}

/** A saved report (`report --json`, `-o`, or `gate --report`), checked as gate's --baseline is. */
export async function readSavedReport(path: string): Promise<Report> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw fsError(error, path)
  }
  return loadReport(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, path)
}
