import { strict as assert } from 'node:assert'
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { parseSeverity, type LogCollectorOptions } from '../src/logs'
import { decodeLogsRequest } from '../e2e/helpers/log-otlp'
import { lines, numbered, openRig, type Rig } from '../e2e/helpers/log-rig'

const root = mkdtempSync(join(tmpdir(), 'tfo-logs-'))
after(() => rmSync(root, { recursive: true, force: true }))
let cases = 0

const rig = (
  overrides: Partial<LogCollectorOptions> = {},
  dir = join(root, `case-${++cases}`),
): Promise<Rig> => openRig(dir, overrides)

describe('the log collector', () => {
  it('starts at the end of files that exist at first start when start_at is end', async () => {
    const r = await rig({ startAt: 'end' })
    const file = join(r.dir, 'logs', 'app.log')
    writeFileSync(file, lines(1, 3))
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), [])
    appendFileSync(file, lines(4, 5))
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), numbered(4, 5))
    await r.close()
  })

  it('reads existing files from their beginning when start_at is beginning', async () => {
    const r = await rig({ startAt: 'beginning' })
    writeFileSync(join(r.dir, 'logs', 'app.log'), lines(1, 3))
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), numbered(1, 3))
    await r.close()
  })

  it('reads appended lines and holds a partial last line until its newline arrives', async () => {
    const r = await rig()
    const file = join(r.dir, 'logs', 'app.log')
    writeFileSync(file, 'one\ntwo\nthr')
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), ['one', 'two'])
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), [])
    appendFileSync(file, 'ee\r\nfour\n')
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), ['three', 'four'])
    assert.equal(r.collector.stats().linesRead, 4)
    await r.close()
  })

  it('puts the file path and name, the resource, the observed time and the scope on every record', async () => {
    const r = await rig()
    const file = join(r.dir, 'logs', 'app.log')
    writeFileSync(file, 'hello\n')
    await r.collector.poll()
    const [rec] = await r.drain()
    assert.equal(rec.body, 'hello')
    assert.deepEqual(rec.attributes, { 'log.file.path': file, 'log.file.name': 'app.log' })
    assert.deepEqual(rec.resource, { 'service.name': 'tfo-agent', 'host.name': 'test-host' })
    assert.equal(rec.observedTimeUnixNano, 1_700_000_000_123_000_000n)
    assert.equal(rec.timeUnixNano, 0n)
    assert.equal(rec.scope, 'tfo-agent/logs')
    await r.close()
  })

  it('follows a file rotated by rename mid-stream without losing or repeating lines', async () => {
    const r = await rig()
    const file = join(r.dir, 'logs', 'app.log')
    const rotated = join(r.dir, 'logs', 'app.log.1')
    writeFileSync(file, lines(1, 3, 'old'))
    await r.collector.poll()
    appendFileSync(file, lines(4, 5, 'old'))
    renameSync(file, rotated)
    appendFileSync(rotated, lines(6, 7, 'old'))
    writeFileSync(file, lines(1, 2, 'new'))
    await r.collector.poll()
    // The writer still had the old file open for a moment.
    appendFileSync(rotated, lines(8, 8, 'old'))
    appendFileSync(file, lines(3, 4, 'new'))
    await r.collector.poll()
    await r.collector.poll()
    const got = await r.bodies()
    assert.deepEqual(
      got.filter((b) => b.startsWith('old')),
      numbered(1, 8, 'old'),
    )
    assert.deepEqual(
      got.filter((b) => b.startsWith('new')),
      numbered(1, 4, 'new'),
    )
    assert.equal(r.collector.stats().rotations, 1)
    assert.equal(r.collector.stats().files, 1, 'the rotated file is closed once it has been quiet for a poll')
    await r.close()
  })

  it('does not read a rotated file twice when the glob matches the rotated name too', async () => {
    const dir = join(root, 'rotated-names')
    const r = await rig({ paths: [join(dir, 'logs', 'app.log*')] }, dir)
    const file = join(r.dir, 'logs', 'app.log')
    writeFileSync(file, lines(1, 3))
    await r.collector.poll()
    renameSync(file, `${file}.1`)
    writeFileSync(file, lines(4, 5))
    for (let i = 0; i < 4; i++) await r.collector.poll()
    appendFileSync(`${file}.1`, lines(6, 6))
    await r.collector.poll()
    const got = await r.bodies()
    assert.deepEqual([...got].sort(), [...numbered(1, 6)].sort())
    await r.close()
  })

  it('starts again at the top of a file truncated by copytruncate', async () => {
    const r = await rig()
    const file = join(r.dir, 'logs', 'app.log')
    writeFileSync(file, lines(1, 3))
    await r.collector.poll()
    appendFileSync(file, lines(4, 4))
    copyFileSync(file, join(r.dir, 'logs', 'app.log.1'))
    truncateSync(file, 0)
    appendFileSync(file, lines(5, 6))
    await r.collector.poll()
    // Truncated and written past the old offset before the next poll: the head tells.
    truncateSync(file, 0)
    appendFileSync(file, lines(7, 20))
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), [...numbered(1, 3), ...numbered(5, 6), ...numbered(7, 20)])
    assert.equal(r.collector.stats().rotations, 2)
    await r.close()
  })

  it('reads a file that appears after start from its beginning even when start_at is end', async () => {
    const r = await rig({ startAt: 'end' })
    writeFileSync(join(r.dir, 'logs', 'old.log'), lines(1, 2, 'old'))
    await r.collector.poll()
    mkdirSync(join(r.dir, 'logs', 'sub'))
    writeFileSync(join(r.dir, 'logs', 'later.log'), lines(1, 2, 'later'))
    writeFileSync(join(r.dir, 'logs', 'sub', 'ignored.log'), 'not matched\n')
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), numbered(1, 2, 'later'))
    assert.equal(r.collector.stats().files, 2)
    await r.close()
  })

  it('joins stack-trace lines to the record they belong to', async () => {
    const r = await rig({ multilineStartPattern: '^\\d{4}-\\d{2}-\\d{2} ' })
    const file = join(r.dir, 'logs', 'app.log')
    const trace = [
      '2024-05-01 12:00:00 ERROR boom',
      'java.lang.IllegalStateException: bad',
      '\tat com.example.A.run(A.java:10)',
      '\tat com.example.B.main(B.java:3)',
    ]
    writeFileSync(file, `2024-05-01 11:59:59 INFO fine\n${trace.join('\n')}\n2024-05-01 12:00:01 INFO next\n`)
    await r.collector.poll()
    const first = await r.drain()
    assert.deepEqual(
      first.map((rec) => rec.body),
      ['2024-05-01 11:59:59 INFO fine', trace.join('\n')],
    )
    assert.equal(first[1].severityText, 'ERROR')
    // The last record is emitted once a poll finds nothing new.
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), ['2024-05-01 12:00:01 INFO next'])
    await r.close()
  })

  it('keeps only records matching an include pattern and none matching an exclude pattern', async () => {
    const r = await rig({ includePatterns: ['ERROR', 'WARN'], excludePatterns: ['healthcheck'] })
    writeFileSync(join(r.dir, 'logs', 'app.log'), 'INFO a\nERROR b\nWARN healthcheck slow\nWARN c\n')
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), ['ERROR b', 'WARN c'])
    await r.close()
  })

  it('decodes invalid UTF-8 bytes as replacement characters', async () => {
    const r = await rig()
    const bad = Buffer.concat([
      Buffer.from('bad '),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(' bytes\nok ü\n'),
    ])
    writeFileSync(join(r.dir, 'logs', 'app.log'), bad)
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), ['bad \ufffd\ufffd\ufffd bytes', 'ok ü'])
    await r.close()
  })

  it('cuts an overlong line to max_line_bytes on a character boundary and counts it', async () => {
    const r = await rig({ maxLineBytes: 300 })
    const long = 'é'.repeat(1000) // 2000 bytes
    const file = join(r.dir, 'logs', 'app.log')
    writeFileSync(file, `${long}\nshort\n`)
    await r.collector.poll()
    // And one that arrives in pieces across polls.
    appendFileSync(file, 'x'.repeat(250))
    await r.collector.poll()
    appendFileSync(file, 'y'.repeat(250) + '\nafter\n')
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), ['é'.repeat(150), 'short', 'x'.repeat(250) + 'y'.repeat(50), 'after'])
    assert.equal(r.collector.stats().truncatedLines, 2)
    await r.close()
  })

  it('splits many lines into batches of at most max_batch_records, each with its cursor', async () => {
    const r = await rig({ maxBatchRecords: 100 })
    writeFileSync(join(r.dir, 'logs', 'app.log'), lines(1, 1050))
    await r.collector.poll()
    const batches = await r.buffer.take(1000, 'logs')
    assert.deepEqual(
      batches.map((b) => b.dataPoints),
      [...Array(10).fill(100), 50],
    )
    assert.deepEqual(
      batches.flatMap((b) => decodeLogsRequest(b.body).map((rec) => rec.body)),
      numbered(1, 1050),
    )
    await r.close()
  })

  it('resumes from the stored cursor after a restart, without losing or repeating lines', async () => {
    const r = await rig({ startAt: 'end' })
    const file = join(r.dir, 'logs', 'app.log')
    writeFileSync(file, lines(1, 2))
    await r.collector.poll()
    appendFileSync(file, lines(3, 5) + 'partial')
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), numbered(3, 5))
    appendFileSync(file, lines(6, 7))
    await r.collector.poll()
    // Pushed but not yet exported: still in the buffer after the restart.
    await r.restart({ startAt: 'end' })
    appendFileSync(file, lines(8, 9))
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), ['partialline 6', ...numbered(7, 9)])
    await r.close()
  })

  it('after a restart, finishes a file that was rotated while the agent was down', async () => {
    const r = await rig()
    const file = join(r.dir, 'logs', 'app.log')
    writeFileSync(file, lines(1, 3))
    await r.collector.poll()
    await r.collector.stop()
    appendFileSync(file, lines(4, 5))
    renameSync(file, `${file}.1`)
    writeFileSync(file, lines(6, 7))
    await r.restart({ startAt: 'end' })
    await r.collector.poll()
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), numbered(1, 7))
    await r.close()
  })

  it('reads a file from the top when its path names a different file than the cursor', async () => {
    const r = await rig()
    const file = join(r.dir, 'logs', 'app.log')
    writeFileSync(file, lines(1, 3))
    await r.collector.poll()
    await r.collector.stop()
    unlinkSync(file)
    writeFileSync(file, lines(1, 2, 'fresh'))
    await r.restart({ startAt: 'end' })
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), [...numbered(1, 3), ...numbered(1, 2, 'fresh')])
    await r.close()
  })

  it('follows a file that is deleted and created again under the same name', async () => {
    const r = await rig()
    const file = join(r.dir, 'logs', 'app.log')
    writeFileSync(file, lines(1, 3))
    await r.collector.poll()
    unlinkSync(file)
    await r.collector.poll()
    await r.collector.poll()
    assert.equal(r.collector.stats().files, 0, 'the deleted file is closed once it has been quiet for a poll')
    writeFileSync(file, lines(1, 2, 'again'))
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), [...numbered(1, 3), ...numbered(1, 2, 'again')])
    await r.close()
  })

  it('emits an open multi-line record at stop', async () => {
    const r = await rig({ multilineStartPattern: '^\\S' })
    writeFileSync(join(r.dir, 'logs', 'app.log'), 'Error: boom\n    at f (a.js:1)\n    at g (a.js:2)\n')
    await r.collector.poll()
    assert.deepEqual(await r.bodies(), [])
    await r.collector.stop()
    assert.deepEqual(await r.bodies(), ['Error: boom\n    at f (a.js:1)\n    at g (a.js:2)'])
    await r.close()
  })

  it('keeps polling on its own once started, and stops cleanly', async () => {
    const r = await rig()
    const file = join(r.dir, 'logs', 'app.log')
    writeFileSync(file, lines(1, 2))
    r.collector.start()
    for (let i = 0; i < 200 && r.collector.stats().recordsBuffered < 2; i++)
      await new Promise((res) => setTimeout(res, 10))
    await r.collector.stop()
    assert.deepEqual(await r.bodies(), numbered(1, 2))
    assert.equal(r.collector.stats().files, 0)
    await r.close()
  })
})

describe('severity parsing', () => {
  const table: Array<[string, number, string]> = [
    ['{"level":"error","msg":"x"}', 17, 'error'],
    ['{"severity":"WARNING","msg":"x"}', 13, 'WARNING'],
    ['{"lvl":"dbg"}', 5, 'dbg'],
    ['{"level":30,"msg":"pino info"}', 9, 'INFO'],
    ['{"level":60,"msg":"bunyan fatal"}', 21, 'FATAL'],
    ['{"level":10}', 1, 'TRACE'],
    ['<11>Jan  1 00:00:00 host app: failed', 17, 'err'],
    ['<34>Oct 11 22:14:15 mymachine su: bad su', 21, 'crit'],
    ['<30>Oct 11 22:14:15 host systemd[1]: Started', 9, 'info'],
    ['<12>warn', 13, 'warning'],
    ['2024-05-01 12:00:00 ERROR something broke', 17, 'ERROR'],
    ['2024-05-01 12:00:00 ERR something broke', 17, 'ERR'],
    ['2024-05-01 12:00:00 FATAL out of memory', 21, 'FATAL'],
    ['2024-05-01 12:00:00 CRIT disk', 21, 'CRIT'],
    ['WARN  [main] low disk', 13, 'WARN'],
    ['2024-05-01 WARNING: deprecated', 13, 'WARNING'],
    ['INFO server started', 9, 'INFO'],
    ['DEBUG cache miss', 5, 'DEBUG'],
    ['TRACE entering', 1, 'TRACE'],
    ['[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] denied', 17, 'error'],
    ['[Wed May 01 2024] [core:warn] [pid 1] AH00111', 13, 'warn'],
    ['time=2024-05-01 level=info msg="started"', 9, 'info'],
    ['an error occurred while nothing is marked', 0, ''],
    ['plain text', 0, ''],
    ['{"msg":"no level"}', 0, ''],
    ['{not json at all ERROR', 17, 'ERROR'],
    [`${'x'.repeat(100)} ERROR too far in`, 0, ''],
  ]
  for (const [line, number, text] of table) {
    it(`reads ${JSON.stringify(line.slice(0, 50))} as ${number || 'unspecified'}`, () => {
      assert.deepEqual(parseSeverity(line), { number, text })
    })
  }
})
