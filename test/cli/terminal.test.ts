import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {didYouMean, editDistance} from '../../src/cli/suggest.js'
import {terminalWidth, useColor} from '../../src/cli/terminal.js'

describe('useColor', () => {
  const tty = {isTTY: true}
  const pipe = {isTTY: false}

  it('colours a terminal and not a pipe, unless told', () => {
    assert.equal(useColor(tty, {}), true)
    assert.equal(useColor(pipe, {}), false)
    assert.equal(useColor(tty, {TERM: 'dumb'}), false)
  })

  it('reads FORCE_COLOR=0 and false as off, on a terminal too (chalk and cli-table3 then agree)', () => {
    for (const value of ['0', 'false', 'FALSE']) assert.equal(useColor(tty, {FORCE_COLOR: value}), false, value)
    for (const value of ['1', '2', '3', 'true']) assert.equal(useColor(pipe, {FORCE_COLOR: value}), true, value)
  })

  it('lets NO_COLOR win over FORCE_COLOR, and --color / --no-color win over both', () => {
    assert.equal(useColor(tty, {NO_COLOR: '1', FORCE_COLOR: '1'}), false)
    assert.equal(useColor(tty, {NO_COLOR: ''}), true)
    assert.equal(useColor(pipe, {NO_COLOR: '1'}, true), true)
    assert.equal(useColor(tty, {FORCE_COLOR: '1'}, false), false)
  })
})

describe('terminalWidth', () => {
  it('is COLUMNS when set, else the terminal, else 80; never below 40', () => {
    assert.equal(terminalWidth({isTTY: false}, {}), 80)
    assert.equal(terminalWidth({isTTY: true, columns: 132}, {}), 132)
    assert.equal(terminalWidth({isTTY: true, columns: 132}, {COLUMNS: '100'}), 100)
    assert.equal(terminalWidth({isTTY: false}, {COLUMNS: '120'}), 120)
    assert.equal(terminalWidth({isTTY: false}, {COLUMNS: 'wide'}), 80)
    assert.equal(terminalWidth({isTTY: true, columns: 0}, {}), 80)
    assert.equal(terminalWidth({isTTY: false}, {COLUMNS: '20'}), 40)
  })
})

describe('didYouMean', () => {
  it('counts a swap of neighbours as one edit', () => {
    assert.equal(editDistance('reprot', 'report'), 1)
    assert.equal(editDistance('gate', 'gate'), 0)
    assert.equal(editDistance('', 'abc'), 3)
    assert.equal(editDistance('kitten', 'sitting'), 3)
  })

  it('suggests the close candidate or the one a prefix names, and nothing for a far word', () => {
    const commands = ['completion', 'gate', 'help', 'report', 'version']
    assert.equal(didYouMean('reprot', commands), 'report')
    assert.equal(didYouMean('Report', commands), 'report')
    assert.equal(didYouMean('gaet', commands), 'gate')
    assert.equal(didYouMean('ver', commands), 'version')
    assert.equal(didYouMean('frobnicate', commands), undefined)
    assert.equal(didYouMean('gamas', ['gammas', 'alpha']), 'gammas')
    assert.equal(didYouMean('x', ['gammas', 'alpha']), undefined)
  })
})
