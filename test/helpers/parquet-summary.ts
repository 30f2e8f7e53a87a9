/**
 * A stand-in for `focalscope report` on a Parquet file until the reader is wired into the CLI: reads every
 * chunk and prints a JSON summary (rows, label sum, sum and count of finite scores, count of the others),
 * or, for an input or usage error, one line `focalscope: error: …` and exit 2 as the CLI does. Anything
 * else escapes with its stack (exit 1): a finding for the fuzzer. Bundled by test/helpers/parquet-fuzz.ts.
 *
 *   node parquet-summary.js FILE ['{"labelCol": "label", …}']
 */
import {InputError, UsageError} from '../../src/core/errors.js'
import {resolveLayout} from '../../src/readers/layout.js'
import {openParquet, readParquetChunks} from '../../src/readers/parquet/from-parquet.js'

const [path, flags = '{}'] = process.argv.slice(2)
try {
  const source = await openParquet(path)
  const layout = resolveLayout(source.columns, {labelCol: 'label', ...(JSON.parse(flags) as object)}, path)
  let rows = 0
  let labelSum = 0
  let finiteSum = 0
  let finiteCount = 0
  let nonFinite = 0
  for await (const chunk of readParquetChunks(path, source, layout)) {
    rows += chunk.rows
    for (let i = 0; i < chunk.rows; i++) labelSum += chunk.labels[i]
    for (let i = 0; i < chunk.rows * chunk.width; i++) {
      const x = chunk.scores[i]
      if (Number.isFinite(x)) {
        finiteSum += x
        finiteCount++
      } else nonFinite++
    }
  }
  process.stdout.write(`${JSON.stringify({rows, labelSum, finiteSum, finiteCount, nonFinite})}\n`)
} catch (error) {
  if (!(error instanceof InputError || error instanceof UsageError)) throw error
  process.stderr.write(`focalscope: error: ${error.message.split('\n')[0]}\n`)
  process.exitCode = 2
}
