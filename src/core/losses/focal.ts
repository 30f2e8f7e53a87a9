import {logSigmoid, powerKindOf, powerOf, sigmoid} from './numerics.js'

/**
 * Per-example losses, shared by the streaming evaluator's tests and anyone who wants one value.
 *
 *   p_t  = probability the model gives the true class
 *   CE   = −log p_t
 *   FL_γ = α_t · (1 − p_t)^γ · CE            (Lin et al. 2017, eq. 5)
 *
 * With γ = 0 and α_t = 1, FL equals CE exactly, because (1 − p_t)^0 is 1 even when p_t = 1.
 */
export interface ExampleTerms {
  /** log p_t (≤ 0). */
  logPt: number
  pt: number
  /** 1 − p_t, computed without cancellation. */
  oneMinusPt: number
}

/** Binary task from a logit: p = σ(x), label y ∈ {0, 1}; margin m = x for y = 1, −x for y = 0. */
export function binaryLogitTerms(logit: number, label: number): ExampleTerms {
  const m = label === 1 ? logit : -logit
  return {logPt: logSigmoid(m), pt: sigmoid(m), oneMinusPt: sigmoid(-m)}
}

/** Multi-class task from K logits: log p_t by log-softmax. */
export function softmaxLogitTerms(logits: ArrayLike<number>, label: number): ExampleTerms {
  let max = -Infinity
  for (let j = 0; j < logits.length; j++) if (logits[j] > max) max = logits[j]
  let others = 0
  for (let j = 0; j < logits.length; j++) if (j !== label) others += Math.exp(logits[j] - max)
  const own = Math.exp(logits[label] - max)
  const total = own + others
  return {logPt: logits[label] - max - Math.log(total), pt: own / total, oneMinusPt: others / total}
}

/** α_t for the binary task (torchvision / ultralytics): α for label 1, 1 − α for label 0; 1 without α. */
export function binaryAlphaT(alpha: number | null, label: number): number {
  if (alpha === null) return 1
  return label === 1 ? alpha : 1 - alpha
}

/** FL_γ of one example from its terms. */
export function focalLoss(terms: ExampleTerms, gamma: number, alphaT = 1): number {
  return alphaT * powerOf(terms.oneMinusPt, gamma, powerKindOf(gamma)) * -terms.logPt
}
