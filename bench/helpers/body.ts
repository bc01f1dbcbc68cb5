/**
 * One real batch body: a live HostCollector snapshot (taken twice, so rates and
 * utilizations are over an interval like the agent's) through the agent's own
 * MetricModel — the exact ExportMetricsServiceRequest bytes the agent buffers.
 */
import { HostCollector } from '../../src/host-collector'
import { buildResource, MetricModel } from '../../src/metrics'

export interface RealBody {
  body: Uint8Array
  dataPoints: number
  metricNames: number
}

export async function realBody(): Promise<RealBody> {
  const host = new HostCollector({ topProcesses: 0 })
  await host.collect()
  await new Promise((r) => setTimeout(r, 500))
  const snapshot = await host.collect()
  const model = new MetricModel({ resource: buildResource(snapshot, { agentId: 'tfo-bench' }) })
  try {
    model.record(snapshot)
    const { body, dataPoints, metricNames } = await model.collect()
    return { body, dataPoints, metricNames: metricNames.length }
  } finally {
    await model.shutdown()
  }
}
