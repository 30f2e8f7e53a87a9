/**
 * The concentration section: for every γ and group, how much of the group's loss its hardest samples carry,
 * read off the histogram sketch (core/evaluators/concentration.ts) — each bucket's elements at its
 * representative loss, buckets hardest first — and normalised by the group's exact loss from the breakdown.
 *
 * Error bound: every element's representative value is within a factor ρ of its loss (a bucket spans a
 * ratio of at most 1 + 2^-bits in its key, and the loss grows at most like the key's e-th power; the
 * geometric midpoint halves the exponent). The top-m sum read off the sketch is then within a factor ρ of
 * the true one — the m largest by estimate sum to at most ρ × the m largest, and at least the true m largest
 * ÷ ρ — so each share is off by at most share × (ρ − 1) ≤ ρ − 1 = `maxShareError`.
 */
import {
  type ConcentrationPlan,
  type ConcentrationState,
  concentrationPlan,
  PT_BINS,
} from '../../core/evaluators/concentration.js'
import {compensatedValue} from '../../core/state/merge-rules.js'
import type {Settings} from '../../core/state/partial-state.js'
import type {BreakdownSums} from '../../core/evaluators/loss-breakdown.js'
import {powerKindOf, powerOf} from '../../core/losses/numerics.js'
import {
  coarsenHistogram,
  coarsestBits,
  representativeValues,
  shareErrorBound,
} from '../../core/sketch/loss-histogram.js'
import type {Concentration, ConcentrationGroup, LossByPt} from '../types.js'
import type {BreakdownView} from './breakdown-view.js'

/** Fractions of the group (hardest first) at which the curve is given. */
export const CURVE_FRACTIONS = [
  0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1,
]
export const TOP_FRACTIONS = [0.01, 0.05, 0.1, 0.2]
export const CARRIED_SHARES = [0.5, 0.8, 0.9, 0.99]

/** Runs of elements with one representative loss each, hardest first: parallel arrays. */
interface Cells {
  count: Float64Array
  value: Float64Array
}

/**
 * A power of two that brings losses up to `largest` well below the largest double, so that sums of counts
 * times losses cannot overflow (losses of logits near ±1e308); 1 — figures unchanged — for any usual loss.
 */
function safeScale(largest: number): number {
  return largest > 2 ** 500 ? 2 ** -Math.ceil(Math.log2(largest)) : 1
}

/** The curve's figures from cells sorted hardest first, over `n` elements and a loss `total`: one walk. */
function curveFigures(cells: Cells, n: number, lossTotal: number) {
  const runs = cells.count.length
  // Shares and the Gini coefficient are ratios: the same with every loss scaled by a power of two (exactly).
  const scale = safeScale(runs > 0 ? cells.value[0] : 0)
  const total = lossTotal * scale
  // T̂(m) at every m the figures need (⌈x·n⌉ of the curve's and the top shares' fractions), in one walk.
  const fractions = [...new Set([...CURVE_FRACTIONS, ...TOP_FRACTIONS])].sort((x, y) => x - y)
  const wanted = fractions.map((x) => Math.min(n, Math.ceil(x * n)))
  const topLoss = new Map<number, number>()
  const want = CARRIED_SHARES.map((s) => s * total)
  const carried: (number | null)[] = CARRIED_SHARES.map(() => null)
  let sum = 0
  let before = 0
  let next = 0
  let numerator = 0
  let sketchTotal = 0
  for (let i = 0; i < runs; i++) {
    const count = cells.count[i]
    const value = cells.value[i] * scale
    // Top sums whose m ends inside this run.
    while (next < wanted.length && wanted[next] <= before + count) {
      topLoss.set(wanted[next], sum + (wanted[next] - before) * value)
      next++
    }
    // The fewest elements (hardest first) carrying each share.
    for (let s = 0; s < want.length; s++) {
      if (carried[s] === null && total > 0 && value > 0 && sum + count * value >= want[s]) {
        const take = Math.max(1, Math.ceil((want[s] - sum) / value))
        carried[s] = Math.min(1, (before + Math.min(take, count)) / n)
      }
    }
    // Gini = Σ_i Σ_j |ℓ_i − ℓ_j| / (2 n² mean): with the values in decreasing order, Σ_i (n − 2i + 1) ℓ_i / (n Σ ℓ);
    // a run of c elements from position p on adds c (n − 2p − c) ℓ.
    numerator += count * (n - 2 * before - count) * value
    sketchTotal += count * value
    sum += count * value
    before += count
  }
  while (next < wanted.length) topLoss.set(wanted[next++], sum)
  const share = (x: number): number | null => {
    if (total <= 0) return null
    if (x >= 1) return 1
    return Math.min(1, (topLoss.get(Math.min(n, Math.ceil(x * n))) ?? 0) / total)
  }
  return {
    curve: CURVE_FRACTIONS.map((x) => [x, share(x) ?? 0] as [number, number]),
    topShare: Object.fromEntries(TOP_FRACTIONS.map((x) => [String(x), share(x)])),
    fractionCarrying: Object.fromEntries(
      CARRIED_SHARES.map((s, i) => [String(s), total > 0 && n > 0 ? (carried[i] ?? 1) : null]),
    ),
    gini: n === 0 || sketchTotal <= 0 ? null : numerator / (n * sketchTotal),
  }
}

/**
 * What one group is made of: the histograms whose elements it holds, and how a bucket's representative key
 * becomes a loss — `ce`: the key is CE, q = 1 − e^-CE and the loss A · q^γ · CE + ε · q^(γ+1); `loss`
 * (gamma null): the key is the loss, times a class-balanced weight.
 */
interface GroupPart {
  histogram: number
  /** The resolution this part is read at (its γ's, coarsestBits). */
  bits: number
  weight: number
  gamma: number | null
  epsilon: number
}

/**
 * Each bucket's representative loss for one part: a plain loop per part (the report reads every occupied
 * bucket once per γ and group, and runs once per process: this code is cold, so no closure per bucket).
 */
function partValues(
  part: Pick<GroupPart, 'weight' | 'gamma' | 'epsilon'>,
  keys: Float64Array,
  qs: Float64Array,
): Float64Array {
  const out = new Float64Array(keys.length)
  const {weight, gamma, epsilon} = part
  if (gamma === null) {
    for (let i = 0; i < keys.length; i++) out[i] = weight * keys[i]
    return out
  }
  const kind = powerKindOf(gamma)
  for (let i = 0; i < keys.length; i++) {
    const power = powerOf(qs[i], gamma, kind)
    out[i] = weight * power * keys[i] + (epsilon === 0 ? 0 : epsilon * power * qs[i])
  }
  return out
}

/** A histogram read at some resolution: its counts, representative keys and 1 − e^-key. */
interface KeyedHistogram {
  count: Float64Array
  zero: number
  keys: Float64Array
  qs: Float64Array
}

/**
 * Each histogram at each resolution a report reads it at (coarsened from the sketch's own), with its
 * representative keys (geometric midpoints of its buckets) and 1 − e^-key, computed once.
 */
class Keys {
  private readonly cache = new Map<string, KeyedHistogram>()

  constructor(
    private readonly state: ConcentrationState,
    private readonly bits: number,
  ) {}

  of(h: number, bits = this.bits): KeyedHistogram {
    const key = `${h}:${bits}`
    let keyed = this.cache.get(key)
    if (keyed === undefined) {
      const histogram = coarsenHistogram(this.state.histograms[h], this.bits - bits)
      const keys = representativeValues(histogram.index, bits)
      const qs = new Float64Array(keys.length)
      for (let i = 0; i < keys.length; i++) qs[i] = -Math.expm1(-keys[i])
      keyed = {count: histogram.count, zero: histogram.zero, keys, qs}
      this.cache.set(key, keyed)
    }
    return keyed
  }
}

/**
 * The concentration section and the loss-vs-p_t table, or null when the run kept no concentration.
 * `view` gives the groups' exact losses and element counts and the α weights as applied.
 */
export function concentrationSection(
  settings: Settings,
  view: BreakdownView,
  breakdown: BreakdownSums,
  state: ConcentrationState | undefined,
): {concentration: Concentration; lossByPt: LossByPt | null} | null {
  if (state === undefined) return null
  const plan = concentrationPlan(settings)
  const {figures} = view
  const G = settings.gammas.length
  if (plan.unavailable !== null) {
    return {
      concentration: {method: 'not computed', maxShareError: 0, unavailable: plan.unavailable, groups: []},
      lossByPt: null,
    }
  }
  // The sketch keeps the resolution the steepest γ needs; each γ is read at the coarsest one that keeps its
  // error within that same bound (γ = 0 needs 2 bits fewer than γ = 5): the bound the report states is the
  // sketch's, and walking fewer buckets is most of the report's cost here.
  const bound = Math.max(...plan.exponents.map((e) => shareErrorBound(plan.bits, e)))
  const bitsOf = plan.exponents.map((e) => coarsestBits(e, bound, plan.bits))
  const maxShareError = Math.max(...plan.exponents.map((e, g) => shareErrorBound(bitsOf[g], e)))
  const resolution =
    Math.min(...bitsOf) === plan.bits ? `2^-${plan.bits}` : `2^-${Math.min(...bitsOf)} to 2^-${plan.bits} (by γ)`
  const loss = settings.loss ?? 'focal'
  const epsilon = loss === 'poly1' ? (settings.polyEpsilon ?? 1) : 0
  const groups: ConcentrationGroup[] = []
  // Each group: which buckets it holds (for its exact loss, count and squares) and its sketch parts per γ.
  const groupDefs = plan.mode === 'ce' ? ceGroups(settings, figures) : lossGroups(plan, figures)
  const keys = new Keys(state, plan.bits)
  for (const def of groupDefs) {
    for (let g = 0; g < G; g++) {
      const gamma = settings.gammas[g]
      const keep = def.buckets
      const total = view.sum(figures.loss[g], keep)
      const count = view.sum(figures.count, keep)
      const parts = plan.mode === 'ce' ? def.ceParts(gamma, epsilon, bitsOf[g]) : def.lossParts(g, bitsOf[g])
      const cells = sortedCells(state, parts, keys)
      const fig = curveFigures(cells, count, total)
      const squares =
        plan.mode === 'ce' ? ceSquares(figures, breakdown, def.buckets, g, epsilon) : def.lossSquares(state, g)
      groups.push({
        group: def.name,
        gamma,
        count,
        loss: total,
        curve: fig.curve,
        topShare: fig.topShare,
        fractionCarrying: fig.fractionCarrying,
        gini: fig.gini,
        effectiveSamples: effectiveSamples(total, squares),
      })
    }
  }
  const method =
    plan.mode === 'ce'
      ? `histogram sketch of each class's per-element CE (one for every γ), buckets ${resolution} wide relative; shares within ±${maxShareError.toPrecision(2)}`
      : `histogram sketch of each γ's per-element loss, buckets ${resolution} wide relative; shares within ±${maxShareError.toPrecision(2)}`
  return {
    concentration: {method, maxShareError, groups},
    lossByPt:
      plan.mode === 'ce'
        ? ceLossByPt(settings, figures, state, keys, epsilon)
        : lossLossByPt(settings, figures, state, plan),
  }
}

/**
 * (Σ ℓ)² / Σ ℓ²: null for a group without loss, and when Σ ℓ² overflowed (losses above ~1e154, where it
 * is not known).
 */
function effectiveSamples(total: number, squares: number): number | null {
  if (!(squares > 0 && squares < Infinity && total > 0)) return null
  const ess = (total * total) / squares
  return ess < Infinity ? ess : (total / Math.sqrt(squares)) ** 2
}

interface GroupDef {
  name: string
  buckets: (b: number) => boolean
  ceParts: (gamma: number, epsilon: number, bits: number) => GroupPart[]
  lossParts: (g: number, bits: number) => GroupPart[]
  lossSquares: (state: ConcentrationState, g: number) => number
}

/** A class's weight on (1 − p_t)^γ · CE, as the breakdown applies it (a + ay for positive targets). */
function classWeight(figures: BreakdownView['figures'], c: number): number {
  const [a, ay] = figures.weights.coefficients[c]
  return a + (figures.isPositive(c * figures.bucketsPerClass) ? ay : 0)
}

function ceGroups(settings: Settings, figures: BreakdownView['figures']): GroupDef[] {
  const K = settings.numClasses
  const perClass = figures.bucketsPerClass
  const classParts = (classes: number[]) => (gamma: number, epsilon: number, bits: number) =>
    classes.map((c) => ({histogram: c, bits, weight: classWeight(figures, c), gamma, epsilon}))
  const def = (name: string, classes: number[]): GroupDef => ({
    name,
    buckets: (b) => classes.includes(Math.floor(b / perClass)),
    ceParts: classParts(classes),
    lossParts: () => [],
    lossSquares: () => 0,
  })
  if (settings.task === 'binary') return [def('positive', [1]), def('negative', [0])]
  const all = Array.from({length: K}, (_, c) => c)
  return [def('all', all), ...all.map((c) => def(`class:${settings.classes[c]}`, [c]))]
}

function lossGroups(plan: ConcentrationPlan, figures: BreakdownView['figures']): GroupDef[] {
  const G = figures.loss.length
  const weightOfCell = (cell: number): number =>
    plan.cellsPerSign > 1 ? figures.weights.balance[cell % plan.cellsPerSign] : 1
  const def = (name: string, negative: number): GroupDef => {
    const cells = Array.from({length: plan.cellsPerSign}, (_, i) => negative * plan.cellsPerSign + i)
    return {
      name,
      buckets: (b) => figures.isPositive(b) === (negative === 0),
      ceParts: () => [],
      lossParts: (g, bits) =>
        cells.map((cell) => ({histogram: cell * G + g, bits, weight: weightOfCell(cell), gamma: null, epsilon: 0})),
      lossSquares: (state, g) =>
        cells.reduce((sum, cell) => {
          const w = weightOfCell(cell)
          return sum + w * w * compensatedValue(state.sums, (cell * G + g) * 2 + 1)
        }, 0),
    }
  }
  return [def('positive', 0), def('negative', 1)]
}

/** Σ ℓ² of a group from the breakdown's squares: Σ (A f + ε h)² = A² Σ f² + 2Aε Σ f h + ε² Σ h². */
function ceSquares(
  figures: BreakdownView['figures'],
  breakdown: BreakdownSums,
  keep: (b: number) => boolean,
  g: number,
  epsilon: number,
): number {
  const B = figures.buckets
  let total = 0
  for (let b = 0; b < B; b++) {
    if (!keep(b)) continue
    const A = classWeight(figures, figures.classOf(b))
    const i = g * B + b
    total += A * A * compensatedValue(breakdown.squares, i)
    if (epsilon !== 0) {
      total +=
        2 * A * epsilon * compensatedValue(breakdown.cross, i) + epsilon * epsilon * compensatedValue(breakdown.hsq, i)
    }
  }
  return total
}

/**
 * The group's elements as runs of equal representative loss, hardest first (zero-loss elements last). Each
 * part's buckets come in increasing key order, and a part's loss grows with its key: a part is read
 * backwards, and several parts (the classes of "all") are merged, largest head first.
 */
function sortedCells(state: ConcentrationState, parts: GroupPart[], cache: Keys): Cells {
  const lists = parts.map((part) => {
    const {count, zero, keys, qs} = cache.of(part.histogram, part.bits)
    return {count, value: partValues(part, keys, qs), next: count.length - 1, zero}
  })
  const size = lists.reduce((n, l) => n + l.value.length, 0)
  const zeros = lists.reduce((n, l) => n + l.zero, 0)
  const out: Cells = {
    count: new Float64Array(size + (zeros > 0 ? 1 : 0)),
    value: new Float64Array(size + (zeros > 0 ? 1 : 0)),
  }
  let k = 0
  if (lists.length === 1) {
    // One list (one class, one sign): its buckets backwards.
    const [list] = lists
    for (let i = list.next; i >= 0; i--, k++) {
      out.count[k] = list.count[i]
      out.value[k] = list.value[i]
    }
  } else {
    // Several (the classes of "all"): a max-heap of the lists by their next (largest remaining) value.
    const heap = lists.map((_, i) => i).filter((i) => lists[i].next >= 0)
    const head = (i: number): number => lists[i].value[lists[i].next]
    const down = (at: number): void => {
      for (;;) {
        const l = 2 * at + 1
        const r = l + 1
        let top = at
        if (l < heap.length && head(heap[l]) > head(heap[top])) top = l
        if (r < heap.length && head(heap[r]) > head(heap[top])) top = r
        if (top === at) return
        const swap = heap[at]
        heap[at] = heap[top]
        heap[top] = swap
        at = top
      }
    }
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i)
    while (heap.length > 0) {
      const list = lists[heap[0]]
      out.count[k] = list.count[list.next]
      out.value[k] = list.value[list.next]
      k++
      list.next--
      if (list.next < 0) {
        heap[0] = heap[heap.length - 1]
        heap.pop()
      }
      down(0)
    }
  }
  if (zeros > 0) {
    out.count[k] = zeros
    out.value[k] = 0
  }
  return out
}

const ptBins = (): {lower: number; upper: number}[] =>
  Array.from({length: PT_BINS}, (_, i) => ({lower: i / PT_BINS, upper: (i + 1) / PT_BINS}))

/** Mean loss per p_t bin from the CE sketch: a bucket's elements at its representative CE (p_t = e^-CE). */
function ceLossByPt(
  settings: Settings,
  figures: BreakdownView['figures'],
  state: ConcentrationState,
  keys: Keys,
  epsilon: number,
): LossByPt {
  const G = settings.gammas.length
  const counts = new Float64Array(PT_BINS)
  const sums = Array.from({length: G}, () => new Float64Array(PT_BINS))
  // Sums of huge losses (logits near ±1e308) are kept scaled (safeScale), each mean unscaled.
  let largest = 0
  for (let c = 0; c < settings.numClasses; c++) {
    const {keys: classKeys} = keys.of(c)
    if (classKeys.length > 0) largest = Math.max(largest, classKeys[classKeys.length - 1])
  }
  const scale = safeScale(largest)
  for (let c = 0; c < settings.numClasses; c++) {
    const h = state.histograms[c]
    const weight = classWeight(figures, c)
    const {keys: cached, qs} = keys.of(c)
    const bins = new Int32Array(qs.length)
    for (let i = 0; i < qs.length; i++) {
      bins[i] = Math.min(PT_BINS - 1, Math.floor((1 - qs[i]) * PT_BINS))
      counts[bins[i]] += h.count[i]
    }
    for (let g = 0; g < G; g++) {
      const values = partValues({weight, gamma: settings.gammas[g], epsilon}, cached, qs)
      const sum = sums[g]
      for (let i = 0; i < qs.length; i++) sum[bins[i]] += values[i] * scale * h.count[i]
    }
    // Elements of CE 0 (p_t = 1) have no loss: they count in the last bin.
    counts[PT_BINS - 1] += h.zero
  }
  return {
    bins: ptBins().map((bin, i) => ({
      ...bin,
      count: counts[i],
      focal: settings.gammas.map((gamma, g) => ({
        gamma,
        mean: counts[i] === 0 ? null : sums[g][i] / counts[i] / scale,
      })),
    })),
  }
}

/** Mean loss per p_t bin from the exact table the `loss` mode keeps. */
function lossLossByPt(
  settings: Settings,
  figures: BreakdownView['figures'],
  state: ConcentrationState,
  plan: ConcentrationPlan,
): LossByPt {
  const G = settings.gammas.length
  const weightOfCell = (cell: number): number =>
    plan.cellsPerSign > 1 ? figures.weights.balance[cell % plan.cellsPerSign] : 1
  return {
    bins: ptBins().map((bin, i) => {
      let count = 0
      for (let cell = 0; cell < plan.cells; cell++) count += state.ptCount[cell * PT_BINS + i]
      return {
        ...bin,
        count,
        focal: settings.gammas.map((gamma, g) => {
          let sum = 0
          for (let cell = 0; cell < plan.cells; cell++) {
            sum += weightOfCell(cell) * compensatedValue(state.ptSums, (cell * G + g) * PT_BINS + i)
          }
          return {gamma, mean: count === 0 ? null : sum / count}
        }),
      }
    }),
  }
}
