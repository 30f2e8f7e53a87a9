/**
 * Renders Vega-Lite specs to SVG strings in Node: Vega-Lite compiles each spec to Vega, and a headless Vega
 * view (renderer "none": no canvas, no DOM) draws it as an SVG string. This module loads vega and
 * vega-lite (~1.6 MB of code, ~130 ms to load): the CLI reaches it only through the lazily loaded HTML
 * bundle, when --html is given (scripts/bundle.mjs).
 *
 * Text is measured without a canvas, by a width table (`estimateTextWidth`), so the SVG is the same on
 * every machine.
 */
import * as vega from 'vega'
import {type Config, type TopLevelSpec, compile} from 'vega-lite'

import {chartTitle} from './chart-specs.js'
import {escapeHtml} from './escape-html.js'

/**
 * The page's look, applied only here (the specs in the JSON stay neutral): text, axes and grid lines in
 * `currentColor`, so one SVG follows the page's light or dark colours and prints black; no background, so
 * the page's shows through; system fonts only (nothing is fetched).
 */
export const PAGE_CHART_CONFIG: Config = {
  background: 'transparent',
  // Room for the text estimate's error at the edges (the SVG is sized from estimated text widths).
  padding: 12,
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  view: {stroke: null},
  axis: {
    labelColor: 'currentColor',
    titleColor: 'currentColor',
    domainColor: 'currentColor',
    tickColor: 'currentColor',
    gridColor: 'currentColor',
    gridOpacity: 0.15,
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
  },
  legend: {
    labelColor: 'currentColor',
    titleColor: 'currentColor',
    labelFontSize: 11,
    titleFontSize: 12,
    labelLimit: 360,
  },
  header: {labelColor: 'currentColor', titleColor: 'currentColor', labelFontSize: 12, titleFontSize: 12},
  title: {color: 'currentColor', subtitleColor: 'currentColor', anchor: 'start', fontSize: 15, subtitleFontSize: 12},
  text: {color: 'currentColor'},
}

/**
 * Widths of characters in ems, those of the widest common sans-serif browsers pick for system-ui (DejaVu
 * Sans; Segoe UI and Helvetica are narrower, so text never overruns): narrow punctuation and i/l, wide m/w, capitals and digits. Vega's own
 * estimate without a canvas, 0.8 em for every character, is half again too wide: a long rotated axis
 * title then pushed the plot ~70 px down, and legends stood far apart.
 */
const NARROW = new Set(" .,:;'|!ijlI`")
const SEMI = new Set('ftr()[]{}-/\\"')
const WIDE = new Set('mwMW@%')

function charWidth(c: string): number {
  if (NARROW.has(c)) return 0.34
  if (SEMI.has(c)) return 0.42
  if (WIDE.has(c)) return 1
  if (c >= 'A' && c <= 'Z') return 0.76
  if (c >= '0' && c <= '9') return 0.66
  if (c >= 'a' && c <= 'z') return 0.62
  return 0.7
}

/** A text item's width in pixels, for Vega's layout (its `textMetrics.width` hook, as vl-convert sets it). */
export function estimateTextWidth(
  item: {fontSize?: number; fontWeight?: string | number; text?: unknown},
  text?: unknown,
): number {
  const value = text ?? item.text
  const string = Array.isArray(value) ? value.join(' ') : value === undefined || value === null ? '' : String(value)
  const size = item.fontSize ?? 11
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600 ? 1.06 : 1
  let ems = 0
  for (const c of string) ems += charWidth(c)
  return Math.ceil(ems * size * bold)
}

export interface RenderChartOptions {
  /** Called with each warning Vega-Lite or Vega gives (an empty domain, a dropped encoding). */
  onWarning?: (message: string) => void
}

/**
 * Each spec as an SVG string, keyed like the specs. The root `<svg>` gets `role="img"`, a `<title>` (the
 * chart's title) and a `<desc>` (its description), which is what a screen reader announces.
 *
 * Example: `await renderChartSvgs(chartSpecs(report))` → `{sweep: '<svg …>…</svg>', classShares: …}`.
 */
export async function renderChartSvgs(
  specs: Record<string, TopLevelSpec | undefined>,
  options: RenderChartOptions = {},
): Promise<Record<string, string>> {
  const warn = options.onWarning ?? (() => undefined)
  const logger = collectingLogger(warn)
  const svgs: Record<string, string> = {}
  // A global of Vega's (vega-scenegraph's, re-exported; not in vega's types), set each time: this bundle is
  // the only Vega user in the process.
  const metrics = (vega as unknown as {textMetrics?: {width: typeof estimateTextWidth}}).textMetrics
  if (metrics === undefined) throw new Error('vega no longer exports textMetrics: check the text width hook')
  metrics.width = estimateTextWidth
  for (const [name, spec] of Object.entries(specs)) {
    if (spec === undefined) continue
    const {spec: vegaSpec} = compile(spec, {config: PAGE_CHART_CONFIG, logger})
    const view = new vega.View(vega.parse(vegaSpec), {renderer: 'none', logger, loader: offlineLoader()})
    const svg = await view.toSVG()
    view.finalize()
    svgs[name] = labelSvg(svg, name, chartTitle(spec), spec.description ?? '')
  }
  return svgs
}

/** A Vega loader that refuses every fetch: the charts carry their data inline, and the page goes nowhere. */
function offlineLoader(): vega.Loader {
  const loader = vega.loader()
  const refuse = (uri: string): Promise<never> => Promise.reject(new Error(`charts load nothing (asked for ${uri})`))
  loader.load = refuse
  loader.sanitize = refuse
  return loader
}

/** Vega's logger interface, sending warnings (and worse) to `warn` rather than the console. */
function collectingLogger(warn: (message: string) => void): vega.LoggerInterface {
  let level = vega.Warn
  const logger = {
    level(value?: number) {
      if (value === undefined) return level
      level = value
      return logger
    },
    error(...args: unknown[]) {
      warn(args.map(String).join(' '))
      return logger
    },
    warn(...args: unknown[]) {
      if (level >= vega.Warn) warn(args.map(String).join(' '))
      return logger
    },
    info() {
      return logger
    },
    debug() {
      return logger
    },
  }
  return logger as vega.LoggerInterface
}

/** Adds role, title and description to the root `<svg>` Vega wrote. */
function labelSvg(svg: string, name: string, title: string, description: string): string {
  const open = svg.indexOf('>')
  if (!svg.startsWith('<svg') || open < 0) throw new Error(`chart ${name}: Vega did not write an <svg> element`)
  const id = `chart-${name}`
  return (
    `${svg.slice(0, open)} role="img" aria-labelledby="${id}-title ${id}-desc">` +
    `<title id="${id}-title">${escapeHtml(title)}</title><desc id="${id}-desc">${escapeHtml(description)}</desc>` +
    svg.slice(open + 1)
  )
}
