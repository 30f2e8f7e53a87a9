/**
 * Every difference between the SQL engines `focalscope sql` writes for, in one table. The query builder
 * (build-query.ts) writes one query from the same expressions for all of them and asks this table only for
 * what differs: type names, quoting, string literals, the Kahan sum, a table of the numbers 0 … K − 1,
 * list elements. Functions the five share under the same name (ln, exp, power, abs, greatest, CASE) are
 * not here. DuckDB and PostgreSQL run the generated query in the tests; Spark, Trino and BigQuery are
 * written from their documentation and are not executed in tests.
 */

export const DIALECT_NAMES = ['duckdb', 'postgres', 'spark', 'trino', 'bigquery'] as const
export type DialectName = (typeof DIALECT_NAMES)[number]

export interface Dialect {
  name: DialectName
  /** Whether the test suite runs this dialect's queries on a real engine. */
  executedInTests: boolean
  /** The 64-bit float and integer types and the text type, for CAST. */
  double: string
  bigint: string
  text: string
  /** An identifier, quoted. */
  quote(name: string): string
  /** A string literal. */
  string(value: string): string
  /** The sum of doubles: DuckDB's fsum is compensated (Kahan–Babuška); the others add plainly. */
  sum: string
  /** A FROM item with one integer column `j` holding 0 … count − 1 (multi-label elements). */
  numbers(count: number, alias: string): string
  /** Element `index` (0-based) of a list (array) column. */
  element(list: string, index: number): string
  /** Where the functions and types above are documented. */
  reference: string
}

const quoteDouble = (name: string): string => `"${name.replaceAll('"', '""')}"`
const quoteBacktick = (name: string): string => `\`${name.replaceAll('`', '``')}\``
const standardString = (value: string): string => `'${value.replaceAll("'", "''")}'`
const valuesTable = (count: number, alias: string): string =>
  `(VALUES ${Array.from({length: count}, (_, j) => `(${j})`).join(', ')}) AS ${alias}(j)`

export const DIALECTS: Record<DialectName, Dialect> = {
  duckdb: {
    name: 'duckdb',
    executedInTests: true,
    double: 'DOUBLE',
    bigint: 'BIGINT',
    text: 'VARCHAR',
    quote: quoteDouble,
    string: standardString,
    sum: 'fsum',
    numbers: valuesTable,
    element: (list, index) => `${list}[${index + 1}]`,
    reference: 'https://duckdb.org/docs/sql/functions/numeric (fsum: aggregates)',
  },
  postgres: {
    name: 'postgres',
    executedInTests: true,
    double: 'DOUBLE PRECISION',
    bigint: 'BIGINT',
    text: 'TEXT',
    quote: quoteDouble,
    string: standardString,
    sum: 'sum',
    numbers: valuesTable,
    element: (list, index) => `${list}[${index + 1}]`,
    reference: 'https://www.postgresql.org/docs/current/functions-math.html',
  },
  spark: {
    name: 'spark',
    executedInTests: false,
    double: 'DOUBLE',
    bigint: 'BIGINT',
    text: 'STRING',
    quote: quoteBacktick,
    // Spark SQL string literals take backslash escapes.
    string: (value) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`,
    sum: 'sum',
    numbers: valuesTable,
    element: (list, index) => `element_at(${list}, ${index + 1})`,
    reference: 'https://spark.apache.org/docs/latest/api/sql/index.html',
  },
  trino: {
    name: 'trino',
    executedInTests: false,
    double: 'DOUBLE',
    bigint: 'BIGINT',
    text: 'VARCHAR',
    quote: quoteDouble,
    string: standardString,
    sum: 'sum',
    numbers: (count, alias) => `(VALUES ${Array.from({length: count}, (_, j) => String(j)).join(', ')}) AS ${alias}(j)`,
    element: (list, index) => `element_at(${list}, ${index + 1})`,
    reference: 'https://trino.io/docs/current/functions/math.html',
  },
  bigquery: {
    name: 'bigquery',
    executedInTests: false,
    double: 'FLOAT64',
    bigint: 'INT64',
    text: 'STRING',
    quote: quoteBacktick,
    string: (value) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`,
    sum: 'SUM',
    numbers: (count, alias) => `(SELECT j FROM UNNEST(GENERATE_ARRAY(0, ${count - 1})) AS j) AS ${alias}`,
    element: (list, index) => `${list}[SAFE_OFFSET(${index})]`,
    reference: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/mathematical_functions',
  },
}
