/**
 * A fused kernel for a block of rows: per bucket, Σ w and Σ (1 − p_t)^γ · w for every γ of the sweep in a
 * single pass over the rows, with the shared powers computed once per row. w is CE (or y·CE, or 1 − p_t
 * itself for Poly-1's extra term).
 *
 * Plain form (what it replaces, and what the tests compare it with), for zeroed count, sum and out:
 *   for each row k, b = bucket[k]:  count[b]++;  sum[b] += w[k];
 *                                    for each γ: out[g · stride + b] += Math.pow(q[k], γ) · w[k]
 * Rows are added in row order, so each bucket's sums are the same doubles however the rows are grouped.
 * (Grouping the block by bucket first, for register accumulators, measured 2.3× slower: the sort cost
 * more than the read-modify-writes it saved.)
 * The γ list is fixed for a run, so the loop body is generated once per evaluator with `new Function`:
 * the only values spliced into the source are validated finite numbers.
 */
export type FocalRowKernel = (
  q: Float64Array,
  w: Float64Array,
  bucket: Int32Array,
  rows: number,
  count: Float64Array,
  sum: Float64Array,
  out: Float64Array,
  stride: number,
) => void

/**
 * The expression for q^γ from shared temporaries: x = q, s = q^½, t = q^¼, x2 = q², x4 = q⁴, x8 = q⁸.
 * Quarter-integer γ up to 15.75 use only sqrt and multiplies; anything else Math.pow.
 */
export function powerExpression(gamma: number, need: Set<string>): string {
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

/** The shared powers of x = 1 − p_t the γ list needs: s = x^½, t = x^¼, x2, x4, x8. */
export function powerTempLines(gammas: readonly number[]): string[] {
  const need = new Set<string>()
  for (const g of gammas) powerExpression(g, need)
  const temps: string[] = []
  if (need.has('s') || need.has('t')) temps.push('const s = Math.sqrt(x)')
  if (need.has('t')) temps.push('const t = Math.sqrt(s)')
  if (need.has('x2') || need.has('x4') || need.has('x8')) temps.push('const x2 = x * x')
  if (need.has('x4') || need.has('x8')) temps.push('const x4 = x2 * x2')
  if (need.has('x8')) temps.push('const x8 = x4 * x4')
  return temps
}

/**
 * The source that adds one row's weight `w` (a variable name) into the sums, after powerTempLines: `count`
 * (if given) counts the row, `sum` gets w, `out(g)` gets x^γ · w. γ = 0 terms are left out: Σ 1 · w is
 * `sum`, copied once per block (the same additions in the same order).
 */
export function focalSumLines(
  gammas: readonly number[],
  slot: {count?: string; sum: string; out: (g: number) => string},
  w = 'c',
): string[] {
  const unused = new Set<string>()
  return [
    ...(slot.count === undefined ? [] : [`${slot.count}++`]),
    `${slot.sum} += ${w}`,
    ...gammas.flatMap((g, j) => (g === 0 ? [] : [`${slot.out(j)} += ${powerExpression(g, unused)} * ${w}`])),
  ]
}

export function compileFocalRowKernel(gammas: readonly number[]): FocalRowKernel {
  const out = (g: number): string => `out[${g === 0 ? 'b' : `${g} * stride + b`}]`
  const body = [
    'for (let k = 0; k < rows; k++) {',
    '  const b = bucket[k]',
    '  const x = q[k]',
    '  const c = w[k]',
    ...[...powerTempLines(gammas), ...focalSumLines(gammas, {count: 'count[b]', sum: 'sum[b]', out})].map(
      (line) => `  ${line}`,
    ),
    '}',
    ...gammas.flatMap((g, i) => (g === 0 ? [`for (let b = 0; b < stride; b++) ${out(i)} = sum[b]`] : [])),
  ].join('\n')
  const kernel = new Function('q', 'w', 'bucket', 'rows', 'count', 'sum', 'out', 'stride', body) as FocalRowKernel
  // Calls over one row, so every line has run before V8 optimises the kernel: it compiles a long loop's
  // first call for on-stack replacement, and code after the loop that had never run (the γ = 0 copies) then
  // left it through a deoptimisation at every call (~130 a run on the 20-class bench file). Several calls:
  // V8 keeps no type feedback for a function's first few (lazy feedback allocation).
  const G = gammas.length
  const one = {q: Float64Array.of(0.5), w: Float64Array.of(1), bucket: Int32Array.of(0)}
  for (let call = 0; call < 16; call++) {
    kernel(one.q, one.w, one.bucket, 1, new Float64Array(1), new Float64Array(1), new Float64Array(G), 1)
  }
  return kernel
}

/**
 * Squares for the loss concentration's effective number of samples, Σ ℓ² with ℓ = A · f + ε · h per bucket
 * (f = (1 − p_t)^γ · CE, h = (1 − p_t)^(γ+1), A the bucket's α weight, constant in a bucket for hard labels):
 * Σ f², and for Poly-1 Σ f·h and Σ h², per γ and bucket. Lines for one row (after powerTempLines, with the
 * row's CE in `c` and 1 − p_t in `x`); `slot(name, j)` names the accumulator of γ index j.
 */
export function squareSumLines(
  gammas: readonly number[],
  slot: (name: 'sq' | 'cross' | 'hsq', j: number) => string,
  poly: boolean,
): string[] {
  const unused = new Set<string>()
  return gammas.flatMap((g, j) => {
    const power = powerExpression(g, unused)
    return [
      `const f${j} = ${power} * c`,
      `${slot('sq', j)} += f${j} * f${j}`,
      ...(poly
        ? [`const h${j} = ${power} * x`, `${slot('cross', j)} += f${j} * h${j}`, `${slot('hsq', j)} += h${j} * h${j}`]
        : []),
    ]
  })
}

/** Adds Σ f², (Poly-1) Σ f·h and Σ h² of a block's rows at g · stride + b (see squareSumLines). */
export type SquareKernel = (
  q: Float64Array,
  ce: Float64Array,
  bucket: Int32Array,
  rows: number,
  sq: Float64Array,
  cross: Float64Array,
  hsq: Float64Array,
  stride: number,
) => void

export function compileSquareKernel(gammas: readonly number[], poly: boolean): SquareKernel {
  const body = [
    'for (let k = 0; k < rows; k++) {',
    '  const b = bucket[k]',
    '  const x = q[k]',
    '  const c = ce[k]',
    ...[...powerTempLines(gammas), ...squareSumLines(gammas, (name, j) => `${name}[${j} * stride + b]`, poly)].map(
      (line) => `  ${line}`,
    ),
    '}',
  ].join('\n')
  return new Function('q', 'ce', 'bucket', 'rows', 'sq', 'cross', 'hsq', 'stride', body) as SquareKernel
}
