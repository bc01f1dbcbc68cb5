/**
 * Parity with the peer the README names: the OpenTelemetry Collector's hostmetrics
 * receiver (v0.145.0, feature gates pinned in helpers/hostmetrics.ts) and the agent read
 * this host side by side at the same interval for about a minute; every metric both emit
 * is compared (helpers/parity.ts) and the comparison is printed as a table. A difference
 * passes only when src/metrics/differences.ts lists it with its reason.
 *
 * Time cap: about 70 s of running side by side (13 collections at 5 s), 3 min in all.
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'

import { agentConfig, killAllAgents, startAgent, tempDir } from './helpers/agent'
import { startParityCollector, type ParityCollector } from './helpers/hostmetrics'
import { pause } from './helpers/otelcol'
import { compareParity } from './helpers/parity'
import { formatReport } from './helpers/parity-report'
import { HOSTMETRICS_DIFFERENCES } from '../src/metrics/differences'
import type { PointRow } from '../__test__/fixtures/otlp'

const INTERVAL_S = 5
const COLLECTIONS = 13
const SIDE_BY_SIDE_CAP_MS = 90_000

let collector: ParityCollector | undefined
after(async () => {
  await killAllAgents()
  await collector?.stop()
})

const collectionsOf = (rows: PointRow[], metric: string) =>
  new Set(rows.filter((r) => r.metric === metric).map((r) => r.timeUnixNano)).size

test(
  "the agent's metrics match the hostmetrics receiver's on this host, except the listed differences",
  { timeout: 180_000 },
  async () => {
    collector = await startParityCollector(INTERVAL_S)
    const interval = `${INTERVAL_S}s`
    const agent = await startAgent(
      agentConfig({
        collector: collector.grpcEndpoint,
        dataDir: tempDir('parity'),
        over: {
          collectors: {
            // Per core, as the receiver always reports CPU time (a listed difference otherwise).
            system: { interval, per_core: true },
            // Every process the agent can see, so most of the receiver's have a counterpart.
            process: { enabled: true, interval, top_n: 1000, max_processes: 10_000 },
          },
          exporter: { otlp: { flush_interval: '1s', semantic_conventions: 'hostmetrics' } },
        },
      }),
    )
    const deadline = Date.now() + SIDE_BY_SIDE_CAP_MS
    while (
      Date.now() < deadline &&
      (collectionsOf(collector.hostmetrics(), 'system.cpu.time') < COLLECTIONS ||
        collectionsOf(collector.agent(), 'system.cpu.time') < COLLECTIONS)
    ) {
      await pause(1000)
    }
    assert.equal(await agent.stop('SIGTERM'), 0, agent.output().slice(-2000))
    await collector.stop()

    const report = compareParity(collector.agent(), collector.hostmetrics())
    console.log(`\nhostmetrics parity (${INTERVAL_S}s interval)\n${formatReport(report)}`)
    console.log('\nlisted differences:')
    for (const d of HOSTMETRICS_DIFFERENCES) console.log(`  ${d.metric} (${d.kind}): ${d.reason}`)

    assert.deepEqual(report.failures, [], 'differences not listed in src/metrics/differences.ts')
    // It compared what it claims to: every scraper's metrics, values at many instants, processes.
    const compared = new Set(report.rows.map((r) => r.metric))
    for (const metric of [
      'system.cpu.time',
      'system.cpu.frequency',
      'system.cpu.load_average.1m',
      'system.memory.usage',
      'system.paging.operations',
      'system.paging.faults',
      'system.disk.io',
      'system.filesystem.usage',
      'system.network.io',
      'system.network.connections',
      'system.processes.count',
      'process.cpu.time',
      'process.disk.io',
    ]) {
      assert.ok(compared.has(metric), `${metric} was compared`)
      const row = report.rows.find((r) => r.metric === metric)!
      assert.ok(row.points > 0, `${metric}: values were compared at some instant`)
    }
    assert.ok(report.processes.compared >= 10, `processes compared: ${report.processes.compared}`)
  },
)
