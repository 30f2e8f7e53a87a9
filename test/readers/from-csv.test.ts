import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {InputError} from '../../src/core/errors.js'
import {readCsvChunks, readCsvHeader} from '../../src/readers/from-csv.js'
import {resolveLayout} from '../../src/readers/layout.js'
import {stalls, watchEventLoopTurns} from '../helpers/event-loop-turns.js'
import {tempDir} from '../helpers/temp-files.js'

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
