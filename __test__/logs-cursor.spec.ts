/**
 * The log collector's stored read positions (cursors) where no batch carries them: lines the
 * filter drops, the starting point of `start_at: end`, and files that are gone. Real files and
 * a real buffer in a temp dir; "crash" closes the buffer under the running collector.
 */
import { strict as assert } from 'node:assert'
import { appendFileSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { LogCollectorOptions } from '../src/logs'
import { lines, numbered, openRig, type Rig } from '../e2e/helpers/log-rig'

const root = mkdtempSync(join(tmpdir(), 'tfo-logs-cursor-'))
after(() => rmSync(root, { recursive: true, force: true }))
let cases = 0
const rig = (overrides: Partial<LogCollectorOptions> = {}): Promise<Rig> =>
  openRig(join(root, `case-${++cases}`), overrides)

/** Polls until the collector has closed every file (a rotated or deleted one after a quiet poll). */
async function pollUntilNoFiles(r: Rig): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await r.collector.poll()
    if (r.collector.stats().files === 0) return
  }
  assert.fail(`files still open: ${r.collector.stats().files}`)
}

describe('the log collector stores read positions that no batch carries', () => {
  it('does not read lines the filter dropped again after a crash', async () => {
    const r = await rig({ includePatterns: ['keep'] })
    const file = r.file('app.log')
    writeFileSync(file, lines(1, 50, 'drop'))
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), [])
    assert.deepEqual(r.cursorPaths(), [file], 'the position moved without a batch')

    await r.crash({ includePatterns: ['keep'] })
    appendFileSync(file, lines(1, 2, 'keep'))
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), numbered(1, 2, 'keep'))
    assert.equal(r.collector.stats().linesRead, 2, 'only the new lines were read after the crash')
    await r.close()
  })

  it('moves past dropped lines that follow the last kept record of a batch', async () => {
    const r = await rig({ excludePatterns: ['^noise'] })
    const file = r.file('app.log')
    writeFileSync(file, lines(1, 3) + lines(1, 20, 'noise'))
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), numbered(1, 3))

    await r.crash({ excludePatterns: ['^noise'] })
    appendFileSync(file, lines(4, 4))
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), numbered(4, 4))
    assert.equal(r.collector.stats().linesRead, 1)
    await r.close()
  })

  it('keeps the lines appended before the first batch when it crashes after starting at the end', async () => {
    const r = await rig({ startAt: 'end' })
    const file = r.file('app.log')
    writeFileSync(file, lines(1, 3, 'old'))
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), [])
    appendFileSync(file, lines(1, 2, 'new'))

    await r.crash({ startAt: 'end' })
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), numbered(1, 2, 'new'), 'the stored end, not the end at restart')
    await r.close()
  })

  it('forgets the read position of a file that was deleted once it has been read to its end', async () => {
    const r = await rig()
    const gone = r.file('gone.log')
    const kept = r.file('kept.log')
    writeFileSync(gone, lines(1, 2, 'gone'))
    writeFileSync(kept, lines(1, 2, 'kept'))
    await r.collector.poll()
    assert.deepEqual(r.cursorPaths(), [gone, kept])

    appendFileSync(gone, lines(3, 3, 'gone'))
    unlinkSync(gone)
    for (let i = 0; i < 3; i++) await r.collector.poll()
    assert.equal(r.collector.stats().files, 1, 'the deleted file is closed')
    assert.deepEqual(r.cursorPaths(), [kept])
    await r.restart()
    assert.deepEqual(r.cursorPaths(), [kept], 'the deletion was committed')
    await r.collector.poll()
    assert.deepEqual((await r.bodies()).sort(), [...numbered(1, 3, 'gone'), ...numbered(1, 2, 'kept')].sort())
    await r.close()
  })

  it('after a restart, forgets the read position of a file deleted while the agent was down', async () => {
    const r = await rig()
    writeFileSync(r.file('gone.log'), lines(1, 2))
    writeFileSync(r.file('kept.log'), lines(1, 2))
    await r.collector.poll()
    await r.restart()
    unlinkSync(r.file('gone.log'))
    await r.collector.poll()
    assert.deepEqual(r.cursorPaths(), [r.file('kept.log')])
    await r.close()
  })

  it('after a restart, reads the rest of a file rotated away while the agent was down, then forgets its path', async () => {
    const r = await rig()
    const file = r.file('app.log')
    writeFileSync(file, lines(1, 3))
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), numbered(1, 3))
    await r.collector.stop()
    appendFileSync(file, lines(4, 6))
    renameSync(file, r.file('app.log.1')) // not matched by *.log; no new app.log yet

    await r.restart()
    await pollUntilNoFiles(r)
    assert.deepEqual(await r.bodies(), numbered(4, 6))
    assert.deepEqual(r.cursorPaths(), [])
    await r.restart()
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), [], 'nothing is read twice after another restart')
    await r.close()
  })

  it('drops a rotated file from the stored position once it is finished, keeping the current one', async () => {
    const r = await rig()
    const file = r.file('app.log')
    writeFileSync(file, lines(1, 2))
    await r.collector.poll()
    renameSync(file, r.file('app.log.1'))
    writeFileSync(file, lines(3, 4))
    for (let i = 0; i < 3; i++) await r.collector.poll()
    assert.equal(r.collector.stats().files, 1)
    const stored = r.buffer.getCursor(file) as { files: unknown[] }
    assert.equal(stored.files.length, 1, 'only the file the path names now')

    await r.crash()
    appendFileSync(file, lines(5, 5))
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), numbered(1, 5))
    await r.close()
  })
})
