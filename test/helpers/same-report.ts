/**
 * Two reports (or any JSON values) alike: the same keys everywhere (both ways), numbers within `relative`
 * of the expected value (|a − e| ≤ relative · |e|, so a 0 must be 0) or within `absolute` (for figures that
 * are sums of subnormal numbers, which no two float64 tools round alike), everything else equal.
 */
export function assertSameReport(actual: unknown, expected: unknown, relative: number, absolute = 0, path = '$'): void {
  if (typeof expected === 'number') {
    const close =
      typeof actual === 'number' &&
      (Math.abs(actual - expected) <= relative * Math.abs(expected) || Math.abs(actual - expected) <= absolute)
    if (!close) throw new Error(`${path}: expected ${expected}, got ${String(actual)}`)
    return
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual) !== Array.isArray(expected)) {
      throw new Error(`${path}: expected ${JSON.stringify(expected).slice(0, 80)}, got ${JSON.stringify(actual)}`)
    }
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)])
    for (const key of keys) {
      if (!(key in expected) || !(key in actual)) throw new Error(`${path}.${key}: present in only one of them`)
      const a = (actual as Record<string, unknown>)[key]
      const e = (expected as Record<string, unknown>)[key]
      assertSameReport(a, e, relative, absolute, `${path}.${key}`)
    }
    return
  }
  if (actual !== expected)
    throw new Error(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
}
