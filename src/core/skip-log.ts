import type {InputError, SkipReason} from './errors.js'
import type {SkippedRows} from './state/input-facts.js'

/**
 * Rows left out under `--on-invalid skip`, counted per reason, with the first of each reason (its location
 * and problem) so the report can say where to look. Nothing is ever skipped without passing through here.
 * One log per unit of work; its entries become the partial state's `input.skipped` (take()).
 */
export class SkipLog {
  private readonly entries = new Map<SkipReason, SkippedRows>()

  /** Logs a row left out for `error` (which has a reason: the caller checked it can be skipped). */
  add(error: InputError): void {
    const reason = error.reason as SkipReason
    const seen = this.entries.get(reason)
    if (seen) seen.count++
    else {
      this.entries.set(reason, {
        reason,
        count: 1,
        first: {order: 0, location: error.location ?? {file: ''}, problem: error.problem},
      })
    }
  }

  get total(): number {
    let n = 0
    for (const entry of this.entries.values()) n += entry.count
    return n
  }

  /** The entries so far, for a file at position `order` of the command line; the log is left empty. */
  take(order: number): SkippedRows[] {
    const out = [...this.entries.values()].map((entry) => ({...entry, first: {...entry.first, order}}))
    this.entries.clear()
    return out
  }
}
