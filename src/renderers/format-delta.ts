/**
 * Differences (B − A) for people, as `compare` shows them: always signed, so a change reads as one. The JSON
 * keeps full precision; these are for tables only.
 */
import {formatCount, formatLoss, formatRatio} from './format-number.js'

/** "+" before a positive difference; a negative one carries its own "-". */
function signed(value: number, text: string): string {
  return value > 0 ? `+${text}` : text
}

/** A difference of two shares in percentage points, one decimal: "+1.2 pp", "-0.4 pp", "0.0 pp". */
export function formatShareDelta(value: number | null): string {
  if (value === null) return '–'
  const text = (value * 100).toFixed(1)
  // A difference that rounds to zero is shown without a sign.
  if (Number(text) === 0) return '0.0 pp'
  return `${signed(value, text)} pp`
}

/** A difference of loss sums or means, 6 significant digits: "+12.5", "-0.0412". */
export function formatLossDelta(value: number | null): string {
  if (value === null) return '–'
  return signed(value, formatLoss(value))
}

/** A difference of ratios, 3 significant digits: "+0.012". */
export function formatRatioDelta(value: number | null): string {
  if (value === null) return '–'
  return signed(value, formatRatio(value))
}

/** A difference of counts: "+12", "-1,204", "0". */
export function formatCountDelta(value: number | null): string {
  if (value === null) return '–'
  return signed(value, formatCount(value))
}
