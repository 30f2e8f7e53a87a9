import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after} from 'node:test'

/** A temporary folder for one test file, removed when the file's tests end. */
export function tempDir(): (name: string, content?: string | Uint8Array) => string {
  const dir = mkdtempSync(join(tmpdir(), 'focalscope-test-'))
  after(() => rmSync(dir, {recursive: true, force: true}))
  return (name, content) => {
    const path = join(dir, name)
    if (content !== undefined) writeFileSync(path, content)
    return path
  }
}
