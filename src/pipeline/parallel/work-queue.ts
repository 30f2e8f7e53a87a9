/**
 * Units of work (a CSV file's byte ranges, groups of an Arrow file's batches) handed out one at a time to
 * whichever thread asks next: a counter in shared memory. A thread that runs slower (its core shared with
 * another process, a worker that started late) takes fewer units, so the threads finish together.
 */
export type WorkQueue = Int32Array

export function createWorkQueue(): WorkQueue {
  return new Int32Array(new SharedArrayBuffer(4))
}

/** The next unit nobody has claimed (0, 1, 2, …; past the last one when all are taken). */
export function claimUnit(queue: WorkQueue): number {
  return Atomics.add(queue, 0, 1)
}

/** Hands out no more units: a thread that gave up tells the others to stop. */
export function closeQueue(queue: WorkQueue): void {
  Atomics.store(queue, 0, 0x3fffffff)
}
