/**
 * Writes fixtures/arrow-compressed/: copies of the plain Arrow fixtures (fixtures/*.arrow, *.arrows) with
 * LZ4_FRAME- and ZSTD-compressed bodies, shaped as pyarrow writes them and compressed by the real lz4 and
 * zstd tools (scripts/lib/compressed-arrow.ts says how and why). Rerun with `npm run fixtures` (needs
 * the `lz4` and `zstd` commands); test/readers/arrow/compressed-fixtures.test.ts checks that each copy
 * reads to exactly its plain original's report, and that its buffers are compressed as stated.
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {tableFromIPC} from 'apache-arrow'

import {type Variant, writeCompressedArrow} from './lib/compressed-arrow.js'

const outDir = resolve(process.argv[2] ?? 'fixtures/arrow-compressed')
const FIXTURES = resolve('fixtures')
mkdirSync(outDir, {recursive: true})

/** [plain fixture, compressor variant, format of the copy]. */
const COPIES: [string, Variant, 'file' | 'stream'][] = [
  ['binary.arrow', 'lz4', 'file'],
  ['binary.arrow', 'lz4-checked', 'file'],
  ['binary.arrow', 'zstd', 'file'],
  ['binary.arrows', 'lz4', 'stream'],
  ['binary.arrows', 'zstd', 'stream'],
  ['multiclass.arrow', 'lz4', 'file'],
  ['multiclass.arrow', 'zstd', 'file'],
  ['multiclass-list.arrow', 'lz4', 'file'],
  ['multilabel.arrow', 'zstd', 'file'],
  ['multilabel-list.arrow', 'lz4', 'file'],
]

for (const [plain, variant, format] of COPIES) {
  const table = tableFromIPC(readFileSync(join(FIXTURES, plain)))
  const [base, ext] = plain.split('.')
  writeFileSync(join(outDir, `${base}-${variant}.${ext}`), writeCompressedArrow(table.batches, variant, format))
}
