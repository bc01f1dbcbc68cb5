/**
 * `tfo-agent start` on whatever platform runs this file, exporting to the real
 * OpenTelemetry Collector on 127.0.0.1: the test CI's Windows and macOS runners run to
 * prove the whole agent there (LMDB buffer, OTLP export, health), and that runs here on
 * Linux with the rest of the end-to-end tests.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { pointRows } from '../__test__/fixtures/otlp'
import { agentConfig, killAllAgents, startAgent, tempDir } from './helpers/agent'
import { startCollector, type RunningCollector } from './helpers/otelcol'

/** `os.type` as OpenTelemetry spells this platform. */
const OS_TYPE: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'linux',
  darwin: 'darwin',
  win32: 'windows',
}

describe(`tfo-agent start on ${process.platform}`, () => {
  let col: RunningCollector
  before(async () => {
    col = await startCollector({ grpc: true, http: false })
  })
  after(async () => {
    await killAllAgents()
    await col?.stop()
  })

  test('exports this host’s CPU, memory and file system metrics to the collector', async () => {
    const agent = await startAgent(agentConfig({ collector: col.grpcEndpoint, dataDir: tempDir('platform') }))
    const agentId = await agent.agentId()
    const requests = await col.waitForMetrics((reqs) => {
      const names = new Set(
        reqs
          .flatMap(pointRows)
          .filter((r) => r.resource['telemetryflow.agent.id'] === agentId)
          .map((r) => r.metric),
      )
      return ['system.cpu.time', 'system.memory.usage', 'system.filesystem.usage'].every((n) => names.has(n))
    }, 60_000)
    const rows = requests.flatMap(pointRows).filter((r) => r.resource['telemetryflow.agent.id'] === agentId)
    assert.equal(rows[0]!.resource['os.type'], OS_TYPE[process.platform])
    const memory = rows.filter((r) => r.metric === 'system.memory.usage').reduce((s, r) => s + r.value, 0)
    assert.ok(memory > 0, 'memory usage adds up to more than 0 bytes')
    const m = await agent.metrics()
    assert.equal(m.droppedBatches, 0)
    // Windows cannot deliver a catchable signal to a child from Node (kill ends it outright);
    // elsewhere SIGTERM is the clean stop.
    const code = await agent.stop(process.platform === 'win32' ? 'SIGKILL' : 'SIGTERM')
    if (process.platform !== 'win32') assert.equal(code, 0)
  })
})
