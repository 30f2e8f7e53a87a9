import type {EvaluationConfig} from '../../src/core/config.js'

/** An evaluator config with the CLI's defaults (no α, threshold 0.5, eps 1e-7), overridden as given. */
export function evaluationConfig(
  overrides: Partial<EvaluationConfig> & Pick<EvaluationConfig, 'task' | 'scores' | 'numClasses'>,
): EvaluationConfig {
  return {
    gammas: [0, 0.5, 1, 2, 5],
    alphaSpec: {kind: 'none'},
    easyThreshold: 0.5,
    eps: 1e-7,
    probTolerance: 1e-4,
    rowSumTolerance: 1e-3,
    rowSumPolicy: 'refuse',
    ...overrides,
  }
}
