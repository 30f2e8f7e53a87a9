/**
 * Counts turns of the event loop (one setImmediate callback each) until stopped: a test reads `turns()`
 * at each step of a reader and checks the loop turned between every two (`stalls`).
 */
export function watchEventLoopTurns(): {turns: () => number; stop: () => void} {
  let turns = 0
  let running = true
  const tick = (): void => {
    if (!running) return
    turns++
    setImmediate(tick)
  }
  setImmediate(tick)
  return {turns: () => turns, stop: () => (running = false)}
}

/** How many steps saw no turn of the event loop since the step before. */
export function stalls(seen: number[]): number {
  return seen.slice(1).filter((t, i) => t === seen[i]).length
}
