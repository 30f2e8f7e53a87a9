import {readFileSync} from 'node:fs'

import {parse} from 'csv-parse/sync'

/**
 * A naive, independent float64 reference for the report's figures: csv-parse for the file (not our
 * scanner), one row at a time, textbook formulas in their stable forms, Kahan–Babuška sums.
 */
export interface ReferenceOptions {
  gammas: number[]
  alpha: number | null
  threshold: number
  eps: number
}

export interface ReferenceFigures {
  rows: number
  clamped: number
  ce: number
  focal: number[]
  focalEasy: number[]
  classCount: number[]
  classCe: number[]
  classFocal: number[][]
  easyCount: number
  easyCe: number
}

class Sum {
  private s = 0
  private c = 0
  add(x: number): void {
    const t = this.s + x
    this.c += Math.abs(this.s) >= Math.abs(x) ? this.s - t + x : x - t + this.s
    this.s = t
  }
  get value(): number {
    return this.s + this.c
  }
}

export function referenceFromCsv(path: string, classes: string[], options: ReferenceOptions): ReferenceFigures {
  const records = parse(readFileSync(path), {columns: true, bom: true, skip_empty_lines: true}) as Record<
    string,
    string
  >[]
  const columns = Object.keys(records[0])
  const scoreColumns = columns.filter((c) => c !== 'label')
  const binary = scoreColumns.length === 1
  const probs = scoreColumns[0].startsWith('prob')
  const k = classes.length
  const G = options.gammas.length
  const ce = new Sum()
  const focal = options.gammas.map(() => new Sum())
  const focalEasy = options.gammas.map(() => new Sum())
  const classCe = classes.map(() => new Sum())
  const classFocal = classes.map(() => options.gammas.map(() => new Sum()))
  const classCount = new Array<number>(k).fill(0)
  const easyCe = new Sum()
  let easyCount = 0
  let clamped = 0
  for (const record of records) {
    const text = record.label
    const y = classes.includes(text) && !/^\d+$/.test(text) ? classes.indexOf(text) : Number(text)
    const s = scoreColumns.map((c) => Number(record[c]))
    let logPt: number
    let q: number
    if (binary && !probs) {
      const m = y === 1 ? s[0] : -s[0]
      logPt = -(Math.max(-m, 0) + Math.log1p(Math.exp(-Math.abs(m))))
      q = m >= 0 ? Math.exp(-m) / (1 + Math.exp(-m)) : 1 / (1 + Math.exp(m))
    } else if (!probs) {
      const max = Math.max(...s)
      const lse = max + Math.log(s.reduce((a, v) => a + Math.exp(v - max), 0))
      logPt = s[y] - lse
      q = -Math.expm1(logPt)
    } else {
      const raw = binary ? s[0] : s[y]
      const p = Math.min(Math.max(raw, options.eps), 1 - options.eps)
      if (p !== raw) clamped++
      const pt = binary && y === 0 ? 1 - p : p
      logPt = Math.log(pt)
      q = binary && y === 0 ? p : 1 - p
    }
    const loss = -logPt
    const alphaT = options.alpha === null ? 1 : binary ? (y === 1 ? options.alpha : 1 - options.alpha) : options.alpha
    const easy = Math.exp(logPt) > options.threshold
    ce.add(loss)
    classCe[y].add(loss)
    classCount[y]++
    if (easy) {
      easyCount++
      easyCe.add(loss)
    }
    for (let g = 0; g < G; g++) {
      const fl = alphaT * Math.pow(q, options.gammas[g]) * loss
      focal[g].add(fl)
      classFocal[y][g].add(fl)
      if (easy) focalEasy[g].add(fl)
    }
  }
  return {
    rows: records.length,
    clamped,
    ce: ce.value,
    focal: focal.map((f) => f.value),
    focalEasy: focalEasy.map((f) => f.value),
    classCount,
    classCe: classCe.map((c) => c.value),
    classFocal: classFocal.map((row) => row.map((f) => f.value)),
    easyCount,
    easyCe: easyCe.value,
  }
}
