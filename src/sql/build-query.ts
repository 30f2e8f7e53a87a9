/**
 * The query of `focalscope sql`: it computes, inside the engine that holds the predictions, the sums of a
 * partial state — per bucket (class × easy|hard, multi-label: × positive|negative target) the element
 * count, Σ CE, Σ (1 − p_t)^γ · CE per γ (and Σ y·CE, Σ y·(1 − p_t)^γ·CE for multi-label, Σ (1 − p_t)^(γ+1)
 * for Poly-1) — and the input facts, as a small result of rows (section, k1, k2, n, v0 … vW): see
 * result-format.ts. The per-element maths is prepare-rows.ts's, in forms that neither overflow nor lose
 * precision and that no engine refuses:
 *
 * - binary CE = greatest(−m, 0) + log1p(e^−|m|), m the label-signed logit; 1 − p_t = σ(−m) from the same e;
 * - softmax: max-subtracted, CE = log1p(Σ_{j≠y} e^(x_j − M)) when the target is the maximum M (which keeps
 *   CE's relative precision on confident rows), else ln(Σ_j e^(x_j − M)) + (M − x_y);
 * - log1p(x) as x for x < 1e-18, its Taylor polynomial to x⁵ below 1e-3, ln(1 + x) above (no engine but
 *   Spark has log1p);
 * - PostgreSQL raises `value out of range: underflow` where a result rounds to 0 from non-zero operands
 *   (exp below −745.13, power(5e-324, 5), 1e-200 · 1e-200); DuckDB returns 0. So every exp, power and
 *   product that can underflow is guarded with a CASE on its arguments' logs and gives 0 there, as the
 *   double it stands for would round to (at most ~5e-324 away).
 *
 * Invalid rows (null, non-finite, a label that names no class, a probability or target outside [0, 1], a
 * probability row that does not sum to 1) are counted per reason and kept out of every sum, as
 * `--on-invalid skip` does; whether that stops the run is decided when the result is read.
 */
import type {Layout} from '../readers/layout.js'
import type {Settings} from '../core/state/partial-state.js'
import type {Dialect} from './dialects.js'
import {resultFormat, type ResultFormat, SKIP_CODES} from './result-format.js'

export interface QuerySpec {
  dialect: Dialect
  /** A table name (as the engine spells it) or a subquery (starting with "(" or SELECT / WITH). */
  from: string
  layout: Layout
  settings: Settings
}

/** The SQL text and the shape of its result. */
export interface Query {
  sql: string
  format: ResultFormat
}

/**
 * A double literal that every engine reads as exactly this double: the shortest decimal in exponent form,
 * which DuckDB, Spark, Trino and BigQuery parse as a double (DuckDB reads 0.9999999999999999 as a DECIMAL,
 * whose conversion to DOUBLE rounds it to 1) and PostgreSQL converts exactly.
 */
function literal(d: Dialect, x: number): string {
  if (!Number.isFinite(x)) throw new Error(`literal: non-finite ${x}`)
  return `CAST(${x.toExponential()} AS ${d.double})`
}

/** The FROM item of the user's table or subquery. */
export function fromItem(from: string): string {
  const text = from.trim()
  if (text.startsWith('(')) return `${text} AS src`
  if (/^(select|with)\b/i.test(text)) return `(${text}) AS src`
  return text
}

/** Builds the query (pure: the same spec gives the same text). */
export function buildQuery(spec: QuerySpec): Query {
  const {dialect: d, layout, settings} = spec
  const L = (x: number): string => literal(d, x)
  const q = (name: string): string => d.quote(name)
  const dbl = (expr: string): string => `CAST(${expr} AS ${d.double})`
  const big = (expr: string): string => `CAST(${expr} AS ${d.bigint})`
  const K = settings.numClasses
  const task = settings.task
  const logits = settings.scores === 'logits'
  const multilabel = task === 'multilabel'
  const long = multilabel && settings.elementLayout === 'long'
  const format = resultFormat(settings)
  const {probTolerance, rowSumTolerance, eps, easyThreshold} = settings
  const maxDouble = L(Number.MAX_VALUE)
  const finite = (x: string): string => `${x} BETWEEN -${maxDouble} AND ${maxDouble}`

  // ---- the columns, as doubles: s0 … (scores), t0 … (targets), and the label or class column.
  const scoreCount = multilabel && !long ? K : task === 'multiclass' ? K : 1
  const scoreOf = (j: number): string =>
    layout.listColumn !== undefined ? d.element(q(layout.listColumn), j) : q(layout.scoreColumns[j])
  const targetOf = (j: number): string =>
    layout.targetListColumn !== undefined
      ? d.element(q(layout.targetListColumn), j)
      : q(layout.scoreColumns[scoreCount + j])
  const targetCount = multilabel ? scoreCount : 0
  const s = Array.from({length: scoreCount}, (_, j) => `s${j}`)
  const t = Array.from({length: targetCount}, (_, j) => `t${j}`)
  const hasLabel = layout.labelColumn !== ''
  const raw = [
    ...(hasLabel ? [`${q(layout.labelColumn)} AS lbl`] : []),
    ...s.map((name, j) => `${dbl(scoreOf(j))} AS ${name}`),
    ...t.map((name, j) => `${dbl(targetOf(j))} AS ${name}`),
  ]

  // ---- the label's class index (NULL when it names no class).
  let classIndex = `CAST(NULL AS ${d.bigint})`
  if (hasLabel) {
    if (layout.labelKind === 'index' && !long) {
      const v = dbl('lbl')
      classIndex =
        task === 'binary'
          ? `CASE WHEN ${v} = 0 THEN 0 WHEN ${v} = 1 THEN 1 END`
          : `CASE WHEN ${v} >= 0 AND ${v} < ${K} AND ${v} = floor(${v}) THEN ${big(v)} END`
    } else {
      // Names (and, when no name is numeric, indices written as text), as makeLabelLookup takes them.
      const text = `CAST(lbl AS ${d.text})`
      const numeric = settings.classes.some((name) => /^\s*-?\d+(\.\d*)?\s*$/.test(name))
      const arms = settings.classes.map((name, i) => `WHEN ${d.string(name)} THEN ${i}`)
      if (!numeric) arms.push(...settings.classes.map((_, i) => `WHEN ${d.string(String(i))} THEN ${i}`))
      classIndex = `CASE ${text} ${arms.join(' ')} END`
    }
  }
  const rowSum = task === 'multiclass' && !logits ? s.join(' + ') : null

  // ---- why a row is left out (0: it is used), checked in the readers' and preparers' order.
  const reason: string[] = []
  const nullable = [...(hasLabel ? ['lbl'] : []), ...s, ...t]
  reason.push(`WHEN ${nullable.map((c) => `${c} IS NULL`).join(' OR ')} THEN ${SKIP_CODES.null}`)
  if (multilabel) {
    // Column by column: a non-finite score, a probability out of range, then a target outside [0, 1].
    for (let j = 0; j < scoreCount; j++) {
      reason.push(`WHEN NOT (${finite(s[j])}) THEN ${SKIP_CODES['non-finite']}`)
      if (!logits) {
        reason.push(
          `WHEN NOT (${s[j]} BETWEEN ${L(-probTolerance)} AND ${L(1 + probTolerance)}) THEN ${SKIP_CODES.probability}`,
        )
      }
      reason.push(`WHEN NOT (${t[j]} BETWEEN ${L(0)} AND ${L(1)}) THEN ${SKIP_CODES.target}`)
    }
    if (long) reason.push(`WHEN li IS NULL THEN ${SKIP_CODES.label}`)
  } else {
    reason.push(`WHEN li IS NULL THEN ${SKIP_CODES.label}`)
    reason.push(`WHEN NOT (${s.map(finite).join(' AND ')}) THEN ${SKIP_CODES['non-finite']}`)
    if (!logits) {
      const inRange = s.map((c) => `${c} BETWEEN ${L(-probTolerance)} AND ${L(1 + probTolerance)}`).join(' AND ')
      reason.push(`WHEN NOT (${inRange}) THEN ${SKIP_CODES.probability}`)
      if (rowSum !== null && settings.rowSumPolicy === 'refuse') {
        reason.push(`WHEN abs(rsum - ${L(1)}) > ${L(rowSumTolerance)} THEN ${SKIP_CODES['row-sum']}`)
      }
    }
  }
  const bad = `CASE ${reason.join('\n      ')}\n      ELSE 0 END`

  // ---- guarded maths.
  /** e^x, 0 where it would underflow (x < −745.13: e^x < 2^−1075 rounds to 0). */
  const exp = (x: string): string => `CASE WHEN ${x} < ${L(-745.13)} THEN ${L(0)} ELSE exp(${x}) END`
  /** log1p(x) for x in [0, ∞) without loss for small x. */
  const log1p = (x: string): string =>
    `CASE WHEN ${x} < ${L(1e-18)} THEN ${x} WHEN ${x} < ${L(1e-3)} THEN ${x} * (${L(1)} - ${x} * (${L(1 / 2)} - ${x} * (${L(1 / 3)} - ${x} * (${L(1 / 4)} - ${x} * ${L(1 / 5)})))) ELSE ln(${L(1)} + ${x}) END`
  /** x / (1 + x) for x in [0, 1] (as e · 1/(1 + e)): x itself below 1e-16, where 1 + x rounds to 1. */
  const ratio = (x: string): string => `CASE WHEN ${x} < ${L(1e-16)} THEN ${x} ELSE ${x} / (${L(1)} + ${x}) END`
  /** a · b for a, b ≥ 0, 0 where the product would underflow. */
  const product = (a: string, b: string): string =>
    `CASE WHEN ${a} = 0 OR ${b} = 0 THEN ${L(0)} WHEN ${a} >= ${L(1e-150)} AND ${b} >= ${L(1e-150)} THEN ${a} * ${b} WHEN ln(${a}) + ln(${b}) < ${L(-745)} THEN ${L(0)} ELSE ${a} * ${b} END`
  /** q^γ · w for q, w ≥ 0, γ > 0. */
  const focal = (gamma: number, qq: string, w: string): string =>
    `CASE WHEN ${qq} <= 0 OR ${w} <= 0 THEN ${L(0)} WHEN ${L(gamma)} * ln(${qq}) < ${L(-745)} OR ${L(gamma)} * ln(${qq}) + ln(${w}) < ${L(-745)} THEN ${L(0)} ELSE power(${qq}, ${L(gamma)}) * ${w} END`
  const power = (qq: string, exponent: number): string =>
    `CASE WHEN ${qq} <= 0 THEN ${L(0)} WHEN ${L(exponent)} * ln(${qq}) < ${L(-745)} THEN ${L(0)} ELSE power(${qq}, ${L(exponent)}) END`
  const clampLow = L(eps)
  const clampHigh = L(1 - eps)
  const clamp = (p: string): string =>
    `CASE WHEN ${p} < ${clampLow} THEN ${clampLow} WHEN ${p} > ${clampHigh} THEN ${clampHigh} ELSE ${p} END`
  const clamped = (p: string): string => `CASE WHEN ${p} < ${clampLow} OR ${p} > ${clampHigh} THEN 1 ELSE 0 END`

  // ---- CTEs.
  const ctes: string[] = []
  ctes.push(`raw AS (\n  SELECT ${raw.join(',\n    ')}\n  FROM ${fromItem(spec.from)}\n)`)
  ctes.push(
    `typed AS (\n  SELECT raw.*, ${classIndex} AS li${rowSum === null ? '' : `, ${rowSum} AS rsum`}\n  FROM raw\n)`,
  )
  ctes.push(`checked AS (\n  SELECT typed.*, ${bad} AS bad\n  FROM typed\n)`)
  // Used rows keep their values; others get harmless ones (0), so no function sees a value it refuses.
  const keep = (c: string, otherwise = L(0)): string => `CASE WHEN bad = 0 THEN ${c} ELSE ${otherwise} END`
  const rowFacts: string[] = ['bad']
  if (rowSum !== null) {
    rowFacts.push(
      `CASE WHEN bad = 0 OR bad = ${SKIP_CODES['row-sum']} THEN abs(rsum - ${L(1)}) END AS dev`,
      `CASE WHEN bad = 0 AND abs(rsum - ${L(1)}) > ${L(rowSumTolerance)} THEN 1 ELSE 0 END AS renormalized`,
      `CASE WHEN bad = 0 AND abs(rsum - ${L(1)}) > ${L(rowSumTolerance)} THEN ${L(1)} / rsum ELSE ${L(1)} END AS scale`,
    )
  }
  if (logits) {
    rowFacts.push(`CASE WHEN bad = 0 THEN least(${s.join(', ')}) END AS smin`)
    rowFacts.push(`CASE WHEN bad = 0 THEN greatest(${s.join(', ')}) END AS smax`)
    if (task === 'multiclass') rowFacts.push(`CASE WHEN bad = 0 THEN ${s.join(' + ')} END AS ssum`)
  }
  if (multilabel && !long) {
    rowFacts.push(`CASE WHEN bad = 0 AND ${t.map((c) => `${c} = 0`).join(' AND ')} THEN 1 ELSE 0 END AS background`)
  }
  rowFacts.push(
    `${keep('li', '0')} AS li`,
    ...s.map((c) => `${keep(c)} AS ${c}`),
    ...t.map((c) => `${keep(c)} AS ${c}`),
  )
  ctes.push(`clean AS (\n  SELECT ${rowFacts.join(',\n    ')}\n  FROM checked\n)`)

  // Per element: ce, q = 1 − p_t, pt, the class j, the target y (multi-label), clamped values.
  const element: string[] = []
  let elementFrom = 'clean'
  if (task === 'binary' && logits) {
    ctes.push(`m1 AS (\n  SELECT clean.*, CASE WHEN li = 1 THEN s0 ELSE -s0 END AS m\n  FROM clean\n)`)
    ctes.push(`m2 AS (\n  SELECT m1.*, ${exp('-abs(m)')} AS e\n  FROM m1\n)`)
    elementFrom = 'm2'
    element.push(
      `greatest(-m, ${L(0)}) + ${log1p('e')} AS ce`,
      `CASE WHEN m >= 0 THEN ${ratio('e')} ELSE ${L(1)} / (${L(1)} + e) END AS q`,
      `CASE WHEN m >= 0 THEN ${L(1)} / (${L(1)} + e) ELSE ${ratio('e')} END AS pt`,
      'li AS j',
      '0 AS clamps',
    )
  } else if (!multilabel && !logits) {
    // Probabilities: the label's (binary: the one score), rescaled under --row-sum renormalize, clamped.
    const pick = task === 'binary' ? 's0' : `(CASE li ${s.map((c, j) => `WHEN ${j} THEN ${c}`).join(' ')} END) * scale`
    ctes.push(`p1 AS (\n  SELECT clean.*, ${pick} AS praw\n  FROM clean\n)`)
    ctes.push(
      `p2 AS (\n  SELECT p1.*, ${clamp('praw')} AS p, CASE WHEN bad = 0 THEN ${clamped('praw')} ELSE 0 END AS clamps\n  FROM p1\n)`,
    )
    elementFrom = 'p2'
    const labelZero = task === 'binary' ? 'li = 0' : 'FALSE'
    element.push(
      `-ln(CASE WHEN ${labelZero} THEN ${L(1)} - p ELSE p END) AS ce`,
      `CASE WHEN ${labelZero} THEN p ELSE ${L(1)} - p END AS q`,
      `CASE WHEN ${labelZero} THEN ${L(1)} - p ELSE p END AS pt`,
      'li AS j',
      'clamps',
    )
  } else if (task === 'multiclass') {
    const own = `CASE li ${s.map((c, j) => `WHEN ${j} THEN ${c}`).join(' ')} END`
    ctes.push(`x1 AS (\n  SELECT clean.*, greatest(${s.join(', ')}) AS mx, ${own} AS xy\n  FROM clean\n)`)
    const others = s.map((c, j) => `CASE WHEN li = ${j} THEN ${L(0)} ELSE ${exp(`${c} - mx`)} END`)
    ctes.push(
      `x2 AS (\n  SELECT x1.*, ${exp('xy - mx')} AS own,\n    ${others.join('\n    + ')} AS others\n  FROM x1\n)`,
    )
    elementFrom = 'x2'
    element.push(
      `CASE WHEN xy = mx THEN ${log1p('others')} ELSE ln(own + others) + (mx - xy) END AS ce`,
      `others / (own + others) AS q`,
      `CASE WHEN own < ${L(1e-300)} THEN ${L(0)} ELSE own / (own + others) END AS pt`,
      'li AS j',
      '0 AS clamps',
    )
  } else {
    // Multi-label: one element per (row, class column), or per row (long); x the score, y the target.
    if (long) {
      ctes.push(`ml AS (\n  SELECT clean.*, li AS j, s0 AS x, t0 AS y\n  FROM clean\n)`)
    } else {
      const pickScore = `CASE k.j ${s.map((c, j) => `WHEN ${j} THEN ${c}`).join(' ')} END`
      const pickTarget = `CASE k.j ${t.map((c, j) => `WHEN ${j} THEN ${c}`).join(' ')} END`
      ctes.push(
        `ml AS (\n  SELECT clean.*, k.j AS j, ${pickScore} AS x, ${pickTarget} AS y\n  FROM clean CROSS JOIN ${d.numbers(K, 'k')}\n)`,
      )
    }
    if (logits) {
      ctes.push(`e1 AS (\n  SELECT ml.*, ${exp('-abs(x)')} AS e\n  FROM ml\n)`)
      ctes.push(
        `e2 AS (\n  SELECT e1.*,\n    CASE WHEN x >= 0 THEN ${L(1)} / (${L(1)} + e) ELSE ${ratio('e')} END AS p,\n    CASE WHEN x >= 0 THEN ${ratio('e')} ELSE ${L(1)} / (${L(1)} + e) END AS p1,\n    ${log1p('e')} AS sp,\n    0 AS clamps\n  FROM e1\n)`,
      )
      ctes.push(
        `e3 AS (\n  SELECT e2.*,\n    CASE WHEN x >= 0 THEN sp ELSE sp - x END AS lpos,\n    CASE WHEN x >= 0 THEN sp + x ELSE sp END AS lneg\n  FROM e2\n)`,
      )
    } else {
      ctes.push(
        `e2 AS (\n  SELECT ml.*, ${clamp('x')} AS p, ${L(1)} - ${clamp('x')} AS p1, CASE WHEN bad = 0 THEN ${clamped('x')} ELSE 0 END AS clamps\n  FROM ml\n)`,
      )
      ctes.push(`e3 AS (\n  SELECT e2.*, -ln(p) AS lpos, -ln(p1) AS lneg\n  FROM e2\n)`)
    }
    elementFrom = 'e3'
    const soft = (pos: string, neg: string): string =>
      `CASE WHEN y = 1 THEN ${pos} WHEN y = 0 THEN ${neg} ELSE ${product('y', pos)} + ${product(`(${L(1)} - y)`, neg)} END`
    element.push(
      `${soft('lpos', 'lneg')} AS ce`,
      `${soft('p1', 'p')} AS q`,
      `${soft('p', 'p1')} AS pt`,
      'j',
      'y',
      'clamps',
    )
  }
  ctes.push(`el AS (\n  SELECT bad, ${element.join(',\n    ')}\n  FROM ${elementFrom}\n)`)
  const bucket = multilabel
    ? `4 * j + CASE WHEN y > 0 THEN 0 ELSE 2 END + CASE WHEN pt > ${L(easyThreshold)} THEN 0 ELSE 1 END`
    : `2 * j + CASE WHEN pt > ${L(easyThreshold)} THEN 0 ELSE 1 END`
  const terms = [`ce AS w_ce`]
  settings.gammas.forEach((gamma, g) => terms.push(`${gamma === 0 ? 'ce' : focal(gamma, 'q', 'ce')} AS w_f${g}`))
  ctes.push(
    `terms AS (\n  SELECT ${bucket} AS bucket, q, ce${multilabel ? ', y' : ''},\n    ${terms.join(',\n    ')}\n  FROM el\n  WHERE bad = 0\n)`,
  )

  // ---- the result: one row per bucket, one of input facts, one per reason rows were left out for.
  const W = format.width
  const pad = (values: string[]): string =>
    [...values, ...Array.from({length: W - values.length}, () => `CAST(NULL AS ${d.double})`)]
      .map((v, i) => `${v} AS v${i}`)
      .join(', ')
  const sum = (x: string): string => `${dbl(`${d.sum}(${x})`)}`
  const breakdownValues = [sum('w_ce'), ...settings.gammas.map((_, g) => sum(`w_f${g}`))]
  if (multilabel) {
    breakdownValues.push(sum(product('y', 'ce')))
    settings.gammas.forEach((_, g) => breakdownValues.push(sum(product('y', `w_f${g}`))))
  }
  if (settings.loss === 'poly1') settings.gammas.forEach((g) => breakdownValues.push(sum(power('q', g + 1))))
  const nullBig = `CAST(NULL AS ${d.bigint})`
  const selects = [
    `SELECT ${d.string('breakdown')} AS section, ${big('bucket')} AS k1, ${nullBig} AS k2, ${big('count(*)')} AS n, ${pad(breakdownValues)}\nFROM terms\nGROUP BY bucket`,
  ]
  const none = `CAST(NULL AS ${d.double})`
  const rowFacts_ = [
    `sum(CASE WHEN bad = 0 THEN 1 ELSE 0 END) AS used`,
    multilabel && !long ? `sum(background) AS background` : `0 AS background`,
    rowSum === null ? `${none} AS dev` : `max(dev) AS dev`,
    rowSum === null ? `0 AS renormalized` : `sum(renormalized) AS renormalized`,
    logits ? `min(smin) AS smin` : `${none} AS smin`,
    logits ? `max(smax) AS smax` : `${none} AS smax`,
    logits && task === 'multiclass' ? `min(ssum) AS rmin` : `${none} AS rmin`,
    logits && task === 'multiclass' ? `max(ssum) AS rmax` : `${none} AS rmax`,
  ]
  const facts = ['background', 'clamps', 'dev', 'renormalized', 'smin', 'smax', 'rmin', 'rmax'].map(dbl)
  // Row facts from `clean` (one row per input row); clamped values per element, of used rows, from `el`.
  selects.push(
    `SELECT ${d.string('input')} AS section, ${big('0')} AS k1, ${nullBig} AS k2, ${big('used')} AS n, ${pad(facts)}\nFROM (SELECT ${rowFacts_.join(', ')} FROM clean) AS row_facts\nCROSS JOIN (SELECT sum(clamps) AS clamps FROM el WHERE bad = 0) AS element_facts`,
  )
  selects.push(
    `SELECT ${d.string('skipped')} AS section, ${big('bad')} AS k1, ${nullBig} AS k2, ${big('count(*)')} AS n, ${pad([])}\nFROM clean\nWHERE bad > 0\nGROUP BY bad`,
  )
  const header = `-- focalscope sql (${d.name}${d.executedInTests ? '' : ", not executed in focalscope's tests"}): the partial state's sums of ${spec.from.replace(/\s+/g, ' ').slice(0, 80)}`
  return {sql: `${header}\nWITH\n${ctes.join(',\n')}\n${selects.join('\nUNION ALL\n')}\n`, format}
}
