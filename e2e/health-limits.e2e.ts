/**
 * The health endpoint under a crowd of idle connections (#10 item 11): a thousand sockets that
 * never send a byte must not hold a thousand descriptors in the agent, they are closed after
 * the idle timeout, and `/health` answers throughout the cap and after.
 */
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import net from 'node:net'
import { after, test } from 'node:test'
import { agentConfig, killAllAgents, startAgent, tempDir } from './helpers/agent'
import { pause } from './helpers/otelcol'

const IDLE_SOCKETS = 1000
const MAX_CONNECTIONS = 32

after(killAllAgents)

const descriptors = (pid: number) => readdirSync(`/proc/${pid}/fd`).length

test(
  'a thousand idle sockets hold at most max_connections descriptors and are closed when idle',
  { timeout: 120_000 },
  async () => {
    const agent = await startAgent(
      agentConfig({
        collector: '127.0.0.1:9',
        dataDir: tempDir('limits'),
        over: { health: { max_connections: MAX_CONNECTIONS, idle_timeout: '2s' } },
      }),
    )
    const port = Number(agent.healthEndpoint.split(':')[1])
    const baseline = descriptors(agent.pid)

    const sockets: net.Socket[] = []
    let closedByAgent = 0
    await Promise.all(
      Array.from(
        { length: IDLE_SOCKETS },
        () =>
          new Promise<void>((resolve) => {
            const s = net.connect(port, '127.0.0.1', () => resolve())
            s.on('error', () => resolve())
            s.on('close', () => {
              closedByAgent++
              resolve()
            })
            sockets.push(s)
          }),
      ),
    )
    try {
      // All connected (or already turned away): the agent holds no more than its cap of them.
      await pause(200)
      const held = descriptors(agent.pid) - baseline
      assert.ok(
        held <= MAX_CONNECTIONS + 8,
        `the agent holds ${held} more descriptors with ${IDLE_SOCKETS} sockets open`,
      )

      // Every socket is closed by the agent in the end: turned away at once, or closed when idle.
      const deadline = Date.now() + 60_000
      while (closedByAgent < IDLE_SOCKETS && Date.now() < deadline) await pause(100)
      assert.equal(closedByAgent, IDLE_SOCKETS, 'sockets the agent closed')
      const health = await agent.health()
      assert.equal(health.status, 200)
      assert.ok(descriptors(agent.pid) - baseline <= 8, 'descriptors given back')
    } finally {
      for (const s of sockets) s.destroy()
    }
    assert.equal(await agent.stop('SIGTERM'), 0)
  },
)
