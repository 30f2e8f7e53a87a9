/** Reports of the committed fixtures, computed in-process, for the HTML renderer's tests. */
import {fileURLToPath} from 'node:url'

import {analyzePredictions} from '../../../src/pipeline/analyze-predictions.js'
import {analyzeOptionsFromFlags, type InputFlagValues} from '../../../src/cli/input-flags.js'
import type {Report} from '../../../src/report/types.js'

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url))

/**
 * The CLI's flag defaults, as oclif hands them to the command — but the concentration off: the pages of
 * these tests show the base sections; hand-made reports (future-sections.ts) show the others.
 */
const DEFAULT_FLAGS: InputFlagValues = {
  concentration: false,
  'label-col': 'label',
  gammas: '0,0.5,1,2,5',
  alpha: 'none',
  beta: '0.999',
  loss: 'focal',
  'poly-epsilon': '1',
  'easy-threshold': '0.5',
  threads: 1,
  eps: '1e-7',
  'on-invalid': 'fail',
  'row-sum': 'refuse',
  'row-sum-tolerance': '1e-3',
}

/** `focalscope report fixtures/NAME --json` with `flags`, the file named as the CLI would name it. */
export async function fixtureReport(name: string, flags: Partial<InputFlagValues> = {}): Promise<Report> {
  const metadata = {
    flags: Object.fromEntries(Object.keys(DEFAULT_FLAGS).map((key) => [key, {setFromDefault: !(key in flags)}])),
  }
  const report = await analyzePredictions(
    [`${FIXTURES}${name}`],
    analyzeOptionsFromFlags({...DEFAULT_FLAGS, ...flags}, metadata),
  )
  report.input.files = [`fixtures/${name}`]
  return report
}

/** A multi-class report of `classes` classes, made from the example's by copying its classes (for sizes). */
export function wideReport(base: Report, classes: number): Report {
  const rows = Array.from({length: classes}, (_, i) => {
    const from = base.classes[i % base.classes.length]
    return {
      ...from,
      class: `class ${i} ${from.class}`,
      countShare: (from.countShare ?? 0) / (classes / base.classes.length),
    }
  })
  return {
    ...base,
    input: {...base.input, classes: rows.map((c) => c.class), classCounts: rows.map((c) => c.count)},
    classes: rows,
  }
}
