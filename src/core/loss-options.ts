import type {AlphaSpec, EvaluationConfig} from './config.js'
import {UsageError} from './errors.js'
import type {LossVariant, Task} from './kinds.js'
import {korniaClassAlpha, type PresetName, presetSettings} from './presets.js'
import type {Reduction} from './reduction.js'

/** The loss flags as given: γ list, α spec, a preset (and which of γ, α the user gave), loss, ε, reduction. */
export interface LossFlags {
  gammas: number[]
  alphaSpec: AlphaSpec
  /** A reference's defaults for γ, α and reduction; `explicit` says which of γ, α the user gave. */
  preset?: PresetName
  explicit?: {gammas: boolean; alpha: boolean}
  loss?: LossVariant
  polyEpsilon?: number
  reduction?: Reduction
}

/**
 * γ, α, loss and reduction after the preset (whose values give way to explicit flags), checked against
 * the task: varifocal is a sigmoid loss, a per-class α needs one value per class.
 */
export function lossOptions(
  options: LossFlags,
  task: Task,
  numClasses: number,
): Pick<
  EvaluationConfig,
  'gammas' | 'alphaSpec' | 'loss' | 'polyEpsilon' | 'preset' | 'reduction' | 'reductionSource' | 'korniaTerms'
> {
  const loss = options.loss ?? 'focal'
  if (loss === 'varifocal' && task === 'multiclass') {
    throw new UsageError(
      '--loss varifocal: expected a binary or multi-label input (a sigmoid loss), got a multi-class one',
    )
  }
  let gammas = options.gammas
  let alphaSpec: AlphaSpec = options.alphaSpec
  let reduction = options.reduction
  let reductionSource: string | undefined
  if (options.preset) {
    const preset = presetSettings(options.preset, task, loss)
    if (!options.explicit?.gammas) gammas = preset.gammas
    if (!options.explicit?.alpha) alphaSpec = preset.alpha
    // ultralytics applies α only when it is > 0 (`if (self.alpha > 0).any()`).
    if (options.preset === 'ultralytics' && alphaSpec.kind === 'scalar' && alphaSpec.value <= 0)
      alphaSpec = {kind: 'none'}
    // kornia ≥ 0.7's softmax focal loss turns a scalar α into the vector [1 − α, α, …, α].
    if (options.preset === 'kornia' && task === 'multiclass' && alphaSpec.kind === 'scalar') {
      alphaSpec = korniaClassAlpha(alphaSpec.value, numClasses)
    }
    if (reduction === undefined) {
      reduction = preset.reduction
      reductionSource = preset.source
    }
  }
  if (loss === 'ce') gammas = [0]
  if (alphaSpec.kind === 'list' && alphaSpec.values.length !== numClasses) {
    throw new UsageError(`--alpha: expected ${numClasses} values, one per class, got ${alphaSpec.values.length}`)
  }
  return {
    gammas,
    alphaSpec,
    loss,
    polyEpsilon: options.polyEpsilon ?? 1,
    preset: options.preset,
    reduction,
    reductionSource,
    // kornia's focal losses differ from focalscope's sum on these inputs (a binary file's 0/1 labels match exactly).
    korniaTerms: options.preset === 'kornia' && task !== 'binary' && (loss === 'focal' || loss === 'ce'),
  }
}
