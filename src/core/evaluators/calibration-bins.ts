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
 * The slot of a confidence: j with EDGES[j] ≤ fround(c) < EDGES[j + 1] for j < 15, 15 for fround(c) ≥ 1.
 * Values below 0 (probabilities within the tolerance) go to slot 0. Branch-light: ⌊15·f⌋ is the slot or
 * next to it, one comparison with the neighbouring edge settles it.
 *
 * Example: calibrationSlot(0) = 0, calibrationSlot(1 / 15) = 1, calibrationSlot(0.999) = 14, calibrationSlot(1) = 15.
 */
export function calibrationSlot(c: number): number {
  const f = Math.fround(c)
  let j = Math.floor(f * CALIBRATION_BINS)
  if (j > CALIBRATION_BINS) j = CALIBRATION_BINS
  else if (j < 0 || j !== j) j = 0
  if (j < CALIBRATION_BINS && f >= CALIBRATION_EDGES[j + 1]) j++
  else if (j > 0 && f < CALIBRATION_EDGES[j]) j--
  return j
}
