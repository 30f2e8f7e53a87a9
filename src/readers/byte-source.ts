import {readSync} from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'

import {InputError} from '../core/errors.js'

/**
 * Sequential bytes from a file range or a stream (stdin, a decompressor), read into a caller's buffer.
 * `read` returns 0 only at the end.
 */
export interface ByteSource {
  read(into: Uint8Array, offset: number, length: number): Promise<number>
  close(): Promise<void>
}

/**
 * Bytes [start, end) of a file, by positional reads on one handle. The reads are synchronous, after one
 * turn of the event loop (so Ctrl-C and the progress bar stay live): an async read's hand-off to libuv's
 * thread pool costs more CPU than the copy itself, taken from cores that are all parsing.
 */
export class FileBytes implements ByteSource {
  private constructor(
    private readonly fh: FileHandle,
    private position: number,
    private readonly end: number,
  ) {}

  static async open(path: string, start = 0, end = Infinity): Promise<FileBytes> {
    return new FileBytes(await open(path, 'r'), start, end)
  }

  async read(into: Uint8Array, offset: number, length: number): Promise<number> {
    const want = Math.min(length, this.end - this.position)
    if (want <= 0) return 0
    await new Promise<void>((resolve) => setImmediate(resolve))
    const bytesRead = readSync(this.fh.fd, into, offset, want, this.position)
    this.position += bytesRead
    return bytesRead
  }

  close(): Promise<void> {
    return this.fh.close()
  }
}

/** A stream's bytes, with the ability to put bytes back in front (after sniffing a header or magic). */
export class StreamBytes implements ByteSource {
  private readonly iterator: AsyncIterator<Uint8Array>
  private pending: Uint8Array[] = []

  /** `name` is the file to blame when the stream fails (a corrupt gzip member, a closed pipe). */
  constructor(
    stream: AsyncIterable<Uint8Array>,
    private readonly name: string,
  ) {
    this.iterator = stream[Symbol.asyncIterator]()
  }

  private async next(): Promise<IteratorResult<Uint8Array>> {
    try {
      return await this.iterator.next()
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      throw new InputError(`could not read the data (${message})`, {file: this.name})
    }
  }

  unshift(bytes: Uint8Array): void {
    if (bytes.length > 0) this.pending.unshift(bytes)
  }

  async read(into: Uint8Array, offset: number, length: number): Promise<number> {
    while (this.pending.length === 0) {
      const next = await this.next()
      if (next.done) return 0
      if (next.value.length > 0) this.pending.push(next.value)
    }
    const head = this.pending[0]
    const n = Math.min(length, head.length)
    into.set(head.subarray(0, n), offset)
    if (n === head.length) this.pending.shift()
    else this.pending[0] = head.subarray(n)
    return n
  }

  /** The first `n` bytes (fewer at the end of the stream), left in place to be read again. */
  async peek(n: number): Promise<Uint8Array> {
    const buf = new Uint8Array(n)
    let length = 0
    while (length < n) {
      const got = await this.read(buf, length, n - length)
      if (got === 0) break
      length += got
    }
    const bytes = buf.subarray(0, length)
    this.unshift(bytes)
    return bytes
  }

  /** Everything not yet read, as a stream (for the Arrow stream reader or spooling to a file). */
  async *remaining(): AsyncGenerator<Uint8Array> {
    while (this.pending.length > 0) yield this.pending.shift() as Uint8Array
    for (;;) {
      const next = await this.next()
      if (next.done) return
      yield next.value
    }
  }

  async close(): Promise<void> {
    await this.iterator.return?.()
  }
}
