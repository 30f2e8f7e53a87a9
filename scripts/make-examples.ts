/**
 * Writes the example files the README, docs/ and the commands' help run against (examples/): predictions
 * of an 8-class image classifier, the same model's previous version, the report of that previous version,
 * which the baseline gates compare with, and a candidate model's predictions for the same rows (compare). Deterministic: rerun with `npm run examples` (after
 * `npm run build`; the baseline report is written by the built CLI) and commit the result.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'

const CLASSES = ['cat', 'dog', 'bird', 'horse', 'sheep', 'cow', 'fox', 'deer']
/** Rows per class, in parts of the whole: the two first classes are half of the data, the last 3 %. */
const PRIORS = [30, 22, 15, 11, 9, 6, 4, 3]

/** mulberry32: a tiny seeded PRNG, so every run writes the same bytes. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Approximately normal (sum of uniforms), written with 4 significant digits like a compact dump. */
function normal(random: () => number, mean: number, sd: number): number {
  const z = random() + random() + random() + random() - 2
  return Number((mean + sd * z * 1.7320508).toPrecision(4))
}

function pickClass(random: () => number): number {
  let u = random() * PRIORS.reduce((a, b) => a + b, 0)
  for (let c = 0; c < PRIORS.length; c++) {
    u -= PRIORS[c]
    if (u < 0) return c
  }
  return PRIORS.length - 1
}

/** Prediction rows: each row's class index and its logits. */
interface Rows {
  labels: number[]
  logits: number[][]
}

function csv(rows: Rows): string {
  const lines = [['label', ...CLASSES.map((c) => `logit_${c}`)].join(',')]
  rows.labels.forEach((y, i) => lines.push([CLASSES[y], ...rows.logits[i]].join(',')))
  return `${lines.join('\n')}\n`
}

/** `n` rows of labels (class names) and logits; `boost[c]` is how far class c's true logit stands out. */
function predictions(n: number, boost: number[], seed: number): Rows {
  const random = prng(seed)
  const rows: Rows = {labels: [], logits: []}
  for (let i = 0; i < n; i++) {
    const y = pickClass(random)
    rows.labels.push(y)
    rows.logits.push(CLASSES.map((_, j) => normal(random, j === y ? boost[y] : 0, 1)))
  }
  return rows
}

/**
 * Another model's predictions for the same rows: the same labels, each logit the first model's moved by a
 * little noise, and the true class's by `shift[c]` — a model that agrees on most rows (so most hard rows
 * stay hard) but has learnt some classes better or worse.
 */
function candidate(rows: Rows, shift: number[], seed: number): Rows {
  const random = prng(seed)
  return {
    labels: rows.labels,
    logits: rows.logits.map((logits, i) =>
      logits.map((x, j) =>
        Number((x + normal(random, j === rows.labels[i] ? shift[rows.labels[i]] : 0, 0.5)).toPrecision(4)),
      ),
    ),
  }
}

mkdirSync('examples', {recursive: true})
// The rare classes are harder: the model saw fewer of them.
const current = predictions(800, [3.4, 3.2, 3, 2.8, 2.5, 2.1, 1.6, 1.3], 11)
writeFileSync('examples/predictions.csv', csv(current))
// The previous version of the model: a little worse everywhere, most on the rare classes.
writeFileSync('examples/previous-predictions.csv', csv(predictions(800, [3.3, 3.1, 2.9, 2.6, 2.3, 1.9, 1.4, 1.1], 12)))
// A candidate model on the same 800 rows (what `compare` pairs row by row): the rare classes learnt
// better, the common ones a little less sure.
writeFileSync('examples/candidate-predictions.csv', csv(candidate(current, [0, 0, 0.1, 0.2, 0.4, 0.6, 0.9, 1.1], 13)))
execFileSync(
  process.execPath,
  ['bin/run.cjs', 'report', 'examples/previous-predictions.csv', '--output', 'examples/baseline-report.json', '--json'],
  {stdio: ['ignore', 'ignore', 'inherit']},
)
// The same rows as two shards, for `focalscope merge` (docs/state-format.md).
mkdirSync('examples/shards', {recursive: true})
const [header, ...rows] = readFileSync('examples/predictions.csv', 'utf8').trimEnd().split('\n')
writeFileSync('examples/shards/part-1.csv', `${[header, ...rows.slice(0, 400)].join('\n')}\n`)
writeFileSync('examples/shards/part-2.csv', `${[header, ...rows.slice(400)].join('\n')}\n`)
