import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {MAX_UNITS, piecesPerUnit, UNIT_BYTES} from '../../src/readers/prediction-source.js'

describe('piecesPerUnit', () => {
  it('groups batches or row groups into units of about UNIT_BYTES of the file', () => {
    // The bench's 10 M-row Arrow file: 153 batches in 120 MB → 29 units of about 4 MiB, 6 batches each.
    assert.equal(piecesPerUnit(153, 120_033_274), 6)
    // The bench's 10 M-row Parquet file: 82 row groups in 79 MB → 19 units, 5 row groups each.
    assert.equal(piecesPerUnit(82, 79_417_957), 5)
    // Pieces larger than a unit (2 M × 20 logits, 10.7 MB batches) stay one to a unit.
    assert.equal(piecesPerUnit(31, 328_007_970), 1)
  })

  it('takes the unit size it is given (tests split small fixtures), and never fewer than one piece', () => {
    assert.equal(piecesPerUnit(7, 7 * 4096, 4096), 1)
    assert.equal(piecesPerUnit(7, 7 * 4096, 2 * 4096), 2)
    assert.equal(piecesPerUnit(7, 100, UNIT_BYTES), 7)
    assert.equal(piecesPerUnit(1, 0), 1)
  })

  it('makes at most MAX_UNITS units', () => {
    const pieces = 10_000
    const perUnit = piecesPerUnit(pieces, 1e12)
    assert.ok(Math.ceil(pieces / perUnit) <= MAX_UNITS)
    assert.equal(perUnit, Math.ceil(pieces / MAX_UNITS))
  })
})
