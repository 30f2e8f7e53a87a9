/**
 * Writes a file's bytes on a thread of their own, so that the thread producing them never waits on the
 * file system (--rows-out: 760 MB for 10 M rows, which on the main thread spent ~0.5 s of a 2 s run in
 * write(2) while the second core sat idle).
 *
 * The producer builds each block in memory this module lends it — a few SharedArrayBuffer slots, reused —
 * and hands the block's pieces to `write`, which posts them to the writer thread and returns at once. The
 * writer writes them in order with writev(2) and gives the slot back through an Atomics word. A producer
 * that gets ahead waits (Atomics.wait) for the oldest slot, so memory stays at the slots: back-pressure
 * without the event loop, which a long synchronous evaluation does not turn. Pieces outside the slots
 * (a writer's small headers) are copied by postMessage.
 *
 * A write error stops the writer; the producer sees it at its next `lend`, `write` or `finish`.
 */
import {MessageChannel, type MessagePort, receiveMessageOnPort, Worker} from 'node:worker_threads'

/** Blocks in memory at once: one being built, the others being written. */
const SLOTS = 4
const FREE = 0
const LENT = 1
const WRITING = 2
/** The state words after the slots': the writer failed (its error is on the error port); it has finished. */
const FAILED = SLOTS
const FINISHED = SLOTS + 1

interface WriterData {
  fd: number
  state: Int32Array
  errors: MessagePort
}

/** A message to the writer: pieces to write in order, then the slots to give back (or the end). */
interface WriteMessage {
  pieces: Uint8Array[]
  release: number[]
  end: boolean
}

/**
 * The writer thread's whole program (run as the source of an `eval` worker: it must not refer to anything
 * outside itself). Each message's pieces go out with writevSync, in a loop until every byte is out.
 *
 * Every FLUSH_BYTES written, an fdatasync starts on the thread pool (one at a time) while the writes go
 * on: the page cache would otherwise hold the whole file until the final fsync (a 760 MB file stays far
 * below the kernel's background threshold, 10 % of memory), which then waited ~0.45 s for all of it here.
 * Measured: farm-bench -n 11, --rows-out of 10 M binary rows to disk, wall 0.80× (0.70–0.92).
 */
function writerThread(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const {parentPort, workerData} = require('node:worker_threads') as typeof import('node:worker_threads')
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const {fdatasync, writevSync} = require('node:fs') as typeof import('node:fs')
  const {fd, state, errors} = workerData as WriterData
  const FAILED_ = state.length - 2
  const FINISHED_ = state.length - 1
  const FLUSH_BYTES = 64 * 1024 * 1024
  let failed = false
  let unflushed = 0
  let flushing = false
  let ended = false
  const fail = (error: unknown): void => {
    if (failed) return
    failed = true
    const {code, message} = error as NodeJS.ErrnoException
    errors.postMessage({code, message})
    Atomics.store(state, FAILED_, 1)
  }
  // Finished once the end has come and no flush is in flight (the descriptor is closed after this).
  const finishIfDone = (): void => {
    if (!ended || flushing) return
    Atomics.store(state, FINISHED_, 1)
    Atomics.notify(state, FINISHED_)
  }
  parentPort?.on('message', (message: WriteMessage) => {
    if (!failed) {
      try {
        let pieces = message.pieces.filter((piece) => piece.byteLength > 0)
        while (pieces.length > 0) {
          let written = writevSync(fd, pieces)
          unflushed += written
          // A short write: drop what went out, cut into the first piece that did not go out whole.
          while (pieces.length > 0 && written >= pieces[0].byteLength) {
            written -= pieces[0].byteLength
            pieces = pieces.slice(1)
          }
          if (written > 0) pieces[0] = pieces[0].subarray(written)
        }
      } catch (error) {
        fail(error)
      }
    }
    if (!failed && !flushing && unflushed >= FLUSH_BYTES) {
      flushing = true
      unflushed = 0
      fdatasync(fd, (error) => {
        if (error) fail(error)
        flushing = false
        finishIfDone()
      })
    }
    // Given back even after a failure, so that a producer waiting for a slot wakes up and sees it.
    for (const slot of message.release) {
      Atomics.store(state, slot, 0)
      Atomics.notify(state, slot)
    }
    if (message.end) {
      ended = true
      finishIfDone()
    }
  })
}

/** The writer's error, as the file system gave it (`code`: ENOSPC, EIO …). */
export class WriteBehindError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message)
    this.name = 'WriteBehindError'
  }
}

export class WriteBehind {
  private readonly worker: Worker
  private readonly state = new Int32Array(new SharedArrayBuffer(4 * (SLOTS + 2)))
  private readonly slots: SharedArrayBuffer[] = []
  /** Slots lent since the last write: given back once that write's pieces are out. */
  private lent: number[] = []
  /** Where the next search for a free slot starts (slots are taken in turn, so this is the oldest). */
  private next = 0
  private readonly errors: MessagePort
  private error: WriteBehindError | undefined
  private stopped = false

  /** Writes to `fd` (open for writing; this class never closes it). */
  constructor(fd: number) {
    const {port1, port2} = new MessageChannel()
    this.errors = port1
    const data: WriterData = {fd, state: this.state, errors: port2}
    // The source as compiled: esbuild (the bundle, and tsx under test) may wrap named inner functions in a
    // __name(fn, "name") helper of its own module, so the worker defines one that does nothing.
    const source = `const __name = (target) => target;\n(${writerThread.toString()})()`
    this.worker = new Worker(source, {eval: true, workerData: data, transferList: [port2]})
    // Never what keeps the process alive: `finish` waits for it through the state words.
    this.worker.unref()
    this.errors.unref()
  }

  /**
   * Memory of at least `bytes` for the caller's next block, its own until it passes the block to `write`.
   * Waits for the writer when every slot is in use.
   */
  lend(bytes: number): SharedArrayBuffer {
    for (;;) {
      this.throwIfFailed()
      for (let t = 0; t < SLOTS; t++) {
        const slot = (this.next + t) % SLOTS
        if (Atomics.load(this.state, slot) !== FREE) continue
        Atomics.store(this.state, slot, LENT)
        if ((this.slots[slot]?.byteLength ?? -1) < bytes) this.slots[slot] = new SharedArrayBuffer(bytes)
        this.lent.push(slot)
        this.next = (slot + 1) % SLOTS
        return this.slots[slot]
      }
      const oldest = this.next
      if (Atomics.load(this.state, oldest) === LENT)
        throw new Error('write-behind: every slot is lent and none written')
      Atomics.wait(this.state, oldest, WRITING)
    }
  }

  /** Appends `pieces` in order; the slots lent since the last write go back to the writer with them. */
  write(pieces: Uint8Array[]): void {
    this.throwIfFailed()
    this.post(pieces, false)
  }

  /** Waits until every byte written so far is in the file (or throws the writer's error), then stops it. */
  async finish(): Promise<void> {
    this.throwIfFailed()
    this.post([], true)
    Atomics.wait(this.state, FINISHED, 0)
    this.throwIfFailed()
    await this.stop()
  }

  /** Stops the writer at once (after a failure elsewhere: the file is being thrown away). */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await this.worker.terminate()
    this.errors.close()
  }

  private post(pieces: Uint8Array[], end: boolean): void {
    const release = this.lent
    this.lent = []
    for (const slot of release) Atomics.store(this.state, slot, WRITING)
    const message: WriteMessage = {pieces, release, end}
    this.worker.postMessage(message)
  }

  private throwIfFailed(): void {
    if (this.error === undefined && Atomics.load(this.state, FAILED) !== 0) {
      const received = receiveMessageOnPort(this.errors)?.message as {code?: string; message: string} | undefined
      this.error = new WriteBehindError(received?.message ?? 'write failed', received?.code)
    }
    if (this.error !== undefined) throw this.error
  }
}
