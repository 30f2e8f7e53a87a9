/**
 * torchmetrics' calibration bins for n_bins = 15, from torch itself: torch.linspace(0, 1, 16,
 * dtype=torch.float) as torch 1.13 prints it, and the slot torch.bucketize(v, edges, right=True) − 1 gives a
 * confidence (compared as float32, as torchmetrics does).
 */
export const TORCH_EDGES = [
  0.0, 0.06666667014360428, 0.13333334028720856, 0.20000001788139343, 0.2666666805744171, 0.3333333432674408,
  0.40000003576278687, 0.46666669845581055, 0.5333333015441895, 0.5999999642372131, 0.6666666269302368,
  0.7333333492279053, 0.7999999523162842, 0.8666666746139526, 0.9333333373069763, 1.0,
]

/** torch.bucketize(v, edges, right=True) − 1: the number of edges ≤ v, less one (slots 0 … 15). */
export function torchSlot(v: number): number {
  const f = Math.fround(v)
  let n = 0
  for (const e of TORCH_EDGES) if (e <= f) n++
  return Math.max(0, n - 1)
}
