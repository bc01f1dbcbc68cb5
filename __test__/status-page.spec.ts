/**
 * The status page's data and routes on a real health server: samples and their sequence
 * numbers, the 15-minute ring, the page and its assets, the event stream, the token beyond
 * loopback, and the caps on connections, idle time and event streams.
 */
import assert from 'node:assert/strict'
import net from 'node:net'
import { test } from 'node:test'
import { formatPicture, sparkline } from '../src/cli/format/status-picture'
import { parseConfig, redact, secretsOf } from '../src/config'
import {
  AgentStats,
  evaluateHealth,
  startHealthServer,
  StatusFeed,
  STATUS_WINDOW_MS,
  type HealthServerOptions,
  type StatusDocument,
} from '../src/health'
import { heartbeatSnapshot } from './fixtures/heartbeat-snapshot'

const INFO = { version: '1.2.3', agentId: 'agent-123' }

function fixture(now = () => Date.now()) {
  const stats = new AgentStats({ now, collectionIntervalSeconds: 1, heartbeatEnabled: false })
  const feed = new StatusFeed({ stats, info: INFO, now })
  return { stats, feed }
}

async function serve(options: Partial<HealthServerOptions> = {}) {
  const { stats, feed } = fixture()
  stats.recordCollection(0.001)
  const server = await startHealthServer({
    endpoint: '127.0.0.1:0',
    getHealth: () => evaluateHealth(stats, Date.now(), INFO),
    getMetrics: () => feed.metricsText(),
    status: feed,
    ...options,
  })
  return { server, stats, feed, base: `http://127.0.0.1:${server.address.port}` }
}

const seqOf = (metrics: string) => Number(/^tfo_agent_status_sequence (\d+)$/m.exec(metrics)?.[1])

test('a new sample is published only when the stats change or a collection happens, and /metrics names it', () => {
  const { stats, feed } = fixture()
  const first = feed.publish()
  assert.equal(feed.publish().seq, first.seq, 'nothing changed: the same sample')
  stats.recordExport('metrics', true)
  const second = feed.publish()
  assert.equal(second.seq, first.seq + 1)
  assert.equal(second.state.metrics['tfo_agent_exports_total{signal="metrics",outcome="ok"}'], 1)
  assert.equal(seqOf(feed.metricsText()), second.seq)

  feed.recordHost(heartbeatSnapshot())
  const third = feed.publish()
  assert.equal(third.seq, second.seq + 1)
  assert.equal(third.host?.corePercent.length, 4)

  // A sample is a frozen copy: later records change the next sample, not this one.
  stats.recordExport('metrics', true)
  const text = feed.metricsText()
  assert.equal(seqOf(text), third.seq + 1)
  assert.match(text, /^tfo_agent_exports_total\{signal="metrics",outcome="ok"\} 2$/m)
  assert.equal(third.state.metrics['tfo_agent_exports_total{signal="metrics",outcome="ok"}'], 1)
})

test('a heartbeat that is not configured is off, and leaves the agent healthy', () => {
  const { stats, feed } = fixture()
  stats.recordCollection(0.001)
  stats.recordExport('metrics', true)
  const { state } = feed.publish()
  assert.equal(state.health.checks.heartbeat.status, 'off')
  assert.equal(state.health.status, 'healthy')
  assert.equal(state.heartbeat.state, 'off')
  assert.equal(state.api.state, 'off')
  assert.equal(state.collector.state, 'reachable')
})

test('the ring keeps the last 15 minutes of host and agent points', () => {
  let now = 1_767_225_600_000
  const { stats, feed } = fixture(() => now)
  const snapshot = heartbeatSnapshot()
  for (let minute = 0; minute < 30; minute++) {
    now += 60_000
    stats.recordCollection(0.001)
    feed.recordHost({ ...snapshot, collectedAtUnixMs: now })
  }
  const doc = feed.document()
  assert.equal(doc.windowSeconds, STATUS_WINDOW_MS / 1000)
  assert.ok(doc.host.length >= 15 && doc.host.length <= 16, `${doc.host.length} host points`)
  assert.ok(doc.host.every((p) => p.t >= now - STATUS_WINDOW_MS))
  assert.ok(doc.agent.every((p) => p.t >= now - STATUS_WINDOW_MS))
  assert.equal(doc.host.at(-1)!.memoryTotalBytes, snapshot.memory.totalBytes)
  assert.equal(doc.latest.agent.seq, doc.latest.seq)
})

test('a browser at / gets the page, other clients the JSON report, and every asset comes from the agent', async () => {
  const { server, base } = await serve()
  try {
    const page = await fetch(`${base}/`, { headers: { accept: 'text/html' } })
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-type')!, /text\/html/)
    assert.match(page.headers.get('content-security-policy')!, /default-src 'none'/)
    const html = await page.text()
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])
    assert.ok(refs.length >= 5, `assets: ${refs.join(', ')}`)
    for (const ref of refs) {
      assert.doesNotMatch(ref, /^[a-z]+:|^\/\//, `${ref} is not the agent's`)
      const res = await fetch(new URL(ref, `${base}/`))
      assert.equal(res.status, 200, ref)
      const body = await res.text()
      if (!ref.startsWith('uplot')) assert.doesNotMatch(body, /https?:\/\//, `${ref} names another origin`)
    }
    const json = await fetch(`${base}/`)
    assert.match(json.headers.get('content-type')!, /application\/json/)
    assert.equal(((await json.json()) as { agentId: string }).agentId, INFO.agentId)
    const doc = (await (await fetch(`${base}/status.json`)).json()) as StatusDocument
    assert.equal(doc.agentId, INFO.agentId)
    assert.equal(typeof doc.latest.seq, 'number')
  } finally {
    await server.close()
  }
})

type Event = { event: string; data: unknown }

/** An open `/events` stream: `next()` resolves the next event. */
async function openEvents(url: string): Promise<{ next: () => Promise<Event>; close: () => Promise<void> }> {
  const res = await fetch(url)
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type')!, /text\/event-stream/)
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  return {
    async next() {
      for (;;) {
        const end = text.indexOf('\n\n')
        if (end >= 0) {
          const block = text.slice(0, end)
          text = text.slice(end + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (event && data) return { event, data: JSON.parse(data) }
          continue
        }
        const { value, done } = await reader.read()
        if (done) throw new Error('the stream ended')
        text += decoder.decode(value, { stream: true })
      }
    },
    close: () => reader.cancel(),
  }
}

test(
  '/events sends the whole picture first, then a sample whenever something changes',
  { timeout: 30_000 },
  async () => {
    const { server, base, stats, feed } = await serve()
    try {
      const stream = await openEvents(`${base}/events`)
      const first = await stream.next()
      assert.equal(first.event, 'document')
      const seq = feed.publish().seq
      stats.recordExport('metrics', false, 'connect ECONNREFUSED')
      const second = await stream.next()
      await stream.close()
      assert.equal(second.event, 'sample')
      const sample = second.data as { seq: number; state: { collector: { state: string } } }
      assert.ok(sample.seq > seq)
      assert.equal(sample.state.collector.state, 'unreachable')
    } finally {
      await server.close()
    }
  },
)

test('beyond loopback the page, its data and /metrics need health.token, and /health stays open', async () => {
  const open = await serve({ endpoint: '0.0.0.0:0' })
  try {
    for (const path of ['/metrics', '/status.json', '/events']) {
      const res = await fetch(`${open.base}${path}`)
      assert.equal(res.status, 403, path)
      assert.match(await res.text(), /health\.token/)
    }
    assert.equal((await fetch(`${open.base}/health`)).status, 200)
  } finally {
    await open.server.close()
  }
  const token = 'page-token-5f1e'
  const guarded = await serve({ endpoint: '0.0.0.0:0', token })
  try {
    const page = await fetch(`${guarded.base}/`, { headers: { accept: 'text/html' } })
    assert.equal(page.status, 401)
    assert.equal(
      (await fetch(`${guarded.base}/metrics`, { headers: { authorization: 'Bearer nope' } })).status,
      401,
    )
    const metrics = await fetch(`${guarded.base}/metrics`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(metrics.status, 200)
    assert.match(await metrics.text(), /^tfo_agent_status_sequence \d+$/m)
    const viaQuery = await fetch(`${guarded.base}/?token=${token}`, { headers: { accept: 'text/html' } })
    assert.equal(viaQuery.status, 200)
    assert.equal((await fetch(`${guarded.base}/health`)).status, 200)
  } finally {
    await guarded.server.close()
  }
})

test('health.token is masked wherever the configuration is shown', () => {
  const { config } = parseConfig('health:\n  endpoint: 0.0.0.0:13133\n  token: tok-never-print-42\n', {
    env: {},
  })
  assert.equal(redact(config).health.token, '***')
  assert.ok(secretsOf(config).includes('tok-never-print-42'))
  assert.ok(!JSON.stringify(redact(config)).includes('tok-never-print-42'))
})

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket))
    socket.once('error', reject)
  })
}

const closed = (socket: net.Socket) =>
  new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())))

test(
  'an idle connection is closed after the idle timeout, while an event stream stays open',
  { timeout: 30_000 },
  async () => {
    const { server, base, stats } = await serve({ idleTimeoutMs: 200 })
    try {
      const stream = await openEvents(`${base}/events`)
      assert.equal((await stream.next()).event, 'document')
      const idle = await connect(server.address.port)
      idle.on('error', () => undefined)
      await closed(idle)
      // The stream outlived the idle socket: it still delivers.
      stats.recordExport('metrics', true)
      assert.equal((await stream.next()).event, 'sample')
      await stream.close()
    } finally {
      await server.close()
    }
  },
)

test(
  'connections beyond the cap are closed at once, and /health answers once the others go',
  { timeout: 30_000 },
  async () => {
    const { server, base } = await serve({ maxConnections: 4, idleTimeoutMs: 60_000 })
    try {
      const held = await Promise.all([1, 2, 3, 4].map(() => connect(server.address.port)))
      const extra = await connect(server.address.port)
      extra.on('error', () => undefined)
      await closed(extra)
      for (const s of held) s.destroy()
      await Promise.all(held.map(closed))
      let status = 0
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = await fetch(`${base}/health`).then(
          (r) => r.status,
          () => 0,
        )
      }
      assert.equal(status, 200)
    } finally {
      await server.close()
    }
  },
)

test('event streams beyond their own cap are refused with 503', async () => {
  const { server, base } = await serve({ maxEventStreams: 2 })
  try {
    const open = [await fetch(`${base}/events`), await fetch(`${base}/events`)]
    for (const res of open) assert.equal(res.status, 200)
    const third = await fetch(`${base}/events`)
    assert.equal(third.status, 503)
    for (const res of open) await res.body!.cancel()
  } finally {
    await server.close()
  }
})

test('the terminal picture has one line per chart with a sparkline of the recent points', () => {
  assert.equal(sparkline([0, 50, 100], { lo: 0, hi: 100 }), '▁▅█')
  assert.equal(sparkline([5, 5, 5]), '███')
  assert.equal(sparkline([]), '')
  let now = 1_767_225_600_000
  const { stats, feed } = fixture(() => now)
  const snapshot = heartbeatSnapshot()
  for (let i = 0; i < 40; i++) {
    now += 1000
    stats.recordCollection(0.001)
    stats.setBuffer({ memoryBatches: i % 5 })
    feed.recordHost({ ...snapshot, collectedAtUnixMs: now })
  }
  const lines = formatPicture(feed.document())
  const line = (name: string) => lines.find((l) => l.startsWith(`  ${name} `)) ?? ''
  for (const name of ['buffer', 'cpu', 'memory', 'load', 'disk', 'network'])
    assert.match(line(name), /[▁▂▃▄▅▆▇█]{24}$/, `${name}: ${line(name)}`)
  assert.match(line('heartbeat'), /off · API off/)
  assert.match(line('tcp'), /established \d+/)
})
