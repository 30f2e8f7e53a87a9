/**
 * The DuckDB side of the comparison: one SQL query per file that computes what `focalscope report`
 * reports — CE sum, focal sums at each γ (FL_γ = (1 − p_t)^γ · CE, no α), per-class CE sums, the
 * easy/hard CE split (easy: p_t > threshold) and the row count.
 *
 * Numerics, all overflow-free (every exp has a non-positive argument):
 *   binary      m = logit (label 1) or −logit (label 0); e = exp(−|m|) ∈ (0, 1]
 *               CE = max(−m, 0) + ln(1 + e)
 *               p_t = 1/(1+e) if m ≥ 0 else e/(1+e);  1 − p_t = e/(1+e) if m ≥ 0 else 1/(1+e)
 *   multiclass  log-softmax with the row maximum subtracted: s = Σ_j exp(z_j − max), z_t − max = zt,
 *               CE = ln(s) − zt, p_t = exp(zt)/s, 1 − p_t = (s − exp(zt))/s
 *
 * The query groups by (label, easy) — at most 2K groups — and the caller adds the group sums up
 * (combineGroups). Every aggregate also counts its non-NULL inputs: DuckDB's SUM skips NULLs silently,
 * so a NULL from a bad value would otherwise just go missing.
 */

export type SourceFormat = 'csv' | 'parquet'
/** How the K scores of a multi-class Parquet file are stored: K DOUBLE columns, or one DOUBLE[K] list. */
export type MultiLayout = 'wide' | 'list'

export interface QuerySource {
  kind: 'binary' | 'multiclass'
  format: SourceFormat
  path: string
  /** K, multi-class only. */
  classes?: number
  /** Multi-class Parquet only (CSV is always wide). */
  layout?: MultiLayout
}

export interface QueryOptions {
  gammas: number[]
  easyThreshold?: number
}

function quote(path: string): string {
  return `'${path.replace(/'/g, "''")}'`
}

function num(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`)
  return String(x).includes('e') || String(x).includes('.') ? `${x}::DOUBLE` : `${x}.0`
}

function logitNames(k: number): string[] {
  return Array.from({length: k}, (_, j) => `logit_${j}`)
}

function readCsv(path: string, columns: [string, string][]): string {
  const cols = columns.map(([n, t]) => `'${n}': '${t}'`).join(', ')
  return `read_csv(${quote(path)}, header = true, delim = ',', auto_detect = false, columns = {${cols}})`
}

/**
 * FL_γ as SQL over columns q (1 − p_t) and ce. The γ values people use get the same shortcuts that
 * focalscope's kernel takes (γ = 0 is CE itself, since 0^0 = 1; sqrt for ½; products for small
 * integers): a generic pow() per row and γ costs DuckDB about as much as the rest of the query.
 */
export function focalExpr(gamma: number): string {
  if (gamma === 0) return 'ce'
  if (gamma === 0.5) return 'sqrt(q) * ce'
  if (gamma === 1.5) return 'q * sqrt(q) * ce'
  if (Number.isInteger(gamma) && gamma >= 1 && gamma <= 16) return `${Array(gamma).fill('q').join(' * ')} * ce`
  return `pow(q, ${num(gamma)}) * ce`
}

/** SQL for the (label, easy) group sums of one file. */
export function buildQuery(src: QuerySource, opts: QueryOptions): string {
  const threshold = opts.easyThreshold ?? 0.5
  let terms: string
  if (src.kind === 'binary') {
    const from =
      src.format === 'csv'
        ? readCsv(src.path, [
            ['label', 'INTEGER'],
            ['logit', 'DOUBLE'],
          ])
        : `read_parquet(${quote(src.path)})`
    terms = `
  src AS (SELECT label, logit FROM ${from}),
  mm AS (SELECT label, CASE WHEN label = 1 THEN logit ELSE -logit END AS m FROM src),
  ee AS (SELECT label, m, exp(-abs(m)) AS e FROM mm),
  t AS (
    SELECT label,
      greatest(-m, 0.0) + ln(1.0 + e) AS ce,
      CASE WHEN m >= 0 THEN 1.0 / (1.0 + e) ELSE e / (1.0 + e) END AS pt,
      CASE WHEN m >= 0 THEN e / (1.0 + e) ELSE 1.0 / (1.0 + e) END AS q
    FROM ee
  )`
  } else {
    const k = src.classes
    if (!k || k < 2) throw new RangeError('multi-class query needs classes ≥ 2')
    const names = logitNames(k)
    const layout = src.format === 'csv' ? 'wide' : (src.layout ?? 'wide')
    if (layout === 'wide') {
      const from =
        src.format === 'csv'
          ? readCsv(src.path, [['label', 'INTEGER'], ...names.map((n): [string, string] => [n, 'DOUBLE'])])
          : `read_parquet(${quote(src.path)})`
      const own = `CASE label ${names.map((n, j) => `WHEN ${j} THEN ${n}`).join(' ')} END`
      terms = `
  src AS (SELECT label, ${names.join(', ')} FROM ${from}),
  mx AS (SELECT label, ${names.join(', ')}, greatest(${names.join(', ')}) AS mx, ${own} AS zl FROM src),
  ss AS (SELECT label, zl - mx AS zt, ${names.map((n) => `exp(${n} - mx)`).join(' + ')} AS s FROM mx),`
    } else {
      terms = `
  src AS (SELECT label, logits FROM read_parquet(${quote(src.path)})),
  mx AS (SELECT label, logits, list_max(logits) AS mx FROM src),
  ss AS (SELECT label, logits[label + 1] - mx AS zt, list_sum(list_transform(logits, lambda x: exp(x - mx))) AS s FROM mx),`
    }
    terms += `
  oo AS (SELECT label, zt, s, exp(zt) AS own FROM ss),
  t AS (SELECT label, ln(s) - zt AS ce, own / s AS pt, (s - own) / s AS q FROM oo)`
  }
  const focal = opts.gammas.map((g, i) => `sum(${focalExpr(g)}) AS fl_${i}`).join(',\n    ')
  return `WITH${terms}
SELECT label, pt > ${num(threshold)} AS easy, count(*) AS n,
    count(ce) AS n_ce, count(q) AS n_q,
    sum(ce) AS ce,
    ${focal}
FROM t
GROUP BY ALL
ORDER BY label, easy`
}

export interface GroupRow {
  label: number
  easy: boolean
  n: number
  n_ce: number
  n_q: number
  ce: number
  [fl: `fl_${number}`]: number
}

/** The figures both tools are compared on. */
export interface Figures {
  rows: number
  ce: number
  /** Focal sums, in the order of the γ list. */
  focal: number[]
  easyCe: number
  hardCe: number
  /** CE sum per class index. */
  classCe: number[]
}

function kahanSum(xs: number[]): number {
  let sum = 0
  let comp = 0
  for (const x of xs) {
    const t = sum + x
    if (Math.abs(sum) >= Math.abs(x)) comp += sum - t + x
    else comp += x - t + sum
    sum = t
  }
  return sum + comp
}

/** Adds the (label, easy) group sums up into the compared figures; throws if any row gave a NULL. */
export function combineGroups(groups: GroupRow[], gammas: number[], classes: number): Figures {
  const rows = groups.reduce((a, g) => a + g.n, 0)
  for (const g of groups) {
    if (g.n_ce !== g.n || g.n_q !== g.n) {
      throw new Error(`label ${g.label}: ${g.n} rows but ${g.n_ce} CE and ${g.n_q} 1−p_t values (NULLs)`)
    }
    if (!(g.label >= 0 && g.label < classes)) throw new Error(`label ${g.label} outside 0…${classes - 1}`)
  }
  return {
    rows,
    ce: kahanSum(groups.map((g) => g.ce)),
    focal: gammas.map((_, i) => kahanSum(groups.map((g) => g[`fl_${i}`]))),
    easyCe: kahanSum(groups.filter((g) => g.easy).map((g) => g.ce)),
    hardCe: kahanSum(groups.filter((g) => !g.easy).map((g) => g.ce)),
    classCe: Array.from({length: classes}, (_, c) => kahanSum(groups.filter((g) => g.label === c).map((g) => g.ce))),
  }
}

/** SQL that copies a generated CSV to Parquet (multi-class: wide columns or one DOUBLE[K] list). */
export function buildCopyToParquet(src: QuerySource, target: string): string {
  if (src.kind === 'binary') {
    const from = readCsv(src.path, [
      ['label', 'INTEGER'],
      ['logit', 'DOUBLE'],
    ])
    return `COPY (SELECT label, logit FROM ${from}) TO ${quote(target)} (FORMAT parquet)`
  }
  const k = src.classes as number
  const names = logitNames(k)
  const from = readCsv(src.path, [['label', 'INTEGER'], ...names.map((n): [string, string] => [n, 'DOUBLE'])])
  const select =
    src.layout === 'list' ? `label, [${names.join(', ')}]::DOUBLE[${k}] AS logits` : `label, ${names.join(', ')}`
  return `COPY (SELECT ${select} FROM ${from}) TO ${quote(target)} (FORMAT parquet)`
}
