/**
 * calibrationSlot against torch's own edges (test/helpers/torch-edges.ts): every float32 within 64 ulps of
 * each edge, random confidences, the ends and values outside [0, 1] — the short way (⌊15·f⌋ away from
 * the edges) and the edge search must agree with bucketize everywhere.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {
  CALIBRATION_BINS,
  CALIBRATION_EDGES,
  calibrationSlot,
  EDGE_NEAR,
  edgeSlot,
} from '../../../src/core/evaluators/calibration-bins.js'
import {TORCH_EDGES, torchSlot} from '../../helpers/torch-edges.js'

/** The float32 `steps` ulps away from float32 f (negative: below). */
function float32Step(f: number, steps: number): number {
  const buffer = new DataView(new ArrayBuffer(4))
  buffer.setFloat32(0, f)
  buffer.setInt32(0, buffer.getInt32(0) + steps)
  return buffer.getFloat32(0)
}

describe('calibration bins', () => {
  it('has torch.linspace(0, 1, 16) in float32 as its edges', () => {
    assert.deepEqual([...CALIBRATION_EDGES], TORCH_EDGES)
  })

  it('has its inner edges well within EDGE_NEAR of k/15 (the short way relies on it)', () => {
    for (let k = 1; k < CALIBRATION_BINS; k++) {
      assert.ok(Math.abs(CALIBRATION_BINS * CALIBRATION_EDGES[k] - k) < EDGE_NEAR / 4, `edge ${k}`)
    }
    assert.equal(CALIBRATION_EDGES[0], 0)
    assert.equal(CALIBRATION_EDGES[CALIBRATION_BINS], 1)
  })

  it('puts every float32 near an edge where bucketize does', () => {
    let checked = 0
    for (const edge of TORCH_EDGES) {
      for (let steps = -64; steps <= 64; steps++) {
        const f = float32Step(edge, steps)
        if (f < 0 || f > 1) continue
        // Also the doubles around the float32, which round to it or to its neighbours.
        for (const v of [f, f * (1 + 2 ** -40), f * (1 - 2 ** -40)]) {
          assert.equal(calibrationSlot(v), torchSlot(v), `value ${v}`)
          assert.equal(edgeSlot(Math.fround(v)), torchSlot(v), `value ${v}`)
          checked++
        }
      }
    }
    assert.ok(checked > 5000)
  })

  it('puts random confidences where bucketize does', () => {
    fc.assert(
      fc.property(fc.double({min: 0, max: 1, noNaN: true}), (v) => calibrationSlot(v) === torchSlot(v)),
      {numRuns: 20000},
    )
    // Tiny ones, as a confident model's probabilities of the other class are.
    fc.assert(
      fc.property(fc.double({min: 0, max: 1e-3, noNaN: true}), (v) => calibrationSlot(v) === torchSlot(v)),
      {numRuns: 5000},
    )
  })

  it('puts the ends, NaN and values outside [0, 1] in the first or last slot', () => {
    assert.equal(calibrationSlot(0), 0)
    assert.ok(calibrationSlot(-0) === 0) // -0 as an index is slot 0
    assert.equal(calibrationSlot(1), 15)
    assert.equal(calibrationSlot(1 - 1e-9), 15) // rounds to 1 in float32, as torch compares it
    assert.equal(calibrationSlot(1 - 1e-7), 14)
    assert.equal(calibrationSlot(-1e-12), 0)
    assert.equal(calibrationSlot(1 + 1e-12), 15)
    assert.equal(calibrationSlot(Number.NaN), 0)
    assert.equal(calibrationSlot(Number.POSITIVE_INFINITY), 15)
  })
})
