import {quoteText, RuleError} from './rule-error.js'
import {COMPARISON_OPS, type ComparisonOp, describeToken, type Token, type TokenKind, tokenize} from './tokenize.js'

/**
 * The grammar (EBNF), read by a recursive-descent parser: one function per rule below.
 *
 *   rule      = operand comparison operand
 *   comparison = "<" | "<=" | ">" | ">=" | "==" | "!="
 *   operand   = number | string | "true" | "false" | "null" | call | path
 *   call      = ("delta" | "relative") "(" path ")"
 *   path      = name { "." name | "[" selector "]" }
 *   selector  = "*" | integer | name "=" key
 *   key       = number | string | name
 *
 * Nothing is evaluated while parsing, and nothing is ever handed to `eval`: the result is a plain tree
 * that `evaluateRule` walks over the report object.
 */

/** A value written in a `[field=value]` selector: the text as written (strings unquoted), and its number. */
export interface KeyLiteral {
  text: string
  /** Set for number tokens only: `[gamma=2.0]` matches γ = 2, `[class=01]` matches the class named "01". */
  number?: number
}

export type PathStep =
  | {kind: 'field'; name: string; column: number}
  | {kind: 'all'; column: number}
  | {kind: 'index'; index: number; column: number}
  | {kind: 'match'; field: string; key: KeyLiteral; column: number}

export interface PathOperand {
  kind: 'path'
  steps: PathStep[]
  column: number
  text: string
}

/** delta(p) = this report's p − the baseline's p; relative(p) = that difference over |the baseline's p|. */
export type BaselineFunction = 'delta' | 'relative'

export const BASELINE_FUNCTIONS: readonly BaselineFunction[] = ['delta', 'relative']

export interface CallOperand {
  kind: 'call'
  fn: BaselineFunction
  path: PathOperand
  column: number
  text: string
}

export type Scalar = number | string | boolean | null

export interface LiteralOperand {
  kind: 'literal'
  value: Scalar
  column: number
  text: string
}

export type Operand = PathOperand | CallOperand | LiteralOperand

/** A parsed rule: `left op right`, with the text it came from. */
export interface RuleExpression {
  text: string
  left: Operand
  op: ComparisonOp
  right: Operand
}

class Parser {
  private position = 0

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)]
  }

  private next(): Token {
    const token = this.peek()
    if (token.kind !== 'end') this.position++
    return token
  }

  private expect(kind: TokenKind, what: string): Token {
    const token = this.peek()
    if (token.kind !== kind) throw new RuleError(token.column, `expected ${what}, got ${describeToken(token)}`)
    return this.next()
  }

  /** The source text from a token's column up to the last token read. */
  private sourceFrom(column: number): string {
    const last = this.tokens[this.position - 1]
    return this.text.slice(column - 1, last.column - 1 + last.text.length)
  }

  rule(): RuleExpression {
    const left = this.operand()
    const token = this.peek()
    if (token.kind !== 'op') {
      const hint = token.kind === '=' ? ' (write == for "equal")' : ''
      throw new RuleError(
        token.column,
        `expected a comparison (${COMPARISON_OPS.join(', ')}), got ${describeToken(token)}${hint}`,
      )
    }
    this.next()
    const right = this.operand()
    const end = this.peek()
    if (end.kind !== 'end') {
      const hint = end.kind === 'op' ? ' (one comparison per rule: write one rule for each condition)' : ''
      throw new RuleError(end.column, `expected the end of the rule, got ${describeToken(end)}${hint}`)
    }
    return {text: this.text, left, op: token.text as ComparisonOp, right}
  }

  private operand(): Operand {
    const token = this.peek()
    if (token.kind === 'number' || token.kind === 'string') {
      this.next()
      return {kind: 'literal', value: token.value as number | string, column: token.column, text: token.text}
    }
    if (token.kind === 'name') {
      const constants: Record<string, Scalar> = {true: true, false: false, null: null}
      if (token.text in constants) {
        this.next()
        return {kind: 'literal', value: constants[token.text], column: token.column, text: token.text}
      }
      if (this.peek(1).kind === '(') return this.call()
      return this.path()
    }
    throw new RuleError(
      token.column,
      `expected a report path, a number, a string, delta(…) or relative(…), got ${describeToken(token)}`,
    )
  }

  private call(): CallOperand {
    const name = this.next()
    if (!(BASELINE_FUNCTIONS as readonly string[]).includes(name.text)) {
      throw new RuleError(
        name.column,
        `expected a function name (${BASELINE_FUNCTIONS.join(' or ')}), got ${quoteText(name.text)}`,
      )
    }
    this.expect('(', '"("')
    const path = this.path()
    this.expect(')', `")" after the path of ${name.text}(…)`)
    return {
      kind: 'call',
      fn: name.text as BaselineFunction,
      path,
      column: name.column,
      text: this.sourceFrom(name.column),
    }
  }

  private path(): PathOperand {
    const first = this.expect('name', 'a report path such as classes[*].ce.share')
    const steps: PathStep[] = [{kind: 'field', name: first.text, column: first.column}]
    for (;;) {
      const token = this.peek()
      if (token.kind === '.') {
        this.next()
        const name = this.expect('name', 'a field name after "."')
        steps.push({kind: 'field', name: name.text, column: name.column})
      } else if (token.kind === '[') {
        this.next()
        steps.push(this.selector())
        this.expect(']', '"]"')
      } else {
        break
      }
    }
    return {kind: 'path', steps, column: first.column, text: this.sourceFrom(first.column)}
  }

  private selector(): PathStep {
    const token = this.next()
    if (token.kind === '*') return {kind: 'all', column: token.column}
    if (token.kind === 'number') {
      const index = token.value as number
      if (!Number.isInteger(index) || index < 0 || token.text.startsWith('-')) {
        throw new RuleError(token.column, `expected an index (0, 1, 2, …), got ${quoteText(token.text)}`)
      }
      return {kind: 'index', index, column: token.column}
    }
    if (token.kind === 'name') {
      this.expect('=', `"=" after ${quoteText(token.text)}, as in [${token.text}=value]`)
      const key = this.next()
      if (key.kind === 'number') {
        return {
          kind: 'match',
          field: token.text,
          key: {text: key.text, number: key.value as number},
          column: token.column,
        }
      }
      if (key.kind === 'string')
        return {kind: 'match', field: token.text, key: {text: key.value as string}, column: token.column}
      if (key.kind === 'name') return {kind: 'match', field: token.text, key: {text: key.text}, column: token.column}
      throw new RuleError(key.column, `expected a value after "${token.text}=", got ${describeToken(key)}`)
    }
    throw new RuleError(token.column, `expected *, an index or field=value inside [ ], got ${describeToken(token)}`)
  }
}

/**
 * Reads one rule. Throws a `RuleError` with the 1-based column of the first token that does not fit and
 * what was expected there.
 *
 * Example: `parseRule('sweep[gamma=2].hardShare >= 0.6')` → left: path with steps field `sweep`,
 * match gamma = 2, field `hardShare`; op `>=`; right: literal 0.6.
 */
export function parseRule(text: string): RuleExpression {
  return new Parser(text, tokenize(text)).rule()
}

/** True when the operand reads the baseline report. */
export function usesBaseline(rule: RuleExpression): boolean {
  return rule.left.kind === 'call' || rule.right.kind === 'call'
}
