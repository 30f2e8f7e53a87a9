/**
 * WriteBehind (src/cli/write-behind.ts): blocks built in lent slots and written by a thread of their own
 * come out in order and whole, however far the producer gets ahead of the writer (it waits for a slot);
 * a write error reaches the producer with its code; openStagedFile with write-behind gives the bytes of
 * writing in place, and its errors name the target.
 */
import assert from 'node:assert/strict'
import {closeSync, openSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {describe, it} from 'node:test'

import {openStagedFile} from '../../src/cli/atomic-write.js'
import {WriteBehind} from '../../src/cli/write-behind.js'
import {tempDir} from '../helpers/temp-files.js'

const file = tempDir()

/**
 * Block k: `bytes` bytes, all (k · 131) mod 256 but the first, k mod 256 — built with `fill`, far faster
 * than the writer can write, so the producer gets ahead and waits for slots.
 */
function blockBytes(k: number, bytes: number, into: Uint8Array): void {
  into.fill((k * 131) & 255, 0, bytes)
  into[0] = k & 255
}

/** Sizes that grow and shrink, so slots are enlarged and reused with room to spare. */
const sizeOf = (k: number): number => 1 + ((k * 7919) % 200_000)

describe('WriteBehind', () => {
  it('writes 2,000 blocks through its slots in order, each with a small header outside them', async () => {
    const path = file('behind.bin')
    const fd = openSync(path, 'w')
    const behind = new WriteBehind(fd)
    const expected: Uint8Array[] = []
    for (let k = 0; k < 2000; k++) {
      const bytes = sizeOf(k)
      const block = new Uint8Array(behind.lend(bytes), 0, bytes)
      blockBytes(k, bytes, block)
      const header = new TextEncoder().encode(`block ${k}\n`)
      expected.push(header, block.slice())
      behind.write([header, block])
    }
    await behind.finish()
    closeSync(fd)
    assert.deepEqual(readFileSync(path), Buffer.concat(expected))
  })

  it('reports a write error (a descriptor open for reading) with its code, at the next call', async () => {
    const path = file('read-only.bin')
    writeFileSync(path, '')
    const fd = openSync(path, 'r')
    const behind = new WriteBehind(fd)
    behind.write([new Uint8Array(16)])
    await assert.rejects(behind.finish(), (error: Error & {code?: string}) => {
      assert.equal(error.code, 'EBADF')
      return true
    })
    await behind.stop()
    closeSync(fd)
  })

  it('refuses to lend a fifth slot while four are lent and none written (a producer that would wait forever)', async () => {
    const fd = openSync(file('lent.bin'), 'w')
    const behind = new WriteBehind(fd)
    for (let k = 0; k < 4; k++) behind.lend(8)
    assert.throws(() => behind.lend(8), /every slot is lent/)
    await behind.stop()
    closeSync(fd)
  })
})

describe('openStagedFile', () => {
  for (const writeBehind of [false, true]) {
    it(`writes the same bytes ${writeBehind ? 'behind, on a thread of their own' : 'in place'}, renamed into place on commit`, async () => {
      const path = file(`staged-${writeBehind}.bin`)
      writeFileSync(path, 'the old file')
      const staged = openStagedFile(path, {writeBehind})
      const expected: Uint8Array[] = []
      for (let k = 0; k < 40; k++) {
        const bytes = sizeOf(k)
        const block = new Uint8Array(staged.lend(bytes), 0, bytes)
        blockBytes(k, bytes, block)
        expected.push(block.slice())
        staged.write([block])
      }
      assert.equal(readFileSync(path, 'utf8'), 'the old file', 'untouched until commit')
      await staged.commit()
      assert.deepEqual(readFileSync(path), Buffer.concat(expected))
      assert.deepEqual(
        readdirSync(file('')).filter((name) => name.startsWith(`.staged-${writeBehind}`)),
        [],
        'no temp file left',
      )
    })
  }

  it('discard leaves the old file whole and no temp file, with the writer stopped', async () => {
    const path = file('discarded.bin')
    writeFileSync(path, 'the old file')
    const staged = openStagedFile(path, {writeBehind: true})
    const block = new Uint8Array(staged.lend(1024), 0, 1024)
    staged.write([block])
    await staged.discard()
    assert.equal(readFileSync(path, 'utf8'), 'the old file')
    assert.deepEqual(
      readdirSync(file('')).filter((name) => name.startsWith('.discarded')),
      [],
    )
  })
})
