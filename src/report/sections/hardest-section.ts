/**
 * The `hardest` and `hardestByClass` sections (--top, --top-per-class): the kept elements of the state as
 * report rows, with class names in place of class indices.
 */
import type {HardEntry, HardestState} from '../../core/evaluators/hardest-rows.js'
import type {Settings} from '../../core/state/partial-state.js'
import type {Hardest, HardRow} from '../types.js'

function hardRow(entry: HardEntry, settings: Settings): HardRow {
  const {classes} = settings
  const multilabel = settings.task === 'multilabel'
  return {
    file: entry.file,
    row: entry.row,
    line: entry.line,
    batch: entry.batch,
    batchRow: entry.batchRow,
    id: entry.id,
    ...(multilabel ? {class: classes[entry.cls]} : {}),
    label: multilabel ? entry.label : classes[entry.label],
    predicted: multilabel ? entry.predicted : classes[entry.predicted],
    pt: entry.pt,
    ce: entry.ce,
    loss: entry.loss,
  }
}

/** The sections of a state's hardest lists; `limit` (merge --top) cuts them shorter. */
export function hardestSections(
  settings: Settings,
  state: HardestState | undefined,
  limit?: {rows?: number; perClass?: number},
): {hardest?: Hardest; hardestByClass?: Record<string, HardRow[]>} {
  const top = settings.hardest
  if (state === undefined || top === undefined) return {}
  const out: {hardest?: Hardest; hardestByClass?: Record<string, HardRow[]>} = {}
  if (top.rows > 0) {
    out.hardest = {
      by: top.gamma === null ? 'ce' : 'focal',
      gamma: top.gamma,
      rows: state.rows.entries.slice(0, limit?.rows ?? top.rows).map((e) => hardRow(e, settings)),
    }
  }
  if (top.perClass > 0) {
    out.hardestByClass = Object.fromEntries(
      state.byClass.lists.map((list, c) => [
        settings.classes[c],
        list.slice(0, limit?.perClass ?? top.perClass).map((e) => hardRow(e, settings)),
      ]),
    )
  }
  return out
}
