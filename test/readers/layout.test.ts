import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {UsageError} from '../../src/core/errors.js'
import {type ColumnInfo, type LayoutFlags, resolveLayout} from '../../src/readers/layout.js'

const FLAGS: LayoutFlags = {labelCol: 'label'}
const list = (name: string, listSize: number): ColumnInfo => ({name, listSize})
const scalar = (...names: string[]): ColumnInfo[] => names.map((name) => ({name}))

function usageError(columns: ColumnInfo[], flags: Partial<LayoutFlags> = {}): string {
  try {
    resolveLayout(columns, {...FLAGS, ...flags}, 'f.arrow')
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error))
    return error.message
  }
  assert.fail('expected a UsageError')
}

describe('resolveLayout: multi-label as two Arrow FixedSizeLists', () => {
  it('pairs a list of scores with a list of targets (targets, target, labels, the label column)', () => {
    for (const target of ['targets', 'target', 'labels', 'label', 'Targets']) {
      const layout = resolveLayout([list('logits', 3), list(target, 3), {name: 'id'}], FLAGS, 'f.arrow')
      assert.equal(layout.task, 'multilabel', target)
      assert.equal(layout.elementLayout, 'wide')
      assert.equal(layout.listColumn, 'logits')
      assert.equal(layout.targetListColumn, target)
      assert.equal(layout.labelColumn, '')
      assert.deepEqual(layout.scoreColumns, [])
      assert.deepEqual(layout.classes, ['0', '1', '2'])
      assert.equal(layout.scores, 'logits')
    }
    const probs = resolveLayout([list('probs', 2), list('targets', 2)], FLAGS, 'f.arrow')
    assert.equal(probs.scores, 'probs')
  })

  it('--target-col and --score-col pick the lists; a scalar --target-col stays the long layout’s', () => {
    const columns = [list('out', 4), list('gt', 4), list('aux', 4)]
    const layout = resolveLayout(columns, {...FLAGS, targetCol: 'gt', scoreCol: 'out', scores: 'logits'}, 'f.arrow')
    assert.equal(layout.listColumn, 'out')
    assert.equal(layout.targetListColumn, 'gt')
    const long = resolveLayout(
      [...scalar('anchor', 'class', 'logit', 'y')],
      {...FLAGS, targetCol: 'y', classNames: ['a', 'b']},
      'f.arrow',
    )
    assert.equal(long.elementLayout, 'long')
  })

  it('a list column named label next to a scalar score is not a list layout: the multi-class list is unchanged', () => {
    const layout = resolveLayout([{name: 'label'}, list('logits', 5)], FLAGS, 'f.arrow')
    assert.equal(layout.task, 'multiclass')
    assert.equal(layout.listColumn, 'logits')
    assert.equal(layout.targetListColumn, undefined)
  })

  it('refuses lists of different K, two lists of scores or of targets, a scalar --score-col, and no list of scores', () => {
    assert.match(
      usageError([list('logits', 3), list('targets', 4)]),
      /f\.arrow: expected the list of scores "logits" and the list of targets "targets" to have the same length K, got 3 and 4$/,
    )
    assert.match(
      usageError([list('logits', 3), list('probs', 3), list('targets', 3)]),
      /both "logits" and "probs" look like lists of scores; pass --score-col NAME$/,
    )
    assert.match(
      usageError([list('logits', 3), list('targets', 3), list('labels', 3)]),
      /both "targets" and "labels" look like lists of targets; pass --target-col NAME$/,
    )
    assert.match(
      usageError([{name: 'logit'}, list('logits', 3), list('targets', 3)], {scoreCol: 'logit'}),
      /expected --score-col "logit" to be a FixedSizeList of K scores, as the targets "targets" are a list$/,
    )
    assert.match(
      usageError([list('emb', 3), list('targets', 3)]),
      /expected a FixedSizeList score column \("logits", "probs", "scores" or --score-col\) next to the list of targets "targets"/,
    )
    assert.match(
      usageError([list('logits', 3), list('targets', 3)], {classCol: 'class'}),
      /--class-col "class": the list layout \("logits", "targets"\) has no class column$/,
    )
  })
})

describe('resolveLayout: --soft-labels', () => {
  it('reads a binary file as one sigmoid element per row: K = 1, the label as its target, the class named "1"', () => {
    const layout = resolveLayout(scalar('id', 'label', 'logit'), {...FLAGS, softLabels: true}, 'f.csv')
    assert.equal(layout.task, 'multilabel')
    assert.equal(layout.elementLayout, 'wide')
    assert.equal(layout.labelColumn, '')
    assert.deepEqual(layout.scoreColumns, ['logit', 'label'])
    assert.deepEqual(layout.classes, ['1'])
    const renamed = resolveLayout(
      scalar('y', 'p'),
      {labelCol: 'y', scoreCol: 'p', scores: 'probs', softLabels: true},
      'f',
    )
    assert.deepEqual(renamed.scoreColumns, ['p', 'y'])
    assert.equal(renamed.scores, 'probs')
  })

  it('without the flag a binary layout is unchanged', () => {
    const layout = resolveLayout(scalar('label', 'logit'), FLAGS, 'f.csv')
    assert.equal(layout.task, 'binary')
    assert.deepEqual(layout.scoreColumns, ['logit'])
  })

  it('refuses it for a multi-class layout; a multi-label layout takes soft targets anyway', () => {
    assert.match(
      usageError(scalar('label', 'logit_0', 'logit_1', 'logit_2'), {softLabels: true}),
      /--soft-labels: expected a binary layout \(a label column and one score column\), got 3 score columns/,
    )
    assert.match(
      usageError([{name: 'label'}, list('logits', 3)], {softLabels: true}),
      /--soft-labels: expected a binary layout .*, got the list "logits"$/,
    )
    const wide = resolveLayout(scalar('logit_a', 'logit_b', 'target_a', 'target_b'), {...FLAGS, softLabels: true}, 'f')
    assert.equal(wide.task, 'multilabel')
    assert.deepEqual(wide.classes, ['a', 'b'])
  })
})

describe('resolveLayout: hints when there is no label column', () => {
  it('suggests --target-prefix P for columns whose suffixes are the score columns’ (multi-label targets named y_*)', () => {
    const message = usageError(scalar('logit_a', 'logit_b', 'y_a', 'y_b'))
    assert.equal(
      message,
      'f.arrow: no label column "label" (columns: logit_a, logit_b, y_a, y_b); "y_…" match the score columns "logit_…" ' +
        'class for class: for multi-label targets pass --target-prefix y_ (or --label-col NAME)',
    )
    // The suggestion reads the file.
    const layout = resolveLayout(scalar('logit_a', 'logit_b', 'y_a', 'y_b'), {...FLAGS, targetPrefix: 'y_'}, 'f.arrow')
    assert.equal(layout.task, 'multilabel')
    assert.deepEqual(layout.scoreColumns, ['logit_a', 'logit_b', 'y_a', 'y_b'])
    // With --score-prefix, and whatever the order of the columns.
    assert.match(
      usageError(scalar('gt-cat', 'out_dog', 'id', 'out_cat', 'gt-dog'), {scorePrefix: 'out_', scores: 'logits'}),
      /"gt-…" match the score columns "out_…" class for class: for multi-label targets pass --target-prefix gt- /,
    )
  })

  it('keeps "pass --label-col NAME" when no prefix covers every suffix, or the other prefix is a score prefix', () => {
    const plain = / \(columns: [^)]*\); pass --label-col NAME$/
    assert.match(usageError(scalar('logit_a', 'logit_b', 'y_a')), plain)
    assert.match(usageError(scalar('y', 'logit')), plain)
    assert.match(usageError(scalar('logit_a', 'logit_b', 'prob_a', 'prob_b')), plain)
  })
})

describe('resolveLayout: pandas headers (--score-cols, --ignore-cols)', () => {
  it('takes bare class numbers in the order given; the unnamed index column and extra columns are left alone', () => {
    const layout = resolveLayout(
      scalar('', '0', '1', '2', 'label'),
      {...FLAGS, scoreCols: ['0', '1', '2'], scores: 'probs'},
      'f.csv',
    )
    assert.deepEqual(layout, {
      task: 'multiclass',
      scores: 'probs',
      labelColumn: 'label',
      scoreColumns: ['0', '1', '2'],
      classes: ['0', '1', '2'],
      labelKind: 'index',
    })
    // Another order is another class order: classes are named by the columns, labels then by name.
    const shuffled = resolveLayout(
      scalar('label', '0', '1', '2'),
      {...FLAGS, scoreCols: ['2', '0', '1'], scores: 'logits'},
      'f.csv',
    )
    assert.deepEqual(shuffled.classes, ['2', '0', '1'])
    assert.equal(shuffled.labelKind, 'name')
  })

  it('takes class names, drops a score prefix they share, and reads one column as the binary layout', () => {
    const named = resolveLayout(
      scalar('label', 'cat', 'dog', 'id'),
      {...FLAGS, scoreCols: ['cat', 'dog'], scores: 'probs'},
      'f.csv',
    )
    assert.deepEqual([named.classes, named.labelKind], [['cat', 'dog'], 'name'])
    const prefixed = resolveLayout(
      scalar('label', 'logit_a', 'logit_b'),
      {...FLAGS, scoreCols: ['logit_a', 'logit_b']},
      'f.csv',
    )
    assert.deepEqual([prefixed.classes, prefixed.scores], [['a', 'b'], 'logits'])
    const one = resolveLayout(scalar('label', 'out', 'id'), {...FLAGS, scoreCols: ['out'], scores: 'logits'}, 'f.csv')
    assert.deepEqual([one.task, one.scoreColumns], ['binary', ['out']])
  })

  it('refuses unknown columns, the label column, a missing --scores and other score flags', () => {
    const columns = scalar('label', '0', '1')
    assert.equal(
      usageError(columns, {scoreCols: ['0', '2'], scores: 'probs'}),
      'f.arrow: --score-cols: no column "2" (columns: label, 0, 1)',
    )
    assert.match(usageError(columns, {scoreCols: ['label', '0'], scores: 'probs'}), /"label" is the label column/)
    assert.match(
      usageError(columns, {scoreCols: ['0', '1']}),
      /hold logits or probabilities; pass --scores logits\|probs$/,
    )
    assert.match(usageError(columns, {scoreCols: ['0', '1'], scorePrefix: 'x'}), /pass --score-cols alone/)
    assert.match(
      usageError(columns),
      /pass --score-col or --score-prefix \(or, for bare class names or numbers as pandas writes them, --score-cols\)$/,
    )
  })

  it('--ignore-cols leaves columns out of detection, and refuses one that is not there', () => {
    // "score" would be taken for a second score column next to "logit".
    assert.match(usageError(scalar('label', 'logit', 'score')), /both "logit" and "score" look like scores/)
    const layout = resolveLayout(scalar('label', 'logit', 'score'), {...FLAGS, ignoreCols: ['score']}, 'f.csv')
    assert.deepEqual([layout.task, layout.scoreColumns], ['binary', ['logit']])
    assert.equal(
      usageError(scalar('label', 'logit'), {ignoreCols: ['id']}),
      'f.arrow: --ignore-cols: no column "id" (columns: label, logit)',
    )
    assert.match(usageError(scalar('label', 'logit'), {ignoreCols: ['label']}), /no label column "label"/)
  })
})
