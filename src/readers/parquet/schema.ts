/**
 * The Parquet schema (a flattened tree in the footer) as the top-level columns focalscope can read: a
 * primitive column (label, score, target, class) or a list of primitives (`logits` as list<double>), with the
 * definition and repetition levels that tell a value from a null or a row boundary.
 */
import {
  BOOLEAN,
  BYTE_ARRAY,
  CONVERTED_DECIMAL,
  CONVERTED_LIST,
  CONVERTED_UINT_32,
  CONVERTED_UINT_64,
  CONVERTED_UTF8,
  CONVERTED_ENUM,
  DOUBLE,
  FIXED_LEN_BYTE_ARRAY,
  FLOAT,
  INT32,
  INT64,
  INT96,
  LOGICAL_DECIMAL,
  LOGICAL_ENUM,
  LOGICAL_FLOAT16,
  LOGICAL_INTEGER,
  LOGICAL_LIST,
  LOGICAL_STRING,
  OPTIONAL,
  REPEATED,
  REQUIRED,
  type SchemaElement,
  TYPE_NAMES,
} from './metadata.js'

/** How a leaf's values read as numbers or text. */
export type ValueKind =
  | 'boolean'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float'
  | 'double'
  | 'string'
  /** Anything else (INT96 timestamps, decimals, FLOAT16, raw binary): named in errors, never read. */
  | 'other'

/** One leaf column (a path of the schema ending in a primitive) and its levels. */
export interface Leaf {
  /** Dotted path, as in ColumnMetaData.path_in_schema. */
  path: string[]
  /** Index of this leaf among all leaves: its ColumnChunk in every row group. */
  index: number
  physicalType: number
  typeLength: number
  kind: ValueKind
  /** Human name of the type, for error messages ("DOUBLE", "INT64 (UINT_64)", …). */
  typeName: string
  maxDefinition: number
  maxRepetition: number
}

/** A top-level column: a primitive, a list of primitives, or something else (a struct, a map, nested lists). */
export interface TopColumn {
  name: string
  shape: 'primitive' | 'list' | 'nested'
  /** 'primitive' and 'list': the one leaf holding the values. */
  leaf?: Leaf
  /**
   * 'list': the definition level at which the list itself is present (below it: a null list); equal to it,
   * an empty list; above it and below the leaf's maximum, a null element.
   */
  listDefinition?: number
  /** 'nested': what it is, for the error message. */
  description?: string
}

export class SchemaError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SchemaError'
  }
}

interface Node {
  element: SchemaElement
  children: Node[]
}

function valueKind(e: SchemaElement): ValueKind {
  const logical = e.logicalType
  switch (e.type) {
    case BOOLEAN:
      return 'boolean'
    case INT32:
      if (e.convertedType === CONVERTED_DECIMAL || logical?.kind === LOGICAL_DECIMAL) return 'other'
      if (e.convertedType === CONVERTED_UINT_32 || (logical?.kind === LOGICAL_INTEGER && logical.isSigned === false)) {
        return 'uint32'
      }
      return 'int32'
    case INT64:
      if (e.convertedType === CONVERTED_DECIMAL || logical?.kind === LOGICAL_DECIMAL) return 'other'
      if (e.convertedType === CONVERTED_UINT_64 || (logical?.kind === LOGICAL_INTEGER && logical.isSigned === false)) {
        return 'uint64'
      }
      return 'int64'
    case FLOAT:
      return 'float'
    case DOUBLE:
      return 'double'
    case BYTE_ARRAY:
      if (
        e.convertedType === CONVERTED_UTF8 ||
        e.convertedType === CONVERTED_ENUM ||
        logical?.kind === LOGICAL_STRING ||
        logical?.kind === LOGICAL_ENUM
      ) {
        return 'string'
      }
      // Unannotated binary: pandas and DuckDB annotate their strings, but some writers do not.
      return e.convertedType === undefined && logical === undefined ? 'string' : 'other'
    default:
      return 'other'
  }
}

function typeName(e: SchemaElement): string {
  const physical = TYPE_NAMES[e.type ?? -1] ?? `type ${e.type}`
  if (e.logicalType?.kind === LOGICAL_FLOAT16) return `${physical} (FLOAT16)`
  if (e.type === INT96) return 'INT96 (a timestamp)'
  if (e.type === FIXED_LEN_BYTE_ARRAY) return `${physical}(${e.typeLength})`
  if (e.convertedType === CONVERTED_DECIMAL || e.logicalType?.kind === LOGICAL_DECIMAL) return `${physical} (DECIMAL)`
  return physical
}

/** Rebuilds the tree from the footer's depth-first list of elements (`num_children` says where groups end). */
function buildTree(elements: SchemaElement[]): Node {
  if (elements.length === 0) throw new SchemaError('the schema is empty')
  let next = 0
  const visit = (depth: number): Node => {
    if (depth > 64) throw new SchemaError('the schema nests more than 64 levels deep')
    const element = elements[next++]
    const node: Node = {element, children: []}
    const count = element.numChildren ?? 0
    if (count < 0 || count > elements.length - next) {
      throw new SchemaError(
        `"${element.name}" says it has ${count} children, the schema has ${elements.length - next} more elements`,
      )
    }
    for (let i = 0; i < count; i++) node.children.push(visit(depth + 1))
    return node
  }
  const root = visit(0)
  if (next !== elements.length) {
    throw new SchemaError(`the schema's root holds ${next} elements of ${elements.length}`)
  }
  return root
}

/**
 * The top-level columns of a schema, and every leaf in file order (row groups hold one column chunk per
 * leaf, in this order).
 */
export function readSchema(elements: SchemaElement[]): {columns: TopColumn[]; leaves: Leaf[]} {
  const root = buildTree(elements)
  const leaves: Leaf[] = []
  const columns: TopColumn[] = []
  // Levels: each non-required node on the path adds a definition level, each repeated one a repetition level.
  const walk = (node: Node, path: string[], def: number, rep: number): Leaf[] => {
    const e = node.element
    const repetition = e.repetition ?? REQUIRED
    if (repetition !== REQUIRED && repetition !== OPTIONAL && repetition !== REPEATED) {
      throw new SchemaError(`"${e.name}" has repetition type ${repetition}`)
    }
    const d = def + (repetition === REQUIRED ? 0 : 1)
    const r = rep + (repetition === REPEATED ? 1 : 0)
    const p = [...path, e.name]
    if (node.children.length === 0) {
      if (e.type === undefined || (e.numChildren ?? 0) > 0) {
        throw new SchemaError(`"${p.join('.')}" has neither a type nor children`)
      }
      const leaf: Leaf = {
        path: p,
        index: leaves.length,
        physicalType: e.type,
        typeLength: e.typeLength ?? 0,
        kind: valueKind(e),
        typeName: typeName(e),
        maxDefinition: d,
        maxRepetition: r,
      }
      leaves.push(leaf)
      return [leaf]
    }
    return node.children.flatMap((child) => walk(child, p, d, r))
  }
  for (const child of root.children) columns.push(describe(child, walk(child, [], 0, 0)))
  return {columns, leaves}
}

/** What a top-level node is: a primitive, a list of primitives (3-level or legacy 2-level), or other. */
function describe(node: Node, leaves: Leaf[]): TopColumn {
  const e = node.element
  const name = e.name
  const repetition = e.repetition ?? REQUIRED
  if (node.children.length === 0) {
    // A repeated primitive at the top is a list in the oldest form (no LIST annotation).
    if (repetition === REPEATED) return {name, shape: 'list', leaf: leaves[0], listDefinition: 0}
    return {name, shape: 'primitive', leaf: leaves[0]}
  }
  const isList = e.convertedType === CONVERTED_LIST || e.logicalType?.kind === LOGICAL_LIST
  if (isList && repetition !== REPEATED && node.children.length === 1 && leaves.length === 1) {
    const middle = node.children[0]
    const leaf = leaves[0]
    const listDefinition = repetition === OPTIONAL ? 1 : 0
    // 3-level: LIST { repeated group list { element } }; 2-level (legacy): LIST { repeated primitive }.
    // A legacy list of one-field structs ("array" / "<name>_tuple") has the same levels and values.
    const flat =
      middle.children.length === 0 || (middle.children.length === 1 && middle.children[0].children.length === 0)
    if (middle.element.repetition === REPEATED && leaf.maxRepetition === 1 && flat) {
      return {name, shape: 'list', leaf, listDefinition}
    }
  }
  const what = isList
    ? 'a list whose elements are not numbers (nested lists or structs)'
    : leaves.some((l) => l.maxRepetition > 0)
      ? 'a map or a struct of lists'
      : 'a struct'
  return {name, shape: 'nested', description: what}
}
