import {open} from 'node:fs/promises'

/**
 * Cuts bytes [dataOffset, size) into `parts` ranges that each start at a record start: every cut is
 * moved forward to just after the next LF. Reads a small window at each cut, never the whole file.
 * (A quoted field may hold an LF: a range that meets a quote gives up, and the file is read whole.)
 */
export async function splitAtLineStarts(
  path: string,
  dataOffset: number,
  size: number,
  parts: number,
): Promise<number[]> {
  const cuts = [dataOffset]
  const fh = await open(path, 'r')
  try {
    const window = Buffer.alloc(1 << 16)
    for (let i = 1; i < parts; i++) {
      let at = Math.max(cuts[cuts.length - 1], Math.floor(dataOffset + ((size - dataOffset) * i) / parts))
      for (;;) {
        const {bytesRead} = await fh.read(window, 0, window.length, at)
        if (bytesRead === 0) {
          at = size
          break
        }
        const lf = window.subarray(0, bytesRead).indexOf(0x0a)
        if (lf >= 0) {
          at += lf + 1
          break
        }
        at += bytesRead
      }
      if (at > cuts[cuts.length - 1] && at < size) cuts.push(at)
    }
  } finally {
    await fh.close()
  }
  cuts.push(size)
  return cuts
}
