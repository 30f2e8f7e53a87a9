import {availableParallelism} from 'node:os'

import * as Flags from '@oclif/core/flags'

import type {AnalyzeOptions} from '../pipeline/analyze-predictions.js'
import {DEFAULT_ROW_SUM_TOLERANCE} from '../core/config.js'
import {DEFAULT_MAX_RECORD_BYTES} from '../readers/csv/read-csv-chunks.js'
import {PRESET_NAMES, type PresetName} from '../core/presets.js'
import {type Reduction, REDUCTIONS} from '../core/reduction.js'
import type {LossVariant} from '../core/kinds.js'
import {
  parseAlphas,
  parseAlphaSpec,
  parseBeta,
  parseByteSize,
  parseClassNames,
  parseColumnNames,
  parsePolyEpsilon,
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
  'score-col': Flags.string({
    description:
      'the one score column (binary, long multi-label), or an Arrow FixedSizeList column of K scores (multi-class, multi-label)',
  }),
  'score-cols': Flags.string({
    description:
      'the K score columns in class order, for a header of bare class names or numbers as pandas writes it ' +
      '("0,1,…,9" or "airplane,…,truck"), or @FILE with one name per line; the names become the classes',
  }),
  'ignore-cols': Flags.string({
    description: 'columns to leave out (ids, metadata that would be taken for scores): "id,split", or @FILE',
  }),
  'id-col': Flags.string({
    description:
      'a column naming each row (image path, sample id; any type, kept as text): shown with --top rows and written ' +
      'by --rows-out, so results join back onto your data; left out of the score columns',
  }),
  'score-prefix': Flags.string({
    description: 'prefix shared by the K score columns (multi-class, multi-label wide), e.g. "logit_"',
  }),
  'soft-labels': Flags.boolean({
    description:
      'binary: read labels in [0, 1] as soft targets y (BCE with soft targets, p_t = y·p + (1 − y)(1 − p), as ultralytics); ' +
      'without it a label other than 0 or 1 is refused, never rounded',
  }),
  scores: Flags.string({
    description: 'whether scores are logits or probabilities (default: from the column name)',
    options: ['logits', 'probs'],
  }),
  'input-format': Flags.string({
    description:
      "the input files' format (default: from the extension and the first bytes; told apart by their first bytes)",
    options: ['csv', 'arrow', 'parquet'],
    // The flag's name until 0.1: accepted, with a warning (output-flags.ts warnIfFormatFlag).
    aliases: ['format'],
  }),
  gammas: Flags.string({description: 'focal-loss γ values of the sweep, comma-separated', default: '0,0.5,1,2,5'}),
  alpha: Flags.string({
    description:
      'α: "none", a number in [0, 1] (sigmoid: α for positive targets, 1 − α for negative ones), one per class ' +
      '("0.25,0.5,…"), "inverse-frequency" or "effective-number" (class-balanced weights summing to K)',
    default: 'none',
  }),
  beta: Flags.string({description: 'β of --alpha effective-number (Cui et al. 2019)', default: '0.999'}),
  preset: Flags.string({
    description:
      "a reference's defaults for γ, α and reduction: torchvision (γ 2, α 0.25, mean), ultralytics (γ 1.5, α 0.25, " +
      '.mean(1).sum()), kornia (γ 2, α 0.25, mean, with its eps one-hot), mmdet (γ 2, α 0.25, sum / (positives + 2^-23)) and paper (γ 2, α 0.25, sum / positives); --gammas, --alpha and --reduction win',
    options: [...PRESET_NAMES],
  }),
  loss: Flags.string({
    description:
      'the loss of the sweep: ce (α_t · CE), focal (α_t · (1 − p_t)^γ · CE), varifocal (VarifocalNet; sigmoid inputs) ' +
      'or poly1 (PolyLoss: focal + ε · (1 − p_t)^(γ+1), see --poly-epsilon)',
    options: ['ce', 'focal', 'varifocal', 'poly1'],
    default: 'focal',
  }),
  'poly-epsilon': Flags.string({description: "Poly-1's ε: loss + ε · (1 − p_t)^(γ+1)", default: '1'}),
  reduction: Flags.string({
    description: "how the reported reference value divides the sum (default: the preset's)",
    options: [...REDUCTIONS],
  }),
  'target-prefix': Flags.string({
    description: 'multi-label wide: prefix of the K target columns, one per score column (default: "target_")',
  }),
  'class-col': Flags.string({
    description: 'multi-label long layout: the class column (one row per element: class, score, target)',
  }),
  'target-col': Flags.string({
    description:
      'multi-label: the long layout\'s target column (default: "target"), or the Arrow FixedSizeList of K targets next to the list of scores',
  }),
  'easy-threshold': Flags.string({description: 'a row is easy when p_t is above this', default: '0.5'}),
  concentration: Flags.boolean({
    description:
      'loss concentration: the share of each group’s loss its hardest samples carry, per γ (the paper’s Figure 4), its charts and the loss-vs-p_t table',
    allowNo: true,
    default: false,
  }),
  metrics: Flags.boolean({
    description:
      'also accuracy, per-class precision/recall/F1, the confusion matrix and top confusions, calibration (ECE, MCE, reliability bins) and the Brier score, in the same pass',
    allowNo: true,
    default: false,
  }),
  'positive-class': Flags.string({
    description:
      'read a multi-class input as the binary task "this class vs the rest" (a class name or index; p = its softmax probability), for the positive/negative picture of one class',
  }),
  'class-ece': Flags.boolean({
    description:
      'multi-class: also the classwise ECE of every class (bins of every class probability of every row: costs about what the loss does; sigmoid tasks always have it)',
  }),
  alphas: Flags.string({
    description:
      'the γ × α grid: the sweep at each of these α (comma-separated, e.g. 0.1,0.25,0.5,0.75), as --alpha would apply each',
  }),
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
  'max-record-bytes': Flags.string({
    description:
      'a CSV record (line) longer than this stops the run, so a broken file or a decompression bomb cannot fill memory: bytes, or K, M, G (binary)',
    default: `${DEFAULT_MAX_RECORD_BYTES / 2 ** 20}M`,
  }),
}

/** --max-record-bytes at most: a Buffer of it must be allocatable, and a quoted field of it a string. */
const MAX_RECORD_BYTES_LIMIT = 2 ** 29

/** The parsed values of `inputFlags`, as `this.parse` returns them. */
export interface InputFlagValues {
  concentration?: boolean
  metrics?: boolean
  'class-ece'?: boolean
  'positive-class'?: string
  alphas?: string
  'label-col': string
  'score-col'?: string
  'score-cols'?: string
  'ignore-cols'?: string
  'id-col'?: string
  'score-prefix'?: string
  scores?: string
  'input-format'?: string
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
  beta: string
  preset?: string
  loss: string
  'poly-epsilon': string
  reduction?: string
  'target-prefix'?: string
  'class-col'?: string
  'target-col'?: string
  'soft-labels'?: boolean
  'max-record-bytes'?: string
}

/** --input-format as the readers take it. */
function inputFormat(format: string | undefined): AnalyzeOptions['format'] {
  return format as AnalyzeOptions['format']
}

/** oclif's parse metadata: which flags took their default value. */
export interface FlagMetadata {
  flags: Record<string, {setFromDefault?: boolean} | undefined>
}

/** Checks the flag values (a bad one is a UsageError, exit 2) and turns them into `analyzePredictions` options. */
export function analyzeOptionsFromFlags(flags: InputFlagValues, metadata?: FlagMetadata): AnalyzeOptions {
  const given = (name: string): boolean => metadata !== undefined && metadata.flags[name]?.setFromDefault !== true
  const alphaSpec = parseAlphaSpec(flags.alpha, parseBeta(flags.beta))
  return {
    // Off by default until its cost meets the ≤ 10 % budget: on the bench's files it made the whole report
    // 1.5× slower (binary CSV 0.57 → 0.84 s, DuckDB ratio 3.0× → 2.0×), against the standing rule that
    // nothing new slows the default report.
    concentration: flags.concentration === true,
    // Off by default until its cost on binary logits meets the ≤ 10 % budget (measured +24 % CPU on 10 M rows).
    metrics: flags.metrics === true,
    classEce: flags['class-ece'] === true,
    positiveClass: flags['positive-class'],
    alphas: flags.alphas === undefined ? undefined : parseAlphas(flags.alphas),
    labelCol: flags['label-col'],
    scoreCol: flags['score-col'],
    scoreCols: flags['score-cols'] === undefined ? undefined : parseColumnNames('--score-cols', flags['score-cols']),
    ignoreCols:
      flags['ignore-cols'] === undefined ? undefined : parseColumnNames('--ignore-cols', flags['ignore-cols']),
    idCol: flags['id-col'],
    scorePrefix: flags['score-prefix'],
    scores: flags.scores as AnalyzeOptions['scores'],
    format: inputFormat(flags['input-format']),
    gammas: parseGammas(flags.gammas),
    alphaSpec,
    preset: flags.preset as PresetName | undefined,
    // A preset sets γ and α unless they were given on the command line.
    explicit: {gammas: given('gammas'), alpha: given('alpha')},
    loss: flags.loss as LossVariant,
    polyEpsilon: parsePolyEpsilon(flags['poly-epsilon']),
    reduction: flags.reduction as Reduction | undefined,
    targetPrefix: flags['target-prefix'],
    classCol: flags['class-col'],
    targetCol: flags['target-col'],
    softLabels: flags['soft-labels'] === true,
    easyThreshold: parseEasyThreshold(flags['easy-threshold']),
    eps: parseEps(flags.eps),
    threads: flags.threads,
    onInvalid: flags['on-invalid'] as AnalyzeOptions['onInvalid'],
    rowSumPolicy: flags['row-sum'] as AnalyzeOptions['rowSumPolicy'],
    rowSumTolerance: parseRowSumTolerance(flags['row-sum-tolerance']),
    classNames: flags['class-names'] === undefined ? undefined : parseClassNames(flags['class-names']),
    maxRecordBytes:
      flags['max-record-bytes'] === undefined
        ? undefined
        : parseByteSize(flags['max-record-bytes'], 'max-record-bytes', MAX_RECORD_BYTES_LIMIT),
  }
}
