/**
 * State files on disk: what `report --state-out` writes and `merge` / `gate --from-state` read and merge
 * (the format: core/state/state-file.ts, docs/state-format.md). Reading is strict — every file is checked
 * whole before it is merged, and a file of other settings is refused naming it and the first difference.
 */
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'

import {emptyPartialState} from '../core/evaluation.js'
import {InputError} from '../core/errors.js'
import type {FileFormat} from '../core/kinds.js'
import {MergeMismatch} from '../core/state/merge-rules.js'
import {type PartialState, type Settings, SettingsMismatch} from '../core/state/partial-state.js'
import {
  canonicalSettings,
  decodeStateFile,
  encodeStateFile,
  mergeStateFilesInto,
  reportFormat,
  type StateFile,
} from '../core/state/state-file.js'
import {fsError, STDIN} from '../readers/open-source.js'
import type {Report} from '../report/types.js'
import {reportOfState} from './analyze-predictions.js'

/** The settings' digest: "sha256:" and the first 16 bytes of SHA-256 over their canonical JSON, in hex. */
export function settingsDigest(canonical: string): string {
  return `sha256:${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`
}

/** A run's state with its context: each file's format (by its position on the command line) and --scores. */
export function stateFileOf(state: PartialState, formats: FileFormat[], scoresGiven: boolean): StateFile {
  return {
    state,
    context: {
      formats: state.input.files.map((f) => ({path: f.path, order: f.order, format: formats[f.order] ?? 'csv'})),
      scoresGiven,
    },
  }
}

/** The state file's text (one JSON document and a newline). */
export function stateFileText(file: StateFile): string {
  return encodeStateFile(file, settingsDigest(canonicalSettings(file.state.settings)))
}

/**
 * An empty state of these settings, kept per settings: decoding checks each file against one, and building
 * one compiles the evaluators' kernels (~0.5 ms), which a merge of 1,000 files of one run would pay 1,000
 * times. Decoding only reads it.
 */
const emptyStates = new Map<string, PartialState>()
function emptyStateOf(settings: Settings): PartialState {
  const key = canonicalSettings(settings)
  let empty = emptyStates.get(key)
  if (empty === undefined) {
    empty = emptyPartialState(settings)
    emptyStates.set(key, empty)
  }
  return empty
}

/** One state file, read and checked; a problem is an InputError naming the file (exit 2). */
export function readStateFile(path: string): StateFile {
  let text: string
  try {
    text = readFileSync(path === STDIN ? 0 : path, 'utf8')
  } catch (error) {
    throw fsError(error, path)
  }
  return readStateText(text, path)
}

/** A state file's text, parsed and checked (`path` names it in errors). */
export function readStateText(text: string, path = 'state'): StateFile {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    const what = text.trim() === '' ? 'an empty file' : `text that is not JSON (${(error as Error).message})`
    throw new InputError(`expected a focalscope state file (JSON, from report --state-out), got ${what}`, {
      file: path,
    })
  }
  try {
    return decodeStateFile(json, emptyStateOf, settingsDigest)
  } catch (error) {
    throw new InputError((error as Error).message, {file: path})
  }
}

/**
 * The merge of the state files at `paths` (in this order; the result does not depend on it), each read,
 * checked and merged in turn, so memory holds two states at a time. States of different settings are
 * refused: "b.json: computed with different settings than a.json: gammas [0,2] vs [0,1]".
 */
export function mergeStateFiles(paths: string[]): StateFile {
  let merged: StateFile | undefined
  for (const path of paths) {
    const file = readStateFile(path)
    if (merged === undefined) {
      merged = file
      continue
    }
    try {
      mergeStateFilesInto(merged, file)
    } catch (error) {
      if (error instanceof SettingsMismatch || error instanceof MergeMismatch) {
        const difference =
          error instanceof SettingsMismatch
            ? error.message.replace(/^computed with different settings: /, '')
            : error.message
        throw new InputError(`expected the settings of ${paths[0]}, got different ones: ${difference}`, {file: path})
      }
      throw error
    }
  }
  if (merged === undefined) throw new InputError('expected at least one state file, got none')
  return merged
}

/** The report of merged state files (as `report` on all their data would print it). */
export function reportOfStateFile(
  file: StateFile,
  source: string,
  warnings: string[] = [],
  top?: {rows?: number; perClass?: number},
): Report {
  return reportOfState(file.state, {
    format: reportFormat(file.context),
    scoresGiven: file.context.scoresGiven,
    source,
    warnings,
    top,
  })
}
