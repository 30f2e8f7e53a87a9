import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {dirname} from 'node:path'
import {describe, it} from 'node:test'

import {Ajv} from 'ajv'

import type {Comparison} from '../../src/report/compare-types.js'
import type {Report} from '../../src/report/types.js'
import {exactSum, parseCsvRows, type ReferenceOptions, type ReferenceRow, rowTerms} from '../helpers/reference.js'
import {runCli, runReportJson} from '../helpers/run-cli.js'
import {tempDir} from '../helpers/temp-files.js'

/**
 * `compare` end to end, through the built CLI. The deltas are checked against differences of figures the
 * test computes itself from the CSV text (test/helpers/reference.ts, which shares no code with src/), and
 * the hard-row pairing against a row-by-row count of p_t ≤ 0.5 in both files.
 */

const A = 'examples/predictions.csv'
const B = 'examples/candidate-predictions.csv'
const CLASSES = ['cat', 'dog', 'bird', 'horse', 'sheep', 'cow', 'fox', 'deer']
const SCORE_COLS = CLASSES.map((c) => `logit_${c}`)
const OPTIONS: ReferenceOptions = {
  task: 'multiclass',
  scores: 'logits',
  gammas: [0, 0.5, 1, 2, 5],
  alpha: null,
  easyThreshold: 0.5,
  eps: 1e-7,
  classes: CLASSES,
}

const ajv = new Ajv({allErrors: true})
ajv.addSchema(JSON.parse(readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')) as object)
const validate = ajv.compile(
  JSON.parse(readFileSync(new URL('../../schema/compare.schema.json', import.meta.url), 'utf8')) as object,
)

function compareJson(args: string[]): Comparison {
  const result = runCli(['compare', ...args, '--json'])
  assert.equal(result.status, 0, result.stderr)
  const json = JSON.parse(result.stdout) as Comparison
  assert.ok(validate(json), JSON.stringify(validate.errors))
  return json
}

function rowsOf(path: string): ReferenceRow[] {
  return parseCsvRows(readFileSync(path, 'utf8'), 'label', SCORE_COLS, CLASSES)
}

/** |x − y| within 1e-9 of the magnitudes the difference was taken from. */
function assertDifference(actual: number | null | undefined, a: number, b: number, what: string): void {
  assert.equal(typeof actual, 'number', what)
  const tolerance = 1e-9 * (Math.abs(a) + Math.abs(b)) + 1e-15
  assert.ok(Math.abs((actual as number) - (b - a)) <= tolerance, `${what}: ${actual} vs ${b - a}`)
}

/** The reference's per-row p_t of each run: the hard-row counts from their definitions. */
function referencePairing(rowsA: ReferenceRow[], rowsB: ReferenceRow[], keep: (i: number) => boolean = () => true) {
  let hardInA = 0
  let hardInB = 0
  let stillHard = 0
  let paired = 0
  rowsA.forEach((row, i) => {
    if (!keep(i)) return
    assert.equal(row.label, rowsB[i].label, 'the test pairs rows of the same label')
    paired++
    const x = rowTerms(row, OPTIONS).pt <= 0.5
    const y = rowTerms(rowsB[i], OPTIONS).pt <= 0.5
    if (x) hardInA++
    if (y) hardInB++
    if (x && y) stillHard++
  })
  return {paired, hardInA, hardInB, stillHard, nowEasy: hardInA - stillHard, newlyHard: hardInB - stillHard}
}

describe('compare on two prediction files', () => {
  const temp = tempDir()

  it('gives both reports as report --json does, and B − A of the figures as the reference takes them', () => {
    const json = compareJson([A, B])
    assert.deepEqual(json.inputs, {a: {path: A, kind: 'predictions'}, b: {path: B, kind: 'predictions'}})
    assert.deepEqual(json.a, runReportJson([A]).json as unknown as Report)
    assert.deepEqual(json.b, runReportJson([B]).json as unknown as Report)

    const termsA = rowsOf(A).map((row) => rowTerms(row, OPTIONS))
    const termsB = rowsOf(B).map((row) => rowTerms(row, OPTIONS))
    const ceA = exactSum(termsA.map((t) => t.ce))
    const ceB = exactSum(termsB.map((t) => t.ce))
    assertDifference(json.delta.totals?.ce?.sum, ceA, ceB, 'totals.ce.sum')
    OPTIONS.gammas.forEach((_, g) => {
      const sumA = exactSum(termsA.map((t) => t.focal[g]))
      const sumB = exactSum(termsB.map((t) => t.focal[g]))
      assertDifference(json.delta.sweep?.[g]?.sum, sumA, sumB, `sweep[${g}].sum`)
      assertDifference(json.delta.sweep?.[g]?.ratioToCe, sumA / ceA, sumB / ceB, `sweep[${g}].ratioToCe`)
    })
    const labelsA = rowsOf(A).map((r) => r.label)
    const labelsB = rowsOf(B).map((r) => r.label)
    CLASSES.forEach((name, c) => {
      const classA = exactSum(termsA.filter((_, i) => labelsA[i] === c).map((t) => t.ce))
      const classB = exactSum(termsB.filter((_, i) => labelsB[i] === c).map((t) => t.ce))
      assert.equal(json.delta.classes?.[c]?.class, name)
      assertDifference(json.delta.classes?.[c]?.ce?.sum, classA, classB, `${name}: ce.sum`)
      assertDifference(json.delta.classes?.[c]?.ce?.share, classA / ceA, classB / ceB, `${name}: ce.share`)
    })
    const hardA = termsA.filter((t) => t.pt <= 0.5).length
    const hardB = termsB.filter((t) => t.pt <= 0.5).length
    assert.equal(json.delta.split?.hard?.count, hardB - hardA)
  })

  it("counts A's hard rows that stay hard in B, row by row, as the reference does", () => {
    const json = compareJson([A, B])
    const expected = referencePairing(rowsOf(A), rowsOf(B))
    assert.equal(expected.paired, 800)
    assert.deepEqual(json.hardRows, {
      compared: true,
      reason: null,
      pairedBy: 'order',
      unit: 'rows',
      threshold: 0.5,
      pairedRows: 800,
      unpairedRows: 0,
      ...expected,
      stillHardShare: expected.stillHard / expected.hardInA,
    })
    // The same rows the reports' split counts hard.
    assert.equal(json.hardRows.hardInA, json.a.split.hard.count)
    assert.equal(json.hardRows.hardInB, json.b.split.hard.count)
  })

  it('pairs rows across different chunkings: a CSV against an Arrow file of 7 batches', async () => {
    const {Table, tableFromArrays, tableToIPC} = await import('apache-arrow')
    const rows = rowsOf(B)
    const batches = [0, 100, 250, 333, 500, 640, 777, 800].slice(1).map((end, k, ends) => {
      const start = k === 0 ? 0 : ends[k - 1]
      const part = rows.slice(start, end)
      const columns: Record<string, Float64Array | Int32Array> = {label: Int32Array.from(part, (r) => r.label)}
      SCORE_COLS.forEach((name, j) => (columns[name] = Float64Array.from(part, (r) => r.scores[j])))
      return tableFromArrays(columns).batches[0]
    })
    const arrow = temp('candidate.arrow', tableToIPC(new Table(batches), 'file'))
    const json = compareJson([A, arrow, '--class-names', CLASSES.join(',')])
    const expected = referencePairing(rowsOf(A), rows)
    assert.equal(json.hardRows.compared, true, json.hardRows.reason ?? '')
    assert.equal(json.hardRows.stillHard, expected.stillHard)
    assert.equal(json.hardRows.newlyHard, expected.newlyHard)
    assert.equal(json.hardRows.hardInA, expected.hardInA)
  })

  it('leaves a row skipped in one run unpaired, and counts the others', () => {
    const lines = readFileSync(B, 'utf8').split('\n')
    // Data row 10 (line 11): a score that is not a number.
    lines[10] = lines[10].replace(/,[^,]+$/, ',abc')
    const bad = temp('candidate-bad.csv', lines.join('\n'))
    const json = compareJson([A, bad, '--on-invalid', 'skip'])
    const expected = referencePairing(rowsOf(A), rowsOf(B), (i) => i !== 9)
    assert.equal(json.b.input.skippedRows, 1)
    assert.equal(json.hardRows.compared, true)
    assert.equal(json.hardRows.pairedRows, 799)
    assert.equal(json.hardRows.unpairedRows, 1)
    assert.equal(json.hardRows.stillHard, expected.stillHard)
    assert.equal(json.hardRows.hardInA, expected.hardInA)
    assert.equal(json.hardRows.hardInB, expected.hardInB)
  })

  it('does not pair files of other rows: it says which row differs, and still compares the figures', () => {
    const json = compareJson(['examples/previous-predictions.csv', A])
    assert.equal(json.hardRows.compared, false)
    assert.equal(
      json.hardRows.reason,
      'A and B do not hold the same rows in the same order: data row 1 has label "cat" in A, "dog" in B',
    )
    assert.equal(json.hardRows.stillHard, null)
    assert.ok(json.delta.totals?.ce)
  })

  it('does not pair files of different lengths', () => {
    const shorter = temp('shorter.csv', readFileSync(B, 'utf8').split('\n').slice(0, 701).join('\n') + '\n')
    const json = compareJson([A, shorter])
    assert.equal(json.hardRows.reason, 'A has 800 data rows and B 700: they are not the same rows')
  })
})

describe('compare on multi-label files', () => {
  const temp = tempDir()
  const original = readFileSync('fixtures/multilabel.csv', 'utf8').trimEnd().split('\n')
  const K = 4
  /** The fixture with every logit moved by a fixed, varied amount: a second model on the same rows. */
  const moved = [
    original[0],
    ...original.slice(1).map((line, i) =>
      line
        .split(',')
        .map((cell, j) => (j < K ? String(Number(cell) + 1.5 * Math.sin(7 * i + j)) : cell))
        .join(','),
    ),
  ]

  function elements(lines: string[]): {hard: boolean}[] {
    return lines.slice(1).flatMap((line) => {
      const cells = line.split(',').map(Number)
      return cells.slice(0, K).map((x, j) => {
        const p = 1 / (1 + Math.exp(-x))
        // Soft targets too (the fixture has some): p_t = y·p + (1 − y)(1 − p).
        const y = cells[K + j]
        const pt = y * p + (1 - y) * (1 - p)
        return {hard: pt <= 0.5}
      })
    })
  }

  it('counts elements, one per class and row, as the reference does', () => {
    const b = temp('multilabel-b.csv', `${moved.join('\n')}\n`)
    const json = compareJson(['fixtures/multilabel.csv', b])
    const x = elements(original)
    const y = elements(moved)
    const stillHard = x.filter((e, i) => e.hard && y[i].hard).length
    assert.equal(json.hardRows.unit, 'elements')
    assert.equal(json.hardRows.pairedRows, original.length - 1)
    assert.equal(json.hardRows.paired, x.length)
    assert.equal(json.hardRows.hardInA, x.filter((e) => e.hard).length)
    assert.equal(json.hardRows.hardInB, y.filter((e) => e.hard).length)
    assert.equal(json.hardRows.stillHard, stillHard)
    assert.equal(json.hardRows.hardInA, json.a.split.hard.count)
  })

  it('does not pair rows whose targets differ, naming the class', () => {
    const changed = [...moved]
    const cells = changed[5].split(',')
    cells[K + 1] = cells[K + 1] === '1' ? '0' : '1'
    changed[5] = cells.join(',')
    const b = temp('multilabel-target.csv', `${changed.join('\n')}\n`)
    const json = compareJson(['fixtures/multilabel.csv', b])
    const was = original[5].split(',')[K + 1]
    assert.equal(
      json.hardRows.reason,
      `A and B do not hold the same rows in the same order: data row 5 has target of class "person" ${was} in A, ${cells[K + 1]} in B`,
    )
  })
})

describe('compare on saved reports', () => {
  const temp = tempDir()

  it('gives the same a, b and delta from the reports as from the predictions, and says why rows are not paired', () => {
    const reportA = temp('a.json')
    const reportB = temp('b.json')
    assert.equal(runCli(['report', A, '-o', reportA]).status, 0)
    assert.equal(runCli(['report', B, '-o', reportB]).status, 0)
    const fromPredictions = compareJson([A, B])
    const fromReports = compareJson([reportA, reportB])
    assert.deepEqual(fromReports.inputs, {a: {path: reportA, kind: 'report'}, b: {path: reportB, kind: 'report'}})
    assert.deepEqual(fromReports.a, fromPredictions.a)
    assert.deepEqual(fromReports.b, fromPredictions.b)
    assert.deepEqual(fromReports.delta, fromPredictions.delta)
    assert.equal(fromReports.hardRows.compared, false)
    assert.equal(
      fromReports.hardRows.reason,
      `${reportA} is a saved report: only two prediction files have rows to pair`,
    )

    // A saved report against predictions; the kind is told by content, whatever the name says.
    const named = temp('report-named.csv', readFileSync(reportA, 'utf8'))
    const mixed = compareJson([named, B])
    assert.equal(mixed.inputs.a.kind, 'report')
    assert.deepEqual(mixed.delta, fromPredictions.delta)
  })

  it('refuses runs computed with other settings, naming the first difference', () => {
    const gammas = temp('gammas.json')
    assert.equal(runCli(['report', A, '--gammas', '0,2', '-o', gammas]).status, 0)
    const result = runCli(['compare', gammas, B])
    assert.equal(result.status, 2)
    assert.equal(result.stdout, '')
    assert.equal(
      result.stderr,
      `focalscope: error: ${B}: expected a run computed with --gammas 0,2 like ${gammas}, got --gammas 0,0.5,1,2,5 (recompute one of them with the same setting)\n`,
    )

    const alpha = temp('alpha.json')
    assert.equal(runCli(['report', A, '--alpha', '0.25', '-o', alpha]).status, 0)
    const refused = runCli(['compare', alpha, B, '--json'])
    assert.equal(refused.status, 2)
    assert.match(refused.stderr, /expected a run computed with --alpha 0\.25 like .*, got --alpha none/)
    // The flags make the predictions comparable.
    assert.equal(runCli(['compare', alpha, B, '--alpha', '0.25', '--json']).status, 0)
  })

  it('refuses an input flag with two saved reports, and standard input', () => {
    const reportA = temp('a2.json')
    assert.equal(runCli(['report', A, '-o', reportA]).status, 0)
    const flag = runCli(['compare', reportA, reportA, '--gammas', '0,2'])
    assert.equal(flag.status, 2)
    assert.equal(
      flag.stderr,
      'focalscope: error: --gammas: expected with a prediction file, got two saved reports (a saved report keeps its settings)\n',
    )
    const stdin = runCli(['compare', '-', B], {}, readFileSync(A))
    assert.equal(stdin.status, 2)
    assert.match(stdin.stderr, /^focalscope: error: compare: expected two files, got - \(standard input\)/)
  })
})

describe('compare outputs', () => {
  const temp = tempDir()

  it('writes -o and --html with --json, the file holding what stdout does', () => {
    const json = temp('diff.json')
    const page = temp('diff.html')
    const result = runCli(['compare', A, B, '--json', '-o', json, '--html', page])
    assert.equal(result.status, 0, result.stderr)
    assert.equal(readFileSync(json, 'utf8'), result.stdout)
    const html = readFileSync(page, 'utf8')
    assert.ok(html.startsWith('<!doctype html>'))
    assert.equal(html.match(/<figure class="chart"/g)?.length, 3)
    assert.deepEqual(
      readdirSync(dirname(page)).filter((name) => name.endsWith('.tmp')),
      [],
    )
  })

  it('prints the tables without --json, and refuses an output onto an input', () => {
    const result = runCli(['compare', A, B])
    assert.equal(result.status, 0, result.stderr)
    assert.match(result.stdout, /^focalscope compare — A: examples\/predictions\.csv · B:/)
    const expected = referencePairing(rowsOf(A), rowsOf(B))
    const share = ((100 * expected.stillHard) / expected.hardInA).toFixed(1)
    assert.match(result.stdout, new RegExp(`${expected.stillHard} of them \\(${share}%\\)\\s+still hard in B`))
    const copy = temp('copy.csv', readFileSync(A))
    const refused = runCli(['compare', copy, B, '--html', copy])
    assert.equal(refused.status, 2)
    assert.equal(
      refused.stderr,
      `focalscope: error: --html ${copy}: expected an output that is not an input, got the same file as input A ${copy} (writing it would destroy the input)\n`,
    )
  })
})
