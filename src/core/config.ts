import type {ScoreKind, Task} from './result.js'

/** What the evaluators need to know about the input and the sweep. Validated by the command. */
export interface EvaluationConfig {
  task: Task
  scores: ScoreKind
  /** 2 for binary. */
  numClasses: number
  /** γ values of the sweep, in the order the user gave them. */
  gammas: number[]
  /** α: binary → α for label 1 and 1 − α for label 0; multi-class → multiplies every row; null → 1. */
  alpha: number | null
  /** A row is easy when p_t > easyThreshold. */
  easyThreshold: number
  /** Probabilities are clamped to [eps, 1 − eps] before the log. */
  eps: number
  /**
   * How far outside [0, 1] a probability may stray and still be clamped rather than refused: float32
   * softmax outputs reach 1.0000012. Beyond it the scores are not probabilities and the run stops.
   */
  probTolerance: number
  /** Multi-class probabilities must sum to 1 within this (imdb's float32 softmax rows sum to 1.00002). */
  rowSumTolerance: number
  /** Rows beyond the tolerance: refused (an input error, or skipped with --on-invalid skip) or rescaled. */
  rowSumPolicy: 'refuse' | 'renormalize'
}

export const DEFAULT_PROB_TOLERANCE = 1e-4
export const DEFAULT_ROW_SUM_TOLERANCE = 1e-3
