/**
 * A fused kernel for one bucket's run of rows: Σ CE and Σ (1 − p_t)^γ · CE for every γ of the sweep in a
 * single pass, each sum in its own local (register) accumulator, with shared powers computed once per row.
 *
 * Plain form (what it replaces, and what the tests compare it with):
 *   for each γ: sum_γ = Σ_k Math.pow(q[k], γ) · ce[k]
 * The γ list is fixed for a run, so the loop body is generated once per evaluator with `new Function`:
 * the only values spliced into the source are validated finite numbers.
 */
export type FocalRunKernel = (
  q: Float64Array,
  ce: Float64Array,
  from: number,
  to: number,
  out: Float64Array,
  outBase: number,
  outStride: number,
) => number

/**
 * The expression for q^γ from shared temporaries: x = q, s = q^½, t = q^¼, x2 = q², x4 = q⁴, x8 = q⁸.
 * Quarter-integer γ up to 15.75 use only sqrt and multiplies; anything else Math.pow.
 */
function powerExpression(gamma: number, need: Set<string>): string {
  if (gamma === 0) return '1'
  const whole = Math.floor(gamma)
  const quarters = (gamma - whole) * 4
  if (Number.isInteger(quarters) && whole <= 15) {
    const factors: string[] = []
    if (quarters & 2) {
      factors.push('s')
      need.add('s')
    }
    if (quarters & 1) {
      factors.push('t')
      need.add('t')
    }
    // Binary decomposition of the integer part: q^13 = q^8 · q^4 · q.
    for (const [bit, name] of [
      [8, 'x8'],
      [4, 'x4'],
      [2, 'x2'],
      [1, 'x'],
    ] as const) {
      if (whole & bit) {
        factors.push(name)
        need.add(name)
      }
    }
    return factors.join(' * ')
  }
  if (!Number.isFinite(gamma) || gamma < 0) throw new Error(`invalid γ ${gamma}`)
  return `Math.pow(x, ${String(gamma)})`
}

export function compileFocalRunKernel(gammas: readonly number[]): FocalRunKernel {
  const need = new Set<string>()
  const terms = gammas.map((g) => powerExpression(g, need))
  const temps: string[] = []
  if (need.has('s') || need.has('t')) temps.push('const s = Math.sqrt(x)')
  if (need.has('t')) temps.push('const t = Math.sqrt(s)')
  if (need.has('x2') || need.has('x4') || need.has('x8')) temps.push('const x2 = x * x')
  if (need.has('x4') || need.has('x8')) temps.push('const x4 = x2 * x2')
  if (need.has('x8')) temps.push('const x8 = x4 * x4')
  const accumulators = gammas.map((_, g) => `a${g}`)
  const body = [
    `let ce0 = 0${accumulators.map((a) => `, ${a} = 0`).join('')}`,
    'for (let k = from; k < to; k++) {',
    '  const x = q[k]',
    '  const c = ce[k]',
    ...temps.map((t) => `  ${t}`),
    '  ce0 += c',
    ...terms.map((t, g) => (t === '1' ? `  a${g} += c` : `  a${g} += ${t} * c`)),
    '}',
    ...accumulators.map((a, g) => `out[outBase + ${g} * outStride] = ${a}`),
    'return ce0',
  ].join('\n')
  return new Function('q', 'ce', 'from', 'to', 'out', 'outBase', 'outStride', body) as FocalRunKernel
}
