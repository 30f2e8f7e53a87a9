import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {Ajv} from 'ajv'

import type {Report} from '../../src/report/types.js'
import {readNpy} from '../helpers/read-npy.js'
import {runReportJson} from '../helpers/run-cli.js'

// shared/real sits beside the repository (on developer machines and in CI).
const REAL = fileURLToPath(new URL('../../../shared/real/cleanlab-label-errors/', import.meta.url))
const SCHEMA = JSON.parse(readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')) as object
const validate = new Ajv({allErrors: true}).compile(SCHEMA)

const GAMMAS = [0, 0.5, 1, 2, 5]
const EPS = 1e-7

/**
 * An independent float64 reference from the original .npy arrays (not the CSV the tool reads):
 * p_t = clamp(p[y], eps, 1 − eps), CE = −log p_t, FL = (1 − p_t)^γ · CE, easy when p_t > 0.5.
 */
function reference(name: string): {ce: number; focal: number[]; classCe: number[]; easyCe: number; clamped: number} {
  const probs = readNpy(`${REAL}${name}_test_set_pyx.npy`)
  const labels = readNpy(`${REAL}${name}_test_set_original_labels.npy`).data
  const k = probs.shape[1]
  const classCe = new Array<number>(k).fill(0)
  const focal = GAMMAS.map(() => 0)
  let ce = 0
  let easyCe = 0
  let clamped = 0
  for (let i = 0; i < labels.length; i++) {
    const raw = probs.data[i * k + labels[i]]
    const pt = Math.min(Math.max(raw, EPS), 1 - EPS)
    if (pt !== raw) clamped++
    const loss = -Math.log(pt)
    ce += loss
    classCe[labels[i]] += loss
    if (pt > 0.5) easyCe += loss
    GAMMAS.forEach((g, j) => (focal[j] += Math.pow(1 - pt, g) * loss))
  }
  return {ce, focal, classCe, easyCe, clamped}
}

function closeRel(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.abs(expected), `${what}: expected ${expected}, got ${actual}`)
}

describe(
  'report on the real prediction files of shared/real',
  {skip: !existsSync(REAL) && 'shared/real is not here'},
  () => {
    for (const name of ['cifar10', 'mnist', 'imdb', '20news']) {
      it(`${name}: matches a float64 reference from the original .npy arrays and the JSON schema`, () => {
        const {json} = runReportJson([`${REAL}${name}.csv`, '--scores', 'probs', '--gammas', GAMMAS.join(',')])
        assert.ok(validate(json), JSON.stringify(validate.errors))
        const report = json as unknown as Report
        const ref = reference(name)
        closeRel(report.totals.ce.sum, ref.ce, 'CE sum')
        report.sweep.forEach((s, j) => closeRel(s.sum, ref.focal[j], `FL sum γ=${s.gamma}`))
        report.classes.forEach((c, i) => {
          closeRel(c.ce.sum, ref.classCe[i], `class ${c.class} CE`)
          assert.ok(Math.abs((c.ce.share as number) - ref.classCe[i] / ref.ce) <= 1e-9, `class ${c.class} share`)
        })
        assert.ok(Math.abs((report.split.easy.ceShare as number) - ref.easyCe / ref.ce) <= 1e-9, 'easy CE share')
        assert.equal(report.input.clampedValues, ref.clamped)
      })
    }
  },
)
