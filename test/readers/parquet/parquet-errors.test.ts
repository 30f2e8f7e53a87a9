/**
 * What the Parquet reader says about bad input: nulls and bad labels as the Arrow reader says them (with the
 * row group and row), and truncated files, corrupt footers and pages, unsupported codecs, encodings and
 * nested types as one line naming the file, row group and column and what was expected.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {DuckDBInstance} from '@duckdb/node-api'
import {Field, Float64, Int32, makeData, RecordBatch, Schema, Struct, Table, tableToIPC} from 'apache-arrow'
import {parquetWriteBuffer} from 'hyparquet-writer'

import {collectFile, collectParquet, errorOf, SkipLog, skippedOf} from '../../helpers/collect-chunks.js'
import {tempDir} from '../../helpers/temp-files.js'
import {concat, definitionLevels, plainDoubles, plainInt32s, tinyParquet} from '../../helpers/tiny-parquet.js'

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url))
const parquet = (name: string): string => `${FIXTURES}parquet/${name}`
const file = tempDir()

/** A DuckDB query's result written as Parquet to a temp file. */
async function duckdbParquet(name: string, select: string): Promise<string> {
  const path = file(name)
  const db = await DuckDBInstance.create(':memory:', {threads: '1'})
  const sql = await db.connect()
  await sql.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`)
  sql.closeSync()
  return path
}

describe('Parquet reader: nulls and bad labels', () => {
  it('refuses a null label or score naming the row group and row, as the Arrow reader names the batch and row', async () => {
    const path = parquet('binary-nulls.parquet')
    assert.equal(
      await errorOf(() => collectParquet(path)),
      `${path} (row group 1, row 8): column "label": expected a label, got null`,
    )
    // The same nulls in an Arrow file: the same message after the location.
    const csv = await collectFile(`${FIXTURES}binary.csv`)
    const n = csv.rows
    const valid = (nullRow: number): Uint8Array => {
      const bits = new Uint8Array(Math.ceil(n / 8)).fill(0xff)
      bits[nullRow >> 3] &= ~(1 << (nullRow & 7))
      return bits
    }
    const label = makeData({
      type: new Int32(),
      length: n,
      nullCount: 1,
      nullBitmap: valid(7),
      data: Int32Array.from(csv.labels),
    })
    const logit = makeData({
      type: new Float64(),
      length: n,
      nullCount: 1,
      nullBitmap: valid(20),
      data: Float64Array.from(csv.scores),
    })
    const fields = [new Field('label', new Int32(), true), new Field('logit', new Float64(), true)]
    const struct = makeData({type: new Struct(fields), length: n, nullCount: 0, children: [label, logit]})
    const arrowPath = file(
      'binary-nulls.arrow',
      tableToIPC(new Table([new RecordBatch(new Schema(fields), struct)]), 'file'),
    )
    const arrowMessage = await errorOf(() => collectFile(arrowPath))
    assert.equal(arrowMessage, `${arrowPath} (batch 1, row 8): column "label": expected a label, got null`)
  })

  it('with a skip log, leaves those rows out and counts them, naming the first', async () => {
    const path = parquet('binary-nulls.parquet')
    const skip = new SkipLog()
    const rows = await collectParquet(path, {}, skip)
    const skipped = skippedOf(skip)
    assert.deepEqual(skipped.counts, [['null', 2]])
    assert.equal(skipped.first.get('null'), `${path} (row group 1, row 8): column "label": expected a label, got null`)
    const csv = await collectFile(`${FIXTURES}binary.csv`)
    const kept = (_: unknown, i: number): boolean => i !== 7 && i !== 20
    assert.deepEqual(rows.labels, csv.labels.filter(kept))
    assert.deepEqual(rows.scores, csv.scores.filter(kept))
    // Kept rows keep their own row numbers.
    assert.deepEqual(rows.locations[7], {file: path, rowGroup: 1, row: 9, column: 'logit'})
    assert.deepEqual(rows.locations[19], {file: path, rowGroup: 1, row: 22, column: 'logit'})
  })

  it('names the row of a null in a wide layout past the first tile of rows, and skips exactly those rows', async () => {
    // 20 score columns: the reader copies 819 rows at a time into a chunk; nulls at rows 1000 (logit_3) and
    // 2500 (logit_17), 1-based rows 1001 and 2501, in a chunk after the first tile.
    const logits = Array.from({length: 20}, (_, j) =>
      j === 3
        ? `CASE WHEN i = 1000 THEN NULL ELSE i / 7 END::DOUBLE AS logit_${j}`
        : j === 17
          ? `CASE WHEN i = 2500 THEN NULL ELSE -i / 3 END::DOUBLE AS logit_${j}`
          : `((i * ${j + 1}) % 13 - 6.5)::DOUBLE AS logit_${j}`,
    ).join(', ')
    const path = await duckdbParquet(
      'wide-nulls.parquet',
      `SELECT (i % 20)::INTEGER AS label, ${logits} FROM range(3000) t(i)`,
    )
    assert.equal(
      await errorOf(() => collectParquet(path)),
      `${path} (row group 1, row 1001): column "logit_3": expected a score, got null`,
    )
    const skip = new SkipLog()
    const rows = await collectParquet(path, {}, skip)
    assert.deepEqual(skippedOf(skip).counts, [['null', 2]])
    assert.equal(rows.labels.length, 2998)
    // Every kept score is where it was: row 2999 (index 2997 after two rows left out), logit_17.
    assert.equal(rows.scores[2997 * 20 + 17], -2999 / 3)
    assert.equal(rows.scores[999 * 20 + 3], 999 / 7)
    assert.equal(rows.scores[1000 * 20 + 3], 1001 / 7)
  })

  it('refuses a null list, a null in a list and a list of another length; skips them with a reason each', async () => {
    const path = parquet('multiclass-list-nulls.parquet')
    assert.equal(
      await errorOf(() => collectParquet(path)),
      `${path} (row group 1, row 3): column "logits": expected a list of scores, got null`,
    )
    const skip = new SkipLog()
    const rows = await collectParquet(path, {}, skip)
    const skipped = skippedOf(skip)
    assert.deepEqual(skipped.counts, [
      ['null', 2],
      ['field-count', 1],
    ])
    assert.equal(
      skipped.first.get('field-count'),
      `${path} (row group 1, row 9): column "logits": expected a list of 5 scores (as in the first row), got 4`,
    )
    const csv = await collectFile(`${FIXTURES}multiclass.csv`)
    const keptRows = (i: number): boolean => i !== 2 && i !== 4 && i !== 8
    assert.deepEqual(
      rows.labels,
      csv.labels.filter((_, i) => keptRows(i)),
    )
    assert.deepEqual(
      rows.scores,
      csv.scores.filter((_, i) => keptRows(Math.floor(i / 5))),
    )
  })

  it('refuses a label that is not a class, with the value', async () => {
    const path = parquet('binary-types.parquet')
    const csv = await collectFile(`${FIXTURES}binary.csv`)
    // The logits as labels, the integral doubles as scores: the first logit is not 0 or 1.
    assert.equal(
      await errorOf(() => collectParquet(path, {labelCol: 'logit', scoreCol: 'label_double', scores: 'logits'})),
      `${path} (row group 1, row 1): column "logit": expected 0 or 1, got ${csv.scores[0]}`,
    )
    const names = await errorOf(() =>
      collectParquet(parquet('multiclass-probs.parquet'), {labelCol: 'prob_cat', scoreCol: 'prob_dog'}),
    )
    assert.match(
      names,
      /multiclass-probs\.parquet \(row group 1, row 1\): column "prob_cat": expected 0 or 1, got 0\.\d+ \(pass --soft-labels to read labels in \[0, 1\] as soft targets\)$/,
    )
  })
})

describe('Parquet reader: broken files', () => {
  it('an empty file, text, and a file cut short', async () => {
    const empty = file('empty.parquet', '')
    assert.equal(await errorOf(() => collectParquet(empty)), `${empty}: expected a Parquet file, got an empty file`)
    const text = file('text.parquet', 'label,logit\n1,2\n')
    assert.equal(
      await errorOf(() => collectParquet(text)),
      `${text}: expected a Parquet file (it starts with "PAR1"), got text (a CSV file? pass --input-format csv)`,
    )
    const bytes = readFileSync(parquet('binary-snappy.parquet'))
    for (const cut of [1, 4, 100, bytes.length - 5]) {
      const truncated = file(`truncated-${cut}.parquet`, bytes.subarray(0, bytes.length - cut))
      assert.equal(
        await errorOf(() => collectParquet(truncated)),
        `${truncated}: expected a complete Parquet file, got one that does not end with the closing "PAR1" magic (truncated?)`,
      )
    }
  })

  it('a footer length past the start of the file, and a footer that does not decode', async () => {
    const bytes = Buffer.from(readFileSync(parquet('binary-snappy.parquet')))
    const long = Buffer.from(bytes)
    long.writeUInt32LE(bytes.length, bytes.length - 8)
    const longPath = file('long-footer.parquet', long)
    assert.equal(
      await errorOf(() => collectParquet(longPath)),
      `${longPath}: expected valid Parquet metadata (corrupt file?): the footer says it is ${bytes.length} bytes long, the file is ${bytes.length}`,
    )
    // The footer's first field header (version, an i32) made type 13, which the compact protocol lacks.
    const footerStart = bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8)
    const corrupt = Buffer.from(bytes)
    corrupt[footerStart] = (corrupt[footerStart] & 0xf0) | 13
    const corruptPath = file('corrupt-footer.parquet', corrupt)
    assert.equal(
      await errorOf(() => collectParquet(corruptPath)),
      `${corruptPath}: expected valid Parquet metadata (corrupt file?): FileMetaData.version: expected field type 5, got 13`,
    )
  })

  it('a corrupt page header, and a page header that says more values than the column chunk', async () => {
    const logits = plainDoubles([0.5, -1, 2])
    const good = tinyParquet(3, [
      {name: 'label', type: 1, body: plainInt32s([0, 1, 1])},
      {name: 'logit', type: 5, body: logits},
    ])
    assert.equal((await collectParquet(file('good.parquet', good))).rows, 3)
    // The logit page header's first byte (PageHeader.type, an i32: 0x15) made a list header (0x19).
    const headerAt = Buffer.from(good).indexOf(Buffer.from(plainInt32s([0, 1, 1]))) + 12
    assert.equal(good[headerAt], 0x15)
    const corrupt = Uint8Array.from(good)
    corrupt[headerAt] = 0x19
    const path = file('corrupt-page.parquet', corrupt)
    assert.equal(
      await errorOf(() => collectParquet(path)),
      `${path} (row group 1): column "logit": expected valid Parquet pages (corrupt file?): page 1's header cannot be read (a page header without its type and sizes)`,
    )
    const lying = tinyParquet(3, [
      {name: 'label', type: 1, body: plainInt32s([0, 1, 1])},
      {name: 'logit', type: 5, body: logits, numValues: 4},
    ])
    const lyingPath = file('lying-count.parquet', lying)
    assert.equal(
      await errorOf(() => collectParquet(lyingPath)),
      `${lyingPath} (row group 1): column "logit": expected valid Parquet metadata (corrupt file?): the column chunk holds 4 values, the row group 3 rows`,
    )
  })

  it('a damaged ZSTD frame names the column, the page and the size its header gives', async () => {
    const good = readFileSync(parquet('binary-zstd.parquet'))
    const frame = good.indexOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))
    assert.ok(frame > 0)
    const damaged = Uint8Array.from(good)
    for (let k = frame + 8; k < frame + 20; k++) damaged[k] ^= 0x5a
    const path = file('bad-zstd.parquet', damaged)
    assert.match(
      await errorOf(() => collectParquet(path)),
      new RegExp(
        `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(row group 1\\): column "label": expected valid Parquet pages \\(corrupt file\\?\\): page 1: the ZSTD data does not decompress to the \\d+ bytes its page header says$`,
      ),
    )
    // The same file read again decompresses (the module's buffers are in a good state after an error).
    assert.ok((await collectParquet(parquet('binary-zstd.parquet'))).rows > 0)
  })

  it('reads a v2 page whose values are stored uncompressed in a SNAPPY column (is_compressed false)', async () => {
    const labels = plainInt32s([0, 1, 1])
    const logits = plainDoubles([0.5, -1, 2])
    const path = file(
      'v2-stored.parquet',
      tinyParquet(3, [
        {name: 'label', type: 1, body: labels, codec: 1, v2: {isCompressed: false}},
        {name: 'logit', type: 5, body: logits, codec: 1, v2: {isCompressed: false}},
      ]),
    )
    const rows = await collectParquet(path)
    assert.deepEqual(rows.labels, [0, 1, 1])
    assert.deepEqual(rows.scores, [0.5, -1, 2])
  })

  it('a dictionary index past the dictionary, even one above 2^31 (negative as an int32)', async () => {
    // Labels RLE_DICTIONARY (8) over a dictionary [0, 1]: bit width 32, one RLE run of `index` × 2.
    const page = (index: number): Uint8Array =>
      tinyParquet(2, [
        {
          name: 'label',
          type: 1,
          dictionary: {body: plainInt32s([0, 1]), count: 2},
          encoding: 8,
          body: concat(Uint8Array.of(32, 4), plainInt32s([index | 0])),
        },
        {name: 'logit', type: 5, body: plainDoubles([0.5, -1])},
      ])
    assert.deepEqual((await collectParquet(file('index-1.parquet', page(1)))).labels, [1, 1])
    for (const index of [2, 2 ** 32 - 1]) {
      const path = file(`index-${index}.parquet`, page(index))
      assert.equal(
        await errorOf(() => collectParquet(path)),
        `${path} (row group 1): column "label": expected valid Parquet pages (corrupt file?): page 2: a dictionary index ${index} into 2 entries`,
      )
    }
  })

  it('an unsupported codec or encoding, and deprecated BIT_PACKED levels', async () => {
    const path = file(
      'lzo.parquet',
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            {name: 'label', data: Int32Array.from([0, 1]), type: 'INT32'},
            {name: 'logit', data: Float64Array.from([0.5, -1]), type: 'DOUBLE'},
          ],
          codec: 'LZO',
          compressors: {LZO: (input: Uint8Array) => input},
        }),
      ),
    )
    assert.equal(
      await errorOf(() => collectParquet(path)),
      `${path} (row group 1): column "label": expected a codec focalscope reads (UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW, LZ4, BROTLI), got LZO`,
    )
    // DELTA_BINARY_PACKED (5) doubles: no writer does this.
    const encoding = file(
      'delta-doubles.parquet',
      tinyParquet(2, [
        {name: 'label', type: 1, body: plainInt32s([0, 1])},
        {name: 'logit', type: 5, body: plainDoubles([0.5, -1]), encoding: 5},
      ]),
    )
    assert.equal(
      await errorOf(() => collectParquet(encoding)),
      `${encoding} (row group 1): column "logit": expected valid Parquet pages (corrupt file?): values in DELTA_BINARY_PACKED for a DOUBLE column, which focalscope does not read`,
    )
    const bitPacked = file(
      'bit-packed-levels.parquet',
      tinyParquet(2, [
        {name: 'label', type: 1, body: plainInt32s([0, 1])},
        {
          name: 'logit',
          type: 5,
          repetition: 1,
          body: concat(definitionLevels([true, true]), plainDoubles([0.5, -1])),
          definitionEncoding: 4,
        },
      ]),
    )
    assert.equal(
      await errorOf(() => collectParquet(bitPacked)),
      `${bitPacked} (row group 1): column "logit": expected valid Parquet pages (corrupt file?): levels in BIT_PACKED, expected RLE (the deprecated BIT_PACKED levels are not read)`,
    )
  })

  it('scores that are not floats, and nested columns that are not lists of numbers', async () => {
    const ints = await duckdbParquet('int-scores.parquet', 'SELECT 1 AS label, 2::BIGINT AS logit')
    assert.equal(
      await errorOf(() => collectParquet(ints)),
      `${ints} (row group 1): column "logit": expected scores as FLOAT or DOUBLE, got INT64`,
    )
    const struct = await duckdbParquet('struct.parquet', "SELECT 1 AS label, {'a': 0.5} AS logit")
    assert.equal(
      await errorOf(() => collectParquet(struct)),
      `${struct} (row group 1): column "logit": expected a column of numbers or a list of numbers, got a struct`,
    )
    const nested = await duckdbParquet('nested.parquet', 'SELECT 1 AS label, [[0.5, 1.0]] AS logits')
    assert.equal(
      await errorOf(() => collectParquet(nested)),
      `${nested} (row group 1): column "logits": expected a column of numbers or a list of numbers, got a list whose elements are not numbers (nested lists or structs)`,
    )
    const strings = await duckdbParquet('strings.parquet', "SELECT 1 AS label, ['a', 'b'] AS logits")
    assert.equal(
      await errorOf(() => collectParquet(strings)),
      `${strings} (row group 1): column "logits": expected a column of numbers, got a list of BYTE_ARRAY`,
    )
    const ints8 = await duckdbParquet('int-list.parquet', 'SELECT 1 AS label, [1, 2]::INTEGER[] AS logits')
    assert.equal(
      await errorOf(() => collectParquet(ints8)),
      `${ints8} (row group 1): column "logits": expected a list of FLOAT or DOUBLE scores, got a list of INT32`,
    )
  })

  it('refuses pages that need more than the memory budget, naming it', async () => {
    const path = parquet('binary-rowgroups.parquet')
    const message = await errorOf(() => collectParquet(path, {}, undefined, {budgetBytes: 20_000}))
    // (What a page needs counts its bytes, compressed and not, and its decoded levels and values.)
    assert.equal(
      message.replace(/needs \d+ KB/, 'needs N KB'),
      `${path} (row group 1): column "logit": expected the pages read at once to fit in 20 KB, got page 2 that needs N KB (rewrite the file with smaller pages or row groups)`,
    )
  })
})
