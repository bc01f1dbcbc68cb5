/**
 * The metric model's requests, sent by the exporter to the real OpenTelemetry
 * Collector (ocb build, OTLP receiver → file exporter), checked from what the
 * collector wrote: names, units, types, temporality, attributes, resource, values
 * and the TelemetryFlow headers; /v2/metrics; an outage and a restart; TLS.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { createExporter, type ExporterOptions } from '../src/export'
import { HostCollector } from '../src/host-collector'
import { buildResource, MetricModel, type MetricModelOptions } from '../src/metrics'
import { makeCertificates } from './helpers/certs'
import type { HostSnapshot } from '../src/native'
import { USER_AGENT } from '../src/version'
import {
  assertHostMetrics,
  DESIGN_DEFAULT_METRICS,
  expectedHostmetrics,
} from '../__test__/fixtures/expected-metrics'
import { pointRows, type PointRow } from '../__test__/fixtures/otlp'
import { fixtureSnapshot } from '../__test__/fixtures/snapshot'
import { DEFAULT_CAPTURED_HEADERS, startCollector, type RunningCollector } from './helpers/otelcol'

const HEADER_ATTRS = DEFAULT_CAPTURED_HEADERS.map((h) => `header.${h}`)
let agentSeq = 0
const newAgentId = () => `e2e-agent-${process.pid}-${++agentSeq}`

async function requestFor(
  snapshot: HostSnapshot,
  agentId: string,
  options: Partial<MetricModelOptions> = {},
) {
  const model = new MetricModel({
    resource: buildResource(snapshot, { agentId, environment: 'e2e' }),
    ...options,
  })
  model.record(snapshot)
  const collected = await model.collect()
  await model.shutdown()
  return collected
}

function exporterOptions(
  col: RunningCollector,
  protocol: 'grpc' | 'http',
  agentId: string,
  over: Partial<ExporterOptions> = {},
): ExporterOptions {
  return {
    endpoint: protocol === 'grpc' ? col.grpcEndpoint : col.httpEndpoint,
    protocol,
    compression: 'gzip',
    tls: { enabled: false },
    timeoutMs: 10_000,
    agentId,
    apiKeyId: 'tfk_e2e_key',
    apiKeySecret: 'tfs_e2e_secret',
    ...over,
  }
}

/** Rows the collector wrote for one agent, once there are `count` of them. */
async function rowsOf(col: RunningCollector, agentId: string, count: number): Promise<PointRow[]> {
  const pick = (reqs: unknown[]) =>
    reqs.flatMap((r) => pointRows(r as never)).filter((r) => r.resource['telemetryflow.agent.id'] === agentId)
  const reqs = await col.waitForMetrics((r) => pick(r).length >= count)
  return pick(reqs)
}

describe('metrics export to the real OpenTelemetry Collector', () => {
  let col: RunningCollector
  before(async () => {
    col = await startCollector({ grpc: true, http: true })
  })
  after(async () => {
    await col?.stop()
  })

  for (const protocol of ['grpc', 'http'] as const) {
    for (const compression of ['gzip', 'none'] as const) {
      test(`delivers every default metric over ${protocol} (${compression}) exactly as the snapshot says`, async () => {
        const agentId = newAgentId()
        const snapshot = fixtureSnapshot()
        const { body, dataPoints } = await requestFor(snapshot, agentId, { processMetrics: true })
        const exporter = createExporter(exporterOptions(col, protocol, agentId, { compression }))
        assert.deepEqual(await exporter.send('metrics', body), { kind: 'ok' })
        await exporter.close()

        const rows = await rowsOf(col, agentId, dataPoints)
        assert.equal(rows.length, dataPoints, 'every data point arrived, once')
        const host = rows.filter((r) => r.resource['process.pid'] === undefined)
        assertHostMetrics(host, expectedHostmetrics(snapshot), HEADER_ATTRS)
        const names = new Set(host.map((r) => r.metric))
        for (const name of DESIGN_DEFAULT_METRICS) assert.ok(names.has(name), `${name} arrived`)

        const resource = buildResource(snapshot, { agentId, environment: 'e2e' })
        for (const r of host) assert.deepEqual(r.resource, resource)
        const node = rows.filter((r) => r.resource['process.pid'] === 4242)
        assert.equal(node[0]?.resource['process.executable.name'], 'node (worker)')
        assert.equal(node.find((r) => r.metric === 'process.memory.usage')?.value, 251_658_240)

        for (const r of rows) {
          assert.equal(r.attributes['header.x-telemetryflow-key-id'], 'tfk_e2e_key')
          assert.equal(r.attributes['header.x-telemetryflow-key-secret'], 'tfs_e2e_secret')
          assert.equal(r.attributes['header.x-telemetryflow-agent-id'], agentId)
          assert.ok(
            String(r.attributes['header.user-agent']).startsWith(USER_AGENT),
            String(r.attributes['header.user-agent']),
          )
        }
      })
    }
  }

  test('carries user headers beside the TelemetryFlow ones', async () => {
    const agentId = newAgentId()
    const { body, dataPoints } = await requestFor(fixtureSnapshot(), agentId, { enabled: { disk: false } })
    const exporter = createExporter(
      exporterOptions(col, 'http', agentId, { headers: { 'User-Agent': 'ignored' } }),
    )
    assert.equal((await exporter.send('metrics', body)).kind, 'ok')
    await exporter.close()
    const rows = await rowsOf(col, agentId, dataPoints)
    assert.equal(
      rows[0]!.attributes['header.user-agent'],
      USER_AGENT,
      'the agent names itself whatever the config says',
    )
  })

  test('delivers the latest-conventions spelling too', async () => {
    const agentId = newAgentId()
    const { body, dataPoints } = await requestFor(fixtureSnapshot(), agentId, {
      semconv: 'latest',
      perCore: true,
    })
    const exporter = createExporter(exporterOptions(col, 'grpc', agentId))
    assert.equal((await exporter.send('metrics', body)).kind, 'ok')
    await exporter.close()
    const rows = await rowsOf(col, agentId, dataPoints)
    const packets = rows.filter((r) => r.metric === 'system.network.packet.count')
    assert.equal(packets.length, 4)
    assert.equal(packets[0]!.unit, '{packet}')
    assert.ok(
      rows.some(
        (r) =>
          r.metric === 'system.cpu.time' &&
          r.attributes['cpu.mode'] === 'iowait' &&
          r.attributes['cpu.logical_number'] === 1,
      ),
    )
  })

  test('delivers what the live host collector reads, for every group that did not fail', async () => {
    const agentId = newAgentId()
    const host = new HostCollector({ topProcesses: 3 })
    await host.collect()
    const snapshot = await host.collect()
    const { body, dataPoints, metricNames } = await requestFor(snapshot, agentId, { processMetrics: true })
    const exporter = createExporter(exporterOptions(col, 'grpc', agentId))
    assert.equal((await exporter.send('metrics', body)).kind, 'ok')
    await exporter.close()
    if (dataPoints === 0) {
      assert.ok(snapshot.errors.length > 0, 'nothing to send only when every group failed')
      return
    }
    const rows = await rowsOf(col, agentId, dataPoints)
    assert.deepEqual([...new Set(rows.map((r) => r.metric))].sort(), metricNames)
    const limit = rows.find((r) => r.metric === 'system.memory.limit')
    if (limit) assert.equal(limit.value, snapshot.memory.totalBytes)
  })

  test('is accepted by the logs service on both protocols', async () => {
    for (const protocol of ['grpc', 'http'] as const) {
      const exporter = createExporter(exporterOptions(col, protocol, newAgentId()))
      assert.deepEqual(await exporter.send('logs', new Uint8Array()), { kind: 'ok' }, protocol)
      await exporter.close()
    }
  })
})

describe('TelemetryFlow /v2/metrics', () => {
  let col: RunningCollector
  before(async () => {
    col = await startCollector({ grpc: false, http: true, httpMetricsPath: '/v2/metrics' })
  })
  after(async () => {
    await col?.stop()
  })

  test('posts to /v2/metrics when configured, where the collector serves it', async () => {
    const agentId = newAgentId()
    const { body, dataPoints } = await requestFor(fixtureSnapshot(), agentId)
    const exporter = createExporter(exporterOptions(col, 'http', agentId, { httpMetricsPath: '/v2/metrics' }))
    assert.deepEqual(await exporter.send('metrics', body), { kind: 'ok' })
    await exporter.close()
    assert.equal((await rowsOf(col, agentId, dataPoints)).length, dataPoints)

    const standard = createExporter(exporterOptions(col, 'http', agentId))
    const outcome = await standard.send('metrics', body)
    await standard.close()
    assert.equal(outcome.kind, 'permanent', 'the default /v1/metrics is not served by this receiver (404)')
  })
})

describe('a collector that goes away and comes back', () => {
  let col: RunningCollector
  before(async () => {
    col = await startCollector({ grpc: true, http: true })
  })
  after(async () => {
    await col?.stop()
  })

  test('gets retryable outcomes while down, and the next send after the restart is ok', async () => {
    const agentId = newAgentId()
    const { body, dataPoints } = await requestFor(fixtureSnapshot(), agentId, {
      enabled: { disk: false, filesystem: false },
    })
    const grpcExporter = createExporter(exporterOptions(col, 'grpc', agentId, { timeoutMs: 3000 }))
    const httpExporter = createExporter(exporterOptions(col, 'http', agentId, { timeoutMs: 3000 }))
    assert.equal((await grpcExporter.send('metrics', body)).kind, 'ok')
    await rowsOf(col, agentId, dataPoints)

    await col.stop()
    assert.equal((await grpcExporter.send('metrics', body)).kind, 'retryable')
    assert.equal((await httpExporter.send('metrics', body)).kind, 'retryable')

    await col.restart()
    assert.deepEqual(await grpcExporter.send('metrics', body), { kind: 'ok' })
    assert.deepEqual(await httpExporter.send('metrics', body), { kind: 'ok' })
    await rowsOf(col, agentId, dataPoints * 3)
    await grpcExporter.close()
    await httpExporter.close()
  })

  test('reconnects a gRPC channel that sat idle through the restart', async () => {
    const agentId = newAgentId()
    const { body, dataPoints } = await requestFor(fixtureSnapshot(), agentId, { enabled: { disk: false } })
    const exporter = createExporter(exporterOptions(col, 'grpc', agentId))
    assert.equal((await exporter.send('metrics', body)).kind, 'ok')
    await col.restart()
    assert.deepEqual(await exporter.send('metrics', body), { kind: 'ok' })
    await rowsOf(col, agentId, dataPoints * 2)
    await exporter.close()
  })
})

describe('TLS to the collector', () => {
  let col: RunningCollector
  let dir = ''
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tfo-tls-'))
    makeCertificates(dir)
    col = await startCollector({
      tls: {
        certFile: join(dir, 'server.pem'),
        keyFile: join(dir, 'server.key'),
        clientCaFile: join(dir, 'ca.pem'),
      },
    })
  })
  after(async () => {
    await col?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const tls = () => ({
    enabled: true,
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'client.pem'),
    keyFile: join(dir, 'client.key'),
    serverName: 'collector.test',
  })

  for (const protocol of ['grpc', 'http'] as const) {
    test(`exports over ${protocol} with mutual TLS, verifying the collector by CA and server name`, async () => {
      const agentId = newAgentId()
      const { body, dataPoints } = await requestFor(fixtureSnapshot(), agentId, { enabled: { disk: false } })
      const exporter = createExporter(exporterOptions(col, protocol, agentId, { tls: tls() }))
      assert.deepEqual(await exporter.send('metrics', body), { kind: 'ok' })
      await exporter.close()
      await rowsOf(col, agentId, dataPoints)
    })

    test(`is refused over ${protocol} without a client certificate`, async () => {
      const { certFile: _c, keyFile: _k, ...serverOnly } = tls()
      const exporter = createExporter(
        exporterOptions(col, protocol, newAgentId(), { tls: serverOnly, timeoutMs: 3000 }),
      )
      const outcome = await exporter.send('metrics', new Uint8Array())
      await exporter.close()
      assert.notEqual(outcome.kind, 'ok')
    })

    test(`does not trust the collector over ${protocol} without its CA`, async () => {
      const { caFile: _ca, ...noCa } = tls()
      const exporter = createExporter(
        exporterOptions(col, protocol, newAgentId(), { tls: noCa, timeoutMs: 3000 }),
      )
      const outcome = await exporter.send('metrics', new Uint8Array())
      await exporter.close()
      assert.notEqual(outcome.kind, 'ok')
    })
  }
})
