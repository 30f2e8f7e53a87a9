import {CALIBRATION_SLOTS, calibrationSlot, warmCalibrationSlot} from '../evaluators/calibration-bins.js'
import {LossHistograms} from '../sketch/loss-histogram.js'
import {powerExpression, powerTempLines} from './focal-row-kernel.js'
import {tableExp, tableLog1pUnit} from './table-exp.js'

/**
 * Binary logits summed as they are read: the row maths (margin m = x for label 1, −x for label 0;
 * CE = softplus(−m) = max(−m, 0) + log1p(e^−|m|); 1 − p_t = σ(−m)) and the focal row kernel's sums in one
 * generated loop, for the γ list of a run. Binary logits are the most common input, and writing each
 * row's CE, 1 − p_t and bucket to buffers for the kernel to read back was ~15 % of their time.
 *
 * Rows [start, end) are added to `sums`, laid out as binaryKernelLayout says: count, Σ CE, Σ (1 − p_t)^γ · CE
 * and, for Poly-1, Σ (1 − p_t) and Σ (1 − p_t)^(γ+1), each per bucket (γ = 0 slots are left for the caller
 * to copy from Σ CE and Σ (1 − p_t)). Each slot gets the same additions in the same order as the focal row
 * kernel over prepared rows gave it, so the same doubles. Returns end, or the index of the first row whose
 * logit is not finite (rows before it are added; the caller rejects or skips it and goes on after it). With
 * CE histograms, the rows' CE and class are staged in them from `histograms.staged` on (rows [start, end)
 * must fit): the caller adds the rows used to `staged`.
 */
export type BinaryLogitsKernel = (
  labels: Int32Array,
  scores: Float64Array | Float32Array,
  start: number,
  end: number,
  easyThreshold: number,
  sums: Float64Array,
  out?: EmittedRows,
  at?: number,
  histograms?: LossHistograms,
  metrics?: Float64Array,
  above?: number,
) => number

/**
 * Where a kernel compiled with `metricsSums` counts the metrics of each row (evaluators/metrics.ts, binary):
 * per confusion cell (2 · label + predicted) its rows and Σ CE, per calibration slot of p (class 1, and the
 * top level) and of 1 − p (class 0) its rows, Σ p and Σ y, and Σ (p − y)². Plain sums of ≤ FOLD_ROWS rows:
 * the metrics evaluator folds them into its compensated state.
 */
export const BINARY_METRICS_LAYOUT = {
  cellCount: 0,
  cellCe: 4,
  count1: 8,
  p1: 8 + CALIBRATION_SLOTS,
  y1: 8 + 2 * CALIBRATION_SLOTS,
  count0: 8 + 3 * CALIBRATION_SLOTS,
  p0: 8 + 4 * CALIBRATION_SLOTS,
  y0: 8 + 5 * CALIBRATION_SLOTS,
  brier: 8 + 6 * CALIBRATION_SLOTS,
  length: 9 + 6 * CALIBRATION_SLOTS,
}

/**
 * Where a kernel compiled with `emit` also writes each row's CE, 1 − p_t, bucket and chunk row, from index
 * `at` on (the prepared rows of core/rows/prepared-rows.ts, for the evaluators that need each row).
 */
export interface EmittedRows {
  ce: Float64Array
  q: Float64Array
  bucket: Int32Array
  row: Int32Array
  /** With `emitConf`: p of the positive class (the metrics' confidence). */
  conf?: Float64Array
  /** With `emitAbove`: how many rows the call wrote (from `at` on), set at every return. */
  emitted?: number
}

/** Buckets of a binary run: 2 · label + (easy ? 0 : 1). */
const BUCKETS = 4

/**
 * Where each sum of bucket b sits in the kernel's `sums` (γ index j); `length` is its size. With `squares`,
 * the concentration's Σ f² (and Poly-1's Σ f·h, Σ h²) follow, for every γ (γ = 0 included).
 */
export function binaryKernelLayout(gammas: readonly number[], poly: boolean, squares = false) {
  const G = gammas.length
  const base = (poly ? 3 + 2 * G : 2 + G) * BUCKETS
  return {
    sq: (j: number, b: number) => base + j * BUCKETS + b,
    cross: (j: number, b: number) => base + (G + j) * BUCKETS + b,
    hsq: (j: number, b: number) => base + (2 * G + j) * BUCKETS + b,
    count: (b: number) => b,
    ce: (b: number) => BUCKETS + b,
    focal: (j: number, b: number) => (2 + j) * BUCKETS + b,
    /** Poly-1: Σ (1 − p_t), and Σ (1 − p_t)^(γ+1). */
    q: (b: number) => (2 + G) * BUCKETS + b,
    poly: (j: number, b: number) => (3 + G + j) * BUCKETS + b,
    length: base + (squares ? (poly ? 3 : 1) * G * BUCKETS : 0),
  }
}

/**
 * `emit`: the kernel also writes each row to `out` (four stores a row), so evaluators that need each row
 * read them while the sums stay in the loop's registers. `histogramBits`: it also stages each row's CE and
 * class in `histograms` (one per class, of those bits: the loss concentration's sketch), two stores a row;
 * they are counted a batch at a time, while the pages of counts stay in cache (counting each row in the
 * kernel cost more, and its sums spilled from registers).
 */
export function compileBinaryLogitsKernel(
  gammas: readonly number[],
  poly: boolean,
  emit = false,
  squares = false,
  histogramBits?: number,
  emitConf = false,
  metricsSums = false,
  emitAbove = false,
): BinaryLogitsKernel {
  const at = binaryKernelLayout(gammas, poly, squares)
  const nonZero = gammas.flatMap((g, j) => (g === 0 ? [] : [j]))
  // Each bucket's sums are locals while the loop runs, read from `sums` before it and written back at every
  // return, and a switch on the bucket picks the row's set: V8 keeps them in registers or stack slots. With
  // 9 γ that was 17 % faster than read-modify-writes of sums[slot + b] (a bounds check and an address per
  // add), and faster also with buckets that change at random from row to row (the switch mispredicts then).
  const slots: {name: (b: number) => string; at: (b: number) => number}[] = [
    {name: (b) => `count_${b}`, at: at.count},
    {name: (b) => `ce_${b}`, at: at.ce},
    ...nonZero.map((j) => ({name: (b: number) => `focal_${j}_${b}`, at: (b: number) => at.focal(j, b)})),
    ...(poly
      ? [
          {name: (b: number) => `q_${b}`, at: at.q},
          ...nonZero.map((j) => ({name: (b: number) => `poly_${j}_${b}`, at: (b: number) => at.poly(j, b)})),
        ]
      : []),
    ...(squares
      ? gammas.flatMap((_, j) => [
          {name: (b: number) => `sq_${j}_${b}`, at: (b: number) => at.sq(j, b)},
          ...(poly
            ? [
                {name: (b: number) => `cross_${j}_${b}`, at: (b: number) => at.cross(j, b)},
                {name: (b: number) => `hsq_${j}_${b}`, at: (b: number) => at.hsq(j, b)},
              ]
            : []),
        ])
      : []),
  ]
  const buckets = Array.from({length: BUCKETS}, (_, b) => b)
  const load = buckets.flatMap((b) => slots.map((slot) => `let ${slot.name(b)} = sums[${slot.at(b)}]`))
  const store = buckets.flatMap((b) => slots.map((slot) => `sums[${slot.at(b)}] = ${slot.name(b)}`)).join('; ')
  // Every return also says how many rows a call writing only some of them wrote.
  const storeAll = emit && emitAbove ? `${store}; out.emitted = w` : store
  // The row's terms are computed once, before the switch, and each case only adds them to its bucket's
  // sums: the same products added in the same order as the focal row kernel's `sum += power * w` (JavaScript
  // never fuses a multiply and an add), so the same doubles, in a quarter of the code.
  const unused = new Set<string>()
  const power = (j: number): string => powerExpression(gammas[j], unused)
  const terms = [
    ...powerTempLines(gammas),
    ...nonZero.map((j) => `const f${j} = ${power(j)} * c`),
    // Poly-1: the same sums over 1 − p_t itself, Σ (1 − p_t)^γ · (1 − p_t).
    ...(poly ? nonZero.map((j) => `const h${j} = ${power(j)} * x`) : []),
    // Squares of the same terms (squareSumLines' products), for every γ: at γ = 0 the term is c (1 · c) and,
    // for Poly-1, x.
    ...(squares
      ? gammas.flatMap((g, j) => {
          const f = g === 0 ? 'c' : `f${j}`
          const h = g === 0 ? 'x' : `h${j}`
          return [
            `const gg${j} = ${f} * ${f}`,
            ...(poly ? [`const gk${j} = ${f} * ${h}`, `const kk${j} = ${h} * ${h}`] : []),
          ]
        })
      : []),
  ]
  const cases = buckets.flatMap((b) => [
    `case ${b}: {`,
    ...[
      `count_${b}++`,
      `ce_${b} += c`,
      ...nonZero.map((j) => `focal_${j}_${b} += f${j}`),
      ...(poly ? [`q_${b} += x`, ...nonZero.map((j) => `poly_${j}_${b} += h${j}`)] : []),
      ...(squares
        ? gammas.flatMap((_, j) => [
            `sq_${j}_${b} += gg${j}`,
            ...(poly ? [`cross_${j}_${b} += gk${j}`, `hsq_${j}_${b} += kk${j}`] : []),
          ])
        : []),
    ].map((line) => `  ${line}`),
    '  break',
    '}',
  ])
  const body = [
    ...load,
    'for (let i = start; i < end; i++) {',
    '  const v = scores[i]',
    '  if (v - v !== 0) {',
    `    ${storeAll}`,
    '    return i',
    '  }',
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
    // Staged for the histograms, which count a batch of rows at a time (LossHistograms.countStaged).
    ...(histogramBits !== undefined ? ['  stageValues[staged + i] = c', '  stageCells[staged + i] = label'] : []),
    ...(metricsSums ? binaryMetricsLines() : []),
    // `emitAbove`: only the rows whose CE exceeds `above` (the only evaluator reading rows keeps the hardest,
    // and a row at or below its threshold cannot enter), packed from `at` on: one compare a row, not four
    // stores and a read back.
    ...(emit
      ? [
          ...(emitAbove ? ['  if (c > above) {', '  const k = at + w++'] : ['  const k = at + i - start']),
          '  outCe[k] = c',
          '  outQ[k] = x',
          '  outBucket[k] = b',
          '  outRow[k] = i',
          // p of the positive class: p_t for label 1, 1 − p_t for label 0 (prepareBinaryLogits' doubles).
          ...(emitConf ? ['  outConf[k] = label === 1 ? pt : x'] : []),
          ...(emitAbove ? ['  }'] : []),
        ]
      : []),
    ...terms.map((line) => `  ${line}`),
    '  switch (b) {',
    ...cases.map((line) => `    ${line}`),
    // Readers give binary rows the labels 0 and 1 only.
    '    default:',
    '      throw new Error(`binary label ${label} at row ${i}`)',
    '  }',
    '}',
    storeAll,
    'return end',
  ].join('\n')
  // exp and log1p are constants of the closure the generated function is made in, so V8 inlines them.
  // The output arrays are read into locals once per call, so the loop stores into typed arrays it knows.
  const prologue =
    (emit ? 'const outCe = out.ce, outQ = out.q, outBucket = out.bucket, outRow = out.row\n' : '') +
    (emit && emitConf ? 'const outConf = out.conf\n' : '') +
    (emit && emitAbove ? 'let w = 0\n' : '') +
    (histogramBits !== undefined
      ? 'const stageValues = histograms.stageValues, stageCells = histograms.stageCells\n' +
        'const staged = histograms.staged - start\n'
      : '')
  const make = new Function(
    'exp',
    'log1pUnit',
    'slotOf',
    `return function binaryLogitsKernel(labels, scores, start, end, easyThreshold, sums, out, at, histograms, metrics, above) {\n${prologue}${body}\n}`,
  ) as (exp: typeof tableExp, log1pUnit: typeof tableLog1pUnit, slotOf: typeof calibrationSlot) => BinaryLogitsKernel
  const kernel = make(tableExp, tableLog1pUnit, calibrationSlot)
  // calibrationSlot's rare branch (a p at a bin edge) run once, so the kernel that inlines it is compiled
  // with its feedback: a branch V8 had never run would deoptimise the kernel when the first such p came.
  if (metricsSums) warmCalibrationSlot()
  // A first call over rows that take every path (each bucket, CE 0, a non-finite logit) with throwaway sums: V8 then optimises the loop with type feedback for all of it. Code that had
  // never run would deoptimise there later, and a kernel that deoptimised once ran unoptimised for the rest
  // of a run (its doubles boxed: a third of the run in the garbage collector).
  const labels = Int32Array.of(1, 0, 1, 0, 0, 1)
  const scores = Float64Array.of(800, 0.5, -3, -2, 2, Number.NaN)
  const rows = labels.length
  const out = {
    ce: new Float64Array(rows),
    q: new Float64Array(rows),
    bucket: new Int32Array(rows),
    row: new Int32Array(rows),
    conf: new Float64Array(rows),
  }
  const histograms = new LossHistograms(2, histogramBits ?? 10)
  const sums = new Float64Array(at.length)
  const metrics = new Float64Array(BINARY_METRICS_LAYOUT.length)
  // Over the finite rows, then the NaN. Many passes: V8 keeps no type feedback for a function's first few calls (lazy feedback allocation).
  for (const end of [...Array.from({length: 16}, () => rows - 1), rows]) {
    for (let start = 0; start < end;) {
      const stop = kernel(labels, scores, start, end, 0.5, sums, out, start, histograms, metrics, -Infinity)
      histograms.staged += stop - start
      start = stop + 1
    }
  }
  return kernel
}

/**
 * The metrics' lines of the kernel (BINARY_METRICS_LAYOUT), after the row's c (CE), pt and x (1 − p_t):
 * p = p_t for label 1 and 1 − p_t for label 0, as prepareBinaryLogits gives it; 1 − p is the other one of
 * the two, computed without cancellation. `slotOf` is calibrationSlot (calibration-bins.ts), a constant of
 * the kernel's closure, which V8 inlines.
 */
function binaryMetricsLines(): string[] {
  const L = BINARY_METRICS_LAYOUT
  return [
    'const mp = label === 1 ? pt : x',
    'const mq = label === 1 ? x : pt',
    `const mcell = 2 * label + (mp > 0.5 ? 1 : 0)`,
    `metrics[${L.cellCount} + mcell] += 1`,
    `metrics[${L.cellCe} + mcell] += c`,
    `metrics[${L.brier}] += (mp - label) * (mp - label)`,
    'const ms = slotOf(mp)',
    `metrics[${L.count1} + ms] += 1`,
    `metrics[${L.p1} + ms] += mp`,
    `metrics[${L.y1} + ms] += label`,
    'const mr = slotOf(mq)',
    `metrics[${L.count0} + mr] += 1`,
    `metrics[${L.p0} + mr] += mq`,
    `metrics[${L.y0} + mr] += 1 - label`,
  ].map((line) => `  ${line}`)
}
