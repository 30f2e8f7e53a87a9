/**
 * --id-col for Arrow batches: a column of any scalar type (strings, dictionary-encoded strings, integers,
 * floats, booleans, dates) read as text, row by row, only for the rows asked for. Nested columns (lists,
 * structs) are refused: an id is one value.
 */
import type {Data} from 'apache-arrow'

import type {RowIds} from '../../core/chunk.js'
import {UsageError} from '../../core/errors.js'
import {NativeColumn} from './native-batch.js'
import {TYPE_BOOL, TYPE_DICTIONARY} from './type-ids.js'

/** apache-arrow's `makeVector`, passed in so that this module does not load apache-arrow itself. */
export type MakeVector = (data: Data) => {get(row: number): unknown}

/** The ids of one batch's column; `rowOf` maps a chunk row to the batch row (rows left out under skip). */
export function arrowRowIds(
  data: Data | NativeColumn,
  name: string,
  makeVector: MakeVector,
  rowOf: (row: number) => number,
): RowIds {
  if (data instanceof NativeColumn) {
    const column = data
    const values = column.values as ArrayLike<number | bigint>
    if (column.type.typeId === TYPE_BOOL) {
      return {
        text: (row) => {
          const i = rowOf(row)
          if (!column.getValid(i)) return null
          return ((values as unknown as Uint8Array)[i >> 3] >> (i & 7)) & 1 ? 'true' : 'false'
        },
      }
    }
    if (column.children.length > 0) throw nested(name, String(column.type))
    return {text: (row) => (column.getValid(rowOf(row)) ? String(values[rowOf(row)]) : null)}
  }
  if (data.children.length > 0 && data.type.typeId !== TYPE_DICTIONARY) throw nested(name, String(data.type))
  const vector = makeVector(data)
  return {
    text: (row) => {
      const value = vector.get(rowOf(row))
      if (value === null || value === undefined) return null
      return value instanceof Date ? value.toISOString() : String(value)
    },
  }
}

function nested(name: string, type: string): UsageError {
  return new UsageError(`--id-col "${name}": expected a column of strings or numbers, got ${type}`)
}
