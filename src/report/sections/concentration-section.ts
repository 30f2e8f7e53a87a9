/**
 * The concentration section: for every γ and group, how much of the group's loss its hardest samples carry,
 * read off the histogram sketch (core/evaluators/concentration.ts) — each run of buckets' elements at its
 * representative loss, runs hardest first — and normalised by the group's exact loss from the breakdown.
 *
 * Error bound (sketch/compress-histogram.ts proves it): reading each element at its run's representative
 * loss moves any top-m sum by at most E = Σ |ℓ̂ − ℓ|, so a share by at most E / L. A bucket read as it is
 * holds its elements within a factor ρ = (1 + 2^-bits)^(e/2) of their losses (the loss grows at most like
 * the key's e-th power; the geometric midpoint halves the exponent); runs merged from buckets of easy
 * elements, and octaves where the loss grows slowly, are bounded by the loss's slope. E per histogram is
 * kept within SHARE_ERROR_TARGET × its loss, and `maxShareError` is the largest E / L over groups and γ.
 *
 * One file of ~650 lines: the groups, the runs they read, the one walk per group and the loss-vs-p_t table
 * share the run cache and the error accounting above; apart, each would take them as parameters.
 */
import {
  type ConcentrationPlan,
  type ConcentrationState,
  concentrationPlan,
  PT_BINS,
  SHARE_ERROR_TARGET,
} from '../../core/evaluators/concentration.js'
import {compensatedValue} from '../../core/state/merge-rules.js'
import type {Settings} from '../../core/state/partial-state.js'
import type {BreakdownSums} from '../../core/evaluators/loss-breakdown.js'
import {powerKindOf, powerOf} from '../../core/losses/numerics.js'
import {compressHistogram, type CompressOptions, type HistogramRuns} from '../../core/sketch/compress-histogram.js'
import {type SparseHistogram, shareErrorBound, sumSparseHistograms} from '../../core/sketch/loss-histogram.js'
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
function curveFigures(cells: Cells, n: number, lossTotal: number): CurveFigures {
  return curveFiguresOfRuns(cells.count, cells.value, 1, false, 0, n, [lossTotal])[0]
}

interface CurveFigures {
  curve: [number, number][]
  topShare: Record<string, number | null>
  fractionCarrying: Record<string, number | null>
  gini: number | null
}

/**
 * The curve's figures for G losses of the same elements in the same order (the γ of a one-part group: a
 * loss grows with the key for every γ), in one walk: run i holds count[i] elements of loss values[i·G + g],
 * hardest first — or last (`backwards`: a histogram's runs, in increasing key order) — and `zeros` more
 * elements of loss 0 follow. One loop for all γ: this code runs once per group (cold), and a long loop is
 * optimised early where ten short ones mostly are not.
 */
function curveFiguresOfRuns(
  count: Float64Array,
  values: Float64Array,
  G: number,
  backwards: boolean,
  zeros: number,
  n: number,
  lossTotals: number[],
): CurveFigures[] {
  const runs = count.length
  // Shares and the Gini coefficient are ratios: the same with every loss scaled by a power of two (exactly).
  const first = runs === 0 ? -1 : backwards ? runs - 1 : 0
  const scales = Float64Array.from({length: G}, (_, g) => safeScale(first < 0 ? 0 : values[first * G + g]))
  const totals = Float64Array.from({length: G}, (_, g) => lossTotals[g] * scales[g])
  // T̂(m) at every m the figures need (⌈x·n⌉ of the curve's and the top shares' fractions), in one walk.
  const fractions = [...new Set([...CURVE_FRACTIONS, ...TOP_FRACTIONS])].sort((x, y) => x - y)
  const wanted = fractions.map((x) => Math.min(n, Math.ceil(x * n)))
  const W = wanted.length
  const S = CARRIED_SHARES.length
  const topLoss = new Float64Array(G * W)
  const want = new Float64Array(G * S)
  const carried = new Float64Array(G * S).fill(-1)
  for (let g = 0; g < G; g++) for (let s = 0; s < S; s++) want[g * S + s] = CARRIED_SHARES[s] * totals[g]
  const sum = new Float64Array(G)
  const numerator = new Float64Array(G)
  let before = 0
  let next = 0
  for (let k = 0; k <= runs; k++) {
    // The zero-loss elements last, as one more run.
    const i = k === runs ? -1 : backwards ? runs - 1 - k : k
    const c = i < 0 ? zeros : count[i]
    if (c === 0) continue
    for (let g = 0; g < G; g++) {
      const value = i < 0 ? 0 : values[i * G + g] * scales[g]
      // Top sums whose m ends inside this run.
      for (let w = next; w < W && wanted[w] <= before + c; w++)
        topLoss[g * W + w] = sum[g] + (wanted[w] - before) * value
      // The fewest elements (hardest first) carrying each share.
      for (let s = 0; s < S; s++) {
        const at = g * S + s
        if (carried[at] < 0 && totals[g] > 0 && value > 0 && sum[g] + c * value >= want[at]) {
          const take = Math.max(1, Math.ceil((want[at] - sum[g]) / value))
          carried[at] = Math.min(1, (before + Math.min(take, c)) / n)
        }
      }
      // Gini = Σ_i Σ_j |ℓ_i − ℓ_j| / (2 n² mean): with the values in decreasing order, Σ_i (n − 2i + 1) ℓ_i / (n Σ ℓ);
      // a run of c elements from position p on adds c (n − 2p − c) ℓ.
      numerator[g] += c * (n - 2 * before - c) * value
      sum[g] += c * value
    }
    while (next < W && wanted[next] <= before + c) next++
    before += c
  }
  for (let g = 0; g < G; g++) for (let w = next; w < W; w++) topLoss[g * W + w] = sum[g]
  return Array.from({length: G}, (_, g) => {
    const total = totals[g]
    const share = (x: number): number | null => {
      if (total <= 0) return null
      if (x >= 1) return 1
      const w = wanted.indexOf(Math.min(n, Math.ceil(x * n)))
      return Math.min(1, (w < 0 ? 0 : topLoss[g * W + w]) / total)
    }
    return {
      curve: CURVE_FRACTIONS.map((x) => [x, share(x) ?? 0] as [number, number]),
      topShare: Object.fromEntries(TOP_FRACTIONS.map((x) => [String(x), share(x)])),
      fractionCarrying: Object.fromEntries(
        CARRIED_SHARES.map((_, s) => {
          const at = carried[g * S + s]
          return [String(CARRIED_SHARES[s]), total > 0 && n > 0 ? (at < 0 ? 1 : at) : null]
        }),
      ),
      gini: n === 0 || sum[g] <= 0 ? null : numerator[g] / (n * sum[g]),
    }
  })
}

/**
 * What one group is made of: the histograms whose elements it holds, and how a run's representative key
 * becomes a loss — `ce`: the key is CE, q = 1 − e^-CE and the loss A · q^γ · CE + ε · q^(γ+1); `loss`
 * (gamma null): the key is the loss, times a class-balanced weight. `fn`: which of the histogram's loss
 * functions (runsOf) this part reads, for its error spent.
 */
interface GroupPart {
  histogram: number
  fn: number
  weight: number
  gamma: number | null
  epsilon: number
}

/**
 * Each run's representative loss for one part: a plain loop per part (the report reads every run once per
 * γ and group, and runs once per process: this code is cold, so no closure per run).
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

/** A histogram as runs (compress-histogram.ts), with 1 − e^-key of each run's representative key. */
interface KeyedRuns extends HistogramRuns {
  qs: Float64Array
}

/**
 * The p_t bins' edges as CE keys (p_t = e^-CE = i / PT_BINS), increasing: a run of the CE sketch never
 * spans one, so the loss-vs-p_t table puts each run's elements in their own bin.
 */
const PT_EDGE_KEYS = Array.from({length: PT_BINS - 1}, (_, i) => -Math.log((PT_BINS - 1 - i) / PT_BINS))

/**
 * Each histogram as runs, made once: `ce`, a class's CE histogram with one loss function per γ (the class's
 * weight in it, so the budget and what is spent are in the group's loss units); `loss`, a (cell, γ)
 * histogram of the loss itself (unweighted: a class-balanced weight multiplies both). Ids past the state's
 * histograms are `ce` groups of several classes of one weight, their histograms summed (`histogram`).
 */
class RunsCache {
  private readonly cache = new Map<number, KeyedRuns>()
  private readonly values = new Map<number, Float64Array>()

  constructor(
    private readonly histogram: (h: number) => SparseHistogram,
    private readonly make: (h: number) => CompressOptions,
    private readonly ceLoss: (c: number) => {weight: number; gammas: number[]; epsilon: number},
  ) {}

  of(h: number): KeyedRuns {
    let keyed = this.cache.get(h)
    if (keyed === undefined) {
      const runs = compressHistogram(this.histogram(h), this.make(h))
      const qs = new Float64Array(runs.key.length)
      for (let i = 0; i < qs.length; i++) qs[i] = -Math.expm1(-runs.key[i])
      keyed = {...runs, qs}
      this.cache.set(h, keyed)
    }
    return keyed
  }

  /** `ce` mode: class c's runs' losses for every γ, at [i · G + g] (partValues' form), made once. */
  valuesOf(c: number): Float64Array {
    let out = this.values.get(c)
    if (out === undefined) {
      const {key, qs} = this.of(c)
      const {weight, gammas, epsilon} = this.ceLoss(c)
      const G = gammas.length
      out = new Float64Array(key.length * G)
      for (let g = 0; g < G; g++) {
        const values = partValues({weight, gamma: gammas[g], epsilon}, key, qs)
        for (let i = 0; i < values.length; i++) out[i * G + g] = values[i]
      }
      this.values.set(c, out)
    }
    return out
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
  // Shares are within error / L of the exact ones, the error bound of each histogram's runs (compress-
  // histogram.ts): buckets read as they are within ρ − 1 of their loss, merged runs within a budget.
  const rho = plan.exponents.map((e) => shareErrorBound(plan.bits, e))
  const loss = settings.loss ?? 'focal'
  const epsilon = loss === 'poly1' ? (settings.polyEpsilon ?? 1) : 0
  const groups: ConcentrationGroup[] = []
  // Each group: which buckets it holds (for its exact loss, count and squares) and its sketch parts per γ.
  const groupDefs = plan.mode === 'ce' ? ceGroups(settings, figures) : lossGroups(plan, figures)
  // `ce` groups of several classes of one weight (multi-class "all" without per-class α): one loss function
  // per γ for all their elements, so their histograms summed are read as one class's — one compressed
  // histogram and one walk for every γ, not a merge of K lists per γ. Run id K + i: the i-th such group.
  const K = settings.numClasses
  const summedClasses: number[][] = []
  const summedId = groupDefs.map((def) => {
    const classes = plan.mode === 'ce' ? oneWeightClasses(figures, def.ceParts(0, epsilon, 0)) : null
    if (classes === null) return null
    summedClasses.push(classes)
    return K + summedClasses.length - 1
  })
  const classesOf = (h: number): number[] => (h < K ? [h] : summedClasses[h - K])
  const runs = new RunsCache(
    (h) =>
      h < state.histograms.length
        ? state.histograms[h]
        : sumSparseHistograms(
            classesOf(h).map((c) => state.histograms[c]),
            plan.bits,
          ),
    plan.mode === 'ce'
      ? (h) => ceRunOptions(settings, view, plan.bits, epsilon, rho, classesOf(h))
      : lossRunOptions(settings, state, plan.bits, rho),
    (h) => ({weight: classWeight(figures, classesOf(h)[0]), gammas: settings.gammas, epsilon}),
  )
  let maxShareError = 0
  groupDefs.forEach((def, d) => {
    const count = view.sumAt(figures.count, def.buckets)
    const totals = settings.gammas.map((_, g) => view.sumAt(figures.loss[g], def.buckets))
    const ceParts = plan.mode === 'ce' ? def.ceParts(0, epsilon, 0) : []
    // One histogram (binary groups, class:<name>, classes of one weight summed): its runs are in one order
    // for every γ, one walk for all.
    const one = ceParts.length === 1 ? ceParts[0].histogram : summedId[d]
    const together =
      one !== null
        ? (() => {
            const {count: runCount, zero} = runs.of(one)
            return curveFiguresOfRuns(runCount, runs.valuesOf(one), G, true, zero, count, totals)
          })()
        : null
    for (let g = 0; g < G; g++) {
      const gamma = settings.gammas[g]
      const total = totals[g]
      const parts = plan.mode === 'ce' ? def.ceParts(gamma, epsilon, g) : def.lossParts(g)
      const fig = together?.[g] ?? curveFigures(sortedCells(parts, runs), count, total)
      // `ce` runs' loss functions hold the class weight (error is in loss units); `loss` runs' are the key.
      const error =
        one !== null
          ? runs.of(one).error[g]
          : parts.reduce(
              (sum, part) => sum + (plan.mode === 'ce' ? 1 : part.weight) * runs.of(part.histogram).error[part.fn],
              0,
            )
      if (total > 0) maxShareError = Math.max(maxShareError, error / total)
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
  })
  if (maxShareError === 0) maxShareError = Math.max(...rho)
  const what =
    plan.mode === 'ce'
      ? "histogram sketch of each class's per-element CE (one for every γ)"
      : "histogram sketch of each γ's per-element loss"
  const method = `${what}, buckets 2^-${plan.bits} wide relative, runs of easy buckets merged within an error budget; shares within ±${maxShareError.toPrecision(2)}`
  // The loss-vs-p_t table reads every element once: from the classes summed when one group holds them all.
  const all = summedClasses.findIndex((classes) => classes.length === K)
  const sources = all >= 0 ? [K + all] : Array.from({length: K}, (_, c) => c)
  return {
    concentration: {method, maxShareError, groups},
    lossByPt: plan.mode === 'ce' ? ceLossByPt(settings, runs, sources) : lossLossByPt(settings, figures, state, plan),
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
  /** The breakdown buckets of its elements, increasing. */
  buckets: number[]
  ceParts: (gamma: number, epsilon: number, g: number) => GroupPart[]
  lossParts: (g: number) => GroupPart[]
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
  // The class's weight is in its runs' loss functions (ceRunOptions), so its spent error is in loss units.
  const classParts = (classes: number[]) => (gamma: number, epsilon: number, g: number) =>
    classes.map((c) => ({histogram: c, fn: g, weight: classWeight(figures, c), gamma, epsilon}))
  const def = (name: string, classes: number[]): GroupDef => ({
    name,
    buckets: classes.flatMap((c) => Array.from({length: perClass}, (_, i) => c * perClass + i)),
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
      buckets: Array.from({length: figures.buckets}, (_, b) => b).filter(
        (b) => figures.isPositive(b) === (negative === 0),
      ),
      ceParts: () => [],
      lossParts: (g) =>
        cells.map((cell) => ({histogram: cell * G + g, fn: 0, weight: weightOfCell(cell), gamma: null, epsilon: 0})),
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
  buckets: readonly number[],
  g: number,
  epsilon: number,
): number {
  const B = figures.buckets
  let total = 0
  for (const b of buckets) {
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
function sortedCells(parts: GroupPart[], cache: RunsCache): Cells {
  const lists = parts.map((part) => {
    const {count, zero, key, qs} = cache.of(part.histogram)
    return {count, value: partValues(part, key, qs), next: count.length - 1, zero}
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

/**
 * Mean loss per p_t bin from the CE sketch: a run's elements at its representative CE (p_t = e^-CE). Runs
 * never span a bin's edge (PT_EDGE_KEYS); a single bucket may, and counts in its middle's bin. `sources`:
 * runs ids that hold every element once (the classes, or the classes summed).
 */
function ceLossByPt(settings: Settings, runs: RunsCache, sources: readonly number[]): LossByPt {
  const G = settings.gammas.length
  const counts = new Float64Array(PT_BINS)
  const sums = Array.from({length: G}, () => new Float64Array(PT_BINS))
  // Sums of huge losses (logits near ±1e308) are kept scaled (safeScale), each mean unscaled.
  let largest = 0
  for (const h of sources) {
    const {key} = runs.of(h)
    if (key.length > 0) largest = Math.max(largest, key[key.length - 1])
  }
  const scale = safeScale(largest)
  for (const h of sources) {
    const {qs, count, zero} = runs.of(h)
    const bins = new Int32Array(qs.length)
    for (let i = 0; i < qs.length; i++) {
      bins[i] = Math.min(PT_BINS - 1, Math.floor((1 - qs[i]) * PT_BINS))
      counts[bins[i]] += count[i]
    }
    const values = runs.valuesOf(h)
    for (let g = 0; g < G; g++) {
      const sum = sums[g]
      for (let i = 0; i < qs.length; i++) sum[bins[i]] += values[i * G + g] * scale * count[i]
    }
    // Elements of CE 0 (p_t = 1) have no loss: they count in the last bin.
    counts[PT_BINS - 1] += zero
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

/**
 * `ce` mode: the histogram of `classes` (one class, or several of one weight summed) with one loss function
 * per γ, A · q^γ · CE + ε · q^(γ+1) (partValues' form), and a budget per γ of `allowed` times their exact loss.
 */
function ceRunOptions(
  settings: Settings,
  view: BreakdownView,
  bits: number,
  epsilon: number,
  rho: number[],
  classes: readonly number[],
): CompressOptions {
  const {figures} = view
  const {gammas} = settings
  const weight = classWeight(figures, classes[0])
  const perClass = figures.bucketsPerClass
  const buckets = classes.flatMap((c) => Array.from({length: perClass}, (_, i) => c * perClass + i))
  const losses = gammas.map((_, g) => view.sumAt(figures.loss[g], buckets))
  return {
    bits,
    functions: gammas.length,
    budget: Float64Array.from(gammas, (_, g) => SHARE_ERROR_TARGET * losses[g]),
    fineError: Float64Array.from(gammas, (_, g) => rho[g] * losses[g]),
    breaks: PT_EDGE_KEYS,
    // f = A q^γ c + ε q^(γ+1), q = 1 − e^-c: f' = A (γ q^(γ−1) e^-c c + q^γ) + ε (γ + 1) q^γ e^-c, each
    // factor at its largest over [lo, hi] (q grows with c; q^(γ−1) shrinks with it for γ < 1).
    slopes: (lo, hi, out) => {
      const qLo = -Math.expm1(-lo)
      const qHi = -Math.expm1(-hi)
      const decay = Math.exp(-lo)
      for (let g = 0; g < gammas.length; g++) {
        const gamma = gammas[g]
        const below = gamma === 0 ? 0 : gamma * (gamma >= 1 ? qHi : qLo) ** (gamma - 1) * decay * hi
        const power = qHi ** gamma
        out[g] = weight * (below + power) + epsilon * (gamma + 1) * power * decay
      }
    },
  }
}

/**
 * The classes of a `ce` group of several classes when they all have one weight (then every element's loss
 * is one function of its CE, for each γ, and their histograms can be summed), else null.
 */
function oneWeightClasses(figures: BreakdownView['figures'], parts: readonly GroupPart[]): number[] | null {
  if (parts.length < 2) return null
  const weight = classWeight(figures, parts[0].histogram)
  return parts.every((part) => classWeight(figures, part.histogram) === weight) ? parts.map((p) => p.histogram) : null
}

/** `loss` mode: the (cell, γ) histogram h = cell · G + g of the loss itself, its budget from Σ u. */
function lossRunOptions(
  settings: Settings,
  state: ConcentrationState,
  bits: number,
  rho: number[],
): (h: number) => CompressOptions {
  const G = settings.gammas.length
  return (h) => ({
    bits,
    functions: 1,
    budget: Float64Array.of(SHARE_ERROR_TARGET * Math.max(0, compensatedValue(state.sums, h * 2))),
    fineError: Float64Array.of(rho[h % G] * Math.max(0, compensatedValue(state.sums, h * 2))),
    // f is the key itself.
    slopes: (_lo, _hi, out) => {
      out[0] = 1
    },
  })
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
