/**
 * A strict little XML reader for tests: elements, attributes, text, the five predefined entities and
 * numeric character references, an XML declaration; no DTDs, CDATA, comments or namespaces (the JUnit
 * renderer writes none). Throws on anything not well formed — mismatched or unclosed tags, an unquoted
 * or repeated attribute, a bare `&` or `<` — so "it parses" means a CI system's XML parser would read it.
 */
export interface XmlElement {
  name: string
  attributes: Record<string, string>
  children: XmlElement[]
  /** The element's own text, entities decoded (text of children not included). */
  text: string
}

const ENTITIES: Record<string, string> = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'"}
const NAME = /[A-Za-z_][\w.-]*/y

function decode(raw: string, at: number): string {
  if (raw.includes('<')) throw new Error(`bare "<" in text or attribute near offset ${at}`)
  return raw.replace(/&([^;]*);|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw new Error(`bare "&" near offset ${at}`)
    if (ref.startsWith('#')) {
      const code = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : Number(ref.slice(1))
      const char = String.fromCodePoint(code)
      if (NOT_XML.test(char)) throw new Error(`reference to a character XML 1.0 cannot hold near offset ${at}`)
      return char
    }
    if (!(ref in ENTITIES)) throw new Error(`unknown entity ${whole} near offset ${at}`)
    return ENTITIES[ref]
  })
}

// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/

export function parseXml(xml: string): XmlElement {
  // XML 1.0 has no way to hold these, raw or as a character reference.
  if (NOT_XML.test(xml)) throw new Error('a character XML 1.0 cannot hold')
  let i = 0
  const skipSpace = (): void => {
    while (i < xml.length && /\s/.test(xml[i])) i++
  }
  const name = (): string => {
    NAME.lastIndex = i
    if (!NAME.test(xml)) throw new Error(`expected a name at offset ${i}`)
    const found = xml.slice(i, NAME.lastIndex)
    i = NAME.lastIndex
    return found
  }
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>')
    if (end < 0) throw new Error('unclosed XML declaration')
    i = end + 2
  }
  const element = (): XmlElement => {
    if (xml[i] !== '<') throw new Error(`expected "<" at offset ${i}`)
    i++
    const el: XmlElement = {name: name(), attributes: {}, children: [], text: ''}
    for (;;) {
      skipSpace()
      if (xml.startsWith('/>', i)) {
        i += 2
        return el
      }
      if (xml[i] === '>') {
        i++
        break
      }
      const attribute = name()
      skipSpace()
      if (xml[i] !== '=') throw new Error(`expected "=" after ${attribute} at offset ${i}`)
      i++
      skipSpace()
      const quote = xml[i]
      if (quote !== '"' && quote !== "'") throw new Error(`expected a quoted value for ${attribute} at offset ${i}`)
      const end = xml.indexOf(quote, i + 1)
      if (end < 0) throw new Error(`unclosed value of ${attribute}`)
      if (attribute in el.attributes) throw new Error(`repeated attribute ${attribute}`)
      el.attributes[attribute] = decode(xml.slice(i + 1, end), i)
      i = end + 1
    }
    for (;;) {
      const next = xml.indexOf('<', i)
      if (next < 0) throw new Error(`unclosed <${el.name}>`)
      el.text += decode(xml.slice(i, next), i)
      i = next
      if (xml.startsWith('</', i)) {
        i += 2
        const closing = name()
        if (closing !== el.name) throw new Error(`</${closing}> closes <${el.name}>`)
        skipSpace()
        if (xml[i] !== '>') throw new Error(`expected ">" at offset ${i}`)
        i++
        return el
      }
      el.children.push(element())
    }
  }
  skipSpace()
  const root = element()
  skipSpace()
  if (i !== xml.length) throw new Error(`content after the root element at offset ${i}`)
  return root
}

/** Every element named `name` under `root`, depth first. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = []
  const walk = (el: XmlElement): void => {
    if (el.name === name) found.push(el)
    el.children.forEach(walk)
  }
  walk(root)
  return found
}
