import type {AlphaSpec, EvaluationConfig} from './config.js'

/**
 * α as the report applies it, per class. Every per-element weight focalscope supports is, inside one
 * bucket (class × target sign × easy|hard), `a · 1 + ay · y` for constants a and ay, so the weighted sum of a
 * bucket is a · Σ w + ay · Σ y·w from the evaluator's plain and target-weighted sums: α never needs a
 * second pass, even when it comes from the class counts (which are final only at the end of the stream).
 */
export interface ClassWeights {
  /** What `--alpha` said, in words: "none", "0.25", "0.25,0.5", "inverse-frequency", "effective-number". */
  spec: string
  /** Per class: α_c (scalar or list) or the class-balanced weight w_c; null without α. */
  byClass: number[] | null
  /** Per class, the two coefficients [a, ay] of the per-element weight a + ay · y. */
  coefficients: [number, number][]
  /** Per class, the α of VarifocalNet's negative term (1 when α is none or class-balanced). */
  negativeAlpha: number[]
  /** Per class, the class-balanced weight (1 unless inverse-frequency / effective-number). */
  balance: number[]
}

export function describeAlpha(spec: AlphaSpec): string {
  switch (spec.kind) {
    case 'none':
      return 'none'
    case 'scalar':
      return String(spec.value)
    case 'list':
      return spec.values.join(',')
    default:
      return spec.kind
  }
}

/**
 * Class-balanced weights from class counts n_c (a class with no examples counts as 1, so no weight is
 * infinite), normalised so the K weights sum to K:
 *   inverse-frequency  w_c ∝ 1 / n_c
 *   effective-number   w_c ∝ (1 − β) / (1 − β^n_c)     (Cui et al. 2019, "Class-Balanced Loss", eq. 3–4)
 * Example: counts [900, 100], inverse-frequency → [0.2, 1.8].
 */
export function classBalancedWeights(counts: number[], spec: AlphaSpec): number[] {
  const raw = counts.map((n) => {
    const c = Math.max(1, n)
    if (spec.kind === 'effective-number') return (1 - spec.beta) / -Math.expm1(c * Math.log(spec.beta))
    return 1 / c
  })
  const total = raw.reduce((a, b) => a + b, 0)
  return raw.map((w) => (w * counts.length) / total)
}

/**
 * Resolves α for the task. `classCounts` are the examples per class the balanced weights are computed from:
 * rows per class (binary, multi-class) or positive-target elements per class (multi-label).
 */
export function resolveClassWeights(config: EvaluationConfig, classCounts: number[]): ClassWeights {
  const spec = config.alphaSpec
  const K = classCounts.length
  const sigmoid = config.task !== 'multiclass'
  const ones = new Array<number>(K).fill(1)
  const base = {spec: describeAlpha(spec), negativeAlpha: ones, balance: ones}
  switch (spec.kind) {
    case 'none':
      return {...base, byClass: null, coefficients: ones.map(() => [1, 0])}
    case 'scalar': {
      const a = spec.value
      // Binary: the class index is the target (α for label 1, 1 − α for label 0), so a + ay·y covers both.
      return {
        ...base,
        byClass: ones.map(() => a),
        coefficients: ones.map(() => (sigmoid ? [1 - a, 2 * a - 1] : [a, 0])),
        negativeAlpha: ones.map(() => a),
      }
    }
    case 'list':
      return {
        ...base,
        byClass: [...spec.values],
        // Multi-label: α_c for positive targets of column c, 1 − α_c for negative ones (ultralytics' tensor α).
        // Binary and multi-class: the weight of the row's class.
        coefficients: spec.values.map((a) => (config.task === 'multilabel' ? [1 - a, 2 * a - 1] : [a, 0])),
        negativeAlpha: [...spec.values],
      }
    default: {
      const w = classBalancedWeights(classCounts, spec)
      return {...base, byClass: w, coefficients: w.map((x) => [x, 0]), balance: w}
    }
  }
}
