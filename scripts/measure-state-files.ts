// Measures the state file's size and merge cost, JSON against a compact binary form (a JSON header with
// the settings and facts, then the float64 arrays as raw little-endian bytes), for docs/state-format.md:
//   node --import tsx scripts/measure-state-files.ts
import {gzipSync} from 'node:zlib'

import {emptyPartialState} from '../src/core/evaluation.js'
import {mergeStatesInto} from '../src/core/state/partial-state.js'
import type {StateFile} from '../src/core/state/state-file.js'
import {lossOptions} from '../src/core/loss-options.js'
import {settingsOf} from '../src/core/state/partial-state.js'
import {readStateText, stateFileText} from '../src/pipeline/state-files.js'

function stateOf(classes: number, seed: number): StateFile {
  const config = {
    task: 'multiclass' as const,
    scores: 'logits' as const,
    numClasses: classes,
    easyThreshold: 0.5,
    eps: 1e-7,
    probTolerance: 1e-4,
    rowSumTolerance: 1e-3,
    rowSumPolicy: 'refuse' as const,
    ...lossOptions({gammas: [0, 0.5, 1, 2, 5], alphaSpec: {kind: 'none'}}, 'multiclass', classes),
  }
  const settings = settingsOf(
    config,
    Array.from({length: classes}, (_, i) => `class${i}`),
    false,
  )
  const state = emptyPartialState(settings)
  let x = seed
  const random = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648
  for (const array of [state.breakdown.count, state.breakdown.ce.sum, state.breakdown.focal.sum]) {
    for (let i = 0; i < array.length; i++)
      array[i] = array === state.breakdown.count ? Math.floor(random() * 1e6) : random() * 1e5
  }
  for (let i = 0; i < state.breakdown.ce.comp.length; i++) state.breakdown.ce.comp[i] = random() * 1e-12
  state.input.rows = 1e6
  state.input.files = [{path: `shard-${seed}.csv`, order: 0, rows: 1e6}]
  return {state, context: {formats: [{path: `shard-${seed}.csv`, order: 0, format: 'csv'}], scoresGiven: false}}
}

/** The compact form: a JSON header line, then every float64 array's bytes. */
function compact(file: StateFile): Buffer {
  const b = file.state.breakdown
  const arrays = [b.count, b.ce.sum, b.ce.comp, b.focal.sum, b.focal.comp]
  const header = JSON.stringify({
    settings: file.state.settings,
    input: file.state.input,
    lengths: arrays.map((a) => a.length),
  })
  return Buffer.concat([
    Buffer.from(`${header}\n`),
    ...arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)),
  ])
}

for (const classes of [10, 1000]) {
  const files = Array.from({length: 1000}, (_, i) => stateOf(classes, i + 1))
  const texts = files.map(stateFileText)
  const binaries = files.map(compact)
  const t0 = performance.now()
  const parsed = texts.map((text) => JSON.parse(text) as unknown)
  const parseMs = performance.now() - t0
  const t1 = performance.now()
  const merged = readStateText(texts[0])
  for (let i = 1; i < texts.length; i++) mergeStatesInto(merged.state, readStateText(texts[i]).state)
  const jsonMs = performance.now() - t1
  const t2 = performance.now()
  for (const bytes of binaries) {
    const newline = bytes.indexOf(10)
    JSON.parse(bytes.subarray(0, newline).toString())
    const body = bytes.subarray(newline + 1)
    new Float64Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength))
  }
  const binaryMs = performance.now() - t2
  void parsed
  const size = (n: number): string => `${(n / 1024).toFixed(1)} KiB`
  console.log(
    `${classes} classes × 5 γ: JSON ${size(texts[0].length)} (gzip ${size(gzipSync(texts[0]).length)}), ` +
      `binary ${size(binaries[0].length)} (gzip ${size(gzipSync(binaries[0]).length)}); ` +
      `1,000 states: JSON.parse ${parseMs.toFixed(0)} ms, parse + check + merge ${jsonMs.toFixed(0)} ms; binary decode ${binaryMs.toFixed(0)} ms`,
  )
}
