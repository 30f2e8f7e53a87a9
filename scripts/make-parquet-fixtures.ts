/**
 * Writes the small Parquet fixtures in fixtures/parquet/ (or the folder given as the first argument) with
 * real writers: DuckDB (`COPY … TO … (FORMAT parquet, …)`, data page v1, every codec, its V2 encodings,
 * lists, nulls) and hyparquet-writer (data page v2, explicit encodings, small row groups). Each holds the
 * same numbers as a CSV fixture (fixtures/*.csv), so a test can compare
 * what the Parquet reader yields with what the CSV reader yields. Rerun with `npm run fixtures`;
 * test/readers/parquet/fixtures.test.ts checks the committed files match this script.
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {brotliCompressSync, gzipSync} from 'node:zlib'

import {DuckDBInstance} from '@duckdb/node-api'
import {parquetWriteBuffer} from 'hyparquet-writer'

const outDir = resolve(process.argv[2] ?? 'fixtures/parquet')
const FIXTURES = resolve('fixtures')
mkdirSync(outDir, {recursive: true})

// One thread: row order and row groups come out the same on every run.
const db = await DuckDBInstance.create(':memory:', {threads: '1'})
const sql = await db.connect()
const run = async (query: string): Promise<void> => {
  await sql.run(query)
}
const quote = (path: string): string => `'${path.replace(/'/g, "''")}'`
const fixture = (name: string): string => quote(join(FIXTURES, name))
const out = (name: string): string => quote(join(outDir, name))
const copy = (select: string, name: string, options = ''): Promise<void> =>
  run(`COPY (${select}) TO ${out(name)} (FORMAT parquet${options ? `, ${options}` : ''})`)

/** CSV text of a table (numbers as shortest round-trip decimals: CSV and Parquet hold the same doubles). */
function readCsv(name: string): {header: string[]; rows: string[][]} {
  const [head, ...lines] = readFileSync(join(FIXTURES, name), 'utf8').trimEnd().split('\n')
  return {header: head.split(','), rows: lines.map((l) => l.split(','))}
}

// ---------------------------------------------------------------------------------------------------------
// DuckDB: data page v1 (its default), nullable columns (definition levels), dictionary-encoded labels.

await run(
  `CREATE TABLE binary_rows AS SELECT * FROM read_csv(${fixture('binary.csv')}, header = true, columns = {'label': 'INTEGER', 'logit': 'DOUBLE'})`,
)
// Every codec DuckDB writes (LZ4 is written as LZ4_RAW).
for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4_raw', 'brotli']) {
  await copy('SELECT * FROM binary_rows', `binary-${codec}.parquet`, `COMPRESSION ${codec}`)
}
// PARQUET_VERSION V2: RLE_DICTIONARY labels and BYTE_STREAM_SPLIT doubles (still v1 page headers).
await copy('SELECT * FROM binary_rows', 'binary-v2.parquet', 'PARQUET_VERSION V2')
// Several row groups: binary.csv 12 times (4,800 rows) in groups of 2,048 (DuckDB's smallest).
await copy(
  'SELECT b.label, b.logit FROM range(12) r, (SELECT *, row_number() OVER () AS i FROM binary_rows) b ORDER BY r.range, b.i',
  'binary-rowgroups.parquet',
  'ROW_GROUP_SIZE 2048, COMPRESSION zstd',
)
// Label columns of every integer width, signed and unsigned, booleans, strings, integral doubles; float
// scores. The figures of `label_x` + `logit` equal binary.csv's; `logit_f32` holds its logits as floats.
await copy(
  `SELECT label, label::TINYINT AS label_i8, label::UTINYINT AS label_u8, label::SMALLINT AS label_i16,
     label::USMALLINT AS label_u16, label::UINTEGER AS label_u32, label::BIGINT AS label_i64,
     label::UBIGINT AS label_u64, label::BOOLEAN AS label_bool, label::VARCHAR AS label_str,
     label::DOUBLE AS label_double, label::FLOAT AS label_float, logit, logit::FLOAT AS logit_f32
   FROM binary_rows`,
  'binary-types.parquet',
)
// Nulls: the label of row 8 and the logit of row 21 (1-based), in one row group of 400.
await copy(
  `SELECT CASE WHEN i = 8 THEN NULL ELSE label END AS label, CASE WHEN i = 21 THEN NULL ELSE logit END AS logit
   FROM (SELECT *, row_number() OVER () AS i FROM binary_rows) ORDER BY i`,
  'binary-nulls.parquet',
)

const k5 = ['logit_0', 'logit_1', 'logit_2', 'logit_3', 'logit_4']
const multiclassColumns = `{'label': 'INTEGER', ${k5.map((c) => `'${c}': 'DOUBLE'`).join(', ')}}`
await run(
  `CREATE TABLE multiclass AS SELECT *, row_number() OVER () AS i FROM read_csv(${fixture('multiclass.csv')}, header = true, columns = ${multiclassColumns})`,
)
await copy(`SELECT label, ${k5.join(', ')} FROM multiclass ORDER BY i`, 'multiclass.parquet')
// `logits` as a list<double>, as pandas writes a column of arrays.
await copy(`SELECT label, [${k5.join(', ')}] AS logits FROM multiclass ORDER BY i`, 'multiclass-list.parquet')
await copy(
  `SELECT label, [${k5.join(', ')}] AS logits FROM multiclass ORDER BY i`,
  'multiclass-list-v2.parquet',
  'PARQUET_VERSION V2, COMPRESSION zstd',
)
// A null list (row 3), a list holding a null (row 5) and a list of 4 (row 9).
await copy(
  `SELECT label, CASE WHEN i = 3 THEN NULL WHEN i = 5 THEN [logit_0, NULL, logit_2, logit_3, logit_4]
     WHEN i = 9 THEN [logit_0, logit_1, logit_2, logit_3] ELSE [${k5.join(', ')}] END AS logits
   FROM multiclass ORDER BY i`,
  'multiclass-list-nulls.parquet',
)
// Class names as strings (DuckDB dictionary-encodes them).
await copy(
  `SELECT * FROM read_csv(${fixture('multiclass-probs.csv')}, header = true,
     columns = {'label': 'VARCHAR', 'prob_cat': 'DOUBLE', 'prob_dog': 'DOUBLE', 'prob_bird': 'DOUBLE'})`,
  'multiclass-probs.parquet',
)

const detection = ['car', 'person', 'bike', 'dog']
const multilabelColumns = [...detection.map((c) => `logit_${c}`), ...detection.map((c) => `target_${c}`)]
await run(
  `CREATE TABLE multilabel AS SELECT *, row_number() OVER () AS i FROM read_csv(${fixture('multilabel.csv')}, header = true,
     columns = {${multilabelColumns.map((c) => `'${c}': 'DOUBLE'`).join(', ')}})`,
)
await copy(`SELECT ${multilabelColumns.join(', ')} FROM multilabel ORDER BY i`, 'multilabel.parquet')
await copy(
  `SELECT [${detection.map((c) => `logit_${c}`).join(', ')}] AS logits, [${detection.map((c) => `target_${c}`).join(', ')}] AS targets
   FROM multilabel ORDER BY i`,
  'multilabel-list.parquet',
)
await copy(
  `SELECT * FROM read_csv(${fixture('multilabel-long.csv')}, header = true,
     columns = {'class': 'VARCHAR', 'anchor': 'INTEGER', 'logit': 'DOUBLE', 'target': 'DOUBLE'})`,
  'multilabel-long.parquet',
)

// ---------------------------------------------------------------------------------------------------------
// hyparquet-writer: data page v2 (levels outside the compressed values), required and optional columns,
// row groups of 150 rows, and the encodings DuckDB does not choose for these columns.

const binaryCsv = readCsv('binary.csv')
type Column = Parameters<typeof parquetWriteBuffer>[0]['columnData'][number]
const write = (
  name: string,
  columnData: Column[],
  options: Partial<Parameters<typeof parquetWriteBuffer>[0]> = {},
): void => {
  const bytes = parquetWriteBuffer({columnData, rowGroupSize: 150, createdBy: 'hyparquet-writer', ...options})
  writeFileSync(join(outDir, name), new Uint8Array(bytes))
}
const labels = binaryCsv.rows.map((r) => Number(r[0]))
const logits = binaryCsv.rows.map((r) => Number(r[1]))
write('binary-hyparquet.parquet', [
  {name: 'label', data: Int32Array.from(labels), type: 'INT32', nullable: false},
  {name: 'logit', data: Float64Array.from(logits), type: 'DOUBLE', nullable: false},
])
for (const [codec, compress] of [
  ['GZIP', (input: Uint8Array) => new Uint8Array(gzipSync(input))],
  ['BROTLI', (input: Uint8Array) => new Uint8Array(brotliCompressSync(input))],
] as const) {
  write(
    `binary-hyparquet-${codec.toLowerCase()}.parquet`,
    [
      {name: 'label', data: labels, type: 'INT32'},
      {name: 'logit', data: logits, type: 'DOUBLE'},
    ],
    {codec, compressors: {[codec]: compress}},
  )
}
// Each label column is the binary labels in another encoding; each score column its logits.
write('binary-encodings.parquet', [
  {name: 'label', data: labels, type: 'INT32', encoding: 'PLAIN'},
  {name: 'label_delta', data: labels, type: 'INT32', encoding: 'DELTA_BINARY_PACKED'},
  {name: 'label_delta64', data: labels.map(BigInt), type: 'INT64', encoding: 'DELTA_BINARY_PACKED'},
  {name: 'label_plain64', data: labels.map(BigInt), type: 'INT64', encoding: 'PLAIN'},
  {name: 'label_str', data: labels.map(String), type: 'STRING', encoding: 'PLAIN'},
  {name: 'label_dlba', data: labels.map(String), type: 'STRING', encoding: 'DELTA_LENGTH_BYTE_ARRAY'},
  {name: 'label_dba', data: labels.map(String), type: 'STRING', encoding: 'DELTA_BYTE_ARRAY'},
  {name: 'label_bool', data: labels.map((y) => y === 1), type: 'BOOLEAN'},
  {name: 'label_bool_plain', data: labels.map((y) => y === 1), type: 'BOOLEAN', encoding: 'PLAIN'},
  {name: 'logit', data: logits, type: 'DOUBLE', encoding: 'BYTE_STREAM_SPLIT'},
  {name: 'logit_plain', data: logits, type: 'DOUBLE', encoding: 'PLAIN'},
  {name: 'logit_f32', data: Float32Array.from(logits), type: 'FLOAT', encoding: 'BYTE_STREAM_SPLIT'},
])
// A list<double> column with repetition levels in v2 pages, rows of 5 split into groups of 150.
const multiclassCsv = readCsv('multiclass.csv')
write(
  'multiclass-list-hyparquet.parquet',
  [
    {name: 'label', data: multiclassCsv.rows.map((r) => Number(r[0]))},
    {name: 'logits', data: multiclassCsv.rows.map((r) => r.slice(1).map(Number))},
  ],
  {
    schema: [
      {name: 'root', num_children: 2},
      {name: 'label', type: 'INT32', repetition_type: 'REQUIRED'},
      {name: 'logits', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1},
      {name: 'list', repetition_type: 'REPEATED', num_children: 1},
      {name: 'element', type: 'DOUBLE', repetition_type: 'OPTIONAL'},
    ],
  },
)

sql.closeSync()
