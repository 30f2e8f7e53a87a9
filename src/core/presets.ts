import type {AlphaSpec} from './config.js'
import {UsageError} from './errors.js'
import type {LossVariant, Task} from './kinds.js'
import type {Reduction} from './reduction.js'

export const PRESET_NAMES = ['torchvision', 'ultralytics', 'kornia', 'mmdet', 'paper'] as const
export type PresetName = (typeof PRESET_NAMES)[number]

export interface PresetSettings {
  gammas: number[]
  alpha: AlphaSpec
  reduction: Reduction
  /** Where these defaults come from. */
  source: string
}

/**
 * Each reference's defaults for a task and loss variant. Sigmoid references refuse a softmax task
 * (their formula is not defined on it); kornia's softmax focal loss is the multi-class reference.
 */
export function presetSettings(name: PresetName, task: Task, loss: LossVariant): PresetSettings {
  const sigmoidOnly = (): void => {
    if (task === 'multiclass') {
      throw new UsageError(
        `--preset ${name}: expected a binary or multi-label input (a sigmoid focal loss), got a multi-class one; use --preset kornia or paper`,
      )
    }
  }
  switch (name) {
    case 'torchvision':
      sigmoidOnly()
      return {
        gammas: [2],
        alpha: {kind: 'scalar', value: 0.25},
        reduction: 'mean',
        source: 'torchvision/ops/focal_loss.py sigmoid_focal_loss(alpha=0.25, gamma=2), reduction="mean"',
      }
    case 'ultralytics':
      sigmoidOnly()
      if (loss === 'varifocal') {
        return {
          gammas: [2],
          alpha: {kind: 'scalar', value: 0.75},
          reduction: 'class-mean-sum',
          source: 'ultralytics/utils/loss.py VarifocalLoss(gamma=2.0, alpha=0.75): (bce * weight).mean(1).sum()',
        }
      }
      return {
        gammas: [1.5],
        alpha: {kind: 'scalar', value: 0.25},
        reduction: 'class-mean-sum',
        source: 'ultralytics/utils/loss.py FocalLoss(gamma=1.5, alpha=0.25): loss.mean(1).sum()',
      }
    case 'kornia':
      if (task === 'multiclass') {
        return {
          gammas: [2],
          alpha: {kind: 'none'},
          reduction: 'mean-classes',
          source:
            'kornia/losses/focal.py focal_loss(alpha, gamma=2.0) 0.8.3: alpha → [1 − α, α, …, α], "mean" over N × C; ' +
            'its one_hot(eps=1e-6) adds 1e-6 · α_j · FL_j of every other class j (in reduced only)',
        }
      }
      return {
        gammas: [2],
        alpha: {kind: 'scalar', value: 0.25},
        reduction: 'mean',
        source:
          'kornia/losses/focal.py binary_focal_loss_with_logits(alpha=0.25, gamma=2.0), reduction="mean" (0.8.3): ' +
          '−α(1 − p)^γ·y·log p − (1 − α)·p^γ·(1 − y)·log(1 − p) per element, not BCE·(1 − p_t)^γ for soft targets (in reduced only)',
      }
    case 'mmdet':
      sigmoidOnly()
      return {
        gammas: [2],
        alpha: {kind: 'scalar', value: 0.25},
        reduction: 'avg-factor',
        source:
          'mmdet/models/losses/focal_loss.py FocalLoss(use_sigmoid=True, gamma=2.0, alpha=0.25, reduction="mean") with avg_factor = positive anchors (RetinaHead): loss.sum() / (avg_factor + torch.finfo(torch.float32).eps)',
      }
    case 'paper':
      return {
        gammas: [2],
        alpha: {kind: 'scalar', value: 0.25},
        reduction: 'positives',
        source:
          'Lin et al. 2017 §3.2/§5.1: γ = 2, α = 0.25, loss summed over anchors and normalised by the anchors assigned to a ground-truth box',
      }
  }
}

/** kornia's softmax focal loss turns a scalar α into the class vector [1 − α, α, …, α]. */
export function korniaClassAlpha(alpha: number, numClasses: number): AlphaSpec {
  return {kind: 'list', values: Array.from({length: numClasses}, (_, c) => (c === 0 ? 1 - alpha : alpha))}
}
