/** The visible text of a page focalscope wrote, one block per line, for golden files and assertions. */
const ENTITIES: Record<string, string> = {'&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'"}

export function pageText(html: string): string {
  return html
    .replace(/<(style|script)\b[^>]*>[\s\S]*?<\/\1>/g, '')
    .replace(/<title>[\s\S]*?<\/title>/, '')
    .replace(/<svg\b[\s\S]*?<\/svg>/g, '[chart]\n')
    .replace(/<\/(th|td)>/g, ' | ')
    .replace(/<\/dt>/g, ': ')
    .replace(/<\/(p|h1|h2|h3|tr|dd|li|caption|figcaption|summary|header|footer|section|div|figure|nav)>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e])
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').replace(/ \| $/, '').trim())
    .filter((line) => line !== '')
    .join('\n')
}
