/**
 * Decodes the columns a report needs from a Parquet file with one of several libraries, single-threaded,
 * for the measurements in docs/parquet.md. Prints rows, sums (so every library provably read the same
 * values) and the decode time; time the whole process from outside for wall time and peak RSS.
 *
 *   node --import tsx bench/parquet-decoders.ts --lib LIB [--snappy S] [--zstd Z] FILE
 *
 *   --lib hand            focalscope's reader (src/readers/parquet), chunks as the evaluators get them
 *   --lib hyparquet       hyparquet + hyparquet-compressors, row group by row group from the file
 *   --lib parquet-wasm    parquet-wasm, row group by row group from a file Blob, to JS via Arrow IPC
 *   --snappy hysnappy|hyparquet|snappyjs|napi   (hand only) a library's SNAPPY instead of focalscope's
 *   --zstd fzstd                                (hand only) fzstd instead of zstddec for ZSTD
 *
 * Only focalscope's reader and its decompressors are dependencies: install the others for a measurement
 * with `npm i --no-save parquet-wasm hysnappy snappyjs snappy`. Run it bundled (esbuild, as in
 * docs/parquet.md) so tsx's start-up is not counted.
 */
import {openAsBlob} from 'node:fs'
import {parseArgs} from 'node:util'

import {resolveLayout} from '../src/readers/layout.js'
import {DECOMPRESSORS} from '../src/readers/parquet/codecs.js'
import {openParquet, readParquetChunks} from '../src/readers/parquet/from-parquet.js'
import {SNAPPY, ZSTD} from '../src/readers/parquet/metadata.js'

const {values, positionals} = parseArgs({
  options: {lib: {type: 'string', default: 'hand'}, snappy: {type: 'string'}, zstd: {type: 'string'}},
  allowPositionals: true,
})
const path = positionals[0]
if (!path) throw new Error('usage: parquet-decoders.ts --lib hand|hyparquet|parquet-wasm FILE')

/** Sums of the label column and of every score column, and the row count. */
interface Totals {
  rows: number
  labels: number
  scores: number
}

// Optional libraries: imported by name at run time (not dependencies of focalscope).
const load = (name: string): Promise<Record<string, unknown>> => import(name) as Promise<Record<string, unknown>>

async function hand(): Promise<Totals> {
  if (values.snappy === 'hysnappy') {
    // C snappy in WebAssembly (a new buffer a page: it cannot write into the reader's).
    const {snappyUncompressor} = (await load('hysnappy')) as {
      snappyUncompressor: () => (input: Uint8Array, size: number) => Uint8Array
    }
    const uncompress = snappyUncompressor()
    DECOMPRESSORS[SNAPPY] = (input, size) => uncompress(input, size)
  } else if (values.snappy === 'hyparquet') {
    // hyparquet's JS snappy, into the column's page buffer as focalscope's own decoder does.
    const {snappyUncompress} = (await load('hyparquet/src/snappy.js')) as {
      snappyUncompress: (i: Uint8Array, o: Uint8Array) => void
    }
    DECOMPRESSORS[SNAPPY] = (input, size, into) => {
      const out = into ?? new Uint8Array(size)
      snappyUncompress(input, out)
      return out
    }
  } else if (values.snappy === 'snappyjs') {
    const {uncompress} = (await load('snappyjs')) as {uncompress: (input: Uint8Array) => Uint8Array}
    DECOMPRESSORS[SNAPPY] = (input) => uncompress(input)
  } else if (values.snappy === 'napi') {
    const {uncompressSync} = (await load('snappy')) as {uncompressSync: (i: Buffer) => Buffer}
    DECOMPRESSORS[SNAPPY] = (input) => uncompressSync(Buffer.from(input.buffer, input.byteOffset, input.length))
  }
  const source = await openParquet(path)
  if (values.zstd === 'fzstd') {
    // (fzstd is hyparquet-compressors' ZSTD; focalscope's is zstddec.)
    const {decompress} = (await load('fzstd')) as {decompress: (input: Uint8Array) => Uint8Array}
    DECOMPRESSORS[ZSTD] = (input) => decompress(input)
  }
  const layout = resolveLayout(source.columns, {labelCol: 'label'}, path)
  const totals: Totals = {rows: 0, labels: 0, scores: 0}
  for await (const chunk of readParquetChunks(path, source, layout)) {
    totals.rows += chunk.rows
    for (let i = 0; i < chunk.rows; i++) totals.labels += chunk.labels[i]
    const n = chunk.rows * chunk.width
    for (let i = 0; i < n; i++) totals.scores += chunk.scores[i]
  }
  return totals
}

type Column = ArrayLike<number | bigint>

async function hyparquet(): Promise<Totals> {
  const hp = (await load('hyparquet')) as {
    asyncBufferFromFile(path: string): Promise<unknown>
    parquetMetadataAsync(file: unknown): Promise<{row_groups: {num_rows: bigint}[]; schema: {name: string}[]}>
    parquetRead(options: object): Promise<void>
  }
  const {compressors} = (await load('hyparquet-compressors')) as {compressors: object}
  const file = await hp.asyncBufferFromFile(path)
  const metadata = await hp.parquetMetadataAsync(file)
  const columns = metadata.schema.slice(1).map((s) => s.name)
  const totals: Totals = {rows: 0, labels: 0, scores: 0}
  let start = 0
  // One row group at a time: its column chunks are all that is in memory.
  for (const rg of metadata.row_groups) {
    const rows = Number(rg.num_rows)
    await hp.parquetRead({
      file,
      metadata,
      columns,
      compressors,
      rowStart: start,
      rowEnd: start + rows,
      onChunk: ({columnName, columnData}: {columnName: string; columnData: Column}) => {
        let sum = 0
        for (let i = 0; i < columnData.length; i++) sum += Number(columnData[i])
        if (columnName === 'label') {
          totals.labels += sum
          totals.rows += columnData.length
        } else totals.scores += sum
      },
    })
    start += rows
  }
  return totals
}

async function parquetWasm(): Promise<Totals> {
  const pw = (await load('parquet-wasm')) as {
    ParquetFile: {
      fromFile(blob: Blob): Promise<{
        metadata(): {numRowGroups(): number; fileMetadata(): unknown}
        read(options: object): Promise<{intoIPCStream(): Uint8Array}>
      }>
    }
  }
  const {tableFromIPC} = await import('apache-arrow')
  const file = await pw.ParquetFile.fromFile(await openAsBlob(path))
  const groups = file.metadata().numRowGroups()
  const totals: Totals = {rows: 0, labels: 0, scores: 0}
  for (let g = 0; g < groups; g++) {
    const table = tableFromIPC((await file.read({rowGroups: [g]})).intoIPCStream())
    for (const field of table.schema.fields) {
      const column = table.getChild(field.name)
      if (!column) continue
      let sum = 0
      for (const data of column.data) {
        const values = data.values as Column
        for (let i = 0; i < data.length; i++) sum += Number(values[data.offset + i])
      }
      if (field.name === 'label') {
        totals.labels += sum
        totals.rows += column.length
      } else totals.scores += sum
    }
  }
  return totals
}

const started = performance.now()
const libraries: Record<string, () => Promise<Totals>> = {hand, hyparquet, 'parquet-wasm': parquetWasm}
const run = libraries[values.lib as string]
if (!run) throw new Error(`--lib: one of ${Object.keys(libraries).join(', ')}`)
const totals = await run()
const ms = performance.now() - started
console.log(JSON.stringify({lib: values.lib, snappy: values.snappy, ...totals, decodeMs: Math.round(ms)}))
