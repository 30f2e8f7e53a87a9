import {UsageError} from '../core/errors.js'

/**
 * A rule that cannot be read or cannot be evaluated against this report: a syntax error, a path that is
 * not in the report, a comparison of a string with `<`. Exit 2, like every usage error — never a failed
 * gate, because the rule, not the model, is wrong.
 *
 * `column` is 1-based in the rule's text. The command prefixes the rule's origin, so the message reads
 * `gates.json: rules[2].assert "…": column 7: expected …, got …`.
 */
export class RuleError extends UsageError {
  readonly column: number
  readonly detail: string

  constructor(column: number, detail: string) {
    super(`column ${column}: ${detail}`)
    this.name = 'RuleError'
    this.column = column
    this.detail = detail
  }
}

/** Shows a token or a piece of a rule in a message. */
export function quoteText(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)
}
