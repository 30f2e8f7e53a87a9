import {UsageError} from '../core/errors.js'
import type {ScoreKind, Task} from '../core/result.js'

/** A column as the layout detector sees it: its name and, for Arrow, whether it is a list of K scores. */
export interface ColumnInfo {
  name: string
  /** K for an Arrow FixedSizeList<Float> column; undefined for scalar columns. */
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
  /** Long layout: the target column (default `target`). */
  targetCol?: string
  /** Class names in index order; the long layout takes its classes from here. */
  classNames?: string[]
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
   * label column (`labelColumn` is ''). 'long': one element per row, `labelColumn` is the class column and
   * `scoreColumns` is [score, target].
   */
  elementLayout?: 'wide' | 'long'
  /**
   * How label values become class indices. 'index': an integer in [0, K) (binary: 0 or 1).
   * 'name': a class name from `classes` (an integer index is also accepted when no class name is numeric).
   */
  labelKind: 'index' | 'name'
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

/**
 * Multi-label layouts, or null when the columns are not one:
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

/** Picks the task, the score columns and the score kind from the column names and the flags. */
export function resolveLayout(columns: ColumnInfo[], flags: LayoutFlags, source: string): Layout {
  const names = columns.map((c) => c.name)
  const seen = new Set<string>()
  for (const name of names) {
    if (seen.has(name)) throw new UsageError(`${source}: column "${name}" appears more than once in the header`)
    seen.add(name)
  }
  const multilabel = resolveMultilabelLayout(columns, flags, source, seen)
  if (multilabel) return multilabel
  if (!seen.has(flags.labelCol)) {
    throw new UsageError(
      `${source}: no label column "${flags.labelCol}" (columns: ${list(names)}); pass --label-col NAME`,
    )
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
          `(binary) or "logit_0 … logit_K" / "prob_<class> …" (multi-class); pass --score-col or --score-prefix`,
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

  if (single && single.listSize !== undefined) {
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

/** The message for a label that names no class. */
export function expectedLabel(layout: Layout): string {
  if (layout.task === 'binary') return 'expected 0 or 1'
  const k = layout.classes.length
  if (layout.labelKind === 'index') return `expected a class index from 0 to ${k - 1}`
  return `expected a class name (${list(layout.classes)}) or an index from 0 to ${k - 1}`
}
