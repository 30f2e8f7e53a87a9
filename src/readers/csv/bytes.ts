/** The bytes the CSV readers look at, and the exact powers of ten of the Clinger fast path. */
export const COMMA = 0x2c
export const CR = 0x0d
export const LF = 0x0a
export const QUOTE = 0x22
export const MINUS = 0x2d
export const PLUS = 0x2b
export const DOT = 0x2e
export const ZERO = 0x30
export const NINE = 0x39
export const LOWER_E = 0x65
export const UPPER_E = 0x45

/** 10^0 … 10^22: every one is exactly representable in float64. */
export const POW10 = Float64Array.from({length: 23}, (_, i) => Number(`1e${i}`))

/** Column roles in a CSV record: ignored, the label, the --id-col, or (j ≥ 0) score column j. */
export const IGNORED = -1
export const LABEL = -2
export const ID = -3
