import {focalSumLines} from './focal-row-kernel.js'
import {tableExp, tableLog1pUnit} from './table-exp.js'

/**
 * Binary logits summed as they are read: the row maths (margin m = x for label 1, −x for label 0;
 * CE = softplus(−m) = max(−m, 0) + log1p(e^−|m|); 1 − p_t = σ(−m)) and the focal row kernel's sums in one
 * generated loop, for the γ list of a run. Binary logits are the most common input, and writing each
 * row's CE, 1 − p_t and bucket to buffers for the kernel to read back was ~15 % of their time.
 *
 * Rows [start, end) are added to `sums`, laid out as count[4], Σ CE[4], then Σ (1 − p_t)^γ · CE[4] per γ
 * (γ = 0 slots are left for the caller to copy from Σ CE). The same operations in the same order as
 * prepare-then-kernel, so the same doubles. Returns end, or the index of the first row whose logit is
 * not finite (rows before it are added; the caller rejects or skips it and goes on after it).
 */
export type BinaryLogitsKernel = (
  labels: Int32Array,
  scores: Float64Array | Float32Array,
  start: number,
  end: number,
  easyThreshold: number,
  sums: Float64Array,
) => number

/** Buckets of a binary run: 2 · label + (easy ? 0 : 1). */
const BUCKETS = 4

export function compileBinaryLogitsKernel(gammas: readonly number[]): BinaryLogitsKernel {
  const sumLines = focalSumLines(gammas, {
    count: 'sums[b]',
    sum: `sums[${BUCKETS} + b]`,
    out: (g) => `sums[${(2 + g) * BUCKETS} + b]`,
  })
  const body = [
    'for (let i = start; i < end; i++) {',
    '  const v = scores[i]',
    '  if (v - v !== 0) return i',
    '  const label = labels[i]',
    '  const m = label === 1 ? v : -v',
    '  const e = exp(-Math.abs(m))',
    '  const r = 1 / (1 + e)',
    '  const sp = log1pUnit(e)',
    '  let c, x, pt',
    '  if (m >= 0) {',
    '    c = sp',
    '    pt = r',
    '    x = e * r',
    '  } else {',
    '    c = sp - m',
    '    pt = e * r',
    '    x = r',
    '  }',
    '  const b = 2 * label + (pt > easyThreshold ? 0 : 1)',
    ...sumLines.map((line) => `  ${line}`),
    '}',
    // Nothing but a return after the loop: code there can lack type feedback when V8 compiles the loop
    // on stack replacement, and deoptimise at every call.
    'return end',
  ].join('\n')
  // exp and log1p are constants of the closure the generated function is made in, so V8 inlines them.
  const make = new Function(
    'exp',
    'log1pUnit',
    `return function binaryLogitsKernel(labels, scores, start, end, easyThreshold, sums) {\n${body}\n}`,
  ) as (exp: typeof tableExp, log1pUnit: typeof tableLog1pUnit) => BinaryLogitsKernel
  return make(tableExp, tableLog1pUnit)
}
