/**
 * The calibration bins, exactly as torchmetrics' `_binning_bucketize` makes them for `n_bins = 15`:
 *   boundaries = torch.linspace(0, 1, 16, dtype=torch.float)   (float32)
 *   index = torch.bucketize(confidence, boundaries, right=True) - 1
 * `right=True` puts a value v in the slot j with boundaries[j] ≤ v < boundaries[j + 1]: the bins are
 * [j/15, (j+1)/15), a confidence of exactly 0 falls in the first, and one of exactly 1 gets a 16th slot
 * of its own (its `count_bin` is len(boundaries) long). torchmetrics compares the confidence as float32
 * (multi-class: `confidences.float()`; binary predictions are float32 tensors), so it is rounded to float32
 * first here too. (The issue's text says (j/15, (j+1)/15]; that was bucketize's default `right=False`,
 * which torchmetrics used before it made the empty-bin and p = 0 cases right.)
 */

/** Bins of the report; slots are one more (the slot of a confidence of exactly 1). */
export const CALIBRATION_BINS = 15
export const CALIBRATION_SLOTS = CALIBRATION_BINS + 1

/**
 * torch.linspace(0, 1, 16) in float32, as its CPU kernel computes it: step = 1/15 in float32, the first
 * half start + step·i, the second half end − step·(steps − 1 − i), every operation rounded to float32.
 */
export const CALIBRATION_EDGES: Float64Array = (() => {
  const steps = CALIBRATION_SLOTS
  const step = Math.fround(1 / (steps - 1))
  const halfway = Math.floor(steps / 2)
  return Float64Array.from({length: steps}, (_, i) =>
    i < halfway ? Math.fround(step * i) : Math.fround(1 - Math.fround(step * (steps - 1 - i))),
  )
})()

/**
 * How far (in units of 15·f) the inner edges EDGES[1..14] lie from k/15 at most: they are float32
 * roundings of it, off by a float32 ulp or two (15·2^-24 each), far less than this (a test checks it).
 */
export const EDGE_NEAR = 2 ** -16

/**
 * The slot of a confidence: j with EDGES[j] ≤ fround(c) < EDGES[j + 1] for j < 15, 15 for fround(c) ≥ 1.
 * Values below 0 (probabilities within the tolerance) go to slot 0.
 *
 * t = 15 · fround(c) is exact (24 bits times 4), and ⌊t⌋ is the slot unless t lies within EDGE_NEAR of an
 * inner edge k (1 ≤ k ≤ 14), where the float32 edge itself decides (edgeSlot). Edges 0 and 1 are exact, so
 * p = 0, tiny p and p = 1 — a confident model's most common values — take the short way too. It spares
 * the edge loads of the search for all but ~1e-5 of values: `--metrics --class-ece` on 2 M × 20 logits
 * (40 M slots) took 0.95× the CPU (farm-bench -n 9), the same report to the byte.
 *
 * Example: calibrationSlot(0) = 0, calibrationSlot(1 / 15) = 1, calibrationSlot(0.999) = 14, calibrationSlot(1) = 15.
 */
export function calibrationSlot(c: number): number {
  const f = Math.fround(c)
  const t = f * CALIBRATION_BINS
  if (t >= 0 && t <= CALIBRATION_BINS) {
    const j = t | 0
    const d = t - j
    const clearBelow = d >= EDGE_NEAR || j === 0 || j === CALIBRATION_BINS
    const clearAbove = d <= 1 - EDGE_NEAR || j === CALIBRATION_BINS - 1
    if (clearBelow && clearAbove) return j
  }
  return edgeSlot(f)
}

/**
 * The slot of a float32 value by its edges: ⌊15·f⌋ is the slot or next to it, one comparison with the
 * neighbouring edge settles it. Also NaN (slot 0) and values outside [0, 1].
 */
export function edgeSlot(f: number): number {
  let j = Math.floor(f * CALIBRATION_BINS)
  if (j > CALIBRATION_BINS) j = CALIBRATION_BINS
  else if (j < 0 || j !== j) j = 0
  if (j < CALIBRATION_BINS && f >= CALIBRATION_EDGES[j + 1]) j++
  else if (j > 0 && f < CALIBRATION_EDGES[j]) j--
  return j
}

/**
 * Runs calibrationSlot's every branch once, so that a loop inlining it is compiled with feedback for all
 * of them.
 */
export function warmCalibrationSlot(): void {
  for (const v of [0, 1e-300, 0.5, 0.999, 1, 2, -1, Number.NaN, ...CALIBRATION_EDGES]) calibrationSlot(v)
}
