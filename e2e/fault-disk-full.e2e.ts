/**
 * A full disk under `tfo-agent start`: its data directory is a small tmpfs this test mounts
 * (and fills with a file until ENOSPC). The agent never crashes: it holds batches in memory
 * up to `buffer.memory_max_mb`, drops the oldest beyond it as `disk_full` (said once), is
 * killed and restarted on the still-full disk without a crash loop, writes again once space
 * returns, and delivers what it kept when the collector is back. The accounting adds up at
 * every step. Time cap: about a minute.
 */
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { agentConfig, killAllAgents, startAgent } from './helpers/agent'
import { assertAccounted, mountTmpfs } from './helpers/faults'
import { startCollector, type RunningCollector } from './helpers/otelcol'

describe('tfo-agent start on a disk that fills up', () => {
  let col: RunningCollector
  let disk: ReturnType<typeof mountTmpfs>

  before(async () => {
    col = await startCollector({ grpc: true, http: false })
    disk = mountTmpfs('8m')
  })
  after(async () => {
    await killAllAgents()
    await col?.stop()
    disk?.unmount()
  })

  test('holds batches in memory, drops the oldest as disk_full, survives a restart on the full disk, and writes again when space returns', async () => {
    const config = agentConfig({
      collector: col.grpcEndpoint,
      dataDir: join(disk.dir, 'state'),
      over: {
        collectors: { system: { interval: '100ms' } },
        // Uncompressed batches fill the smallest memory tier (1 MiB) in seconds.
        buffer: { memory_max_mb: 1, compression: 'none' },
      },
    })
    await col.stop()
    let agent = await startAgent(config)
    await agent.waitForMetrics(
      (m) => m.exportsFailed >= 1 && m.diskBatches >= 2,
      'batches on disk in the outage',
    )

    const filler = disk.fill()
    const full = await agent.waitForMetrics(
      (m) =>
        m.value('tfo_agent_buffer_disk_full') === 1 &&
        m.value('tfo_agent_dropped_batches_total', { reason: 'disk_full' }) >= 2,
      'the disk full, the oldest batches beyond the memory limit dropped as disk_full',
      60_000,
    )
    assertAccounted(full, 'on the full disk')
    assert.ok(
      full.value('tfo_agent_buffer_bytes', { store: 'memory' }) <= 1024 * 1024,
      'memory within its limit',
    )
    assert.equal(full.droppedBatches, full.value('tfo_agent_dropped_batches_total', { reason: 'disk_full' }))
    const said = agent.logs().filter((r) => r.msg.startsWith('the buffer cannot write to disk'))
    assert.equal(said.length, 1, 'the full disk is said once')
    const dropLines = agent.logs().filter((r) => /buffer dropped .*\(disk_full\)/.test(r.msg))
    assert.equal(dropLines.length, 1, 'the disk_full drops are logged once, then only counted')
    const health = await agent.health()
    assert.equal(health.status, 200)
    assert.match(
      (health.body.checks as Record<string, { message: string }>).buffer.message,
      /the disk refuses writes/,
    )

    // Killed and started again on the still-full disk: it runs, no crash loop.
    await agent.kill9()
    agent = await startAgent(config)
    const again = await agent.waitForMetrics(
      (m) => m.collections >= 10 && m.value('tfo_agent_buffer_disk_full') === 1,
      'collecting again on the full disk',
    )
    assertAccounted(again, 'restarted on the full disk')
    assert.ok(again.value('tfo_agent_batches_recovered_total') >= 2, 'what the disk held is recovered')

    rmSync(filler)
    await agent.waitForLog(
      (r) => r.msg === 'the buffer can write to disk again; batches go to disk as before',
      'writes succeeding again',
    )
    const freed = await agent.waitForMetrics(
      (m) =>
        m.value('tfo_agent_buffer_disk_full') === 0 &&
        m.value('tfo_agent_buffer_batches', { store: 'memory' }) === 0,
      'the batches held in memory moved to disk',
    )
    assertAccounted(freed, 'after space returned')

    await col.restart()
    const drained = await agent.waitForMetrics(
      (m) => m.exportsOk >= 1 && m.bufferBatches === 0,
      'the backlog sent once the collector is back',
      60_000,
    )
    assertAccounted(drained, 'after the backlog was sent')
    assert.equal(
      drained.droppedBatches,
      drained.value('tfo_agent_dropped_batches_total', { reason: 'disk_full' }),
    )
    assert.equal(await agent.stop('SIGTERM'), 0)
    assert.ok(
      !/unhandled|Commit failed/i.test(
        agent
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .join('\n'),
      ),
    )
  })
  test('starts on a disk that is full before its first start: it buffers in a temporary store and says so', async () => {
    const sub = join(disk.dir, 'fresh')
    const filler = disk.fill()
    try {
      // The id is given: a first start cannot persist a generated one on a full disk (it says so and exits).
      const agent = await startAgent(
        agentConfig({ collector: col.grpcEndpoint, dataDir: sub, over: { agent: { id: 'e2e-full-disk' } } }),
      )
      const said = await agent.waitForLog(
        (r) => r.msg.startsWith('the buffer cannot be created: its disk is full'),
        'the temporary store, said',
      )
      assert.ok(String(said.temporary).length > 0)
      const running = await agent.waitForMetrics(
        (m) => m.collections >= 2 && m.exportsOk >= 1,
        'collecting and exporting through the temporary store',
      )
      assertAccounted(running, 'with a temporary store')
      assert.equal(await agent.stop('SIGTERM'), 0)
    } finally {
      rmSync(filler)
    }
  })
})
