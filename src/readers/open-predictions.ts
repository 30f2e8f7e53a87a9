import {createReadStream, createWriteStream, mkdtempSync, openSync, rmSync} from 'node:fs'
import {rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {extname, join} from 'node:path'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import zlib, {createGunzip} from 'node:zlib'

import type {PredictionChunk} from '../core/chunk.js'
import {InputError, UsageError} from '../core/errors.js'
import type {FileFormat} from '../core/result.js'
import type {SkipLog} from '../core/skip-log.js'
import {ARROW_FILE_MAGIC, type ArrowSource, openArrow, openArrowStream, readArrowChunks} from './from-arrow.js'
import {StreamBytes} from './byte-source.js'
import {assertCsvColumns, type CsvHeader, readCsvChunks, readCsvHeader, readCsvHeaderFrom} from './from-csv.js'
import {type Layout, type LayoutFlags, resolveLayout} from './layout.js'

const ARROW_EXTENSIONS = new Set(['.arrow', '.arrows', '.feather', '.ipc'])

/** The format from the file extension: .arrow/.arrows/.feather/.ipc are Arrow IPC, anything else CSV. */
export function formatOf(path: string, override?: FileFormat): FileFormat {
  if (override) return override
  return ARROW_EXTENSIONS.has(extname(path).toLowerCase()) ? 'arrow' : 'csv'
}

export interface OpenedPredictions {
  layout: Layout
  format: FileFormat
  /** Lazy: nothing is read until the first chunk is asked for. */
  chunks: AsyncIterable<PredictionChunk>
  size: number
  /** For CSV: the header, so the file can be split across worker threads at line starts, and the record limit. */
  csv?: {header: CsvHeader; maxRecordBytes?: number}
  /** For an Arrow IPC file: how many record batches it has (undefined for a stream). */
  arrowBatches?: number
  /** For an Arrow IPC file: focalscope decodes its batches itself (flat memory per thread). */
  arrowNative?: boolean
  /** Closes what was opened when the chunks will not be read here (the workers read the file instead). */
  release(): Promise<void>
}

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
const ARROW_STREAM_CONTINUATION = [0xff, 0xff, 0xff, 0xff]

/**
 * A byte stream for inputs that cannot be read by position: stdin and compressed files. Null for a
 * plain file (read by file handle: random access, worker threads).
 */
async function openByteStream(path: string): Promise<StreamBytes | null> {
  if (path === STDIN) {
    const stdin = new StreamBytes(process.stdin, path)
    const head = await stdin.peek(2)
    // Compressed stdin is recognised by its magic bytes, as there is no extension to go by.
    if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) {
      return new StreamBytes(Readable.from(stdin.remaining()).pipe(createGunzip()), path)
    }
    return stdin
  }
  if (/\.gz$/i.test(path)) return new StreamBytes(createReadStream(path).pipe(createGunzip()), path)
  if (/\.zst$/i.test(path)) {
    const zstd = (zlib as {createZstdDecompress?: () => import('node:stream').Transform}).createZstdDecompress
    if (!zstd) {
      throw new UsageError(
        `${path}: zstd needs Node.js 22.15 or later (this is ${process.version}); decompress it first (zstd -d) or use gzip`,
      )
    }
    return new StreamBytes(createReadStream(path).pipe(zstd()), path)
  }
  return null
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b)
}

/** How to read a predictions file: its layout, and the longest CSV record (bytes; default 64 MiB). */
export interface ReadFlags extends LayoutFlags {
  maxRecordBytes?: number
}

/** A stream (stdin, decompressed): the format comes from its first bytes unless --input-format says. */
async function openStreamPredictions(
  path: string,
  stream: StreamBytes,
  flags: ReadFlags,
  formatOverride: FileFormat | undefined,
  skip: SkipLog | undefined,
): Promise<OpenedPredictions> {
  const head = await stream.peek(8)
  const looksArrowFile = Buffer.from(head.subarray(0, 6)).toString('latin1') === ARROW_FILE_MAGIC
  const looksArrowStream = startsWith(head, ARROW_STREAM_CONTINUATION)
  const format = formatOverride ?? (looksArrowFile || looksArrowStream ? 'arrow' : 'csv')
  const noParallel = {size: 0, release: () => stream.close()}
  if (format === 'arrow') {
    // The IPC file format needs random access (its footer is at the end): spool it to a temp file.
    const source = looksArrowFile ? await spoolArrowFile(path, stream) : await openArrowStream(path, stream.remaining())
    const layout = resolveLayoutOrClose(source, flags, path)
    return {layout, format, chunks: readArrowChunks(path, source, layout, skip), ...noParallel}
  }
  const {header, bytes} = await readCsvHeaderFrom(stream, path)
  stream.unshift(bytes.subarray(header.dataOffset))
  assertCsvColumns(header, path)
  const layout = resolveLayout(
    header.columns.map((name) => ({name})),
    flags,
    path,
  )
  const options = {skip, source: stream, maxRecordBytes: flags.maxRecordBytes}
  return {layout, format, chunks: readCsvChunks(path, header, layout, options), ...noParallel}
}

function resolveLayoutOrClose(source: ArrowSource, flags: LayoutFlags, path: string): Layout {
  try {
    return resolveLayout(source.columns, flags, path)
  } catch (error) {
    void source.close()
    throw error
  }
}

/** Spool directories not yet removed: the `exit` handler removes them (Ctrl-C exits 130 at once). */
const spoolDirs = new Set<string>()
let spoolCleanupInstalled = false

function removeSpoolDirs(): void {
  for (const dir of spoolDirs) {
    try {
      rmSync(dir, {recursive: true, force: true})
    } catch {
      // Exiting anyway: a directory that cannot be removed must not turn the exit into a crash.
    }
  }
  spoolDirs.clear()
}

async function removeSpoolDir(dir: string): Promise<void> {
  await rm(dir, {recursive: true, force: true})
  spoolDirs.delete(dir)
}

/**
 * Copies an Arrow IPC file arriving on a stream to a temp file, opens it, and deletes it on close — or,
 * when the process exits first (Ctrl-C, SIGTERM: bin/run.cjs exits 130), in a synchronous `exit` handler.
 * The directory and the file are created synchronously, so a signal finds them registered whenever it
 * comes. Messages name the stream (`path`, `-`), never the temp file.
 */
async function spoolArrowFile(path: string, stream: StreamBytes): Promise<ArrowSource> {
  if (!spoolCleanupInstalled) {
    process.on('exit', removeSpoolDirs)
    spoolCleanupInstalled = true
  }
  let dir: string
  try {
    dir = mkdtempSync(join(tmpdir(), 'focalscope-'))
  } catch (error) {
    throw spoolError(error, path)
  }
  spoolDirs.add(dir)
  const file = join(dir, 'input.arrow')
  try {
    let fd: number
    try {
      fd = openSync(file, 'wx')
    } catch (error) {
      throw spoolError(error, path)
    }
    try {
      // The write stream closes the descriptor when it ends or fails (autoClose).
      await pipeline(Readable.from(stream.remaining()), createWriteStream(file, {fd}))
    } catch (error) {
      // A failing stdin is the stream's own error (it names `path`); a failing write is the temp file's.
      if (error instanceof InputError || error instanceof UsageError) throw error
      throw spoolError(error, path)
    }
    const source = await openArrow(file, undefined, path)
    return {
      ...source,
      close: async () => {
        await source.close()
        await removeSpoolDir(dir)
      },
    }
  } catch (error) {
    await removeSpoolDir(dir)
    throw error
  }
}

/** A failure to write the spool copy, naming the stream and the temp directory (TMPDIR), not the temp file. */
function spoolError(error: unknown, path: string): InputError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
  return new InputError(
    `could not copy the Arrow file to a temporary file in ${tmpdir()} (${code}; set TMPDIR to a writable directory with room)`,
    {
      file: path,
    },
  )
}

/** Opens one predictions file: detects the layout from its header or schema, and streams its chunks. */
export async function openPredictions(
  path: string,
  flags: ReadFlags,
  formatOverride?: FileFormat,
  skip?: SkipLog,
  onBytes?: (bytes: number) => void,
): Promise<OpenedPredictions> {
  if (path !== STDIN) await checkReadable(path)
  const stream = await openByteStream(path)
  if (stream) {
    try {
      return await openStreamPredictions(path, stream, flags, formatOverride, skip)
    } catch (error) {
      await stream.close().catch(() => undefined)
      if (error instanceof InputError || error instanceof UsageError) throw error
      throw fsError(error, path)
    }
  }
  const size = await checkReadable(path)
  const format = formatOf(path, formatOverride)
  try {
    if (format === 'arrow') {
      const source = await openArrow(path)
      let layout: Layout
      try {
        layout = resolveLayout(source.columns, flags, path)
      } catch (error) {
        await source.close()
        throw error
      }
      return {
        layout,
        format,
        // Progress by batches: each stands for an equal share of the file's bytes.
        chunks: readArrowChunks(path, source, layout, skip, () => onBytes?.(size / (source.numBatches ?? 1))),
        size,
        arrowBatches: source.numBatches,
        arrowNative: source.native,
        release: () => source.close(),
      }
    }
    const header = await readCsvHeader(path)
    assertCsvColumns(header, path)
    const layout = resolveLayout(
      header.columns.map((name) => ({name})),
      flags,
      path,
    )
    return {
      layout,
      format,
      chunks: (async function* () {
        onBytes?.(header.dataOffset) // the header counts towards the file's bytes too
        yield* readCsvChunks(path, header, layout, {skip, onBytes, maxRecordBytes: flags.maxRecordBytes})
      })(),
      size,
      csv: {header, maxRecordBytes: flags.maxRecordBytes},
      release: async () => undefined,
    }
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
