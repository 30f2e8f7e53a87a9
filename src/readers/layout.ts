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

/** Picks the task, the score columns and the score kind from the column names and the flags. */
export function resolveLayout(columns: ColumnInfo[], flags: LayoutFlags, source: string): Layout {
  const names = columns.map((c) => c.name)
  const seen = new Set<string>()
  for (const name of names) {
    if (seen.has(name)) throw new UsageError(`${source}: column "${name}" appears more than once in the header`)
    seen.add(name)
  }
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
