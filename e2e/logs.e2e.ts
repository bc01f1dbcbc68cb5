/**
 * Log files end to end: real files, the real CLI agent (`tfo-agent start` with only
 * `collectors.logs` on; e2e/helpers/log-cli), and the real OpenTelemetry Collector writing
 * what it receives with its file exporter. Lines carry `<file> <n>` so the output can be checked
 * line by line: every line exactly once, in order per file. Needs `npm run build:ts` first.
 */
import { strict as assert } from 'node:assert'
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { killAllAgents } from './helpers/agent'
import { startLogAgent } from './helpers/log-cli'
import { pause, startCollector, type OtlpJson, type RunningCollector } from './helpers/otelcol'

interface OutRecord {
  body: string
  path: string
  severityNumber: number
  severityText: string
}

function records(requests: OtlpJson[]): OutRecord[] {
  const out: OutRecord[] = []
  for (const req of requests) {
    for (const rl of (req.resourceLogs ?? []) as any[]) {
      for (const sl of rl.scopeLogs ?? []) {
        for (const lr of sl.logRecords ?? []) {
          const attr = (k: string) => lr.attributes?.find((a: any) => a.key === k)?.value?.stringValue ?? ''
          out.push({
            body: lr.body?.stringValue ?? '',
            path: attr('log.file.path'),
            severityNumber: lr.severityNumber ?? 0,
            severityText: lr.severityText ?? '',
          })
        }
      }
    }
  }
  return out
}

/** Bodies `<prefix> <n>` of the output, by prefix, in arrival order. */
function byPrefix(out: OutRecord[]): Map<string, number[]> {
  const map = new Map<string, number[]>()
  for (const r of out) {
    const m = /^(\w+) (\d+)/.exec(r.body)
    if (!m) continue
    if (!map.has(m[1])) map.set(m[1], [])
    map.get(m[1])!.push(Number(m[2]))
  }
  return map
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
const text = (prefix: string, from: number, to: number) =>
  range(from, to)
    .map((n) => `${prefix} ${n} ${n % 10 === 0 ? 'ERROR' : 'INFO'} payload for ${prefix}\n`)
    .join('')

/** Records per batch the agent's log collector pushes (its default maxBatchRecords). */
const MAX_BATCH_RECORDS = 1000

describe('log files shipped to the real OpenTelemetry Collector by the agent', { timeout: 120_000 }, () => {
  let col: RunningCollector
  const root = mkdtempSync(join(tmpdir(), 'tfo-logs-e2e-'))
  let cases = 0

  before(async () => {
    col = await startCollector({ grpc: true, http: false })
  })
  after(async () => {
    await killAllAgents()
    await col?.stop()
    rmSync(root, { recursive: true, force: true })
  })

  function setup() {
    const dir = join(root, `case-${++cases}`)
    mkdirSync(join(dir, 'logs'), { recursive: true })
    const file = (name: string) => join(dir, 'logs', name)
    // One buffered batch per export request, so what is in flight at a SIGKILL is one batch.
    const start = () =>
      startLogAgent({ dir, paths: [file('*.log')], endpoint: col.grpcEndpoint, batchSize: 1 })
    return { dir, start, file }
  }

  /** Waits until the collector has written at least `want` distinct lines of each prefix. */
  async function waitForLines(want: Record<string, number>): Promise<OutRecord[]> {
    const enough = (reqs: OtlpJson[]) => {
      const got = byPrefix(records(reqs))
      return Object.entries(want).every(([p, n]) => new Set(got.get(p) ?? []).size >= n)
    }
    return records(await col.waitForLogs(enough, 45_000))
  }

  it('delivers appended lines, rotated and truncated files and a new file, each line exactly once and in order', async () => {
    const s = setup()
    writeFileSync(s.file('a.log'), text('a1', 1, 50))
    const agent = await s.start()
    appendFileSync(s.file('a.log'), text('a1', 51, 80))
    appendFileSync(s.file('a.log'), text('a1', 81, 100))
    await waitForLines({ a1: 100 })

    // Rotation by rename, the writer still writing to the old file for a moment.
    renameSync(s.file('a.log'), s.file('a.log.1'))
    appendFileSync(s.file('a.log.1'), text('a1', 101, 110))
    writeFileSync(s.file('a.log'), text('a2', 1, 20))
    appendFileSync(s.file('a.log.1'), text('a1', 111, 115))
    appendFileSync(s.file('a.log'), text('a2', 21, 40))

    // A file that appears after start.
    writeFileSync(s.file('b.log'), text('b1', 1, 30))
    await waitForLines({ b1: 30 })
    // copytruncate: lines written after the copy land in the truncated file.
    copyFileSync(s.file('b.log'), s.file('b.log.1'))
    truncateSync(s.file('b.log'), 0)
    appendFileSync(s.file('b.log'), text('b2', 1, 25))
    appendFileSync(s.file('a.log'), text('a2', 41, 60))
    appendFileSync(s.file('b.log'), text('b2', 26, 40))

    const out = await waitForLines({ a1: 115, a2: 60, b1: 30, b2: 40 })
    assert.equal(await agent.stop('SIGTERM'), 0, agent.output())

    const got = byPrefix(records(await col.readLogs()))
    assert.deepEqual(got.get('a1'), range(1, 115))
    assert.deepEqual(got.get('a2'), range(1, 60))
    assert.deepEqual(got.get('b1'), range(1, 30))
    assert.deepEqual(got.get('b2'), range(1, 40))
    const a1 = out.find((r) => r.body.startsWith('a1 110 '))!
    assert.equal(a1.path, s.file('a.log'), 'a rotated file is reported under the path it was followed by')
    assert.deepEqual([a1.severityNumber, a1.severityText], [17, 'ERROR'])
    const b2 = out.find((r) => r.body.startsWith('b2 7 '))!
    assert.deepEqual([b2.path, b2.severityNumber, b2.severityText], [s.file('b.log'), 9, 'INFO'])
  })

  it('after a SIGKILL and a restart, loses no line and repeats at most the one batch that was in flight', async (t) => {
    const s = setup()
    const agentA = await s.start()
    const written = { k1: 0, k2: 0 }
    let current: 'k1' | 'k2' = 'k1'
    let writing = true
    // The writer appends in bursts until told to stop, across the kill and a rotation.
    const writer = (async () => {
      while (writing) {
        const from = written[current] + 1
        appendFileSync(s.file('k.log'), text(current, from, from + 24))
        written[current] += 25
        await pause(5)
      }
    })()

    await agentA.waitFor((m) => m.logExportsOk >= 3, 'three log exports')
    await agentA.stop('SIGKILL')
    await pause(200)
    const agentB = await s.start()
    const exportsB = (await agentB.metrics()).logExportsOk
    await agentB.waitFor((m) => m.logExportsOk >= exportsB + 2, 'two log exports after the restart')
    // Rotation by rename while the restarted agent runs.
    renameSync(s.file('k.log'), s.file('k.log.1'))
    current = 'k2'
    await pause(300)
    writing = false
    await writer

    await waitForLines({ k1: written.k1, k2: written.k2 })
    assert.equal(await agentB.stop('SIGTERM'), 0, agentB.output())

    const got = byPrefix(records(await col.readLogs()))
    const repeated: string[] = []
    for (const prefix of ['k1', 'k2'] as const) {
      const first: number[] = []
      const count = new Map<number, number>()
      for (const n of got.get(prefix) ?? []) {
        count.set(n, (count.get(n) ?? 0) + 1)
        if (count.get(n) === 1) first.push(n)
      }
      assert.deepEqual(first, range(1, written[prefix]), `${prefix}: every line, in order`)
      for (const [n, c] of count) {
        assert.ok(c <= 2, `${prefix} ${n} arrived ${c} times`)
        if (c === 2) repeated.push(`${prefix} ${n}`)
      }
    }
    // One kill, one batch in flight: its lines are consecutive lines of one file.
    assert.ok(repeated.length <= MAX_BATCH_RECORDS, `${repeated.length} lines repeated`)
    if (repeated.length) {
      const [prefix] = repeated[0].split(' ')
      const ns = repeated
        .map((r) => r.split(' '))
        .filter(([p]) => p === prefix)
        .map(([, n]) => Number(n))
      assert.equal(ns.length, repeated.length, 'the repeated lines are all of one file')
      assert.deepEqual(
        ns.sort((a, b) => a - b),
        range(Math.min(...ns), Math.max(...ns)),
        'and consecutive',
      )
    }
    t.diagnostic(
      `lines written: k1 ${written.k1}, k2 ${written.k2}; repeated after the SIGKILL: ${repeated.length}`,
    )
  })
})
