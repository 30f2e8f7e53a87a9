import type {SkipReason} from './errors.js'

/**
 * Rows left out under `--on-invalid skip`, counted per reason, with the first message of each reason
 * (file, line or batch/row, column, what was expected) so the report can say where to look.
 * Nothing is ever skipped without passing through here.
 */
export class SkipLog {
  readonly counts = new Map<SkipReason, number>()
  readonly first = new Map<SkipReason, string>()

  add(reason: SkipReason, message: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1)
    if (!this.first.has(reason)) this.first.set(reason, message)
  }

  get total(): number {
    let n = 0
    for (const c of this.counts.values()) n += c
    return n
  }
}
