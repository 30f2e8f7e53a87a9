/**
 * Mutation fuzzing of `focalscope report`, shared by test/fuzz/report-fuzz.test.ts (a few cases, fixed
 * seed, part of `npm test`) and scripts/fuzz.ts (many cases, shrinks each distinct failure).
 *
 * A case is a list of mutations applied to the bytes of a valid fixture. The property: the CLI either
 *  - exits 0 with one JSON report that fits schema/report.schema.json (no null where a number is
 *    required) and whose figures, row counts included, equal an independent reference computed from the
 *    same bytes (csv-parse with its relax options off for CSV; apache-arrow's own reader for Arrow), or
 *  - exits 2 with exactly one line on stderr that names the file, with no stack trace and no JavaScript
 *    internals (an "internal error", "Cannot read properties of …", "undefined"),
 * and it never hangs (each run has a timeout) nor exits with any other code.
 */
import {spawn} from 'node:child_process'
import {readFileSync, rmSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {basename, extname} from 'node:path'
import {fileURLToPath} from 'node:url'

import {Ajv} from 'ajv'
import {parse} from 'csv-parse/sync'
import fc from 'fast-check'

import {type ReferenceElement, referenceMultilabel, referenceReport, type ReferenceRow} from './reference.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = fileURLToPath(new URL('../../bin/run.cjs', import.meta.url))

const COMMA = 0x2c
const LF = 0x0a

export type Mutation =
  /** XOR one byte with `xor` (1–255). */
  | {op: 'flip'; at: number; xor: number}
  /** Keep only the first `at` bytes. */
  | {op: 'truncate'; at: number}
  /** Insert `,text` before the `nth` field end (a comma or a line end). */
  | {op: 'insert-field'; nth: number; text: string}
  /** Delete the `nth` comma and the field after it. */
  | {op: 'delete-field'; nth: number}
  | {op: 'insert-comma'; at: number}
  /** Delete the `nth` comma (two fields become one). */
  | {op: 'delete-comma'; nth: number}
  /** Insert a copy of line `nth` (0 is the header) after it. */
  | {op: 'duplicate-line'; nth: number}
  | {op: 'insert-quote'; at: number}
  /** Replace the `nth` decimal digit with `digit` (mostly keeps the file valid, with other numbers). */
  | {op: 'set-digit'; nth: number; digit: number}
  /** Turn the `nth` LF into CRLF or CR (the README's other line ends). */
  | {op: 'line-end'; nth: number; to: '\r\n' | '\r'}
  /** Arrow: XOR byte `at` of the metadata (flatbuffer) of IPC message `message` (in file order). */
  | {op: 'flip-metadata'; message: number; at: number; xor: number}
  /** Arrow: XOR byte `at` of the body (the column buffers) of record batch `batch`. */
  | {op: 'flip-body'; batch: number; at: number; xor: number}

export interface FuzzFixture {
  /** e.g. "binary.csv" */
  name: string
  kind: 'csv' | 'arrow'
  bytes: Buffer
}

/** The fixtures the fuzzer mutates (all valid: the unmutated file must give exit 0). */
export const FUZZ_FIXTURES = [
  'binary.csv',
  'multiclass.csv',
  'multilabel.csv',
  'binary.arrow',
  'binary-zstd.arrow',
  'multilabel.arrow',
] as const

export function loadFixture(name: string): FuzzFixture {
  // Compressed copies of the Arrow fixtures live in a folder of their own.
  const folder = /-(zstd|lz4)/.test(name) ? 'arrow-compressed/' : ''
  const bytes = readFileSync(new URL(`../../fixtures/${folder}${name}`, import.meta.url))
  return {name, kind: extname(name) === '.csv' ? 'csv' : 'arrow', bytes}
}

// ---------------------------------------------------------------------------------------------------------
// Applying mutations

function positions(bytes: Uint8Array, match: (c: number) => boolean): number[] {
  const out: number[] = []
  for (let i = 0; i < bytes.length; i++) if (match(bytes[i])) out.push(i)
  return out
}

function splice(bytes: Buffer, at: number, remove: number, insert: Uint8Array | string = ''): Buffer {
  const add = typeof insert === 'string' ? Buffer.from(insert, 'utf8') : insert
  return Buffer.concat([bytes.subarray(0, at), add, bytes.subarray(at + remove)])
}

function xorAt(bytes: Buffer, at: number, xor: number): Buffer {
  if (bytes.length === 0) return bytes
  const out = Buffer.from(bytes)
  out[Math.min(at, out.length - 1)] ^= xor
  return out
}

export function applyMutation(bytes: Buffer, m: Mutation): Buffer {
  const clamp = (at: number): number => Math.min(at, bytes.length)
  switch (m.op) {
    case 'flip':
      return xorAt(bytes, m.at, m.xor)
    case 'truncate':
      return bytes.subarray(0, clamp(m.at))
    case 'insert-comma':
      return splice(bytes, clamp(m.at), 0, ',')
    case 'insert-quote':
      return splice(bytes, clamp(m.at), 0, '"')
    case 'insert-field': {
      const ends = positions(bytes, (c) => c === COMMA || c === LF)
      const at = ends.length === 0 ? bytes.length : ends[m.nth % ends.length]
      return splice(bytes, at, 0, `,${m.text}`)
    }
    case 'delete-comma': {
      const commas = positions(bytes, (c) => c === COMMA)
      return commas.length === 0 ? bytes : splice(bytes, commas[m.nth % commas.length], 1)
    }
    case 'delete-field': {
      const commas = positions(bytes, (c) => c === COMMA)
      if (commas.length === 0) return bytes
      const from = commas[m.nth % commas.length]
      let to = from + 1
      while (to < bytes.length && bytes[to] !== COMMA && bytes[to] !== LF) to++
      return splice(bytes, from, to - from)
    }
    case 'duplicate-line': {
      const starts = [0, ...positions(bytes, (c) => c === LF).map((i) => i + 1)].filter((s) => s < bytes.length)
      if (starts.length === 0) return bytes
      const start = starts[m.nth % starts.length]
      let end = bytes.indexOf(LF, start)
      const line = end < 0 ? Buffer.concat([Buffer.from('\n'), bytes.subarray(start)]) : bytes.subarray(start, ++end)
      return splice(bytes, end < 0 ? bytes.length : end, 0, Buffer.from(line))
    }
    case 'set-digit': {
      const digits = positions(bytes, (c) => c >= 0x30 && c <= 0x39)
      if (digits.length === 0) return bytes
      const out = Buffer.from(bytes)
      out[digits[m.nth % digits.length]] = 0x30 + m.digit
      return out
    }
    case 'line-end': {
      const ends = positions(bytes, (c) => c === LF)
      return ends.length === 0 ? bytes : splice(bytes, ends[m.nth % ends.length], 1, m.to)
    }
    case 'flip-metadata': {
      const messages = arrowMessages(bytes)
      if (messages.length === 0) return xorAt(bytes, m.at, m.xor)
      const msg = messages[m.message % messages.length]
      return xorAt(bytes, msg.metadataStart + (m.at % msg.metadataLength), m.xor)
    }
    case 'flip-body': {
      const batches = arrowMessages(bytes).filter((msg) => msg.headerType === ARROW_RECORD_BATCH && msg.bodyLength > 0)
      if (batches.length === 0) return xorAt(bytes, m.at, m.xor)
      const batch = batches[m.batch % batches.length]
      return xorAt(bytes, batch.bodyStart + (m.at % batch.bodyLength), m.xor)
    }
  }
}

export function applyMutations(bytes: Buffer, mutations: Mutation[]): Buffer {
  return mutations.reduce(applyMutation, bytes)
}

/** A short, copy-pasteable description of a case. */
export function describeMutations(mutations: Mutation[]): string {
  return mutations.map((m) => JSON.stringify(m)).join(' then ')
}

// ---------------------------------------------------------------------------------------------------------
// Where the messages of an Arrow IPC file or stream are (enough flatbuffer reading to find them)

export const ARROW_RECORD_BATCH = 3

export interface ArrowMessage {
  /** Offset of the message (its continuation marker). */
  offset: number
  metadataStart: number
  metadataLength: number
  /** Where the Message table's header_type byte is (-1 if the field is absent). */
  headerTypeAt: number
  headerType: number
  /**
   * A record batch's vectors: where the uint32 element counts of its `nodes` (one per column) and
   * `buffers` vectors are (-1 when absent or not a record batch).
   */
  nodesLengthAt: number
  buffersLengthAt: number
  bodyStart: number
  bodyLength: number
}

/**
 * The messages of an Arrow IPC file ("ARROW1" + padding, messages, footer) or stream, in order, read
 * from the encapsulated-message framing and the Message flatbuffer (fields: version, header_type,
 * header, bodyLength). Stops at the first thing that does not look like a message.
 */
export function arrowMessages(bytes: Uint8Array): ArrowMessage[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const isFile = Buffer.from(bytes.subarray(0, 6)).toString('latin1') === 'ARROW1'
  const out: ArrowMessage[] = []
  let p = isFile ? 8 : 0
  // A corrupt file may point anywhere: stop at the first message that does not fit in the bytes.
  for (;;) {
    const message = messageAt(bytes, view, p)
    if (!message) break
    out.push(message)
    p = message.bodyStart + message.bodyLength
  }
  return out
}

/** The message at `p`, or null when there is none or it does not fit in the bytes. */
function messageAt(bytes: Uint8Array, view: DataView, p: number): ArrowMessage | null {
  try {
    if (p + 8 > bytes.length || view.getUint32(p, true) !== 0xffffffff) return null
    const metadataLength = view.getInt32(p + 4, true)
    const metadataStart = p + 8
    if (metadataLength <= 0 || metadataStart + metadataLength > bytes.length) return null
    const table = metadataStart + view.getUint32(metadataStart, true)
    const vtable = table - view.getInt32(table, true)
    if (vtable < metadataStart) return null
    const vtableSize = view.getUint16(vtable, true)
    const field = (i: number): number => (4 + 2 * i < vtableSize ? view.getUint16(vtable + 4 + 2 * i, true) : 0)
    const headerTypeAt = field(1) === 0 ? -1 : table + field(1)
    const headerType = headerTypeAt < 0 ? 0 : view.getUint8(headerTypeAt)
    const bodyLength = field(3) === 0 ? 0 : Number(view.getBigInt64(table + field(3), true))
    const bodyStart = metadataStart + metadataLength
    if (!(bodyLength >= 0 && bodyStart + bodyLength <= bytes.length)) return null
    // The RecordBatch table (Message field 2): length, nodes, buffers; a vector is a uint32 count first.
    let nodesLengthAt = -1
    let buffersLengthAt = -1
    if (headerType === ARROW_RECORD_BATCH && field(2) !== 0) {
      const batch = table + field(2) + view.getUint32(table + field(2), true)
      const batchVtable = batch - view.getInt32(batch, true)
      const batchField = (i: number): number =>
        4 + 2 * i < view.getUint16(batchVtable, true) ? view.getUint16(batchVtable + 4 + 2 * i, true) : 0
      const vector = (i: number): number =>
        batchField(i) === 0 ? -1 : batch + batchField(i) + view.getUint32(batch + batchField(i), true)
      nodesLengthAt = vector(1)
      buffersLengthAt = vector(2)
    }
    return {
      offset: p,
      metadataStart,
      metadataLength,
      headerTypeAt,
      headerType,
      nodesLengthAt,
      buffersLengthAt,
      bodyStart,
      bodyLength,
    }
  } catch {
    return null // a RangeError from the DataView: an offset outside the bytes
  }
}

// ---------------------------------------------------------------------------------------------------------
// Generating cases

const FIELD_TEXTS = ['', '0', '1', '2', '-1', '0.5', 'x', 'NaN', '-Infinity', '1e999', '"q"', '"a,b"', ' 1 ', '1.5']

/** 1 to 3 mutations of a fixture of `size` bytes; every offset is a valid index into the unmutated file. */
export function mutationsArbitrary(fixture: FuzzFixture): fc.Arbitrary<Mutation[]> {
  const size = fixture.bytes.length
  const at = fc.nat({max: size - 1})
  const xor = fc.integer({min: 1, max: 255})
  const nth = fc.nat({max: 5000})
  const common: fc.Arbitrary<Mutation>[] = [
    fc.record({op: fc.constant('flip' as const), at, xor}),
    fc.record({op: fc.constant('truncate' as const), at}),
  ]
  const csv: fc.Arbitrary<Mutation>[] = [
    fc.record({op: fc.constant('insert-field' as const), nth, text: fc.constantFrom(...FIELD_TEXTS)}),
    fc.record({op: fc.constant('delete-field' as const), nth}),
    fc.record({op: fc.constant('insert-comma' as const), at}),
    fc.record({op: fc.constant('delete-comma' as const), nth}),
    fc.record({op: fc.constant('duplicate-line' as const), nth}),
    fc.record({op: fc.constant('insert-quote' as const), at}),
    fc.record({op: fc.constant('set-digit' as const), nth, digit: fc.integer({min: 0, max: 9})}),
    fc.record({op: fc.constant('line-end' as const), nth, to: fc.constantFrom('\r\n' as const, '\r' as const)}),
  ]
  const arrow: fc.Arbitrary<Mutation>[] = [
    fc.record({op: fc.constant('flip-metadata' as const), message: fc.nat({max: 20}), at: fc.nat({max: 1000}), xor}),
    fc.record({op: fc.constant('flip-body' as const), batch: fc.nat({max: 20}), at: fc.nat({max: 100_000}), xor}),
  ]
  const one = fc.oneof(...common, ...(fixture.kind === 'csv' ? csv : arrow))
  return fc.array(one, {minLength: 1, maxLength: 3})
}

// ---------------------------------------------------------------------------------------------------------
// Running a case and judging the outcome

/**
 * A run that takes longer than this is a hang. The fixtures take well under a second, and 1.4 s at the
 * most with a load of 12 on 2 cores; the bound is far above that, as it must hold on any machine, however
 * slow or busy (a passing run never waits for it). scripts/fuzz.ts passes its own (--timeout).
 */
export const RUN_TIMEOUT_MS = 60_000
/** And one that needs a bigger heap than this runs away (a corrupt count can make it allocate gigabytes). */
export const RUN_HEAP_MB = 1024

export interface Verdict {
  ok: boolean
  /** What happened, with digits collapsed: groups failures of one kind (scripts/fuzz.ts). */
  signature: string
  /** Everything needed to reproduce and understand a failure. */
  detail: string
}

const STACK_LINE = /\n\s+at /
/** Text that comes from the JavaScript engine or a library's internals, not from focalscope. */
export const JS_INTERNALS =
  /internal error|Cannot (read|set|destructure) propert|is not a function|is not iterable|Invalid typed array length|Invalid array length|is out of range|Maximum call stack|\bundefined\b|\[object Object\]|Unexpected token|heap out of memory/

const validateReport = new Ajv({allErrors: true}).compile(
  JSON.parse(readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')) as object,
)

/**
 * What is wrong with a report by schema/report.schema.json: above all null where a number is required
 * (JSON.stringify writes NaN and ±Infinity as null) and shares outside [0, 1].
 */
export function reportProblems(report: unknown): string[] {
  if (validateReport(report)) return []
  return (validateReport.errors ?? []).map((e) => `${e.instancePath || 'report'} ${e.message ?? ''}`.trim())
}

interface ReportLike {
  input: {
    task: 'binary' | 'multiclass' | 'multilabel'
    scores: 'logits' | 'probs'
    rows: number
    classes: string[]
    classCounts: number[]
    clampedValues: number
    elements?: number
    positiveElements?: number
  }
  totals: {ce: {sum: number}}
  sweep: {gamma: number; sum: number}[]
}

const GAMMAS = [0, 0.5, 1, 2, 5]

/** The figures a report is checked on, from the reference. */
interface OracleFigures {
  rows: number
  classCounts: number[]
  /** null: not checked (multi-label). */
  clampedValues: number | null
  /** Multi-label: elements and positive elements. */
  elements?: {count: number; positive: number}
  ceSum: number
  sweep: number[]
}

/** The CSV reader's options for the bytes csv-parse is strict about (see csvReference). */
function parseStrict(text: Uint8Array | string): string[][] {
  return parse(Buffer.from(text), {
    bom: true,
    skip_empty_lines: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_quotes: false,
    relax_column_count: false,
  }) as string[][]
}

/** Number(field) when the field is a finite number, else a throw naming the record and column. */
function finiteField(fields: string[], header: string[], at: number, where: string): number {
  const value = Number(fields[at])
  if (fields[at].trim() === '' || !Number.isFinite(value)) {
    throw new Error(`${where}: ${header[at]} = ${JSON.stringify(fields[at])} is not a finite number`)
  }
  return value
}

/**
 * The reference figures for CSV text: csv-parse with its relax options off (quotes and column counts
 * strict; CR, LF and CRLF line ends, a BOM and blank lines allowed, as the README says), labels and
 * scores by Number(), the figures from test/helpers/reference.ts. Throws on anything it cannot use.
 */
export function csvReference(text: Uint8Array | string, report: ReportLike): OracleFigures {
  if (report.input.task === 'multilabel') return multilabelCsvReference(text, report)
  const [header, ...data] = parseStrict(text)
  const labelAt = header.indexOf('label')
  if (labelAt < 0) throw new Error('no label column')
  const scoreAt = header.map((_, i) => i).filter((i) => i !== labelAt)
  const {classes} = report.input
  const byIndex = classes.every((name, i) => name === String(i))
  const numericNames = classes.some((name) => /^\s*-?\d+(\.\d*)?\s*$/.test(name))
  const rows: ReferenceRow[] = data.map((fields, r) => {
    const where = `data record ${r + 1}`
    const text = fields[labelAt]
    let label = byIndex ? -1 : classes.indexOf(text.trim())
    if (label < 0 && (byIndex || !numericNames) && text.trim() !== '') label = Number(text)
    if (!(Number.isInteger(label) && label >= 0 && label < classes.length)) {
      throw new Error(`${where}: label ${JSON.stringify(text)} is not a class`)
    }
    return {label, scores: scoreAt.map((i) => finiteField(fields, header, i, where))}
  })
  const ref = referenceReport(rows, {
    task: report.input.task,
    scores: report.input.scores,
    gammas: GAMMAS,
    alpha: null,
    easyThreshold: 0.5,
    eps: 1e-7,
    classes,
  })
  return {
    rows: ref.rows,
    classCounts: ref.classes.map((c) => c.count),
    clampedValues: ref.clampedValues,
    ceSum: ref.totals.ce.sum,
    sweep: ref.sweep.map((s) => s.sum),
  }
}

/**
 * Multi-label, the wide layout (README): for each class c of the report, a score column `logit_c` (or
 * `prob_c`, `score_c`) and a target column `target_c`, and no other column; every score finite, every
 * target a number in [0, 1]. The figures from referenceMultilabel (per element, the textbook definitions).
 */
function multilabelCsvReference(text: Uint8Array | string, report: ReportLike): OracleFigures {
  const [header, ...data] = parseStrict(text)
  const {classes, scores} = report.input
  const prefixes = scores === 'logits' ? ['logit_'] : ['prob_', 'score_']
  const columnOf = (names: string[]): number => {
    const found = names.map((name) => header.indexOf(name)).filter((at) => at >= 0)
    if (found.length !== 1) throw new Error(`expected one column of ${names.join(' or ')}, found ${found.length}`)
    return found[0]
  }
  const scoreAt = classes.map((c) => columnOf(prefixes.map((prefix) => `${prefix}${c}`)))
  const targetAt = classes.map((c) => columnOf([`target_${c}`]))
  if (new Set([...scoreAt, ...targetAt]).size !== header.length) throw new Error('columns besides scores and targets')
  const elements: ReferenceElement[] = []
  data.forEach((fields, r) => {
    const where = `data record ${r + 1}`
    classes.forEach((_, c) => {
      const target = finiteField(fields, header, targetAt[c], where)
      if (!(target >= 0 && target <= 1)) throw new Error(`${where}: target ${target} outside [0, 1]`)
      elements.push({cls: c, score: finiteField(fields, header, scoreAt[c], where), target})
    })
  })
  const ref = referenceMultilabel(elements, {
    scores,
    gammas: GAMMAS,
    alpha: null,
    easyThreshold: 0.5,
    eps: 1e-7,
    classes,
  })
  return {
    rows: data.length,
    classCounts: ref.classes.map((c) => c.count),
    clampedValues: null,
    elements: {count: ref.elements, positive: ref.positiveElements},
    ceSum: ref.totals.ce.sum,
    sweep: ref.sweep.map((s) => s.sum),
  }
}

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))
}

/** Differences between the CLI's figures and the reference's. */
function compareToReference(report: ReportLike, ref: OracleFigures): string[] {
  const out: string[] = []
  if (report.input.rows !== ref.rows) out.push(`input.rows ${report.input.rows}, reference ${ref.rows}`)
  if (report.input.classCounts.join() !== ref.classCounts.join()) {
    out.push(`input.classCounts [${report.input.classCounts}], reference [${ref.classCounts}]`)
  }
  if (ref.clampedValues !== null && report.input.clampedValues !== ref.clampedValues) {
    out.push(`input.clampedValues ${report.input.clampedValues}, reference ${ref.clampedValues}`)
  }
  if (ref.elements !== undefined) {
    const {elements, positiveElements} = report.input
    if (elements !== ref.elements.count || positiveElements !== ref.elements.positive) {
      out.push(
        `input.elements ${elements}, positiveElements ${positiveElements}; reference ${ref.elements.count}, ${ref.elements.positive}`,
      )
    }
  }
  if (!near(report.totals.ce.sum, ref.ceSum)) out.push(`totals.ce.sum ${report.totals.ce.sum}, reference ${ref.ceSum}`)
  report.sweep.forEach((s, g) => {
    const expected = ref.sweep[g]
    if (expected === undefined || !near(s.sum, expected))
      out.push(`sweep[γ=${s.gamma}].sum ${s.sum}, reference ${expected}`)
  })
  return out
}

export interface ProcessResult {
  status: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Killed after the timeout: a hang. */
  timedOut: boolean
}

/** At most this many child processes at a time, so that load cannot make a slow run look like a hang. */
let maxRunning = Math.max(2, availableParallelism())
let running = 0
const waiting: (() => void)[] = []

/** Sets how many child processes `runProcess` starts at once (scripts/fuzz.ts --concurrency). */
export function setMaxRunning(n: number): void {
  maxRunning = Math.max(1, n)
}

/** Runs node with `args` (cwd: the repository), killing it after `timeoutMs`. */
export async function runProcess(
  args: string[],
  timeoutMs = RUN_TIMEOUT_MS,
  env: NodeJS.ProcessEnv = {},
): Promise<ProcessResult> {
  while (running >= maxRunning) await new Promise<void>((wake) => waiting.push(wake))
  running++
  try {
    return await new Promise<ProcessResult>((resolve, reject) => {
      const child = spawn(process.execPath, args, {
        cwd: ROOT,
        env: {...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env},
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text))
      child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        child.kill('SIGKILL')
      }, timeoutMs)
      child.on('error', reject)
      child.on('close', (status, signal) => {
        clearTimeout(timer)
        resolve({status, signal, stdout, stderr, timedOut})
      })
    })
  } finally {
    running--
    waiting.shift()?.()
  }
}

/** Runs the built CLI (`npm run build` first) with a timeout. */
export function runCli(
  args: string[],
  timeoutMs = RUN_TIMEOUT_MS,
  env: NodeJS.ProcessEnv = {},
): Promise<ProcessResult> {
  return runProcess([BIN, ...args], timeoutMs, env)
}

/**
 * The reference for an Arrow file: apache-arrow's own reader (in a child process with a timeout, as it
 * may hang on corrupt input) turns the batches into CSV text, which the CSV reference then reads. ZSTD
 * bodies are decompressed there by fzstd, a zstd implementation independent of focalscope's (zstddec), and
 * LZ4_FRAME bodies by the lz4 command-line tool when it is installed (independent of focalscope's decoder).
 */
async function arrowAsCsv(path: string, timeoutMs: number): Promise<{csv: string} | {error: string}> {
  // Batch by batch, as focalscope reads (a Table would also insist that every batch's schema is equal).
  const script = `
    import {readFileSync} from 'node:fs'
    import {compressionRegistry, CompressionType, RecordBatchReader} from 'apache-arrow'
    import {decompress} from 'fzstd'
    import {spawnSync} from 'node:child_process'
    compressionRegistry.set(CompressionType.ZSTD, {decode: (bytes) => decompress(bytes)})
    // LZ4_FRAME by the lz4 tool, when it is installed (apache-arrow has no LZ4 codec of its own).
    compressionRegistry.set(CompressionType.LZ4_FRAME, {
      decode: (bytes) => {
        const result = spawnSync('lz4', ['-d', '-c', '-q'], {input: bytes, maxBuffer: 1 << 30})
        if (result.error || result.status !== 0) throw new Error('lz4 cannot decompress a buffer')
        return new Uint8Array(result.stdout)
      },
    })
    const reader = RecordBatchReader.from(readFileSync(process.argv[1]))
    reader.open()
    const fields = reader.schema.fields
    const names = fields.map((f) => f.name)
    // A FixedSizeList<Float>[K] column becomes K columns.
    const header = fields.map((f) => f.type.listSize ? Array.from({length: f.type.listSize}, (_, j) => f.name + '_' + j) : [f.name])
    const lines = [header.flat().join(',')]
    const text = (v) => v === null ? '' : typeof v === 'object' ? Array.from(v, (x) => x === null ? '' : String(x)).join(',') : String(v)
    for (const batch of reader) {
      if (batch.schema.fields.map((f) => f.name).join() !== names.join()) throw new Error('the columns change')
      const columns = names.map((_, i) => batch.getChildAt(i))
      for (let r = 0; r < batch.numRows; r++) lines.push(columns.map((c) => text(c.get(r))).join(','))
    }
    process.stdout.write(lines.join('\\n') + '\\n')
  `
  const result = await runProcess(['--input-type=module', '-e', script, path], timeoutMs)
  if (result.status !== 0) {
    const why = result.timedOut ? 'it hangs' : result.stderr.split('\n').find((l) => /Error/.test(l))
    return {error: `apache-arrow cannot read it either (${why ?? `exit ${result.status}`})`}
  }
  return {csv: result.stdout}
}

/** Runs `focalscope report <path> --json` and judges the outcome against the property above. */
export async function runCase(path: string, kind: 'csv' | 'arrow', timeoutMs = RUN_TIMEOUT_MS): Promise<Verdict> {
  const heap = {NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${RUN_HEAP_MB}`}
  const result = await runCli(['report', path, '--json'], timeoutMs, heap)
  const {status, stdout, stderr} = result
  const shown = `exit ${status}${result.signal ? ` (${result.signal})` : ''}, stderr ${JSON.stringify(stderr.slice(0, 500))}`
  const fail = (signature: string, why: string): Verdict => ({
    ok: false,
    signature,
    detail: `${why}\n  ${shown}, stdout ${stdout.length} bytes`,
  })
  const collapse = (text: string): string =>
    text
      .split(path)
      .join('<file>')
      .replace(/\d+(\.\d+)?/g, 'N')
      .slice(0, 160)
  if (result.timedOut) return fail('hang', `no answer within ${timeoutMs / 1000} s (a hang)`)
  if (status === 2) {
    const lines = stderr.split('\n').filter((l) => l !== '')
    const signature = `exit 2: ${collapse(lines[0] ?? '')}`
    if (stdout !== '') return fail(`stdout on error: ${signature}`, 'exit 2 but something on stdout')
    if (STACK_LINE.test(stderr)) return fail(`stack trace: ${signature}`, 'a stack trace on stderr')
    if (lines.length !== 1 || !stderr.endsWith('\n')) {
      return fail(`${lines.length} lines: ${signature}`, `expected exactly one line on stderr, got ${lines.length}`)
    }
    if (!lines[0].startsWith('focalscope: error: ')) return fail(signature, 'the line is not "focalscope: error: …"')
    if (!lines[0].includes(basename(path))) return fail(signature, 'the message does not name the file')
    if (JS_INTERNALS.test(lines[0])) return fail(`internals: ${signature}`, 'the message shows JavaScript internals')
    return {ok: true, signature, detail: lines[0]}
  }
  if (status !== 0) return fail(`exit ${status}`, `expected exit 0 or 2, got ${status}`)

  let report: ReportLike
  try {
    report = JSON.parse(stdout) as ReportLike
  } catch {
    return fail('exit 0: not JSON', 'exit 0 but stdout is not one JSON document')
  }
  if (/error/i.test(stderr)) return fail('exit 0: error on stderr', 'exit 0 but an error on stderr')
  const problems = reportProblems(report)
  if (problems.length > 0) return fail('exit 0: not the schema', `exit 0 with ${problems.slice(0, 5).join('; ')}`)

  let text: Uint8Array | string
  if (kind === 'arrow') {
    const converted = await arrowAsCsv(path, timeoutMs)
    if ('error' in converted) return fail('exit 0: arrow unreadable', `exit 0, but ${converted.error}`)
    text = converted.csv
  } else {
    text = readFileSync(path)
  }
  let ref: OracleFigures
  try {
    ref = csvReference(text, report)
  } catch (error) {
    const code = (error as {code?: string}).code ?? 'values'
    return fail(`exit 0: reference rejects (${code})`, `exit 0, but the reference rejects the file: ${error}`)
  }
  const differences = compareToReference(report, ref)
  if (differences.length > 0) {
    const what = differences[0].startsWith('input.rows') ? 'row count' : 'figures'
    return fail(`exit 0: wrong ${what}`, `exit 0 with ${differences.slice(0, 4).join('; ')}`)
  }
  return {ok: true, signature: 'exit 0', detail: 'exit 0, figures equal to the reference'}
}

let mutants = 0

/** Writes the mutated fixture to `file(name)` (a new name each time) and runs it. */
export async function runMutant(
  fixture: FuzzFixture,
  mutations: Mutation[],
  file: (name: string, content: Uint8Array) => string,
  timeoutMs = RUN_TIMEOUT_MS,
): Promise<Verdict> {
  const bytes = applyMutations(fixture.bytes, mutations)
  const path = file(`mutant-${++mutants}-${fixture.name}`, bytes)
  try {
    const verdict = await runCase(path, fixture.kind, timeoutMs)
    return {...verdict, detail: `${fixture.name} with ${describeMutations(mutations)}: ${verdict.detail}`}
  } finally {
    rmSync(path, {force: true})
  }
}
