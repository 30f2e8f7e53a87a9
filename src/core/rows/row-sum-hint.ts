/**
 * The way out offered when multi-class probabilities do not sum to 1 (loss-breakdown.ts, `badRowSum`).
 *
 * Rows far from 1 are most often independent per-class sigmoids read as one softmax: renormalizing them
 * would silently turn them into a softmax and give a wrong number, so the multi-label layout comes first.
 * Rows a little off are a softmax saved with rounding: the flags that accept them come second.
 *
 * Example: `rowSumHint()` → `(per-class sigmoid probabilities are multi-label: …; softmax outputs: …)`.
 */
export function rowSumHint(): string {
  return (
    '(per-class sigmoid probabilities are multi-label: give one 0/1 target column per class and pass ' +
    '--target-prefix P; softmax outputs: --row-sum renormalize rescales such rows, or widen --row-sum-tolerance)'
  )
}
