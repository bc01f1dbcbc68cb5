/**
 * What a person sees in the log of `tfo-agent start` against the real collector: the
 * first delivery at info level, then a summary line per `logging.summary_interval`; and
 * with `protocol: grpc` pointed at the collector's OTLP/HTTP port, one line that says the
 * endpoint answers HTTP and what to set, with no empty "Resolution note".
 */
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'

import { agentConfig, killAllAgents, startAgent, tempDir } from './helpers/agent'
import { pause, startCollector, type RunningCollector } from './helpers/otelcol'

describe('delivery in the log of tfo-agent start', () => {
  let col: RunningCollector

  before(async () => {
    col = await startCollector({ grpc: true, http: true })
  })
  afterEach(() => killAllAgents())
  after(async () => {
    await killAllAgents()
    await col?.stop()
  })

  test('says at info level when the first export arrived, then sums up delivery every interval', async () => {
    const agent = await startAgent(
      agentConfig({
        collector: col.grpcEndpoint,
        dataDir: tempDir('delivery'),
        over: { logging: { summary_interval: '3s' } },
      }),
    )
    const first = await agent.waitForLog(
      (r) => r.msg.startsWith('first export delivered'),
      'the first export line',
    )
    assert.equal(first.level, 'info')
    assert.match(
      first.msg,
      new RegExp(`^first export delivered to grpc ${col.grpcEndpoint}; from now on a summary every 3s$`),
    )
    assert.ok((first.data_points as number) > 0)
    const summary = await agent.waitForLog(
      (r) => r.msg.startsWith('delivery in the last') && (r.sent_batches as number) > 0,
      'a summary with batches sent',
    )
    assert.equal(summary.level, 'info')
    assert.match(
      summary.msg,
      /^delivery in the last \ds: \d+ batches \(\d+ data points\) sent, \d+ buffered \([\d.]+ (B|KiB|MiB)\), 0 dropped$/,
    )
    assert.ok((await col.readMetrics()).length > 0, 'the collector holds what the log says was sent')
    assert.equal(agent.logs().filter((r) => r.msg.startsWith('first export delivered')).length, 1)
    assert.equal(await agent.stop('SIGTERM'), 0)
  })

  test('with protocol grpc against the OTLP/HTTP port, says the endpoint answers HTTP and suggests protocol: http, once', async () => {
    const httpPort = col.httpEndpoint.replace(/^https?:\/\//, '')
    const agent = await startAgent(
      agentConfig({
        collector: httpPort,
        dataDir: tempDir('delivery-protocol'),
        over: { telemetryflow: { retry: { initial_interval: '100ms', max_interval: '200ms' } } },
      }),
    )
    const line = await agent.waitForLog(
      (r) => r.msg.startsWith('cannot reach the collector'),
      'the export error',
    )
    const error = line.error as string
    assert.match(
      error,
      /the endpoint answers HTTP, not gRPC: if it is an OTLP\/HTTP port, usually 4318, set `telemetryflow\.protocol: http`/,
    )
    assert.doesNotMatch(error, /Resolution note/)
    // /health carries the same explanation, and further failures add no lines.
    await agent.waitForMetrics((m) => m.exportsFailed >= 4, 'four failed exports')
    const health = await agent.health()
    const exporter = (health.body.checks as Record<string, { message: string }>).exporter
    assert.match(exporter.message, /set `telemetryflow\.protocol: http`/)
    assert.doesNotMatch(exporter.message, /Resolution note/)
    await pause(200)
    assert.equal(agent.logs().filter((r) => r.msg.startsWith('cannot reach the collector')).length, 1)
    assert.equal(await agent.stop('SIGTERM'), 0)
  })
})
