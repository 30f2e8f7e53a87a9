/**
 * The Parquet reader against the CSV (and Arrow) readers on the same data: every fixture in
 * fixtures/parquet/ (written by DuckDB and hyparquet-writer from the CSV fixtures) must yield exactly the
 * labels and scores the CSV reader yields for the CSV it was written from — every codec, encoding, page
 * version, label type and layout — with each row located by row group and row.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {collectFile, collectParquet, type Collected, errorOf} from '../../helpers/collect-chunks.js'
import {tempDir} from '../../helpers/temp-files.js'
import {listPage, plainInt32s, tinyParquet} from '../../helpers/tiny-parquet.js'

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url))
const fixture = (name: string): string => `${FIXTURES}${name}`
const parquet = (name: string): string => `${FIXTURES}parquet/${name}`
const file = tempDir()

/** The same rows: task, classes, labels and scores exactly. */
function assertSameRows(actual: Collected, expected: Collected, what: string): void {
  assert.equal(actual.layout.task, expected.layout.task, what)
  assert.deepEqual(actual.layout.classes, expected.layout.classes, what)
  assert.equal(actual.rows, expected.rows, `${what}: rows`)
  assert.equal(actual.width, expected.width, `${what}: width`)
  assert.deepEqual(actual.labels, expected.labels, `${what}: labels`)
  assert.deepEqual(actual.scores, expected.scores, `${what}: scores`)
}

describe('Parquet reader: the same rows as the CSV reader', () => {
  it('binary logits in every codec DuckDB writes, and its V2 encodings (BYTE_STREAM_SPLIT doubles)', async () => {
    const csv = await collectFile(fixture('binary.csv'))
    assert.equal(csv.rows, 400)
    for (const name of [
      'binary-uncompressed',
      'binary-snappy',
      'binary-gzip',
      'binary-zstd',
      'binary-lz4_raw',
      'binary-brotli',
      'binary-v2',
    ]) {
      assertSameRows(await collectParquet(parquet(`${name}.parquet`)), csv, name)
    }
  })

  it('data page v2 (hyparquet-writer) in SNAPPY, GZIP and BROTLI, required and optional columns', async () => {
    const csv = await collectFile(fixture('binary.csv'))
    for (const name of ['binary-hyparquet', 'binary-hyparquet-gzip', 'binary-hyparquet-brotli']) {
      assertSameRows(await collectParquet(parquet(`${name}.parquet`)), csv, name)
    }
  })

  it('every integer width, booleans, strings and integral floats as labels; FLOAT scores', async () => {
    const csv = await collectFile(fixture('binary.csv'))
    const types = parquet('binary-types.parquet')
    for (const labelCol of [
      'label_i8',
      'label_u8',
      'label_i16',
      'label_u16',
      'label_u32',
      'label_i64',
      'label_u64',
      'label_bool',
      'label_str',
      'label_double',
      'label_float',
    ]) {
      assertSameRows(await collectParquet(types, {labelCol}), csv, labelCol)
    }
    // FLOAT scores hold the logits rounded to float32: the same numbers as the CSV's through Math.fround.
    const floats = await collectParquet(types, {scoreCol: 'logit_f32'})
    assertSameRows(floats, {...csv, scores: csv.scores.map(Math.fround)}, 'logit_f32')
  })

  it('PLAIN, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, RLE booleans, BYTE_STREAM_SPLIT', async () => {
    const csv = await collectFile(fixture('binary.csv'))
    const encodings = parquet('binary-encodings.parquet')
    for (const labelCol of [
      'label',
      'label_delta',
      'label_delta64',
      'label_plain64',
      'label_str',
      'label_dlba',
      'label_dba',
      'label_bool',
      'label_bool_plain',
    ]) {
      assertSameRows(await collectParquet(encodings, {labelCol, scoreCol: 'logit_plain'}), csv, labelCol)
    }
    assertSameRows(await collectParquet(encodings, {scoreCol: 'logit'}), csv, 'logit (BYTE_STREAM_SPLIT)')
    const floats = await collectParquet(encodings, {scoreCol: 'logit_f32'})
    assertSameRows(floats, {...csv, scores: csv.scores.map(Math.fround)}, 'logit_f32 (BYTE_STREAM_SPLIT)')
  })

  it('several row groups, with dictionary-encoded doubles in some (DuckDB, ZSTD)', async () => {
    const text = readFileSync(fixture('binary.csv'), 'utf8')
    const [header, ...lines] = text.trimEnd().split('\n')
    const repeated = file('binary-x12.csv', [header, ...Array.from({length: 12}, () => lines).flat()].join('\n') + '\n')
    const csv = await collectFile(repeated)
    const rowGroups = await collectParquet(parquet('binary-rowgroups.parquet'))
    assertSameRows(rowGroups, csv, 'binary-rowgroups')
    // Rows are numbered within their row group (2,048 each).
    assert.deepEqual(rowGroups.locations[2047], {
      file: parquet('binary-rowgroups.parquet'),
      rowGroup: 1,
      row: 2048,
      column: 'logit',
    })
    assert.deepEqual(rowGroups.locations[2048], {
      file: parquet('binary-rowgroups.parquet'),
      rowGroup: 2,
      row: 1,
      column: 'logit',
    })
    assert.deepEqual(rowGroups.locations[4799], {
      file: parquet('binary-rowgroups.parquet'),
      rowGroup: 3,
      row: 704,
      column: 'logit',
    })
  })

  it('any chunk size gives the same rows, located the same', async () => {
    const whole = await collectParquet(parquet('binary-hyparquet.parquet'))
    for (const chunkRows of [1, 7, 64, 149, 150, 1000]) {
      const chunked = await collectParquet(parquet('binary-hyparquet.parquet'), {}, undefined, {chunkRows})
      assertSameRows(chunked, whole, `chunks of ${chunkRows}`)
      assert.deepEqual(chunked.locations, whole.locations, `chunks of ${chunkRows}`)
    }
    assert.deepEqual(whole.locations[150], {
      file: parquet('binary-hyparquet.parquet'),
      rowGroup: 2,
      row: 1,
      column: 'logit',
    })
  })

  it('multi-class: wide columns, list<double> (v1, v2 pages, BYTE_STREAM_SPLIT), and as the Arrow list reader', async () => {
    const csv = await collectFile(fixture('multiclass.csv'))
    for (const name of ['multiclass', 'multiclass-list', 'multiclass-list-v2', 'multiclass-list-hyparquet']) {
      const rows = await collectParquet(parquet(`${name}.parquet`))
      assertSameRows(rows, csv, name)
    }
    const arrow = await collectFile(fixture('multiclass-list.arrow'))
    assertSameRows(await collectParquet(parquet('multiclass-list.parquet')), arrow, 'multiclass-list vs Arrow')
  })

  it('class names as (dictionary-encoded) strings', async () => {
    const csv = await collectFile(fixture('multiclass-probs.csv'))
    const rows = await collectParquet(parquet('multiclass-probs.parquet'))
    assert.deepEqual(rows.layout.classes, ['cat', 'dog', 'bird'])
    assertSameRows(rows, csv, 'multiclass-probs')
  })

  it('multi-label: wide, lists of scores and targets, and the long layout with string classes', async () => {
    const csv = await collectFile(fixture('multilabel.csv'))
    assertSameRows(await collectParquet(parquet('multilabel.parquet')), csv, 'multilabel')
    // The list form names its classes by index, as the Arrow list form does.
    const arrowList = await collectFile(fixture('multilabel-list.arrow'))
    assertSameRows(await collectParquet(parquet('multilabel-list.parquet')), arrowList, 'multilabel-list')
    assert.deepEqual(arrowList.scores, csv.scores)
    const classNames = ['car', 'person', 'bike', 'dog']
    const long = await collectFile(fixture('multilabel-long.csv'), {classNames})
    assertSameRows(await collectParquet(parquet('multilabel-long.parquet'), {classNames}), long, 'multilabel-long')
  })

  it('a list row cut across two pages (v1 pages may end inside a row), with and without nulls', async () => {
    // Rows [1, 2, 3], [4, 5, 6], [7, 8, 9]: the second row starts on page 1 and ends on page 2.
    const entries = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((value: number | null, i) => ({
      repetition: i % 3 === 0 ? 0 : 1,
      value,
    }))
    const labels = {name: 'label', type: 1, body: plainInt32s([0, 2, 1])}
    const cut = (at: number, rows: typeof entries): Uint8Array =>
      tinyParquet(3, [
        labels,
        {
          name: 'logits',
          type: 5,
          list: true,
          pages: [
            {body: listPage(rows.slice(0, at)), numValues: at},
            {body: listPage(rows.slice(at)), numValues: rows.length - at},
          ],
        },
      ])
    for (const at of [1, 3, 4, 5, 8]) {
      const rows = await collectParquet(file(`cut-${at}.parquet`, cut(at, entries)))
      assert.deepEqual(rows.scores, [1, 2, 3, 4, 5, 6, 7, 8, 9], `cut after ${at}`)
      assert.deepEqual(rows.labels, [0, 2, 1])
    }
    // A null element in the row that crosses the page (the page with a null takes the general path).
    const withNull = entries.map((e, i) => (i === 5 ? {...e, value: null} : e))
    const path = file('cut-null.parquet', cut(4, withNull))
    assert.equal(
      await errorOf(() => collectParquet(path)),
      `${path} (row group 1, row 2): column "logits": expected a list of scores, got null`,
    )
  })

  it('reports list columns with their length K and scalar columns without', async () => {
    const {openParquet} = await import('../../../src/readers/parquet/from-parquet.js')
    const source = await openParquet(parquet('multilabel-list.parquet'))
    await source.close()
    assert.deepEqual(source.columns, [
      {name: 'logits', listSize: 4},
      {name: 'targets', listSize: 4},
    ])
    assert.equal(source.numRowGroups, 1)
    assert.equal(source.numRows, 240)
  })
})
