/**
 * `tfo-agent start` as a user runs it, against the real OpenTelemetry Collector: status,
 * /health and /metrics, what the collector receives, the identity across restarts,
 * SIGHUP with a changed and with a broken config, and SIGTERM with the collector down.
 */
import assert from 'node:assert/strict'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, afterEach, before, describe, test } from 'node:test'
import { VERSION } from '../src/version'
import {
  agentConfig,
  atLeast,
  cyclesOf,
  distinctTimes,
  KEY_ID,
  KEY_SECRET,
  killAllAgents,
  merge,
  nanos,
  runCli,
  startAgent,
  tempDir,
  type RunningAgent,
} from './helpers/agent'
import { startCollector, type RunningCollector } from './helpers/otelcol'

describe('tfo-agent start against the real collector', () => {
  let col: RunningCollector
  const outputs: Array<() => string> = []
  const track = (agent: RunningAgent) => {
    outputs.push(agent.output)
    return agent
  }

  before(async () => {
    col = await startCollector({ grpc: true, http: false })
  })
  afterEach(async () => {
    await killAllAgents()
    await col.ensureRunning()
  })
  after(async () => {
    await killAllAgents()
    await col?.stop()
  })

  const commandLine = (agent: RunningAgent) => readFileSync(`/proc/${agent.pid}/cmdline`, 'utf8').split('\0')

  test('answers status, /health and /metrics, and exports its metrics with its id and key headers', async () => {
    const dataDir = tempDir('life')
    const agent = track(await startAgent(agentConfig({ collector: col.grpcEndpoint, dataDir })))
    // The process that was spawned restarted itself in place under the agent's V8 flags.
    assert.ok(commandLine(agent).includes('--max-semi-space-size=2'), commandLine(agent).join(' '))
    const m = await agent.waitForMetrics(
      (x) => x.collections >= 3 && x.exportsOk >= 2,
      'a few cycles exported',
    )
    assert.equal(m.exportsFailed, 0)
    assert.equal(m.droppedBatches, 0)

    const health = await agent.health()
    assert.equal(health.status, 200)
    assert.equal(health.body.status, 'healthy')
    assert.equal(health.body.version, VERSION)
    const agentId = String(health.body.agentId)
    assert.match(agentId, /\S{8,}/)
    assert.equal(m.value('tfo_agent_info', { agent_id: agentId, version: VERSION }), 1)

    const status = await runCli(['status', '--endpoint', agent.healthEndpoint])
    assert.equal(status.code, 0, status.stdout + status.stderr)
    assert.match(status.stdout, /: healthy \(HTTP 200\)/)
    assert.match(status.stdout, new RegExp(agentId))

    const requests = await col.waitForMetrics((r) => cyclesOf(r, agentId).length >= 2)
    for (const cycle of cyclesOf(requests, agentId)) {
      assert.equal(cycle.resource['telemetryflow.agent.id'], agentId)
      assert.equal(cycle.resource['service.instance.id'], agentId)
      assert.equal(cycle.resource['service.name'], 'tfo-agent')
      assert.equal(cycle.attributes['header.x-telemetryflow-key-id'], KEY_ID)
      assert.equal(cycle.attributes['header.x-telemetryflow-agent-id'], agentId)
    }

    assert.equal(await agent.stop('SIGTERM'), 0)
    await agent.waitForLog((r) => r.msg === 'all buffered data was sent', 'saying everything was sent')

    const again = track(await startAgent(agentConfig({ collector: col.grpcEndpoint, dataDir })))
    assert.equal(await again.agentId(), agentId, 'the same data dir keeps the agent id')
    assert.equal(await again.stop('SIGTERM'), 0)
  })

  test('keeps the node flags it was given when TFO_AGENT_NODE_FLAGS is empty, and uses its list when set', async () => {
    const config = agentConfig({ collector: col.grpcEndpoint, dataDir: tempDir('flags') })
    const plain = track(await startAgent(config, { env: { ...process.env, TFO_AGENT_NODE_FLAGS: '' } }))
    assert.deepEqual(
      commandLine(plain).filter((a) => a.startsWith('--max')),
      [],
      commandLine(plain).join(' '),
    )
    assert.equal(await plain.stop('SIGTERM'), 0)
    const own = track(
      await startAgent(config, {
        env: { ...process.env, TFO_AGENT_NODE_FLAGS: '--max-semi-space-size=4 --max-old-space-size=256' },
      }),
    )
    assert.deepEqual(
      commandLine(own).filter((a) => a.startsWith('--max')),
      ['--max-semi-space-size=4', '--max-old-space-size=256'],
    )
    await own.waitForMetrics((x) => x.collections >= 2, 'collecting under its own flags')
    assert.equal(await own.stop('SIGTERM'), 0)
  })

  test('refuses to run a second agent on the same buffer, naming the first, and leaves the first running', async () => {
    const dataDir = tempDir('shared')
    const config = agentConfig({ collector: col.grpcEndpoint, dataDir })
    const first = track(await startAgent(config))
    await first.waitForMetrics((x) => x.collections >= 1, 'the first agent collecting')
    const second = track(await startAgent(config, { waitHealthy: false }))
    const exit = await second.exited
    assert.equal(exit.code, 1, second.output())
    const fatal = second.logs().find((r) => r.level === 'fatal' || r.level === 'error')
    assert.ok(fatal, second.output())
    assert.match(String(fatal.msg), new RegExp(`is in use by tfo-agent \\(pid ${first.pid} on `))
    // Ownership is the store's own: deleting every lock file an operator might find hands nothing over.
    const store = join(dataDir, 'buffer')
    for (const f of [`${store}.lock`, join(store, 'owner'), join(store, 'lock.mdb')])
      rmSync(f, { force: true })
    const third = track(await startAgent(config, { waitHealthy: false }))
    assert.equal((await third.exited).code, 1, third.output())
    assert.match(third.output(), /is in use by another process/)
    const before = (await first.metrics()).collections
    await first.waitForMetrics(
      (x) => x.collections > before && x.exportsOk > 1,
      'the first agent still collecting and exporting',
    )
    assert.equal(await first.stop('SIGTERM'), 0)
    assert.doesNotMatch(first.output(), /MDB_BAD_TXN|moved it to/)
  })

  test('applies a changed config on SIGHUP without losing what was buffered', async () => {
    const dataDir = tempDir('hup')
    const config = agentConfig({
      collector: col.grpcEndpoint,
      dataDir,
      over: { agent: { tags: { wave: 'one' } } },
    })
    const agent = track(await startAgent(config))
    const agentId = await agent.agentId()
    await col.waitForMetrics((r) => cyclesOf(r, agentId).length >= 1)

    // Data waits in the buffer while the collector is down; the reload must keep it.
    await col.stop()
    const before = await agent.metrics()
    await agent.waitForMetrics(
      (x) => x.collections >= before.collections + 3 && x.bufferBatches >= 2,
      'cycles buffered while the collector is down',
    )
    const atReload = await agent.metrics()
    agent.writeConfig(
      merge(config, { agent: { tags: { wave: 'two' } }, collectors: { system: { interval: '500ms' } } }),
    )
    const reloadedAt = agent.logs().length
    agent.signal('SIGHUP')
    await agent.waitForLog((r) => r.msg === 'configuration reloaded', 'saying the configuration was reloaded')
    assert.equal(
      agent
        .logs()
        .slice(reloadedAt)
        .filter((r) => atLeast(r, 'error')).length,
      0,
      'a good config reloads without errors',
    )
    const afterReload = await agent.metrics()
    assert.ok(
      afterReload.collections >= atReload.collections,
      `collections_total went from ${atReload.collections} to ${afterReload.collections} across the reload`,
    )
    await col.restart()

    const requests = await col.waitForMetrics(
      (r) => cyclesOf(r, agentId).some((c) => c.resource.wave === 'two'),
      30_000,
    )
    const cycles = cyclesOf(requests, agentId)
    const firstNew = cycles.findIndex((c) => c.resource.wave === 'two')
    const oldWave = distinctTimes(cycles.filter((c) => c.resource.wave === 'one'))
    assert.ok(
      oldWave.length >= atReload.collections,
      `${atReload.collections} cycles were collected before the reload, ${oldWave.length} arrived`,
    )
    assert.ok(
      cycles.slice(firstNew).every((c) => c.resource.wave === 'two'),
      'buffered cycles (old tag) arrive before the new ones',
    )
    assert.equal(cycles[firstNew].resource['telemetryflow.agent.id'], agentId, 'the id survives the reload')
    assert.equal(await agent.stop('SIGTERM'), 0)
  })

  test('refuses a broken config on SIGHUP, says why, and runs on exporting', async () => {
    const dataDir = tempDir('badhup')
    const config = agentConfig({
      collector: col.grpcEndpoint,
      dataDir,
      over: { agent: { tags: { wave: 'kept' } } },
    })
    const agent = track(await startAgent(config))
    const agentId = await agent.agentId()
    await col.waitForMetrics((r) => cyclesOf(r, agentId).length >= 1)

    agent.writeConfig('telemetryflow:\n  endpoint: [unclosed\n agent: {\n')
    agent.signal('SIGHUP')
    const refused = await agent.waitForLog((r) => atLeast(r, 'error'), 'refusing the broken config')
    assert.match(refused.msg, /reload refused/)
    assert.ok(refused.msg.includes(agent.configPath), `the line names the file: ${refused.msg}`)
    assert.match(refused.msg, /:\d+/, `the line names the line: ${refused.msg}`)

    // Still running with the old config: new cycles keep arriving, still tagged.
    const seen = cyclesOf(await col.readMetrics(), agentId).length
    const requests = await col.waitForMetrics((r) => cyclesOf(r, agentId).length >= seen + 2)
    assert.ok(cyclesOf(requests, agentId).every((c) => c.resource.wave === 'kept'))
    assert.equal((await agent.health()).status, 200)

    // Unknown keys are refused just the same.
    agent.writeConfig(merge(config, { agent: { tagz: { a: 'b' } } }))
    const count = agent.logs().length
    agent.signal('SIGHUP')
    const unknown = await agent.waitForLog(
      (r) => agent.logs().indexOf(r) >= count && atLeast(r, 'error'),
      'refusing an unknown key',
    )
    assert.match(unknown.msg, /tagz/)
    assert.equal(await agent.stop('SIGTERM'), 0)
  })

  test('on SIGTERM with the collector down exits 0 and leaves the buffered data on disk for the next start', async () => {
    const dataDir = tempDir('term')
    const config = agentConfig({ collector: col.grpcEndpoint, dataDir })
    const agent = track(await startAgent(config))
    const agentId = await agent.agentId()
    await col.waitForMetrics((r) => cyclesOf(r, agentId).length >= 1)
    await col.stop()
    const down = await agent.metrics()
    const m = await agent.waitForMetrics(
      (x) => x.collections >= down.collections + 3 && x.exportsFailed > 0,
      'cycles collected while the collector is down',
    )
    const stoppedAt = Date.now()
    assert.equal(await agent.stop('SIGTERM'), 0)
    const kept = await agent.waitForLog(
      (r) => r.msg === 'buffered data kept on disk for the next start',
      'saying data was kept on disk',
    )
    assert.ok(Number(kept.batches) >= 3, `batches kept: ${String(kept.batches)}`)

    await col.restart()
    const next = track(await startAgent(config))
    const announced = await next.waitForLog(
      (r) => r.msg === 'buffered data from an earlier run will be sent',
      'announcing the data of the earlier run',
    )
    assert.equal(announced.batches, kept.batches)
    const requests = await col.waitForMetrics(
      (r) => distinctTimes(cyclesOf(r, agentId)).filter((t) => t < nanos(stoppedAt)).length >= m.collections,
      30_000,
    )
    const firstRun = distinctTimes(cyclesOf(requests, agentId)).filter((t) => t < nanos(stoppedAt))
    assert.ok(firstRun.length >= m.collections, `${m.collections} collected, ${firstRun.length} arrived`)
    assert.equal(await next.stop('SIGTERM'), 0)
  })

  test('never prints the API key secret', () => {
    assert.ok(outputs.length > 0)
    for (const output of outputs) assert.ok(!output().includes(KEY_SECRET), 'the secret is in the output')
  })
})
