import type {Reduction} from './reduction.js'
import type {LossVariant, ScoreKind, Task} from './kinds.js'

/**
 * How α is given. `scalar`: one α (sigmoid tasks: α for positive targets, 1 − α for negative ones;
 * multi-class: multiplies every row). `list`: one α per class (multi-label: α_c / 1 − α_c per column;
 * binary and multi-class: the weight of the row's class). `inverse-frequency` and `effective-number`
 * (Cui et al. 2019): class weights from the data's own class counts, normalised to sum to K.
 */
export type AlphaSpec =
  | {kind: 'none'}
  | {kind: 'scalar'; value: number}
  | {kind: 'list'; values: number[]}
  | {kind: 'inverse-frequency'}
  | {kind: 'effective-number'; beta: number}

/** What the evaluators need to know about the input and the sweep. Validated by the command. */
export interface EvaluationConfig {
  task: Task
  scores: ScoreKind
  /** 2 for binary. */
  numClasses: number
  /** γ values of the sweep, in the order the user gave them. */
  gammas: number[]
  /** α as given or set by a preset (see AlphaSpec); applied once the sums are final, per bucket. */
  alphaSpec: AlphaSpec
  /** Multi-label only: K score and K target columns per row ('wide'), or one (class, score, target) row per element ('long'). */
  elementLayout?: 'wide' | 'long'
  /** Which loss the sweep reports (default focal). poly1 makes the evaluator keep Σ (1 − p_t)^(γ+1) too. */
  loss?: LossVariant
  /** Poly-1's ε (default 1). */
  polyEpsilon?: number
  /**
   * --preset kornia on a multi-class or multi-label input: keep the extra sums kornia's printed value needs
   * (multi-class: the off-target terms its eps-smoothed one-hot adds; multi-label: its two-term form for soft
   * targets). Off otherwise, so the default paths do no extra work.
   */
  korniaTerms?: boolean
  /**
   * Loss concentration (issue 17: which share of the loss the hardest samples carry): a histogram of
   * per-element losses per group, and the squares of the losses for the effective number of samples.
   */
  concentration?: boolean
  /** Issue 18, --top / --top-per-class / --top-gamma: keep the hardest elements (evaluators/hardest-rows.ts). */
  hardest?: HardestSettings
  /**
   * Accuracy, per-class precision/recall/F1, the confusion matrix and calibration (issue 18;
   * with --metrics): each element's prediction and confidence are kept as it is prepared.
   */
  metrics?: boolean
  /**
   * Multi-class: also the classwise ECE per class (--class-ece), which needs every class's probability of
   * every row (K bins to fill a row, as many as the loss itself costs). Sigmoid tasks always have it.
   */
  classEce?: boolean
  /**
   * --positive-class: a multi-class input read as the binary task "this class vs the rest" (its index among
   * the input's classes); `task` is then binary and `numClasses` 2 (rows/one-vs-rest.ts converts the chunks).
   */
  positiveClass?: number
  /**
   * The γ × α grid (--alphas): each α with the spec it becomes for this run (as --alpha A would apply it).
   * Report only: the sums do not depend on α.
   */
  gridAlphas?: {alpha: number; spec: AlphaSpec}[]
  /** Report only: the reference preset used, and how its printed value reduces the sum. */
  preset?: string
  reduction?: Reduction
  reductionSource?: string
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

/** What --top, --top-per-class and --top-gamma ask for (a setting: states merge only with equal ones). */
export interface HardestSettings {
  /** Elements kept overall (0: none, only per class). */
  rows: number
  /** Elements kept per class (0: no `hardestByClass`). */
  perClass: number
  /** Rank by (1 − p_t)^γ · CE at this γ; null: by CE. */
  gamma: number | null
}
