/**
 * Every row read in a unit (a CSV byte range, a group of Arrow batches) has a row identity — file, 0-based
 * data row, CSV line or Arrow batch and row — that, rebased by the extents of the units before it, is the
 * row's identity in the whole file. Checked against the file's text (or batches) read independently.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {type InputLocation, rebaseLocation} from '../../src/core/errors.js'
import {openSource} from '../../src/readers/open-source.js'
import type {ReadExtent} from '../../src/readers/prediction-source.js'
import {openUnits} from '../../src/readers/registry.js'
import {tempDir} from '../helpers/temp-files.js'
import {openParquet} from '../../src/readers/parquet/open-parquet.js'
import {fileURLToPath} from 'node:url'

const file = tempDir()

/** Every row's location, unit by unit, rebased as the pipeline does; and the units' count. */
async function locationsByUnits(path: string, unitBytes: number): Promise<{rows: InputLocation[]; units: number}> {
  const source = await openSource(path, {labelCol: 'label'})
  const plan = await source.plan(2, {minBytes: 0, unitBytes})
  await source.close()
  assert.ok(plan, 'the file splits into units')
  const reader = await openUnits(plan.task)
  const rows: InputLocation[] = []
  const base: ReadExtent = {rows: 0, lines: 0}
  // Units in file order (threads may take them in any order: the rebase only needs the extents before).
  for (let unit = 0; unit < plan.units; unit++) {
    const read = reader.read(unit, {})
    for await (const chunk of read.chunks) {
      for (let row = 0; row < chunk.rows; row++) rows.push(rebaseLocation(chunk.locate(row), base))
    }
    base.rows += read.extent.rows
    base.lines += read.extent.lines
  }
  await reader.close()
  return {rows, units: plan.units}
}

describe('row identity in units', () => {
  it('CSV ranges: every row’s line and data row are the file’s, with blank lines and CRLF line ends', async () => {
    const lines = ['label,logit']
    const expected: {line: number; dataRow: number}[] = []
    let seed = 9
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
    for (let dataRow = 0; dataRow < 20000;) {
      if (random() < 0.01) {
        lines.push('') // a blank line holds no row
        continue
      }
      // Rows of varied length, so range cuts fall anywhere.
      lines.push(`${random() < 0.3 ? 1 : 0},${(random() * 20 - 10).toFixed(1 + Math.floor(random() * 12))}`)
      expected.push({line: lines.length, dataRow})
      dataRow++
    }
    for (const eol of ['\n', '\r\n']) {
      const path = file(`rows${eol.length}.csv`, lines.join(eol) + eol)
      const {rows, units} = await locationsByUnits(path, 4096)
      assert.ok(units > 20, `${units} units`)
      assert.equal(rows.length, expected.length)
      rows.forEach((loc, i) => {
        assert.equal(loc.file, path)
        assert.equal(loc.line, expected[i].line, `row ${i}: line`)
        assert.equal(loc.dataRow, expected[i].dataRow, `row ${i}: data row`)
      })
    }
  })

  it('Arrow batch groups: every row’s batch and row are the file’s, its data row counts the batches before', async () => {
    const {Table, tableFromArrays, tableToIPC} = await import('apache-arrow')
    const sizes = [7, 1, 13, 5, 8, 2, 11]
    const total = sizes.reduce((a, b) => a + b, 0)
    const all = tableFromArrays({
      label: Int32Array.from({length: total}, (_, i) => i % 2),
      logit: Float64Array.from({length: total}, (_, i) => i),
    })
    // One record batch per size, of the one table's schema.
    const starts = sizes.map((_, b) => sizes.slice(0, b).reduce((a, x) => a + x, 0))
    const batches = sizes.map((n, b) => all.slice(starts[b], starts[b] + n).batches[0])
    const path = file('groups.arrow', tableToIPC(new Table(batches), 'file'))
    const {rows} = await locationsByUnits(path, 0)
    const expected = sizes.flatMap((n, b) => Array.from({length: n}, (_, row) => ({batch: b + 1, row: row + 1})))
    assert.equal(rows.length, expected.length)
    rows.forEach((loc, i) => {
      assert.equal(loc.batch, expected[i].batch, `row ${i}: batch`)
      assert.equal(loc.row, expected[i].row, `row ${i}: row in batch`)
      assert.equal(loc.dataRow, i, `row ${i}: data row`)
    })
  })

  it('Parquet row group groups: every row’s row group and row are the file’s, its data row counts the groups before', async () => {
    const path = fileURLToPath(new URL('../../fixtures/parquet/binary-rowgroups.parquet', import.meta.url))
    const parquet = await openParquet(path)
    const sizes = parquet.rowGroups.map((g) => g.rows)
    await parquet.close()
    assert.ok(sizes.length > 2, `${sizes.length} row groups`)
    const {rows} = await locationsByUnits(path, 0)
    const expected = sizes.flatMap((n, g) => Array.from({length: n}, (_, row) => ({rowGroup: g + 1, row: row + 1})))
    assert.equal(rows.length, expected.length)
    rows.forEach((loc, i) => {
      assert.equal(loc.rowGroup, expected[i].rowGroup, `row ${i}: row group`)
      assert.equal(loc.row, expected[i].row, `row ${i}: row in the group`)
      assert.equal(loc.dataRow, i, `row ${i}: data row`)
    })
  })
})
