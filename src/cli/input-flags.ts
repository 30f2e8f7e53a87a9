import {availableParallelism} from 'node:os'

import {Flags} from '@oclif/core'

import type {AnalyzeOptions} from '../analyze-predictions.js'
import {DEFAULT_ROW_SUM_TOLERANCE} from '../core/config.js'
import {
  parseAlpha,
  parseClassNames,
  parseEasyThreshold,
  parseEps,
  parseGammas,
  parseRowSumTolerance,
} from './parse-options.js'

/**
 * The flags that say how to read prediction files and what to compute from them, shared by every
 * command that analyses predictions (`report`, `gate`): one definition, so their names, defaults and
 * help text cannot drift apart.
 */
export const inputFlags = {
  'label-col': Flags.string({description: 'name of the label column', default: 'label'}),
  'score-col': Flags.string({description: 'the one score column (binary), or an Arrow list column (multi-class)'}),
  'score-prefix': Flags.string({description: 'prefix shared by the K score columns (multi-class), e.g. "logit_"'}),
  scores: Flags.string({
    description: 'whether scores are logits or probabilities (default: from the column name)',
    options: ['logits', 'probs'],
  }),
  format: Flags.string({description: 'input format (default: from the extension)', options: ['csv', 'arrow']}),
  gammas: Flags.string({description: 'focal-loss γ values of the sweep, comma-separated', default: '0,0.5,1,2,5'}),
  alpha: Flags.string({
    description: 'α: "none" or a number in [0, 1] (binary: α for label 1, 1 − α for label 0)',
    default: 'none',
  }),
  'easy-threshold': Flags.string({description: 'a row is easy when p_t is above this', default: '0.5'}),
  threads: Flags.integer({
    description: 'worker threads for large files (default: the number of cores)',
    min: 1,
    max: 64,
    default: availableParallelism(),
  }),
  eps: Flags.string({description: 'probabilities are clamped to [eps, 1 − eps] before the log', default: '1e-7'}),
  'on-invalid': Flags.string({
    description:
      'a row that cannot be used (bad number, label, null, …): stop (fail) or leave it out and count it (skip)',
    options: ['fail', 'skip'],
    default: 'fail',
  }),
  'row-sum': Flags.string({
    description: 'multi-class probability rows that do not sum to 1: refuse them, or renormalize them',
    options: ['refuse', 'renormalize'],
    default: 'refuse',
  }),
  'row-sum-tolerance': Flags.string({
    description: 'how far a probability row may stray from summing to 1',
    default: String(DEFAULT_ROW_SUM_TOLERANCE),
  }),
  progress: Flags.boolean({
    description: 'show a progress bar on stderr (default: when stderr is a terminal and the input is over 50 MB)',
    allowNo: true,
  }),
  'class-names': Flags.string({
    description: 'names of the classes in index order: "cat,dog,bird", or @FILE with one name per line',
  }),
}

/** The parsed values of `inputFlags`, as `this.parse` returns them. */
export interface InputFlagValues {
  'label-col': string
  'score-col'?: string
  'score-prefix'?: string
  scores?: string
  format?: string
  gammas: string
  alpha: string
  'easy-threshold': string
  threads: number
  eps: string
  'on-invalid': string
  'row-sum': string
  'row-sum-tolerance': string
  'class-names'?: string
  progress?: boolean
}

/** Checks the flag values (a bad one is a UsageError, exit 2) and turns them into `analyzePredictions` options. */
export function analyzeOptionsFromFlags(flags: InputFlagValues): AnalyzeOptions {
  return {
    labelCol: flags['label-col'],
    scoreCol: flags['score-col'],
    scorePrefix: flags['score-prefix'],
    scores: flags.scores as AnalyzeOptions['scores'],
    format: flags.format as AnalyzeOptions['format'],
    gammas: parseGammas(flags.gammas),
    alpha: parseAlpha(flags.alpha),
    easyThreshold: parseEasyThreshold(flags['easy-threshold']),
    eps: parseEps(flags.eps),
    threads: flags.threads,
    onInvalid: flags['on-invalid'] as AnalyzeOptions['onInvalid'],
    rowSumPolicy: flags['row-sum'] as AnalyzeOptions['rowSumPolicy'],
    rowSumTolerance: parseRowSumTolerance(flags['row-sum-tolerance']),
    classNames: flags['class-names'] === undefined ? undefined : parseClassNames(flags['class-names']),
  }
}
