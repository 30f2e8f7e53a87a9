/**
 * Opens a predictions file (or `-`, standard input) as a PredictionSource of the right format: `--format`
 * if given, else the file's extension, else its first bytes (magic), else CSV. Standard input and
 * compressed files (.gz, .zst) are streams, told apart by their first bytes.
 */
import {createReadStream} from 'node:fs'
import {open, stat} from 'node:fs/promises'
import {extname} from 'node:path'
import {Readable} from 'node:stream'

import {InputError, UsageError} from '../core/errors.js'
import type {FileFormat} from '../core/kinds.js'
import {StreamBytes} from './byte-source.js'
import type {Layout} from './layout.js'
import type {PredictionSource, ReadFlags} from './prediction-source.js'
import {formatOfExtension, readerFormat, sniffFormat} from './registry.js'

/** Turns fs errors into one-line input errors that name the file. */
async function checkReadable(path: string): Promise<number> {
  try {
    const info = await stat(path)
    if (info.isDirectory()) throw new InputError('expected a file, got a directory', {file: path})
    return info.size
  } catch (error) {
    if (error instanceof InputError) throw error
    throw fsError(error, path)
  }
}

export function fsError(error: unknown, path: string): InputError {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return new InputError('no such file', {file: path})
  if (code === 'EACCES' || code === 'EPERM') return new InputError('permission denied', {file: path})
  if (code === 'EISDIR') return new InputError('expected a file, got a directory', {file: path})
  return new InputError(`could not read the file (${(error as Error).message})`, {file: path})
}

/** The path that means standard input. */
export const STDIN = '-'

const GZIP_MAGIC = [0x1f, 0x8b]

/**
 * A byte stream for inputs that cannot be read by position: stdin and compressed files. Null for a
 * plain file (read by file handle: random access, worker threads).
 */
async function openByteStream(path: string): Promise<StreamBytes | null> {
  // zlib only for a compressed input: importing it costs every run ~4 ms, on each thread.
  const zlib = async (): Promise<typeof import('node:zlib')> => import('node:zlib')
  if (path === STDIN) {
    const stdin = new StreamBytes(process.stdin, path)
    const head = await stdin.peek(2)
    // Compressed stdin is recognised by its magic bytes, as there is no extension to go by.
    if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) {
      return new StreamBytes(Readable.from(stdin.remaining()).pipe((await zlib()).createGunzip()), path)
    }
    return stdin
  }
  if (/\.gz$/i.test(path)) return new StreamBytes(createReadStream(path).pipe((await zlib()).createGunzip()), path)
  if (/\.zst$/i.test(path)) {
    const zstd = ((await zlib()) as {createZstdDecompress?: () => import('node:stream').Transform}).createZstdDecompress
    if (!zstd) {
      throw new UsageError(
        `${path}: zstd needs Node.js 22.15 or later (this is ${process.version}); decompress it first (zstd -d) or use gzip`,
      )
    }
    return new StreamBytes(createReadStream(path).pipe(zstd()), path)
  }
  return null
}

/** The first bytes of a plain file (fewer for a short one). */
async function headOf(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r')
  try {
    const head = Buffer.alloc(8)
    const {bytesRead} = await fh.read(head, 0, 8, 0)
    return head.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

/** The format of a plain file: --format, else its extension, else its magic bytes, else CSV. */
async function formatOfFile(path: string, override: FileFormat | undefined): Promise<FileFormat> {
  if (override) return override
  const byExtension = formatOfExtension(extname(path))
  if (byExtension) return byExtension.format
  return sniffFormat(await headOf(path))?.format ?? 'csv'
}

/** Opens one predictions file: detects the layout from its header or schema; nothing else is read yet. */
export async function openSource(
  path: string,
  flags: ReadFlags,
  formatOverride?: FileFormat,
): Promise<PredictionSource> {
  if (path !== STDIN) await checkReadable(path)
  const stream = await openByteStream(path)
  if (stream) {
    try {
      const head = await stream.peek(8)
      const format = readerFormat(formatOverride ?? sniffFormat(head)?.format ?? 'csv')
      if (!format.openStream)
        throw new UsageError(`${path}: ${format.format} cannot be read from a stream; pass a file`)
      return await format.openStream(path, stream, flags)
    } catch (error) {
      await stream.close().catch(() => undefined)
      if (error instanceof InputError || error instanceof UsageError) throw error
      throw fsError(error, path)
    }
  }
  try {
    return await readerFormat(await formatOfFile(path, formatOverride)).open(path, flags)
  } catch (error) {
    if (error instanceof InputError || error instanceof UsageError) throw error
    throw fsError(error, path)
  }
}

/** Several files are one dataset only when their layouts agree on task, scores and classes. */
export function assertSameLayout(first: Layout, other: Layout, path: string): void {
  const same =
    first.task === other.task &&
    first.scores === other.scores &&
    first.classes.length === other.classes.length &&
    first.classes.every((c, i) => c === other.classes[i])
  if (!same) {
    throw new UsageError(
      `${path}: expected the same task, score kind and classes as the first file ` +
        `(${first.task}, ${first.scores}, ${first.classes.length} classes), got ${other.task}, ${other.scores}, ${other.classes.length} classes`,
    )
  }
}
