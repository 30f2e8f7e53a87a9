import {readFileSync} from 'node:fs'

/** Reads a little-endian float64 or uint16 .npy array (format 1.x, C order) — enough for shared/real. */
export function readNpy(path: string): {shape: number[]; data: Float64Array | Uint16Array} {
  const bytes = readFileSync(path)
  if (bytes.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${path}: not a .npy file`)
  const headerLength = bytes.readUInt16LE(8)
  const header = bytes.toString('latin1', 10, 10 + headerLength)
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1]
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${path}: Fortran order is not supported`)
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number)
  const body = bytes.subarray(10 + headerLength)
  const copy = new Uint8Array(body) // aligned copy
  if (descr === '<f8') return {shape, data: new Float64Array(copy.buffer)}
  if (descr === '<u2') return {shape, data: new Uint16Array(copy.buffer)}
  throw new Error(`${path}: dtype ${descr} is not supported`)
}
