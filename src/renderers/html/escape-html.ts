const ENTITIES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}

/**
 * Text from the input (class names, file names, semantics) made safe for HTML and SVG element content and
 * for quoted attribute values: every character that could open a tag, end an attribute or start an
 * entity is written as an entity. Example: `escapeHtml('<script>alert(1)</script>')` is
 * `'&lt;script&gt;alert(1)&lt;/script&gt;'`.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c])
}
