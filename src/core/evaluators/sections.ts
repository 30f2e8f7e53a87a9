/**
 * The evaluators that read prepared rows beside the loss breakdown, each owning one section of the partial
 * state. A run creates those its settings ask for (`when`), so which sections a state holds follows from
 * its settings — which merge and decoding check. Adding an evaluator is a file of its own and an entry here.
 */
import type {EvaluationConfig} from '../config.js'
import type {MergeRule} from '../state/merge-rules.js'
import type {Evaluator} from './evaluator.js'
import {CONCENTRATION_RULES, ConcentrationEvaluator, type ConcentrationState} from './concentration.js'
import {HARDEST_RULES, HardestRowsEvaluator, type HardestState} from './hardest-rows.js'
import {KORNIA_RULES, KorniaTermsEvaluator, type KorniaSums} from './kornia-terms.js'
import {METRICS_RULES, MetricsEvaluator, type MetricsState} from './metrics.js'

/** The optional sections of a partial state, by name (absent when the settings do not ask for them). */
export interface Sections {
  /** --preset kornia on a multi-class or multi-label input: kornia's extra sums. */
  kornia?: KorniaSums
  /** Loss concentration (on by default in `report`, --no-concentration): histograms of per-element losses. */
  concentration?: ConcentrationState
  /** --top / --top-per-class: the hardest elements, a bounded list each (hardest-rows.ts). */
  hardest?: HardestState
  /** Accuracy, confusions, calibration (--metrics): counts and sums by cell and bin. */
  metrics?: MetricsState
}

export type SectionName = keyof Sections

export interface SectionEntry<N extends SectionName = SectionName> {
  name: N
  rules: Record<string, MergeRule>
  /** Whether a run of these settings keeps this section. */
  when(config: EvaluationConfig): boolean
  /** The evaluator, for blocks of up to `capacity` prepared elements. */
  create(config: EvaluationConfig, capacity: number): Evaluator<NonNullable<Sections[N]>, unknown>
}

export const SECTIONS: readonly SectionEntry[] = [
  {
    name: 'kornia',
    rules: KORNIA_RULES,
    when: (config) => config.korniaTerms === true && config.task !== 'binary',
    create: (config, capacity) => new KorniaTermsEvaluator(config, capacity),
  },
  {
    name: 'concentration',
    rules: CONCENTRATION_RULES,
    when: (config) => config.concentration === true,
    create: (config) => new ConcentrationEvaluator(config),
  },
  {
    name: 'hardest',
    rules: HARDEST_RULES,
    when: (config) => config.hardest !== undefined,
    create: (config) => new HardestRowsEvaluator(config, config.hardest as NonNullable<typeof config.hardest>),
  },
  {
    name: 'metrics',
    rules: METRICS_RULES,
    when: (config) => config.metrics === true,
    create: (config) => new MetricsEvaluator(config),
  },
]

/** The sections a run of these settings keeps, in registry order. */
export function sectionsFor(config: EvaluationConfig): SectionEntry[] {
  return SECTIONS.filter((entry) => entry.when(config))
}
