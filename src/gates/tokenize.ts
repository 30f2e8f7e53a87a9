import {quoteText, RuleError} from './rule-error.js'

export type ComparisonOp = '<' | '<=' | '>' | '>=' | '==' | '!='

export const COMPARISON_OPS: readonly ComparisonOp[] = ['<', '<=', '>', '>=', '==', '!=']

export type TokenKind = 'number' | 'string' | 'name' | 'op' | '.' | '[' | ']' | '(' | ')' | '*' | '=' | 'end'

/**
 * One token of a rule. `text` is the source text (a string token's text keeps its quotes); `value` is
 * the number of a number token and the unquoted content of a string token. `column` is 1-based.
 */
export interface Token {
  kind: TokenKind
  text: string
  column: number
  value?: number | string
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const NAME = /[A-Za-z_$][A-Za-z0-9_$]*/y
const PUNCTUATION = new Set(['.', '[', ']', '(', ')', '*'])

/** The match of a sticky regular expression at `index`, or null. */
function matchAt(pattern: RegExp, text: string, index: number): string | null {
  pattern.lastIndex = index
  return pattern.test(text) ? text.slice(index, pattern.lastIndex) : null
}

/** What a token is called in "got …" messages. */
export function describeToken(token: Token): string {
  return token.kind === 'end' ? 'end of rule' : quoteText(token.text)
}

function readString(text: string, start: number): Token {
  const quote = text[start]
  let value = ''
  let i = start + 1
  while (i < text.length && text[i] !== quote) {
    if (text[i] === '\\' && i + 1 < text.length) i++
    value += text[i]
    i++
  }
  if (i >= text.length) throw new RuleError(start + 1, `expected a closing ${quote} for this string, got end of rule`)
  return {kind: 'string', text: text.slice(start, i + 1), column: start + 1, value}
}

/**
 * Splits a rule into tokens, ending with one `end` token. Whitespace separates tokens and is dropped.
 * Example: `sweep[gamma=2].hardShare >= 0.6` → name `sweep`, `[`, name `gamma`, `=`, number 2, `]`, `.`,
 * name `hardShare`, op `>=`, number 0.6, end.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++
      continue
    }
    const column = i + 1
    const two = text.slice(i, i + 2)
    if (two === '<=' || two === '>=' || two === '==' || two === '!=') {
      tokens.push({kind: 'op', text: two, column})
      i += 2
    } else if (c === '<' || c === '>') {
      tokens.push({kind: 'op', text: c, column})
      i++
    } else if (c === '=') {
      tokens.push({kind: '=', text: c, column})
      i++
    } else if (PUNCTUATION.has(c)) {
      tokens.push({kind: c as TokenKind, text: c, column})
      i++
    } else if (c === '"' || c === "'") {
      const token = readString(text, i)
      tokens.push(token)
      i += token.text.length
    } else {
      const number = matchAt(NUMBER, text, i)
      const name = matchAt(NAME, text, number === null ? i : i + number.length)
      if (number !== null && name !== null) {
        // "2x" is neither a number nor a name: say so here rather than as a puzzling parse error later.
        throw new RuleError(column, `expected a number, got ${quoteText(number + name)}`)
      } else if (number !== null) {
        tokens.push({kind: 'number', text: number, column, value: Number(number)})
        i += number.length
      } else if (name !== null) {
        tokens.push({kind: 'name', text: name, column})
        i += name.length
      } else {
        const shown = two === '&&' || two === '||' ? two : c
        const hint =
          shown.length === 2
            ? ' (one comparison per rule: write one rule for each condition)'
            : c === '!'
              ? ' (write != for "not equal")'
              : ''
        throw new RuleError(
          column,
          `expected a path, a number, a string or a comparison operator, got ${quoteText(shown)}${hint}`,
        )
      }
    }
  }
  tokens.push({kind: 'end', text: '', column: text.length + 1})
  return tokens
}
