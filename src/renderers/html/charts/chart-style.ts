/**
 * What every chart spec shares: the palette, the sizes and the names of the series. The specs carry their
 * palette in their scales (not in a config), so a notebook re-rendering `charts.sweep` with Altair gets the
 * same colours; the page's own look (text in the page's colour, transparent background) is applied only
 * when the page renders them (render-chart-svgs.ts).
 */
import type {LossVariant} from '../../../report/types.js'

/**
 * Okabe & Ito's colour-blind-safe palette (Okabe and Ito 2008, "Color Universal Design"), without its black
 * (invisible on a dark page) and with its yellow last (faint on white). Lines also differ by point shape.
 */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#F0E442']

/** Shapes paired with the palette, so series stay apart without colour (print, colour blindness). */
export const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-right']

/** Vermillion: the ▲ classes; blue: the others (first and fifth of the palette, apart for every CVD type). */
export const OVERWEIGHT_COLOR = '#D55E00'
export const OTHER_COLOR = '#0072B2'

/** A sequential scheme that stays readable in grey and for every colour-vision deficiency. */
export const SEQUENTIAL_SCHEME = 'viridis'

export const SCHEMA_URL = 'https://vega.github.io/schema/vega-lite/v6.json'

/** Plot area of a single chart, in CSS pixels; the page scales the SVG down on narrow screens. */
export const WIDTH = 520
export const HEIGHT = 260

/** The loss the sweep reports, as chart titles and legends name it. */
export const LOSS_SHORT: Record<LossVariant, string> = {ce: 'CE', focal: 'FL', varifocal: 'VFL', poly1: 'Poly-1'}

/** A γ as a legend shows it: "γ = 2" (γ = 0 is cross-entropy). */
export function gammaName(gamma: number): string {
  return `γ = ${gamma}`
}
