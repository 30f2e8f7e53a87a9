import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {InputError} from '../../../src/core/errors.js'
import {SkipLog} from '../../../src/core/skip-log.js'
import {StreamBytes} from '../../../src/readers/byte-source.js'
import {readCsvHeader, readCsvHeaderFrom} from '../../../src/readers/csv/header.js'
import {type CsvReadOptions, readCsvChunks} from '../../../src/readers/csv/read-csv-chunks.js'
import {resolveLayout} from '../../../src/readers/layout.js'
import {stalls, watchEventLoopTurns} from '../../helpers/event-loop-turns.js'
import {tempDir} from '../../helpers/temp-files.js'

const file = tempDir()

interface Parsed {
  labels: number[]
  scores: number[]
  lines: number[]
}

async function readAll(path: string, blockBytes?: number): Promise<Parsed> {
  const header = await readCsvHeader(path)
  const layout = resolveLayout(
    header.columns.map((name) => ({name})),
    {labelCol: 'label'},
    path,
  )
  const out: Parsed = {labels: [], scores: [], lines: []}
  for await (const chunk of readCsvChunks(path, header, layout, {blockBytes})) {
    for (let i = 0; i < chunk.rows; i++) {
      out.labels.push(chunk.labels[i])
      out.lines.push(chunk.locate(i).line ?? -1)
      for (let j = 0; j < chunk.width; j++) out.scores.push(chunk.scores[i * chunk.width + j])
    }
  }
  return out
}

async function readError(path: string): Promise<string> {
  try {
    await readAll(path)
  } catch (error) {
    assert.ok(error instanceof InputError || (error as Error).name === 'UsageError', String(error))
    return (error as Error).message
  }
  assert.fail('expected an error')
}

describe('readCsvChunks', () => {
  it('reads the same rows whatever the block size, line ending, BOM, quoting and final newline', async () => {
    const row = fc.record({
      label: fc.integer({min: 0, max: 2}),
      scores: fc.array(fc.double({min: -1e3, max: 1e3, noNaN: true}), {minLength: 3, maxLength: 3}),
      quote: fc.boolean(),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, {minLength: 1, maxLength: 40}),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        fc.integer({min: 1, max: 64}),
        async (rows, eol, bom, finalEol, blockBytes) => {
          const body = rows.map((r) => {
            const fields = r.scores.map((s) => (r.quote ? `"${String(s)}"` : String(s)))
            return [String(r.label), ...fields].join(',')
          })
          const text =
            (bom ? '\ufeff' : '') + ['label,logit_0,logit_1,logit_2', ...body].join(eol) + (finalEol ? eol : '')
          const path = file('prop.csv', text)
          const parsed = await readAll(path, blockBytes)
          assert.deepEqual(
            parsed.labels,
            rows.map((r) => r.label),
          )
          assert.deepEqual(
            parsed.scores,
            rows.flatMap((r) => r.scores.map((s) => Number(String(s)))),
          )
          assert.deepEqual(
            parsed.lines,
            rows.map((_, i) => i + 2),
          )
        },
      ),
      {numRuns: 300},
    )
  })

  it('turns the event loop before every read (reads are synchronous; Ctrl-C must stay live)', async () => {
    const path = file('turns.csv', 'label,logit\n' + '1,0.25\n0,-1.5\n'.repeat(200))
    const header = await readCsvHeader(path)
    const layout = resolveLayout(
      header.columns.map((name) => ({name})),
      {labelCol: 'label'},
      path,
    )
    const loop = watchEventLoopTurns()
    const seen: number[] = []
    let rows = 0
    for await (const chunk of readCsvChunks(path, header, layout, {
      blockBytes: 256,
      onBytes: () => seen.push(loop.turns()),
    })) {
      rows += chunk.rows
    }
    loop.stop()
    assert.equal(rows, 400)
    assert.ok(seen.length >= 10, `${seen.length} reads`)
    assert.equal(stalls(seen), 0, `turns at each read: ${seen.join(' ')}`)
  })

  it('handles quoted header names, escaped quotes, extra columns and newlines inside quotes', async () => {
    const path = file(
      'quoted.csv',
      'id,"label",note,"logit"\r\n7,1,"a ""quoted"", multi\nline note",0.5\r\n8,0,plain,-1.25\r\n',
    )
    const parsed = await readAll(path, 5)
    assert.deepEqual(parsed.labels, [1, 0])
    assert.deepEqual(parsed.scores, [0.5, -1.25])
    assert.deepEqual(parsed.lines, [2, 4])
  })

  it('reads class names as labels, and skips blank lines', async () => {
    const path = file('named.csv', 'label,prob_cat,prob_dog\ncat,0.9,0.1\n\ndog,0.2,0.8\n')
    const parsed = await readAll(path)
    assert.deepEqual(parsed.labels, [0, 1])
    assert.deepEqual(parsed.lines, [2, 4])
  })

  it('names file, line, column and what was expected for bad values', async () => {
    const cases: [string, RegExp][] = [
      ['label,logit\n1,0.5\n0,abc\n', /bad\.csv:3: column "logit": expected a number, got "abc"/],
      ['label,logit\n1,\n', /bad\.csv:2: column "logit": expected a number, got an empty field/],
      ['label,logit\n1,NaN\n', /:2: column "logit": expected a finite number, got "NaN"/],
      ['label,logit\n1,1e999\n', /:2: column "logit": expected a finite number, got "1e999"/],
      ['label,logit\n2,0.5\n', /:2: column "label": expected 0 or 1, got "2"/],
      ['label,logit\n0.5,0.5\n', /:2: column "label": expected 0 or 1, got "0.5"/],
      ['label,logit\n1,0.5,3\n', /:2: expected 2 fields as in the header, got 3/],
      ['label,logit\n1\n', /:2: expected 2 fields as in the header, got 1/],
      ['label,logit\n1,"0.5\n', /:2: column "logit": unterminated quoted field/],
      ['label,logit_0,logit_1\n5,0.5,1\n', /:2: column "label": expected a class index from 0 to 1, got "5"/],
      ['label,prob_cat,prob_dog\nbird,0.5,0.5\n', /column "label": expected a class name \(cat, dog\)/],
      ['', /bad\.csv:1: expected a header line, got an empty file/],
      ['label,logit\x00\x01\x02', /expected a CSV text file, got binary data/],
    ]
    for (const [text, pattern] of cases) {
      assert.match(await readError(file('bad.csv', text)), pattern, JSON.stringify(text))
    }
  })

  it('reads a header-only file as zero rows', async () => {
    const parsed = await readAll(file('empty.csv', 'label,logit\n'))
    assert.equal(parsed.labels.length, 0)
  })
})

/** Reads CSV bytes arriving on a stream in pieces of the given sizes (cycled), as stdin or gunzip hands them over. */
async function readPieces(bytes: Uint8Array, pieceSizes: number[], options: CsvReadOptions = {}): Promise<Parsed> {
  async function* pieces(): AsyncGenerator<Uint8Array> {
    for (let at = 0, i = 0; at < bytes.length; i++) {
      const n = pieceSizes[i % pieceSizes.length]
      yield bytes.slice(at, at + n)
      at += n
    }
  }
  const source = new StreamBytes(pieces(), 'stream.csv')
  const {header, bytes: head} = await readCsvHeaderFrom(source, 'stream.csv')
  source.unshift(head.subarray(header.dataOffset))
  const layout = resolveLayout(
    header.columns.map((name) => ({name})),
    {labelCol: 'label'},
    'stream.csv',
  )
  const out: Parsed = {labels: [], scores: [], lines: []}
  for await (const chunk of readCsvChunks('stream.csv', header, layout, {...options, source})) {
    for (let i = 0; i < chunk.rows; i++) {
      out.labels.push(chunk.labels[i])
      out.lines.push(chunk.locate(i).line ?? -1)
      for (let j = 0; j < chunk.width; j++) out.scores.push(chunk.scores[i * chunk.width + j])
    }
  }
  return out
}

/** The message of the error that reading gives. */
async function errorOf(read: () => Promise<unknown>): Promise<string> {
  try {
    await read()
  } catch (error) {
    assert.ok(error instanceof InputError, String(error))
    return error.message
  }
  assert.fail('expected an error')
}

/**
 * Records of `id,label,logit_0,logit_1` that a stream may split anywhere: quoted fields holding LF and CRLF,
 * an escaped quote, a quoted score, CRLF and LF line ends, a blank line, a 200 KB id and a quoted id of
 * 100 KB over 100 lines, and no final newline. The expected line of each record is 1 + the LFs before it.
 */
function awkwardCsv(): {bytes: Buffer; expected: Parsed} {
  const records: [string, number, string, string, string][] = [
    // id (as written), label, score 0, score 1 (as written), line end
    ['a', 0, '0.5', '-1', '\r\n'],
    ['"q ""x""\nmulti\r\nline"', 1, '"2.5"', '3', '\n\r\n'],
    ['b', 1, '1e-3', '-0.0000001', '\n'],
    ['x'.repeat(200_000), 0, '7', '8', '\r\n'],
    ['"' + `${'y'.repeat(999)}\n`.repeat(100) + '"', 1, '9', '10.25', '\n'],
    ['c', 0, '11', '"-12"', ''],
  ]
  let text = 'id,label,logit_0,logit_1\r\n'
  const expected: Parsed = {labels: [], scores: [], lines: []}
  for (const [id, label, s0, s1, end] of records) {
    expected.lines.push(text.split('\n').length)
    expected.labels.push(label)
    expected.scores.push(Number(s0.replaceAll('"', '')), Number(s1.replaceAll('"', '')))
    text += `${id},${label},${s0},${s1}${end}`
  }
  return {bytes: Buffer.from(text), expected}
}

describe('readCsvChunks from a stream', () => {
  it('reads every record exactly when the stream hands over one byte at a time', async () => {
    // One byte a read: each record is cut at every position (in a quoted field, between CR and LF, …).
    // The 200 KB id took the scanner a re-parse per byte before it read until the buffer held twice the cut record.
    const {bytes, expected} = awkwardCsv()
    assert.deepEqual(await readPieces(bytes, [1]), expected)
  })

  it('reads the same records whatever the sizes of the pieces', async () => {
    const {bytes, expected} = awkwardCsv()
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({min: 1, max: 70_000}), {minLength: 1, maxLength: 8}), async (sizes) => {
        assert.deepEqual(await readPieces(bytes, sizes), expected)
      }),
      {numRuns: 40},
    )
  })
})

describe('readCsvChunks: maxRecordBytes', () => {
  const limit = 1000
  /** A record of exactly `bytes` bytes (line end not counted): `id,label,logit` with a padded id. */
  const record = (bytes: number, label = 1): string => `${'i'.repeat(bytes - 6)},${label},0.5`
  const refusal = (line: number): RegExp =>
    new RegExp(
      `^stream\\.csv:${line}: expected a record of at most 1000 bytes \\(--max-record-bytes\\), got a longer one \\(the record that starts on this line\\)$`,
    )

  it('reads a record of exactly the limit, with an LF or a CRLF, from a stream or a file', async () => {
    const text = `id,label,logit\n${record(limit)}\n${record(limit, 0)}\r\n${record(limit)}`
    for (const sizes of [[1], [7], [64 << 10]]) {
      const parsed = await readPieces(Buffer.from(text), sizes, {maxRecordBytes: limit})
      assert.deepEqual(parsed.labels, [1, 0, 1], `pieces of ${sizes[0]}`)
    }
    const path = file('at-limit.csv', text)
    const header = await readCsvHeader(path)
    const layout = resolveLayout([{name: 'id'}, {name: 'label'}, {name: 'logit'}], {labelCol: 'label'}, path)
    let rows = 0
    for await (const chunk of readCsvChunks(path, header, layout, {maxRecordBytes: limit})) rows += chunk.rows
    assert.equal(rows, 3)
  })

  it('refuses a longer record, naming the line it starts on, however it arrives and whichever path parses it', async () => {
    const head = `id,label,logit\n${record(10)}\n"two\nlines",0,1\n`
    const cases: [string, string][] = [
      ['plain (fast path)', `${record(limit + 1)}\n`],
      ['plain, CRLF', `${record(limit + 1)}\r\n`],
      ['plain, last line', record(limit + 1)],
      ['quoted (general path)', `"${'q'.repeat(limit)}",1,0.5\n`],
      ['quoted, over many lines', `"${'q\n'.repeat(limit / 2)}",1,0.5\n`],
      ['a bad row too long to skip', `${record(limit + 1).replace('0.5', 'abc')}\n`],
    ]
    for (const [what, long] of cases) {
      const text = Buffer.from(`${head}${long}${long.endsWith('\n') ? `${record(10)}\n` : ''}`)
      const skip = what.includes('skip') ? new SkipLog() : undefined
      for (const sizes of [[1], [13], [1 << 20]]) {
        const message = await errorOf(() => readPieces(text, sizes, {maxRecordBytes: limit, skip}))
        assert.match(message, refusal(5), `${what}, pieces of ${sizes[0]}`)
      }
      const path = file('stream.csv', text)
      const header = await readCsvHeader(path)
      const layout = resolveLayout([{name: 'id'}, {name: 'label'}, {name: 'logit'}], {labelCol: 'label'}, path)
      const message = await errorOf(async () => {
        for await (const chunk of readCsvChunks(path, header, layout, {maxRecordBytes: limit, skip})) void chunk
      })
      assert.match(message.replace(path, 'stream.csv'), refusal(5), `${what}, from a file`)
    }
  })

  it('refuses an endless record after reading about the limit', async () => {
    let read = 0
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('label,logit\n0,0.5\n1,')
      const piece = Buffer.alloc(16 << 10, '7')
      for (;;) {
        read += piece.length
        yield piece
      }
    }
    const source = new StreamBytes(endless(), 'stream.csv')
    const {header, bytes: head} = await readCsvHeaderFrom(source, 'stream.csv')
    source.unshift(head.subarray(header.dataOffset))
    const layout = resolveLayout([{name: 'label'}, {name: 'logit'}], {labelCol: 'label'}, 'stream.csv')
    const message = await errorOf(async () => {
      for await (const chunk of readCsvChunks('stream.csv', header, layout, {source, maxRecordBytes: 1 << 20})) {
        void chunk
      }
    })
    assert.match(message, /^stream\.csv:3: expected a record of at most 1 MiB \(--max-record-bytes\), got a longer one/)
    assert.ok(read < 2 << 20, `read ${read} bytes`)
  })
})

describe('readCsvChunks: messages quote cells as UTF-8', () => {
  /** CSV bytes from text and raw byte values. */
  const csv = (...parts: (string | number[])[]): Buffer =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))))

  it('quotes score and label cells as written, quoted or not, on the fast and the general path', async () => {
    const emoji = '\u{1F642}'
    const index = 'label,logit_0,logit_1\n0,0.5,1\n'
    const named = 'label,prob_cat,prob_dog\ncat,0.5,0.5\n'
    const cases: [Buffer, string][] = [
      // index labels: the fast path gives up on the row, the general path names it
      [csv(index, '1,0.5,½\n'), 'column "logit_1": expected a number, got "½"'],
      [csv(index, '1,0.5,"½"\n'), 'column "logit_1": expected a number, got "½"'],
      [csv(index, `1,${emoji},0.5\n`), `column "logit_0": expected a number, got "${emoji}"`],
      [csv(index, `1,"${emoji}",0.5\n`), `column "logit_0": expected a number, got "${emoji}"`],
      [csv(index, '1,0.5,', [0xff], '\n'), 'column "logit_1": expected a number, got "\ufffd"'],
      [csv(index, '1,0.5,"', [0xff], '"\n'), 'column "logit_1": expected a number, got "\ufffd"'],
      // a stray 0xA0 byte (NBSP in Latin-1) or a Unicode space is not padding
      [csv(index, '1,0.5,1', [0xa0], '\n'), 'column "logit_1": expected a number, got "1\ufffd"'],
      [csv(index, '1,0.5,"1\u3000"\n'), 'column "logit_1": expected a number, got "1\u3000"'],
      [csv(index, '½,0.5,1\n'), 'column "label": expected a class index from 0 to 1, got "½"'],
      [csv(index, '"½",0.5,1\n'), 'column "label": expected a class index from 0 to 1, got "½"'],
      [csv(index, [0xff], ',0.5,1\n'), 'column "label": expected a class index from 0 to 1, got "\ufffd"'],
      [csv(index, '1', [0xa0], ',0.5,1\n'), 'column "label": expected a class index from 0 to 1, got "1\ufffd"'],
      // class names: the general path only
      [csv(named, 'dog,0.5,½\n'), 'column "prob_dog": expected a number, got "½"'],
      [csv(named, `dog,"${emoji}",0.5\n`), `column "prob_cat": expected a number, got "${emoji}"`],
      [csv(named, 'dog,', [0xff], ',0.5\n'), 'column "prob_cat": expected a number, got "\ufffd"'],
      [csv(named, '½,0.5,0.5\n'), 'column "label": expected a class name (cat, dog) or an index from 0 to 1, got "½"'],
      [
        csv(named, [0xff], ',0.5,0.5\n'),
        'column "label": expected a class name (cat, dog) or an index from 0 to 1, got "\ufffd"',
      ],
      // cut to 40 characters, never inside a surrogate pair
      [
        csv(index, `1,0.5,${'x'.repeat(39)}${emoji}y\n`),
        `column "logit_1": expected a number, got "${'x'.repeat(39)}…"`,
      ],
      [
        csv(index, `1,0.5,"${'x'.repeat(39)}${emoji}y"\n`),
        `column "logit_1": expected a number, got "${'x'.repeat(39)}…"`,
      ],
    ]
    for (const [bytes, expected] of cases) {
      const message = await readError(file('utf8.csv', bytes))
      assert.ok(message.endsWith(`:3: ${expected}`), `${JSON.stringify(bytes.toString('latin1'))}: ${message}`)
    }
  })
})
