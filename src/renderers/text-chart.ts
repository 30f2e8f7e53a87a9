/**
 * Line charts in plain text, for the terminal report: a grid of characters, one marker per series (letters
 * and symbols in plain ASCII, which every terminal and log shows; colour only when the caller says so),
 * linear or log axes with their ticks printed, a legend below. Every line fits the width given. Pure.
 *
 * Example: textChart({title, x: {label: 'fraction', log: true, min: 1e-4, max: 1}, y: {label: 'share',
 * min: 0, max: 1}, series: [{name: 'γ=0', points: [[1e-4, 0.01], [1, 1]]}]}, {width: 80, color: false}).
 */
import {Chalk} from 'chalk'

export interface ChartAxis {
  label: string
  min: number
  max: number
  log?: boolean
  /** Tick positions (default: min, max and one or three between). */
  ticks?: number[]
  /** How a tick is written (default: as a short number). */
  format?: (value: number) => string
}

export interface ChartSeries {
  name: string
  points: [number, number][]
}

export interface ChartSpec {
  x: ChartAxis
  y: ChartAxis
  series: ChartSeries[]
}

/** Markers of the series, in order; plain ASCII so pipes and logs show them. */
const MARKERS = ['o', '+', 'x', '*', '#', '@', '%', '=', '~', '$']
/** Colours of the series when colour is on (a colour-blind-friendly order of the 16 basic ones). */
const COLORS = ['blue', 'yellow', 'magenta', 'cyan', 'red', 'green', 'white', 'gray'] as const

function shortNumber(value: number): string {
  if (value === 0) return '0'
  const abs = Math.abs(value)
  if (abs >= 1e4 || abs < 1e-3) return value.toExponential(0).replace('e+', 'e')
  return String(Number(value.toPrecision(2)))
}

function position(value: number, axis: ChartAxis, cells: number): number {
  const t = (v: number): number => (axis.log ? Math.log10(v) : v)
  const at = (t(value) - t(axis.min)) / (t(axis.max) - t(axis.min))
  return Math.round(Math.min(1, Math.max(0, at)) * (cells - 1))
}

function defaultTicks(axis: ChartAxis): number[] {
  if (axis.log) {
    const ticks: number[] = []
    for (let e = Math.ceil(Math.log10(axis.min)); e <= Math.floor(Math.log10(axis.max)); e++) ticks.push(10 ** e)
    return ticks
  }
  return [axis.min, (axis.min + axis.max) / 2, axis.max]
}

/** The chart as lines of at most `width` columns (at least 40), `height` rows of plot. */
export function textChart(spec: ChartSpec, options: {width: number; color: boolean; height?: number}): string[] {
  const chalk = new Chalk({level: options.color ? 1 : 0})
  const height = options.height ?? 12
  const format = (axis: ChartAxis) => axis.format ?? shortNumber
  const yTicks = spec.y.ticks ?? defaultTicks(spec.y)
  const labelWidth = Math.max(...yTicks.map((t) => format(spec.y)(t).length)) + 1
  const plotWidth = Math.max(20, Math.min(options.width, 200) - labelWidth - 1)
  const grid: {char: string; series: number}[][] = Array.from({length: height}, () =>
    Array.from({length: plotWidth}, () => ({char: ' ', series: -1})),
  )
  const toX = (x: number): number => position(x, spec.x, plotWidth)
  const toY = (y: number): number => height - 1 - position(y, spec.y, height)
  spec.series.forEach((series, s) => {
    const marker = MARKERS[s % MARKERS.length]
    const points = series.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!spec.y.log || y > 0))
    // Between two points, one mark per column on the straight line (in the axes' own scale).
    for (let i = 0; i + 1 < points.length; i++) {
      const [x0, y0] = points[i]
      const [x1, y1] = points[i + 1]
      const c0 = toX(x0)
      const c1 = toX(x1)
      for (let c = c0; c <= c1; c++) {
        const t = c1 === c0 ? 0 : (c - c0) / (c1 - c0)
        const ty = (v: number): number => (spec.y.log ? Math.log10(v) : v)
        const y = spec.y.log ? 10 ** (ty(y0) + t * (ty(y1) - ty(y0))) : y0 + t * (y1 - y0)
        grid[toY(y)][c] = {char: marker, series: s}
      }
    }
    if (points.length === 1) grid[toY(points[0][1])][toX(points[0][0])] = {char: marker, series: s}
  })
  // Axis titles are cut to the width, never wrapped into the plot.
  const fit = (text: string): string =>
    [...text].length > options.width ? [...text].slice(0, options.width - 1).join('') + '…' : text
  const lines: string[] = [chalk.dim(fit(`${' '.repeat(labelWidth)} ${spec.y.label}`))]
  const tickRows = new Map(yTicks.map((t) => [toY(t), format(spec.y)(t)]))
  grid.forEach((row, r) => {
    const label = (tickRows.get(r) ?? '').padStart(labelWidth - 1)
    const cells = row
      .map((cell) => (cell.series < 0 ? ' ' : chalk[COLORS[cell.series % COLORS.length]](cell.char)))
      .join('')
    lines.push(`${label} ${tickRows.has(r) ? '┤' : '│'}${cells}`)
  })
  lines.push(`${' '.repeat(labelWidth - 1)} └${'─'.repeat(plotWidth)}`)
  // x ticks: each label centred under its column, dropped if it would overlap the previous one.
  const xTicks = spec.x.ticks ?? defaultTicks(spec.x)
  let axisLine = ' '.repeat(labelWidth + 1 + plotWidth)
  let lastEnd = -1
  for (const tick of xTicks) {
    const text = format(spec.x)(tick)
    const start = Math.min(
      labelWidth + 1 + plotWidth - text.length,
      Math.max(0, labelWidth + 1 + toX(tick) - Math.floor(text.length / 2)),
    )
    if (start <= lastEnd) continue
    axisLine = axisLine.slice(0, start) + text + axisLine.slice(start + text.length)
    lastEnd = start + text.length
  }
  lines.push(axisLine.trimEnd())
  lines.push(chalk.dim(fit(`${' '.repeat(labelWidth + 1)}${spec.x.label}`)))
  // Legend: "o γ=0  + γ=2 …", wrapped to the width.
  const items = spec.series.map(
    (series, s) => `${chalk[COLORS[s % COLORS.length]](MARKERS[s % MARKERS.length])} ${series.name}`,
  )
  const plain = spec.series.map((series, s) => `${MARKERS[s % MARKERS.length]} ${series.name}`)
  let line = ' '.repeat(labelWidth + 1)
  let plainLine = line
  for (let i = 0; i < items.length; i++) {
    const sep = plainLine.trim() === '' ? '' : '   '
    if (plainLine.length + sep.length + plain[i].length > labelWidth + 1 + plotWidth && plainLine.trim() !== '') {
      lines.push(line)
      line = ' '.repeat(labelWidth + 1)
      plainLine = line
    }
    const gap = plainLine.trim() === '' ? '' : '   '
    line += gap + items[i]
    plainLine += gap + plain[i]
  }
  lines.push(line)
  return lines
}
