/** Comparisons made in-process as `focalscope compare A B` makes them, for the renderers' tests. */
import {fileURLToPath} from 'node:url'

import {analyzeOptionsFromFlags, type InputFlagValues} from '../../src/cli/input-flags.js'
import {analyzeDataset} from '../../src/pipeline/analyze-predictions.js'
import {pairHardRows} from '../../src/pipeline/pair-hard-rows.js'
import {compareReports} from '../../src/report/compare-reports.js'
import type {Comparison} from '../../src/report/compare-types.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The CLI's flag defaults, as oclif hands them to the command. */
const DEFAULT_FLAGS: InputFlagValues = {
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

/**
 * `compare A B --json` for two prediction files, in-process. Paths relative to the repository are named
 * as given (as the CLI names them); absolute paths (temporary files) by `names` when given.
 */
export async function comparePredictions(
  a: string,
  b: string,
  flags: Partial<InputFlagValues> = {},
  names: [string, string] = [a, b],
): Promise<Comparison> {
  const metadata = {
    flags: Object.fromEntries(Object.keys(DEFAULT_FLAGS).map((key) => [key, {setFromDefault: !(key in flags)}])),
  }
  const options = analyzeOptionsFromFlags({...DEFAULT_FLAGS, ...flags}, metadata)
  const full = (path: string): string => (path.startsWith('/') ? path : `${ROOT}${path}`)
  const runA = await analyzeDataset([full(a)], options)
  const runB = await analyzeDataset([full(b)], options)
  runA.report.input.files = [names[0]]
  runB.report.input.files = [names[1]]
  const hardRows = await pairHardRows(
    {path: full(a), settings: runA.settings, report: runA.report},
    {path: full(b), settings: runB.settings, report: runB.report},
    options,
  )
  return compareReports(
    {a: {path: names[0], kind: 'predictions'}, b: {path: names[1], kind: 'predictions'}},
    runA.report,
    runB.report,
    hardRows,
  )
}
