// Writes a multi-class logits CSV with many classes (default 1,000 classes, 5,000 rows) to the path given,
// for measuring the HTML report on a wide report (docs/html-report.md). Seeded, so every run writes the same
// bytes. Usage: node scripts/make-many-classes.mjs OUT.csv [CLASSES] [ROWS]
import {createWriteStream} from 'node:fs'

const [out, classArg = '1000', rowArg = '5000'] = process.argv.slice(2)
if (!out) throw new Error('usage: node scripts/make-many-classes.mjs OUT.csv [CLASSES] [ROWS]')
const classes = Number(classArg)
const rows = Number(rowArg)

/** mulberry32, as scripts/make-fixtures.ts. */
function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const random = prng(1000)
// A long tail, as in real many-class data: class c drawn with weight 1 / (c + 1).
const cumulative = []
let total = 0
for (let c = 0; c < classes; c++) cumulative.push((total += 1 / (c + 1)))

const stream = createWriteStream(out)
stream.write(`label,${Array.from({length: classes}, (_, c) => `logit_${c}`).join(',')}\n`)
for (let r = 0; r < rows; r++) {
  const u = random() * total
  let label = cumulative.findIndex((x) => x > u)
  if (label < 0) label = classes - 1
  const logits = new Array(classes)
  for (let c = 0; c < classes; c++) logits[c] = (random() * 4 - 2).toFixed(2)
  // Frequent classes are learnt better: a larger margin for the true class.
  logits[label] = (2 + 6 * random() - Math.log(label + 1)).toFixed(2)
  stream.write(`${label},${logits.join(',')}\n`)
}
stream.end()
