/**
 * "Did you mean …?" for a mistyped command or flag: the candidate at the smallest edit distance
 * (insertions, deletions, substitutions and swaps of two neighbours each count 1), if it is close enough
 * to be a typo — or the one candidate the word is a prefix of (`rep` → `report`).
 */

/** Optimal string alignment distance (Damerau–Levenshtein without repeated edits of one substring). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[] = new Array<number>(rows * cols)
  for (let i = 0; i < rows; i++) d[i * cols] = i
  for (let j = 0; j < cols; j++) d[j] = j
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2] + 1)
      }
      d[i * cols + j] = best
    }
  }
  return d[rows * cols - 1]
}

/**
 * The candidate `word` was most likely meant to be, or undefined when none is close: within
 * max(1, ⌊length / 3⌋) edits (ties go to the first candidate), or else the only candidate `word` is a
 * prefix of. Case is ignored.
 *
 * Example: `didYouMean('reprot', ['gate', 'report'])` is "report"; `didYouMean('xyz', ['report'])` is undefined.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase()
  if (w === '') return undefined
  let best: string | undefined
  let bestDistance = Math.max(1, Math.floor(w.length / 3)) + 1
  for (const candidate of candidates) {
    const distance = editDistance(w, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  if (best !== undefined) return best
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(w))
  return prefixed.length === 1 ? prefixed[0] : undefined
}
