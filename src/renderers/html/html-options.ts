/** Options of every HTML page (report and compare), apart so that both renderers can take them. */
export interface HtmlReportOptions {
  /** Footer line, e.g. "focalscope 0.1.0". */
  generator?: string
  /** Called with each charting warning (none are expected; tests fail on any). */
  onWarning?: (message: string) => void
}
