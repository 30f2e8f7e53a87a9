/**
 * Which columns of a file are the labels, the scores and the ids, and which task and score kind they mean:
 * from the column names and the flags (resolveLayout), the same for CSV, Arrow and Parquet. Every layout the
 * README's input table lists is told apart here, with the one-line errors that name what was expected.
 *
 * One file of ~520 lines: the layouts are told apart by the same name rules (prefixes, `target_` columns,
 * list columns) and must not overlap; side by side, an ambiguous file is seen to reach one layout only.
 */
import {UsageError} from '../core/errors.js'
import type {ScoreKind, Task} from '../core/kinds.js'

/** A column as the layout detector sees it: its name and, for Arrow, whether it is a list of K scores. */
export interface ColumnInfo {
  name: string
  /** K for an Arrow FixedSizeList column; undefined for scalar columns. */
  listSize?: number
}

export interface LayoutFlags {
  labelCol: string
  scoreCol?: string
  scorePrefix?: string
  scores?: ScoreKind
  /** Multi-label wide: prefix of the K target columns (default: detected, `target_` / `targets_`). */
  targetPrefix?: string
  /** Long layout: the class column (one row per element: class, score, target). */
  classCol?: string
  /** Long layout: the target column (default `target`); Arrow list layout: the list of K targets. */
  targetCol?: string
  /**
   * Binary layout: read the label column as a soft target y in [0, 1] (one sigmoid element per row, BCE
   * with soft targets) instead of refusing labels other than 0 and 1.
   */
  softLabels?: boolean
  /** Class names in index order; the long layout takes its classes from here. */
  classNames?: string[]
  /**
   * --score-cols: the K score columns, in class order, named explicitly — a header of bare class names or
   * numbers as pandas writes it (`label,0,1,…,9`, `label,airplane,…,truck`). One column is the binary layout.
   */
  scoreCols?: string[]
  /** --ignore-cols: columns left out before the layout is detected (ids, metadata that look like scores). */
  ignoreCols?: string[]
  /** --id-col: a column of row ids (any type, kept as text), left out of the layout as --ignore-cols are. */
  idCol?: string
}

/**
 * Which columns hold what, resolved once from the header (CSV) or schema (Arrow).
 * Wide: `scoreColumns` lists 1 (binary) or K (multi-class) columns. List: `listColumn` holds K scores.
 */
export interface Layout {
  task: Task
  scores: ScoreKind
  labelColumn: string
  scoreColumns: string[]
  listColumn?: string
  classes: string[]
  /**
   * Multi-label only. 'wide': `scoreColumns` holds K score columns then K target columns and there is no
   * label column (`labelColumn` is ''); in the Arrow list form `scoreColumns` is empty and `listColumn` /
   * `targetListColumn` hold the K scores / K targets. 'long': one element per row, `labelColumn` is the
   * class column and `scoreColumns` is [score, target]. Either way a chunk row is K scores then K targets.
   * A binary file read with --soft-labels is 'wide' with K = 1: `scoreColumns` is [score, label].
   */
  elementLayout?: 'wide' | 'long'
  /** Multi-label Arrow list form: the FixedSizeList column of K targets (next to `listColumn`). */
  targetListColumn?: string
  /**
   * How label values become class indices. 'index': an integer in [0, K) (binary: 0 or 1).
   * 'name': a class name from `classes` (an integer index is also accepted when no class name is numeric).
   */
  labelKind: 'index' | 'name'
  /** --id-col: the column whose value names each row in `--top` lists and `--rows-out` files. */
  idColumn?: string
}

const SINGLE_SCORE_NAMES = ['logit', 'logits', 'prob', 'probs', 'probability', 'score', 'scores']
const SCORE_PREFIXES = ['logit_', 'logits_', 'prob_', 'probs_', 'score_', 'scores_']

function scoreKindFromName(name: string): ScoreKind | undefined {
  const lower = name.toLowerCase()
  if (lower.startsWith('logit')) return 'logits'
  if (lower.startsWith('prob')) return 'probs'
  return undefined
}

function list(names: string[]): string {
  const shown = names.slice(0, 12).join(', ')
  return names.length > 12 ? `${shown}, … (${names.length} in all)` : shown
}

const TARGET_PREFIXES = ['target_', 'targets_']

function withPrefix(columns: ColumnInfo[], prefix: string): ColumnInfo[] {
  return columns.filter((c) => c.name.startsWith(prefix) && c.name.length > prefix.length)
}

function kindOrFail(flags: LayoutFlags, name: string, source: string): ScoreKind {
  const scores = flags.scores ?? scoreKindFromName(name)
  if (scores === undefined) {
    throw new UsageError(
      `${source}: cannot tell whether "${name}" holds logits or probabilities; pass --scores logits|probs`,
    )
  }
  return scores
}

/** Names that make a list column the targets of a multi-label list layout (besides --label-col, --target-col). */
const TARGET_LIST_NAMES = ['target', 'targets', 'label', 'labels']

/**
 * The Arrow list form of the multi-label layout, or null when there is no list of targets: a FixedSizeList
 * of K scores (`logits`, `probs`, … or --score-col) next to a FixedSizeList of K targets (--target-col,
 * else the label column or one named target(s) / label(s) — a multi-hot label list is a target list).
 */
function resolveListMultilabelLayout(columns: ColumnInfo[], flags: LayoutFlags, source: string): Layout | null {
  const lists = columns.filter((c) => c.listSize !== undefined)
  if (lists.length === 0) return null
  let target: ColumnInfo | undefined
  if (flags.targetCol !== undefined) {
    // A scalar --target-col is the long layout's.
    target = lists.find((c) => c.name === flags.targetCol)
    if (!target) return null
  } else {
    const named = lists.filter((c) => c.name === flags.labelCol || TARGET_LIST_NAMES.includes(c.name.toLowerCase()))
    if (named.length === 0) return null
    if (named.length > 1) {
      throw new UsageError(
        `${source}: both ${named.map((c) => `"${c.name}"`).join(' and ')} look like lists of targets; pass --target-col NAME`,
      )
    }
    target = named[0]
  }
  const names = columns.map((c) => c.name)
  const others = lists.filter((c) => c !== target)
  let score: ColumnInfo | undefined
  if (flags.scoreCol !== undefined) {
    score = columns.find((c) => c.name === flags.scoreCol && c !== target)
    if (!score) throw new UsageError(`${source}: no score column "${flags.scoreCol}" (columns: ${list(names)})`)
    if (score.listSize === undefined) {
      throw new UsageError(
        `${source}: expected --score-col "${score.name}" to be a FixedSizeList of K scores, as the targets "${target.name}" are a list`,
      )
    }
  } else {
    const scoreLists = others.filter((c) => SINGLE_SCORE_NAMES.includes(c.name.toLowerCase()))
    if (scoreLists.length === 0) {
      throw new UsageError(
        `${source}: expected a FixedSizeList score column ("logits", "probs", "scores" or --score-col) next to the list of targets "${target.name}" (columns: ${list(names)})`,
      )
    }
    if (scoreLists.length > 1) {
      throw new UsageError(
        `${source}: both ${scoreLists.map((c) => `"${c.name}"`).join(' and ')} look like lists of scores; pass --score-col NAME`,
      )
    }
    score = scoreLists[0]
  }
  const k = score.listSize as number
  if (target.listSize !== k) {
    throw new UsageError(
      `${source}: expected the list of scores "${score.name}" and the list of targets "${target.name}" to have the same length K, got ${k} and ${target.listSize}`,
    )
  }
  if (k < 1) throw new UsageError(`${source}: list column "${score.name}" holds no scores`)
  if (flags.classCol !== undefined) {
    throw new UsageError(
      `${source}: --class-col "${flags.classCol}": the list layout ("${score.name}", "${target.name}") has no class column`,
    )
  }
  return {
    task: 'multilabel',
    scores: kindOrFail(flags, score.name, source),
    labelColumn: '',
    scoreColumns: [],
    listColumn: score.name,
    targetListColumn: target.name,
    classes: Array.from({length: k}, (_, i) => String(i)),
    elementLayout: 'wide',
    labelKind: 'index',
  }
}

/**
 * Multi-label layouts, or null when the columns are not one:
 * - list (Arrow): a FixedSizeList of K scores and one of K targets (see resolveListMultilabelLayout).
 * - long: a class column (`--class-col`, or "class" when there is no label column), one score column and
 *   a target column (`--target-col`, default "target"); the classes come from --class-names.
 * - wide: K score columns and K target columns with the same suffixes (`logit_car`, `target_car`, …).
 */
function resolveMultilabelLayout(
  columns: ColumnInfo[],
  flags: LayoutFlags,
  source: string,
  seen: Set<string>,
): Layout | null {
  const listLayout = resolveListMultilabelLayout(columns, flags, source)
  if (listLayout) return listLayout
  const names = columns.map((c) => c.name)
  const targetCol = flags.targetCol ?? 'target'
  const classCol =
    flags.classCol ?? (!seen.has(flags.labelCol) && seen.has('class') && seen.has(targetCol) ? 'class' : undefined)
  if (classCol !== undefined) {
    if (!seen.has(classCol)) throw new UsageError(`${source}: no class column "${classCol}" (columns: ${list(names)})`)
    if (!seen.has(targetCol)) {
      throw new UsageError(
        `${source}: no target column "${targetCol}" (columns: ${list(names)}); pass --target-col NAME`,
      )
    }
    const rest = columns.filter((c) => c.name !== classCol && c.name !== targetCol)
    const score =
      flags.scoreCol !== undefined
        ? rest.find((c) => c.name === flags.scoreCol)
        : rest.find((c) => SINGLE_SCORE_NAMES.includes(c.name.toLowerCase()))
    if (!score) {
      throw new UsageError(
        `${source}: expected a score column ("logit", "prob", "score" or --score-col) next to "${classCol}" and "${targetCol}" (columns: ${list(names)})`,
      )
    }
    const classes = flags.classNames
    if (!classes || classes.length < 1) {
      throw new UsageError(
        `${source}: the long layout (one row per class and element) needs the class list: pass --class-names "a,b,…" or @FILE`,
      )
    }
    return {
      task: 'multilabel',
      scores: kindOrFail(flags, score.name, source),
      labelColumn: classCol,
      scoreColumns: [score.name, targetCol],
      classes,
      elementLayout: 'long',
      labelKind: classes.every((name, i) => name === String(i)) ? 'index' : 'name',
    }
  }
  const targetPrefix = flags.targetPrefix ?? TARGET_PREFIXES.find((p) => withPrefix(columns, p).length >= 1)
  if (targetPrefix === undefined) return null
  const targets = withPrefix(columns, targetPrefix)
  if (targets.length === 0) {
    throw new UsageError(`${source}: expected columns named "${targetPrefix}…", found none (columns: ${list(names)})`)
  }
  const rest = columns.filter((c) => !targets.includes(c))
  const suffixes = targets.map((c) => c.name.slice(targetPrefix.length))
  const scorePrefix =
    flags.scorePrefix ?? SCORE_PREFIXES.find((p) => suffixes.every((suffix) => rest.some((c) => c.name === p + suffix)))
  if (scorePrefix === undefined) {
    throw new UsageError(
      `${source}: expected a score column for each target column (e.g. "logit_${suffixes[0]}" for "${targets[0].name}"); pass --score-prefix`,
    )
  }
  const missing = suffixes.find((suffix) => !seen.has(scorePrefix + suffix))
  if (missing !== undefined) {
    throw new UsageError(`${source}: no score column "${scorePrefix}${missing}" for target "${targetPrefix}${missing}"`)
  }
  return {
    task: 'multilabel',
    scores: kindOrFail(flags, scorePrefix, source),
    labelColumn: '',
    scoreColumns: [...suffixes.map((suffix) => scorePrefix + suffix), ...targets.map((c) => c.name)],
    classes: suffixes,
    elementLayout: 'wide',
    labelKind: 'index',
  }
}

/**
 * For a file without a label column: a prefix other than the score columns' whose columns have exactly
 * their suffixes — multi-label targets under a name the detector does not know (`y_a, y_b` next to
 * `logit_a, logit_b`), which `--target-prefix` reads. Undefined when there is none.
 */
function targetPrefixHint(columns: ColumnInfo[], scorePrefix?: string): {score: string; target: string} | undefined {
  const names = new Set(columns.map((c) => c.name))
  for (const score of scorePrefix !== undefined ? [scorePrefix] : SCORE_PREFIXES) {
    const suffixes = withPrefix(columns, score).map((c) => c.name.slice(score.length))
    if (suffixes.length === 0) continue
    for (const {name} of columns) {
      if (name.startsWith(score) || !name.endsWith(suffixes[0]) || name.length === suffixes[0].length) continue
      const target = name.slice(0, name.length - suffixes[0].length)
      if (SCORE_PREFIXES.includes(target)) continue
      if (suffixes.every((suffix) => names.has(target + suffix))) return {score, target}
    }
  }
  return undefined
}

/**
 * The layout --score-cols names: its columns are the K scores in class order, the classes their names
 * (a score prefix they all share, as in `logit_a,logit_b`, is left out of the class names); one column
 * is the binary layout, as --score-col.
 */
function explicitScoreLayout(columns: ColumnInfo[], flags: LayoutFlags, source: string): Layout {
  const scoreCols = flags.scoreCols as string[]
  const names = columns.map((c) => c.name)
  if (flags.scoreCol !== undefined || flags.scorePrefix !== undefined) {
    throw new UsageError(`${source}: pass --score-cols alone, not with --score-col or --score-prefix`)
  }
  for (const name of scoreCols) {
    const column = columns.find((c) => c.name === name)
    if (!column) throw new UsageError(`${source}: --score-cols: no column "${name}" (columns: ${list(names)})`)
    if (name === flags.labelCol) {
      throw new UsageError(
        `${source}: --score-cols: "${name}" is the label column (--label-col); name only score columns`,
      )
    }
    if (column.listSize !== undefined && scoreCols.length > 1) {
      throw new UsageError(`${source}: --score-cols: "${name}" is a list column; pass it alone as --score-col`)
    }
  }
  if (scoreCols.length === 1)
    return resolveScoreLayout(columns, {...flags, scoreCols: undefined, scoreCol: scoreCols[0]}, source)
  if (!names.includes(flags.labelCol)) {
    throw new UsageError(
      `${source}: no label column "${flags.labelCol}" (columns: ${list(names)}); pass --label-col NAME`,
    )
  }
  if (flags.softLabels) {
    throw new UsageError(
      `${source}: --soft-labels: expected a binary layout (a label column and one score column), got ${scoreCols.length} score columns`,
    )
  }
  const prefix = SCORE_PREFIXES.find((p) => scoreCols.every((name) => name.startsWith(p) && name.length > p.length))
  const scores = flags.scores ?? scoreKindFromName(prefix ?? scoreCols[0])
  if (scores === undefined) {
    throw new UsageError(
      `${source}: cannot tell whether the --score-cols columns ("${scoreCols[0]}", …) hold logits or probabilities; pass --scores logits|probs`,
    )
  }
  const classes = prefix ? scoreCols.map((name) => name.slice(prefix.length)) : [...scoreCols]
  return {
    task: 'multiclass',
    scores,
    labelColumn: flags.labelCol,
    scoreColumns: [...scoreCols],
    classes,
    labelKind: classes.every((name, i) => name === String(i)) ? 'index' : 'name',
  }
}

/**
 * Picks the task, the score columns and the score kind from the column names and the flags. The --id-col
 * column is left out of the detection (an `id` of numbers must not become a score) and named in the layout.
 */
export function resolveLayout(allColumns: ColumnInfo[], flags: LayoutFlags, source: string): Layout {
  const {idCol} = flags
  if (idCol === undefined) return resolveScoreLayout(allColumns, flags, source)
  if (!allColumns.some((c) => c.name === idCol)) {
    throw new UsageError(`${source}: --id-col: no column "${idCol}" (columns: ${list(allColumns.map((c) => c.name))})`)
  }
  if (idCol === flags.labelCol) {
    throw new UsageError(`${source}: --id-col "${idCol}" is the label column (--label-col): expected another column`)
  }
  const ignoreCols = [...(flags.ignoreCols ?? []).filter((name) => name !== idCol), idCol]
  return {...resolveScoreLayout(allColumns, {...flags, ignoreCols}, source), idColumn: idCol}
}

function resolveScoreLayout(allColumns: ColumnInfo[], flags: LayoutFlags, source: string): Layout {
  const seen = new Set<string>()
  for (const {name} of allColumns) {
    if (seen.has(name)) throw new UsageError(`${source}: column "${name}" appears more than once in the header`)
    seen.add(name)
  }
  let columns = allColumns
  if (flags.ignoreCols !== undefined && flags.ignoreCols.length > 0) {
    const ignored = new Set(flags.ignoreCols)
    const missing = flags.ignoreCols.find((name) => !seen.has(name))
    if (missing !== undefined) {
      throw new UsageError(
        `${source}: --ignore-cols: no column "${missing}" (columns: ${list(allColumns.map((c) => c.name))})`,
      )
    }
    columns = allColumns.filter((c) => !ignored.has(c.name))
    for (const name of ignored) seen.delete(name)
  }
  if (flags.scoreCols !== undefined && flags.scoreCols.length > 0) return explicitScoreLayout(columns, flags, source)
  const names = columns.map((c) => c.name)
  const multilabel = resolveMultilabelLayout(columns, flags, source, seen)
  if (multilabel) return multilabel
  if (!seen.has(flags.labelCol)) {
    const targets = targetPrefixHint(columns, flags.scorePrefix)
    const hint = targets
      ? `"${targets.target}…" match the score columns "${targets.score}…" class for class: for multi-label targets pass --target-prefix ${targets.target} (or --label-col NAME)`
      : 'pass --label-col NAME'
    throw new UsageError(`${source}: no label column "${flags.labelCol}" (columns: ${list(names)}); ${hint}`)
  }
  const candidates = columns.filter((c) => c.name !== flags.labelCol)

  let single: ColumnInfo | undefined
  let prefix: string | undefined
  let wide: ColumnInfo[] = []
  if (flags.scoreCol !== undefined) {
    single = candidates.find((c) => c.name === flags.scoreCol)
    if (!single) throw new UsageError(`${source}: no score column "${flags.scoreCol}" (columns: ${list(names)})`)
  } else if (flags.scorePrefix !== undefined) {
    prefix = flags.scorePrefix
    wide = candidates.filter((c) => c.name.startsWith(prefix as string) && c.name.length > (prefix as string).length)
    if (wide.length < 2) {
      throw new UsageError(
        `${source}: expected at least 2 columns named "${prefix}…", found ${wide.length} (columns: ${list(names)})`,
      )
    }
  } else {
    const singles = candidates.filter((c) => SINGLE_SCORE_NAMES.includes(c.name.toLowerCase()))
    const groups = SCORE_PREFIXES.map((p) => ({
      p,
      cols: candidates.filter((c) => c.name.startsWith(p) && c.name.length > p.length),
    })).filter((g) => g.cols.length >= 2)
    const found = singles.length + groups.length
    if (found === 0) {
      throw new UsageError(
        `${source}: no score columns found (columns: ${list(names)}); expected "logit", "prob" or "score" ` +
          `(binary) or "logit_0 … logit_K" / "prob_<class> …" (multi-class); pass --score-col or --score-prefix` +
          (candidates.length >= 2 ? ' (or, for bare class names or numbers as pandas writes them, --score-cols)' : ''),
      )
    }
    if (found > 1) {
      const what = [...singles.map((c) => `"${c.name}"`), ...groups.map((g) => `"${g.p}…"`)].join(' and ')
      throw new UsageError(`${source}: both ${what} look like scores; pass --score-col or --score-prefix`)
    }
    if (singles.length === 1) single = singles[0]
    else {
      prefix = groups[0].p
      wide = groups[0].cols
    }
  }

  const kindSource = single ? single.name : (prefix as string)
  const scores = flags.scores ?? scoreKindFromName(kindSource)
  if (scores === undefined) {
    throw new UsageError(
      `${source}: cannot tell whether "${kindSource}" holds logits or probabilities; pass --scores logits|probs`,
    )
  }

  if (flags.softLabels && !single) {
    throw new UsageError(
      `${source}: --soft-labels: expected a binary layout (a label column and one score column), got ${wide.length} score columns ` +
        '(multi-class labels are class indices; multi-label target columns take values in [0, 1] without the flag)',
    )
  }
  if (single && single.listSize !== undefined) {
    if (flags.softLabels) {
      throw new UsageError(
        `${source}: --soft-labels: expected a binary layout (a label column and one score column), got the list "${single.name}"`,
      )
    }
    if (single.listSize < 2) throw new UsageError(`${source}: list column "${single.name}" has fewer than 2 scores`)
    return {
      task: 'multiclass',
      scores,
      labelColumn: flags.labelCol,
      scoreColumns: [],
      listColumn: single.name,
      classes: Array.from({length: single.listSize}, (_, i) => String(i)),
      labelKind: 'index',
    }
  }
  if (single && flags.softLabels) {
    // One sigmoid element per row with target y = the label: the multi-label maths with K = 1, which is
    // BCE with soft targets (and, for labels 0 and 1, the binary task's exact doubles). The one class is
    // the positive class, named "1" as in a binary report.
    return {
      task: 'multilabel',
      scores,
      labelColumn: '',
      scoreColumns: [single.name, flags.labelCol],
      classes: ['1'],
      elementLayout: 'wide',
      labelKind: 'index',
    }
  }
  if (single) {
    return {
      task: 'binary',
      scores,
      labelColumn: flags.labelCol,
      scoreColumns: [single.name],
      classes: ['0', '1'],
      labelKind: 'index',
    }
  }
  const classes = wide.map((c) => c.name.slice((prefix as string).length))
  const isIndexOrder = classes.every((name, i) => name === String(i))
  return {
    task: 'multiclass',
    scores,
    labelColumn: flags.labelCol,
    scoreColumns: wide.map((c) => c.name),
    classes,
    labelKind: isIndexOrder ? 'index' : 'name',
  }
}

/** Maps label text to a class index for 'name' layouts; -1 when it is not a known class. */
export function makeLabelLookup(layout: Layout): (text: string) => number {
  const byName = new Map(layout.classes.map((name, i) => [name, i]))
  const namesAreNumeric = layout.classes.some((name) => /^\s*-?\d+(\.\d*)?\s*$/.test(name))
  return (text: string): number => {
    const found = byName.get(text) ?? byName.get(text.trim())
    if (found !== undefined) return found
    if (!namesAreNumeric && /^\s*\d+\s*$/.test(text)) {
      const index = Number(text)
      if (index < layout.classes.length) return index
    }
    return -1
  }
}

/**
 * The message for a label `value` the layout cannot take. A binary label strictly between 0 and 1 looks
 * like a soft target: say which flag reads it as one (it is never rounded).
 */
export function badLabelMessage(layout: Layout, value: number, shown: string): string {
  const hint =
    layout.task === 'binary' && value > 0 && value < 1
      ? ' (pass --soft-labels to read labels in [0, 1] as soft targets)'
      : ''
  return `${expectedLabel(layout)}, got ${shown}${hint}`
}

/** The message for a label that names no class. */
export function expectedLabel(layout: Layout): string {
  if (layout.task === 'binary') return 'expected 0 or 1'
  const k = layout.classes.length
  if (layout.labelKind === 'index') return `expected a class index from 0 to ${k - 1}`
  return `expected a class name (${list(layout.classes)}) or an index from 0 to ${k - 1}`
}
