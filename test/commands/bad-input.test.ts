/**
 * The catalogue of bad and unusual inputs (issue 4, README "Bad and unusual input"): one test per row,
 * each feeding the input to the built CLI (`npm run build` first) and checking the exact outcome —
 * exit 2 with exactly one line on stderr naming the file, the line (CSV) or batch and row (Arrow), the
 * column and what was expected, nothing on stdout, with and without --json — or exit 0 with the right
 * figures where the input is merely unusual. Every run has a timeout: a hang fails the test.
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {chmodSync, mkdirSync, readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import {gzipSync} from 'node:zlib'

import {
  compressionRegistry,
  CompressionType,
  Dictionary,
  Field,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
  type Data,
} from 'apache-arrow'

import type {Report} from '../../src/report/types.js'
import {
  arrowMessages,
  ARROW_RECORD_BATCH,
  JS_INTERNALS,
  type ProcessResult,
  RUN_TIMEOUT_MS,
  runCli,
} from '../helpers/mutate.js'
import {runCli as runCliWithInput} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()
/** Every input here takes well under a second; a run this long is a hang (on any machine, however busy). */
const TIMEOUT_MS = RUN_TIMEOUT_MS
/** Inputs of tens of MB take about a second of CPU, which two busy cores may stretch many times over. */
const LARGE_TIMEOUT_MS = 120_000
/** Runs the CLI; `heapMb` caps its memory (for inputs that used to make it allocate gigabytes). */
const run = (args: string[], heapMb?: number, timeoutMs = TIMEOUT_MS) =>
  runCli(
    args,
    timeoutMs,
    heapMb ? {NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${heapMb}`} : {},
  )

/**
 * `focalscope report <path> [args]` must exit 2 with one line on stderr that names `path` and matches
 * `pattern`, nothing on stdout, no stack trace and no JavaScript internals — with and without --json.
 */
async function expectError(
  path: string,
  pattern: RegExp,
  args: string[] = [],
  heapMb?: number,
  timeoutMs = TIMEOUT_MS,
): Promise<void> {
  const runs = await Promise.all([
    run(['report', path, ...args], heapMb, timeoutMs),
    run(['report', path, ...args, '--json'], heapMb, timeoutMs),
  ])
  runs.forEach((result, json) => {
    const what = `${json ? 'with' : 'without'} --json: exit ${result.status}, stderr ${JSON.stringify(result.stderr)}`
    assert.ok(!result.timedOut, `no answer within ${timeoutMs / 1000} s (a hang) ${what}`)
    assert.equal(result.status, 2, what)
    assert.equal(result.stdout, '', `nothing on stdout ${what}`)
    assert.doesNotMatch(result.stderr, /\n\s+at /, `no stack trace ${what}`)
    const lines = result.stderr.split('\n')
    assert.equal(lines.length, 2, `exactly one line on stderr ${what}`)
    assert.equal(lines[1], '', what)
    assert.ok(lines[0].startsWith('focalscope: error: '), what)
    assert.ok(lines[0].includes(path), `the message names the file ${what}`)
    assert.doesNotMatch(lines[0], JS_INTERNALS, `no JavaScript internals in the message ${what}`)
    assert.match(lines[0], pattern, what)
  })
}

/** `focalscope report <path> --json` must exit 0; the text report must exit 0 too. Returns the report. */
async function expectReport(path: string, args: string[] = [], timeoutMs = TIMEOUT_MS): Promise<Report> {
  const [text, result] = await Promise.all([
    run(['report', path, ...args], undefined, timeoutMs),
    run(['report', path, ...args, '--json'], undefined, timeoutMs),
  ])
  for (const r of [text, result]) {
    assert.ok(!r.timedOut, 'no answer (a hang)')
    assert.equal(r.status, 0, r.stderr)
    assert.doesNotMatch(r.stderr, /error/)
  }
  assert.match(text.stdout, /γ sweep/)
  return JSON.parse(result.stdout) as Report
}

/**
 * Runs `focalscope args…` with `head` and then one endless line on stdin: a pipe that stays open and never
 * holds a line end, so only the CLI can end the run.
 */
function runOnEndlessLine(args: string[], head: string): Promise<ProcessResult> {
  const bin = fileURLToPath(new URL('../../bin/run.cjs', import.meta.url))
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: {...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text))
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
    const piece = Buffer.alloc(64 << 10, '7')
    let open = true
    const pour = (): void => {
      while (open && child.stdin.write(piece)); // until the pipe is full; 'drain' resumes
    }
    child.stdin.on('drain', pour)
    child.stdin.on('error', () => (open = false)) // EPIPE: the CLI has stopped reading
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, LARGE_TIMEOUT_MS)
    child.on('error', reject)
    child.on('close', (status, signal) => {
      open = false
      clearTimeout(timer)
      resolve({status, signal, stdout, stderr, timedOut})
    })
    child.stdin.write(head)
    pour()
  })
}

/** A gzip file of `text` and then `repeat` times 1 MiB of `byte`, as concatenated members (RFC 1952 §2.2). */
function gzipWithMebibytes(text: string, byte: string, repeat: number, after = ''): Buffer {
  const mebibyte = gzipSync(Buffer.alloc(1 << 20, byte))
  return Buffer.concat([gzipSync(text), ...Array<Buffer>(repeat).fill(mebibyte), gzipSync(after)])
}

/** The figures of a report (what must not change when only the encoding of the same rows does). */
function figures(report: Report): unknown {
  return {
    rows: report.input.rows,
    classCounts: report.input.classCounts,
    totals: report.totals,
    sweep: report.sweep,
    split: report.split,
    classes: report.classes,
  }
}

function close(actual: number, expected: number, rel = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `expected ${expected}, got ${actual}`)
}

const PLAIN = 'label,logit\n1,0.5\n0,-0.25\n1,2\n'
let plain: Promise<unknown> | undefined
/** The figures of PLAIN, computed once. */
const plainFigures = (): Promise<unknown> => (plain ??= expectReport(file('plain.csv', PLAIN)).then(figures))

// ---------------------------------------------------------------------------------------------------------
// Arrow files built here with apache-arrow

/** A validity bitmap with the given rows null (undefined when none is). */
function validity(length: number, nulls: number[] = []): Uint8Array | undefined {
  if (nulls.length === 0) return undefined
  const bitmap = new Uint8Array(Math.ceil(length / 8)).fill(0xff)
  for (const i of nulls) bitmap[i >> 3] &= ~(1 << (i & 7))
  return bitmap
}

const int32 = (values: number[], nulls: number[] = []): Data<Int32> =>
  makeData({
    type: new Int32(),
    length: values.length,
    nullCount: nulls.length,
    data: Int32Array.from(values),
    nullBitmap: validity(values.length, nulls),
  })

const float64 = (values: number[], nulls: number[] = []): Data<Float64> =>
  makeData({
    type: new Float64(),
    length: values.length,
    nullCount: nulls.length,
    data: Float64Array.from(values),
    nullBitmap: validity(values.length, nulls),
  })

interface BatchSpec {
  label: number[]
  logit: number[]
  labelNulls?: number[]
  logitNulls?: number[]
}

function arrowBytes(batches: BatchSpec[], format: 'file' | 'stream' = 'file'): Uint8Array {
  const fields = [new Field('label', new Int32(), true), new Field('logit', new Float64(), true)]
  const schema = new Schema(fields)
  const records = batches.map((b) => {
    const children = [int32(b.label, b.labelNulls), float64(b.logit, b.logitNulls)]
    return new RecordBatch(schema, makeData({type: new Struct(fields), length: b.label.length, nullCount: 0, children}))
  })
  return tableToIPC(new Table(records), format)
}

/** Two batches of three rows; the same rows as GOOD_CSV. */
const GOOD_BATCHES: BatchSpec[] = [
  {label: [1, 0, 1], logit: [0.5, -0.25, 2]},
  {label: [0, 0, 1], logit: [0.125, 1.75, -3]},
]
const GOOD_CSV = 'label,logit\n1,0.5\n0,-0.25\n1,2\n0,0.125\n0,1.75\n1,-3\n'

/** The first bytes of a frame of each codec (apache-arrow checks that an encoder's output starts so). */
const FRAME_HEADERS = {
  LZ4_FRAME: [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82],
  ZSTD: [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00],
} as const

/**
 * GOOD_BATCHES (and, with `dictionary`, a dictionary-encoded `note` column) written with `codec` body
 * compression, as pandas' to_feather writes LZ4 by default. The stand-in encoder (registered for the
 * writing only: the CLI runs in a process of its own, with none) never makes a buffer smaller, so every
 * buffer is stored with the specification's "not compressed" length, -1, as pyarrow stores incompressible
 * ones: the metadata says compressed, which is what the reader must notice.
 */
function compressedArrowBytes(
  codec: keyof typeof FRAME_HEADERS,
  format: 'file' | 'stream',
  dictionary = false,
): Uint8Array {
  const type = CompressionType[codec]
  compressionRegistry.set(type, {encode: (data) => Uint8Array.from([...FRAME_HEADERS[codec], ...data])})
  try {
    const table = new Table({
      label: vectorFromArray([1, 0, 1], new Int32()),
      logit: vectorFromArray([0.5, -0.25, 2], new Float64()),
      ...(dictionary ? {note: vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Int32()))} : {}),
    })
    const writer = new (format === 'file' ? RecordBatchFileWriter : RecordBatchStreamWriter)({compressionType: type})
    writer.write(table.batches[0])
    writer.write(table.batches[0])
    writer.finish()
    return writer.toUint8Array(true)
  } finally {
    compressionRegistry.set(type, {})
  }
}

/** Offset of `value` as a little-endian float64 in `bytes` (it must occur exactly once). */
function offsetOfFloat64(bytes: Uint8Array, value: number): number {
  const needle = Buffer.alloc(8)
  needle.writeDoubleLE(value)
  const haystack = Buffer.from(bytes)
  const at = haystack.indexOf(needle)
  assert.ok(at >= 0 && haystack.indexOf(needle, at + 1) < 0, `${value} occurs once`)
  return at
}

// ---------------------------------------------------------------------------------------------------------

// Each catalogue row is a `describe` (its variants are `it`s); everything runs side by side.
const parallel = {concurrency: true}

describe('bad and unusual input: the file as a whole', parallel, () => {
  describe('an empty file: exit 2, "got an empty file"', parallel, () => {
    it('CSV', () => expectError(file('empty.csv', ''), /empty\.csv:1: expected a header line, got an empty file$/))
    it('Arrow', () =>
      expectError(file('empty.arrow', ''), /empty\.arrow: expected an Arrow IPC file.*, got an empty file$/))
  })

  describe('a header only: exit 2, "expected at least one data row, got none"', parallel, () => {
    it('with a final newline', () =>
      expectError(
        file('header-only.csv', 'label,logit\n'),
        /header-only\.csv: expected at least one data row, got none$/,
      ))
    it('without one', () =>
      expectError(
        file('header-no-eol.csv', 'label,logit'),
        /header-no-eol\.csv: expected at least one data row, got none$/,
      ))
  })

  it('a missing label column: exit 2, lists the columns and suggests --label-col', () =>
    expectError(
      file('no-label.csv', 'y,logit\n1,0.5\n'),
      /no-label\.csv: no label column "label" \(columns: y, logit\); pass --label-col NAME$/,
    ))

  it('multi-label targets named y_* (no label column): exit 2 suggesting --target-prefix y_, which reads them', async () => {
    const path = file('y-targets.csv', 'logit_a,logit_b,y_a,y_b\n0.5,-1,1,0\n-2,3,0,1\n')
    await expectError(
      path,
      /y-targets\.csv: no label column "label" \(columns: logit_a, logit_b, y_a, y_b\); "y_…" match the score columns "logit_…" class for class: for multi-label targets pass --target-prefix y_ \(or --label-col NAME\)$/,
    )
    const report = await expectReport(path, ['--target-prefix', 'y_'])
    assert.equal(report.input.task, 'multilabel')
    assert.deepEqual(report.input.classes, ['a', 'b'])
  })

  it('no score columns: exit 2, lists the columns and the names looked for, suggests --score-col', () =>
    expectError(
      file('no-scores.csv', 'label,id\n1,7\n'),
      /no-scores\.csv: no score columns found \(columns: label, id\); expected "logit", "prob" or "score".*pass --score-col or --score-prefix$/,
    ))

  it('duplicate column names: exit 2, names the column', () =>
    expectError(
      file('duplicate.csv', 'label,logit,logit\n1,0.5,0.25\n'),
      /duplicate\.csv: column "logit" appears more than once in the header$/,
    ))

  it('a directory: exit 2, "expected a file, got a directory"', () => {
    const dir = file('a-directory.csv')
    mkdirSync(dir)
    return expectError(dir, /a-directory\.csv: expected a file, got a directory$/)
  })

  describe('a missing path: exit 2, "no such file"', parallel, () => {
    it('.csv', () => expectError(file('missing.csv'), /missing\.csv: no such file$/))
    it('.arrow', () => expectError(file('missing.arrow'), /missing\.arrow: no such file$/))
  })

  it('an unreadable file (chmod 000): exit 2, "permission denied"', (t) => {
    const path = file('unreadable.csv', PLAIN)
    chmodSync(path, 0o000)
    try {
      readFileSync(path)
    } catch {
      return expectError(path, /unreadable\.csv: permission denied$/)
    }
    t.skip('this process reads a chmod 000 file (it runs as root), so permissions cannot stop it here')
  })

  it('a binary file passed as CSV: exit 2, "expected a CSV text file, got binary data"', () => {
    // A PNG signature and 4 KiB of deterministic noise (NUL bytes included), not gzip (whose magic is read).
    const noise = new Uint8Array(4096)
    let x = 12345
    for (let i = 0; i < noise.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0
      noise[i] = x >>> 24
    }
    const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), noise])
    return expectError(file('image.csv', bytes), /image\.csv: expected a CSV text file, got binary data/)
  })

  describe('a wrong --input-format: exit 2, saying what was expected and suggesting the right one', parallel, () => {
    it('CSV text with --input-format arrow', () =>
      expectError(file('text.csv', PLAIN), /text\.csv: expected an Arrow IPC file.*--input-format csv/, [
        '--input-format',
        'arrow',
      ]))
    it('an Arrow file with --input-format csv', () =>
      expectError(
        file('table.arrow', arrowBytes(GOOD_BATCHES)),
        /table\.arrow: expected a CSV text file.*--input-format arrow/,
        ['--input-format', 'csv'],
      ))
  })
})

describe('bad and unusual input: CSV rows', parallel, () => {
  describe('ragged rows: exit 2, "expected 2 fields as in the header, got N"', parallel, () => {
    it('too few fields', () =>
      expectError(
        file('too-few.csv', 'label,logit\n1,0.5\n0\n'),
        /too-few\.csv:3: expected 2 fields as in the header, got 1\b/,
      ))
    it('too many fields', () =>
      expectError(
        file('too-many.csv', 'label,logit\n1,0.5\n0,0.25,7\n'),
        /too-many\.csv:3: expected 2 fields as in the header, got 3\b/,
      ))
  })

  describe('a non-numeric score: exit 2, naming line and column', parallel, () => {
    it('text', () =>
      expectError(
        file('abc.csv', 'label,logit\n1,0.5\n0,abc\n'),
        /abc\.csv:3: column "logit": expected a number, got "abc"$/,
      ))
    it('an empty field', () =>
      expectError(
        file('blank.csv', 'label,logit\n1,\n'),
        /blank\.csv:2: column "logit": expected a number, got an empty field$/,
      ))
    it('non-ASCII text: quoted as written (UTF-8), not as Latin-1', () =>
      expectError(
        file('half.csv', 'label,logit\n1,0.5\n0,½\n'),
        /half\.csv:3: column "logit": expected a number, got "½"$/,
      ))
  })

  describe('NaN and ±Infinity as text: exit 2, "expected a finite number"', parallel, () => {
    for (const text of ['NaN', '-inf', 'Infinity', '1e999']) {
      it(text, () =>
        expectError(
          file(`non-finite-${text}.csv`, `label,logit\n1,0.5\n0,${text}\n`),
          new RegExp(`non-finite-${text}\\.csv:3: column "logit": expected a finite number, got "${text}"$`),
        ),
      )
    }
  })

  describe('a label out of range: exit 2, "expected 0 or 1" / "a class index from 0 to K−1"', parallel, () => {
    it('binary, 2', () =>
      expectError(
        file('label2.csv', 'label,logit\n1,0.5\n2,0.5\n'),
        /label2\.csv:3: column "label": expected 0 or 1, got "2"$/,
      ))
    it('binary, -1', () =>
      expectError(
        file('label-neg.csv', 'label,logit\n-1,0.5\n'),
        /label-neg\.csv:2: column "label": expected 0 or 1, got "-1"$/,
      ))
    it('3 classes, 3', () =>
      expectError(
        file('label3.csv', 'label,logit_0,logit_1,logit_2\n3,0.5,1,2\n'),
        /label3\.csv:2: column "label": expected a class index from 0 to 2, got "3"$/,
      ))
  })

  it('a label that is not a known class name: exit 2, listing the class names', () =>
    expectError(
      file('bird.csv', 'label,prob_cat,prob_dog\ncat,0.5,0.5\nbird,0.5,0.5\n'),
      /bird\.csv:3: column "label": expected a class name \(cat, dog\) or an index from 0 to 1, got "bird"$/,
    ))

  it('a non-integer label for a multi-class task: exit 2', () =>
    expectError(
      file('label-frac.csv', 'label,logit_0,logit_1,logit_2\n0,1,2,3\n1.5,0.5,1,2\n'),
      /label-frac\.csv:3: column "label": expected a class index from 0 to 2, got "1\.5"$/,
    ))

  describe('a probability outside [0, 1]: exit 2, suggesting --scores logits', parallel, () => {
    it('1.5', () =>
      expectError(
        file('p-high.csv', 'label,prob\n0,0.5\n1,1.5\n'),
        /p-high\.csv:3: column "prob": expected a probability in \[0, 1\].*got 1\.5.*--scores logits/,
      ))
    it('-0.2', () =>
      expectError(
        file('p-low.csv', 'label,prob\n1,-0.2\n'),
        /p-low\.csv:2: column "prob": expected a probability in \[0, 1\].*got -0\.2.*--scores logits/,
      ))
  })

  describe('p_t exactly 0: clamped to eps, counted in input.clampedValues, finite figures', parallel, () => {
    const eps = 1e-7
    it('binary: label 1 with p = 0, label 0 with p = 1', async () => {
      const report = await expectReport(file('pt0.csv', 'label,prob\n1,0\n0,1\n1,0.5\n'))
      assert.equal(report.input.rows, 3)
      assert.equal(report.input.clampedValues, 2)
      close(report.totals.ce.sum, -Math.log(eps) - Math.log(1 - (1 - eps)) + Math.LN2)
      assert.equal(report.split.hard.count, 3)
    })
    it('multi-class: the true class has probability 0', async () => {
      const report = await expectReport(file('pt0-multi.csv', 'label,prob_a,prob_b,prob_c\n0,0,1,0\n2,0.25,0.25,0.5\n'))
      assert.equal(report.input.clampedValues, 1)
      close(report.totals.ce.sum, -Math.log(eps) + Math.LN2)
      for (const s of report.sweep) assert.ok(Number.isFinite(s.sum) && Number.isFinite(s.mean as number))
    })
  })

  describe('an unterminated quoted field: exit 2, naming the line where the quote opens', parallel, () => {
    it('in a data row', () =>
      expectError(
        file('open-quote.csv', 'label,logit\n1,0.5\n0,"0.25\n1,2\n'),
        /open-quote\.csv:3: column "logit": unterminated quoted field/,
      ))
    it('in the header', () =>
      expectError(
        file('open-quote-header.csv', 'label,"logit\n1,0.5\n'),
        /open-quote-header\.csv:1: unterminated quoted field/,
      ))
  })

  it('a file that ends without a newline: read normally', async () =>
    assert.deepEqual(figures(await expectReport(file('no-eol.csv', PLAIN.slice(0, -1)))), await plainFigures()))

  it('a UTF-8 BOM: read normally (the label column is found)', async () =>
    assert.deepEqual(figures(await expectReport(file('bom.csv', `\ufeff${PLAIN}`))), await plainFigures()))

  describe('CRLF (and CR) line ends: read normally', parallel, () => {
    const cases: [string, string][] = [
      ['CRLF', PLAIN.replace(/\n/g, '\r\n')],
      ['CRLF without a final one', PLAIN.replace(/\n/g, '\r\n').slice(0, -2)],
      ['CR', PLAIN.replace(/\n/g, '\r')],
    ]
    cases.forEach(([what, text], i) => {
      it(what, async () =>
        assert.deepEqual(figures(await expectReport(file(`line-ends-${i}.csv`, text))), await plainFigures()),
      )
    })
  })

  describe('an extremely long line (a 5 MB field in an ignored column): read normally', parallel, () => {
    const big = 'x'.repeat(5 << 20)
    const rows = PLAIN.split('\n').slice(1, -1)
    it('unquoted', async () => {
      const text = ['id,label,logit', `${big},${rows[0]}`, ...rows.slice(1).map((r) => `short,${r}`)].join('\n')
      assert.deepEqual(figures(await expectReport(file('long-line.csv', text))), await plainFigures())
    })
    it('quoted, with a newline inside', async () => {
      const text = ['id,label,logit', `"${big}\n${big}",${rows[0]}`, ...rows.slice(1).map((r) => `"",${r}`)].join('\n')
      assert.deepEqual(figures(await expectReport(file('long-quoted.csv', text))), await plainFigures())
    })
    // A stream hands over 16–64 KB at a time; the scanner parsed a cut-off record again after each piece
    // (10 MB took 4.6 s, this file about a minute) until it read on until the buffer held twice as much.
    it('in a gzip stream: a 32 MiB line, then a quoted field of 1 MiB over 1,024 lines', async () => {
      const quoted = `${'y'.repeat(1023)}\n`.repeat(1024)
      const bytes = gzipWithMebibytes(
        'id,label,logit\n',
        'x',
        32,
        `,${rows[0]}\n"${quoted}",${rows[1]}\nz,${rows[2]}\n`,
      )
      const report = await expectReport(file('long-line.csv.gz', bytes), [], LARGE_TIMEOUT_MS)
      assert.deepEqual(figures(report), await plainFigures())
    })
  })

  describe('a record longer than --max-record-bytes (64 MiB): exit 2, naming the line it starts on', parallel, () => {
    const refused = (name: string, size: string, line: number): RegExp =>
      new RegExp(
        `${name}:${line}: expected a record of at most ${size} \\(--max-record-bytes\\), got a longer one \\(the record that starts on this line\\)$`,
      )
    it('a plain file, --max-record-bytes 1K', () =>
      expectError(
        file('long-1k.csv', `id,label,logit\na,1,0.5\n${'x'.repeat(1020)},0,0.5\n`),
        refused('long-1k\\.csv', '1 KiB', 3),
        ['--max-record-bytes', '1K'],
      ))
    it('a gzip bomb (100 MiB of one line in 100 KB), the default limit', () =>
      expectError(
        file('bomb.csv.gz', gzipWithMebibytes('label,logit\n1,0.5\n0,', '7', 100)),
        refused('bomb\\.csv\\.gz', '64 MiB', 3),
        [],
        undefined,
        LARGE_TIMEOUT_MS,
      ))
    it('an endless line on stdin, --max-record-bytes 1M', async () => {
      const result = await runOnEndlessLine(['report', '-', '--max-record-bytes', '1M'], 'label,logit\n1,0.5\n0,')
      assert.ok(!result.timedOut, `no answer within ${LARGE_TIMEOUT_MS / 1000} s (a hang): ${result.stderr}`)
      assert.equal(result.status, 2, result.stderr)
      assert.equal(result.stdout, '')
      assert.match(
        result.stderr,
        /^focalscope: error: -:3: expected a record of at most 1 MiB \(--max-record-bytes\), got a longer one \(the record that starts on this line\)\n$/,
      )
    })
    it('a file read by worker threads, --max-record-bytes 1M', () => {
      // Over 16 MiB, so it is split across threads: the limit must reach them too.
      const rows = 'a,0,0.5\n'.repeat(1_100_000)
      const text = `id,label,logit\n${rows}${'x'.repeat(2 << 20)},1,0.5\n${rows}`
      const args = ['--max-record-bytes', '1M', '--threads', '2']
      const path = file('long-threads.csv', text)
      return expectError(path, refused('long-threads\\.csv', '1 MiB', 1_100_002), args, undefined, LARGE_TIMEOUT_MS)
    })
  })
})

describe('bad and unusual input: Arrow', parallel, () => {
  describe('NaN and ±Infinity as Arrow float values: exit 2, naming batch, row and column', parallel, () => {
    const cases: [number, number, string][] = [
      [1, NaN, 'NaN'],
      [2, Infinity, 'Infinity'],
      [0, -Infinity, '-Infinity'],
    ]
    for (const [row, value, shown] of cases) {
      it(shown, () => {
        const logit = [0.125, 1.75, -3]
        logit[row] = value
        const path = file(`non-finite-${shown}.arrow`, arrowBytes([GOOD_BATCHES[0], {label: [0, 0, 1], logit}]))
        const where = `\\(batch 2, row ${row + 1}\\): column "logit"`
        return expectError(
          path,
          new RegExp(`non-finite-${shown}\\.arrow ${where}: expected a finite number, got ${shown}$`),
        )
      })
    }
  })

  describe('an Arrow null in the label or a score: exit 2, naming batch, row and column', parallel, () => {
    it('label', () =>
      expectError(
        file('null-label.arrow', arrowBytes([{label: [1, 0, 1], logit: [1, 2, 3], labelNulls: [1]}])),
        /null-label\.arrow \(batch 1, row 2\): column "label": expected a label, got null$/,
      ))
    it('score', () =>
      expectError(
        file('null-score.arrow', arrowBytes([GOOD_BATCHES[0], {...GOOD_BATCHES[1], logitNulls: [2]}])),
        /null-score\.arrow \(batch 2, row 3\): column "logit": expected a score, got null$/,
      ))
  })

  it('an Arrow label out of range: exit 2, naming batch, row and column', () =>
    expectError(
      file('label.arrow', arrowBytes([GOOD_BATCHES[0], {label: [0, 7, 1], logit: [1, 2, 3]}])),
      /label\.arrow \(batch 2, row 2\): column "label": expected 0 or 1, got 7$/,
    ))

  it('a valid Arrow file and stream give the same figures as the same rows in CSV', async () => {
    const [csv, arrowFile, arrowStream] = await Promise.all([
      expectReport(file('good.csv', GOOD_CSV)),
      expectReport(file('good.arrow', arrowBytes(GOOD_BATCHES))),
      expectReport(file('good.arrows', arrowBytes(GOOD_BATCHES, 'stream'))),
    ])
    assert.deepEqual(figures(arrowFile), figures(csv))
    assert.deepEqual(figures(arrowStream), figures(csv))
  })

  describe('a truncated Arrow file: exit 2, "expected a complete Arrow IPC file", wherever it is cut', parallel, () => {
    const bytes = arrowBytes(GOOD_BATCHES)
    const batches = arrowMessages(bytes)
    const cuts: [string, number][] = [
      ['after the magic', 6],
      ["in the first message's framing", 12],
      ["in the first batch's body", batches[0].bodyStart + 4],
      ['between two batches', batches[1].offset],
      ['at 60 %', Math.floor(bytes.length * 0.6)],
      ['in the footer', bytes.length - 10],
      ['before the closing magic', bytes.length - 6],
    ]
    for (const [where, cut] of cuts) {
      it(`${where} (byte ${cut} of ${bytes.length})`, () =>
        expectError(
          file(`cut-${cut}.arrow`, bytes.subarray(0, cut)),
          new RegExp(`cut-${cut}\\.arrow: expected a complete Arrow IPC file`),
        ))
    }
  })

  describe('a truncated Arrow stream', parallel, () => {
    const bytes = arrowBytes(GOOD_BATCHES, 'stream')
    const messages = arrowMessages(bytes)
    it('cut inside a message: exit 2, naming the file', () =>
      expectError(
        file('cut-body.arrows', bytes.subarray(0, messages[1].bodyStart + 8)),
        /cut-body\.arrows: expected a complete Arrow IPC (file|stream)/,
      ))
    it('cut between batches (no end-of-stream marker): not a silent exit 0 with fewer rows', async () => {
      // The stream format's end is an 8-byte end-of-stream marker; a writer killed between batches leaves
      // none. Refusing (exit 2) or reading the rows with a warning on stderr are both honest outcomes.
      const path = file('cut-between.arrows', bytes.subarray(0, messages[2].offset))
      const result = await run(['report', path, '--json'])
      assert.ok(!result.timedOut, 'a hang')
      if (result.status === 2) {
        assert.equal(result.stdout, '')
        assert.match(result.stderr, /^focalscope: error: .*cut-between\.arrows: .*\n$/)
      } else {
        assert.equal(result.status, 0, result.stderr)
        assert.match(
          result.stderr,
          /warning: .*cut-between\.arrows.*end-of-stream/,
          'a warning that the stream was cut',
        )
      }
    })
  })

  describe(
    'a corrupt Arrow file (bytes flipped in a batch body): exit 2 naming batch, row and column',
    parallel,
    () => {
      const bytes = Buffer.from(arrowBytes(GOOD_BATCHES))
      it('a float turned NaN', () => {
        // The float64 1.75 (batch 2, row 2) with its sign and exponent bits all set: a NaN.
        const nan = Buffer.from(bytes)
        const at = offsetOfFloat64(nan, 1.75)
        nan[at + 6] |= 0xf0
        nan[at + 7] = 0xff
        return expectError(
          file('flipped-float.arrow', nan),
          /flipped-float\.arrow \(batch 2, row 2\): column "logit": expected a finite number, got NaN$/,
        )
      })
      it('a label turned 255', () => {
        // The first label of batch 2 (int32 0) with its low byte flipped.
        const label = Buffer.from(bytes)
        const batch2 = arrowMessages(label).filter((m) => m.headerType === ARROW_RECORD_BATCH)[1]
        const at = label.indexOf(Buffer.from(Int32Array.from([0, 0, 1]).buffer), batch2.bodyStart)
        assert.ok(at >= batch2.bodyStart && at < batch2.bodyStart + batch2.bodyLength)
        label[at] ^= 0xff
        return expectError(
          file('flipped-label.arrow', label),
          /flipped-label\.arrow \(batch 2, row 1\): column "label": expected 0 or 1, got 255$/,
        )
      })
    },
  )

  describe('a corrupt Arrow file (row counts in a batch that disagree): exit 2 naming the batch', parallel, () => {
    // In batch 2's metadata the int64 3 occurs three times: the batch's length, then each column's
    // (its FieldNode). Rewriting some of them makes the counts disagree with each other or with the
    // buffers, which hold 3 rows. The Arrow spec requires every column to have the batch's length.
    const bytes = Buffer.from(arrowBytes(GOOD_BATCHES))
    const batch2 = arrowMessages(bytes).filter((m) => m.headerType === ARROW_RECORD_BATCH)[1]
    const three = Buffer.from(BigInt64Array.from([3n]).buffer)
    const at: number[] = []
    for (let i = batch2.metadataStart; i < batch2.metadataStart + batch2.metadataLength; i++) {
      if (bytes.subarray(i, i + 8).equals(three)) at.push(i)
    }
    const cases: [string, number[], bigint][] = [
      ['the batch says 5 rows, its columns 3', at.slice(0, 1), 5n],
      // apache-arrow would read this one at the batch's 2 rows, silently: focalscope's own metadata check.
      ['the batch says 2 rows, its columns 3', at.slice(0, 1), 2n],
      ['the columns say 2 rows, the batch 3', at.slice(1), 2n],
      ['batch and columns say 5 rows, the buffers hold 3', at, 5n],
    ]
    cases.forEach(([what, where, value], i) => {
      it(what, () => {
        assert.equal(at.length, 3, 'the batch length and two column lengths')
        const corrupt = Buffer.from(bytes)
        for (const p of where) corrupt.writeBigInt64LE(value, p)
        return expectError(
          file(`row-counts-${i}.arrow`, corrupt),
          /row-counts-\d\.arrow \(batch 2\)(: column "\w+")?: expected (valid Arrow IPC metadata|a consistent record batch)/,
        )
      })
    })
  })

  describe(
    'a corrupt Arrow file (a buffer moved off its 8-byte alignment, still inside the body): exit 2',
    parallel,
    () => {
      // A fuzz find: such an offset was read as values (a CE sum of 2e307, exit 0). Batch 2's last data buffer
      // (the logits) moved 4 bytes on and shortened by 8, so that it still lies inside the body.
      const bytes = Buffer.from(arrowBytes(GOOD_BATCHES))
      const batch2 = arrowMessages(bytes).filter((m) => m.headerType === ARROW_RECORD_BATCH)[1]
      const count = bytes.readUInt32LE(batch2.buffersLengthAt)
      const last = batch2.buffersLengthAt + 4 + 16 * (count - 1)
      it('the logit buffer at an odd offset', () => {
        assert.ok(bytes.readBigInt64LE(last + 8) > 8n, 'the last buffer holds data')
        const corrupt = Buffer.from(bytes)
        const offset = corrupt.readBigInt64LE(last) + 4n
        corrupt.writeBigInt64LE(offset, last)
        corrupt.writeBigInt64LE(corrupt.readBigInt64LE(last + 8) - 8n, last + 8)
        return expectError(
          file('misaligned.arrow', corrupt),
          new RegExp(
            `misaligned\\.arrow \\(batch 2\\): expected valid Arrow IPC metadata \\(corrupt file\\?\\): buffer ${count} starts at byte ${offset} of the body, not at a multiple of 8$`,
          ),
        )
      })
    },
  )

  describe('a corrupt Arrow file (a vector count in a batch far past its metadata): exit 2 at once', parallel, () => {
    // apache-arrow decodes every element a count promises, reading past the metadata: a count of 2^28
    // used to take minutes and gigabytes (then "JavaScript heap out of memory", exit 134) — and, being a
    // synchronous loop, it could not be interrupted by Ctrl-C either. The heap cap keeps a regression cheap.
    const bytes = Buffer.from(arrowBytes(GOOD_BATCHES))
    const batch2 = arrowMessages(bytes).filter((m) => m.headerType === ARROW_RECORD_BATCH)[1]
    for (const [vector, at] of [
      ['nodes', batch2.nodesLengthAt],
      ['buffers', batch2.buffersLengthAt],
    ] as const) {
      it(`${vector}: 2^28 elements`, () => {
        assert.ok(at > batch2.metadataStart && at < batch2.bodyStart, `the ${vector} count is in the metadata`)
        const corrupt = Buffer.from(bytes)
        corrupt.writeUInt32LE(corrupt.readUInt32LE(at) + 2 ** 28, at)
        const name = `count-${vector}.arrow`
        return expectError(
          file(name, corrupt),
          new RegExp(`${name.replace('.', '\\.')} \\(batch 2\\): expected valid Arrow IPC metadata`),
          [],
          512,
        )
      })
    }
    // A stream has no footer to index its batches: its messages are checked as the bytes go by.
    const stream = Buffer.from(arrowBytes(GOOD_BATCHES, 'stream'))
    const streamBatch2 = arrowMessages(stream).filter((m) => m.headerType === ARROW_RECORD_BATCH)[1]
    const corruptStream = Buffer.from(stream)
    corruptStream.writeUInt32LE(
      corruptStream.readUInt32LE(streamBatch2.nodesLengthAt) + 2 ** 28,
      streamBatch2.nodesLengthAt,
    )
    it('nodes: 2^28 elements, in a stream file', () =>
      expectError(
        file('count-nodes.arrows', corruptStream),
        /count-nodes\.arrows \(batch 2\): expected valid Arrow IPC metadata/,
        [],
        512,
      ))
    it('nodes: 2^28 elements, in a stream on stdin', () => {
      const result = runCliWithInput(
        ['report', '-', '--json'],
        {NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=512`},
        corruptStream,
      )
      assert.equal(result.status, 2, result.stderr)
      assert.equal(result.stdout, '')
      assert.match(result.stderr, /^focalscope: error: - \(batch 2\): expected valid Arrow IPC metadata[^\n]*\n$/)
    })
  })

  describe('a corrupt Arrow file (a batch whose message type is not a record batch): exit 2, no hang', parallel, () => {
    const bytes = Buffer.from(arrowBytes(GOOD_BATCHES))
    const batch2 = arrowMessages(bytes).filter((m) => m.headerType === ARROW_RECORD_BATCH)[1]
    for (const [type, name] of [
      [0, 'NONE'],
      [1, 'Schema'],
      [4, 'Tensor'],
    ] as const) {
      it(`${name} (${type})`, () => {
        const corrupt = Buffer.from(bytes)
        corrupt[batch2.headerTypeAt] = type
        return expectError(
          file(`message-type-${type}.arrow`, corrupt),
          new RegExp(`message-type-${type}\\.arrow \\(batch 2\\): expected valid Arrow IPC metadata.*record batch`),
        )
      })
    }
  })

  describe(
    'compressed Arrow (LZ4, ZSTD): buffers stored as they are read; damaged ones exit 2 naming the batch',
    parallel,
    () => {
      // compressedArrowBytes' stand-in codec never shrinks a buffer, so every buffer is stored with the
      // "not compressed" length −1: the batches say compressed, and read as the plain ones.
      for (const [name, bytes] of [
        ['lz4-stored.arrow', compressedArrowBytes('LZ4_FRAME', 'file')],
        ['zstd-stored.arrows', compressedArrowBytes('ZSTD', 'stream')],
        ['zstd-dictionary.arrow', compressedArrowBytes('ZSTD', 'file', true)],
      ] as const) {
        it(`${name}: stored buffers read as plain ones`, () => {
          const result = runCliWithInput(['report', file(name, bytes), '--json'])
          assert.equal(result.status, 0, result.stderr)
          assert.equal((JSON.parse(result.stdout) as Report).input.rows, 6)
        })
      }
      const fixture = (name: string): Buffer =>
        readFileSync(fileURLToPath(new URL(`../../fixtures/arrow-compressed/${name}`, import.meta.url)))
      /** The fixture with the byte at the n-th frame magic of `codec` (0-based) plus `delta` flipped. */
      const damaged = (name: string, magic: number[], nth: number, delta: number): Buffer => {
        const bytes = Buffer.from(fixture(name))
        let at = -1
        for (let i = 0; i <= nth; i++) at = bytes.indexOf(Buffer.from(magic), at + 1)
        assert.ok(at > 0)
        bytes[at + delta] ^= 0x5a
        return bytes
      }
      const LZ4 = [0x04, 0x22, 0x4d, 0x18]
      const ZSTD = [0x28, 0xb5, 0x2f, 0xfd]
      const tail = String.raw`expected compressed buffers that decompress \(corrupt file\?\), got`
      it('LZ4 file, a frame that is not one', () =>
        expectError(
          file('bad-magic-lz4.arrow', damaged('binary-lz4.arrow', LZ4, 0, 1)),
          new RegExp(
            String.raw`bad-magic-lz4\.arrow \(batch 1\): ${tail} buffer 2: LZ4_FRAME: not an LZ4 frame \(magic 0x[0-9a-f]+\)$`,
          ),
        ))
      it('LZ4 file with checksums, a damaged block (third frame: batch 3; the logits are stored, not compressed)', () =>
        expectError(
          file('bad-block-lz4.arrow', damaged('binary-lz4-checked.arrow', LZ4, 2, 12)),
          new RegExp(
            String.raw`bad-block-lz4\.arrow \(batch 3\): ${tail} buffer \d: LZ4_FRAME: .*(checksum|range|past|truncated).*$`,
          ),
        ))
      it('ZSTD file, a damaged frame', () =>
        expectError(
          file('bad-zstd.arrow', damaged('binary-zstd.arrow', ZSTD, 0, 9)),
          new RegExp(
            String.raw`bad-zstd\.arrow \(batch 1\): ${tail} buffer 2: ZSTD: does not decompress to \d+ bytes \(corrupt data\?\)$`,
          ),
        ))
      it('a length prefix of a terabyte', () => {
        const bytes = Buffer.from(fixture('binary-zstd.arrow'))
        const at = bytes.indexOf(Buffer.from(ZSTD))
        bytes.writeBigInt64LE(1n << 40n, at - 8)
        return expectError(
          file('huge-prefix.arrow', bytes),
          new RegExp(
            String.raw`huge-prefix\.arrow \(batch 1\): ${tail} buffer 2: its length prefix says 1099511627776 bytes uncompressed \(at most \d+ are read\)$`,
          ),
        )
      })
      it('LZ4 stream (read by apache-arrow), a frame that is not one', () =>
        expectError(
          file('bad-magic-lz4.arrows', damaged('binary-lz4.arrows', LZ4, 1, 0)),
          new RegExp(
            String.raw`bad-magic-lz4\.arrows \(batch 2\): ${tail} LZ4_FRAME: not an LZ4 frame \(magic 0x[0-9a-f]+\)$`,
          ),
        ))
      it('LZ4 stream on stdin, a damaged frame', () => {
        const result = runCliWithInput(['report', '-'], {}, damaged('binary-lz4.arrows', LZ4, 2, 0))
        assert.equal(result.status, 2)
        assert.match(
          result.stderr,
          new RegExp(String.raw`^focalscope: error: - \(batch 3\): ${tail} LZ4_FRAME: not an LZ4 frame .*\n$`),
        )
      })
    },
  )
})
