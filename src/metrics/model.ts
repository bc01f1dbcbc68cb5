/**
 * The metric model: snapshots in, OTLP ExportMetricsServiceRequest bytes out.
 *
 * ```ts
 * const model = new MetricModel({ resource: buildResource(snapshot, { agentId }) })
 * model.record(snapshot)
 * const { body, dataPoints } = await model.collect()   // body: the protobuf an exporter sends
 * ```
 */
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { HrTime } from '@opentelemetry/api'
import { millisToHrTime } from '@opentelemetry/core'
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics'
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer'
import type { HostSnapshot } from '../native'
import { VERSION } from '../version'
import { registerHostMetrics } from './host-metrics'
import { isUnavailable, pointKey, Registrar, type Attributes } from './instruments'
import { registerIoMetrics } from './io-metrics'
import { processResourceMetrics } from './process-metrics'
import type { ResourceAttributes } from './resource'
import { spelling, type SemconvMode, type Spelling } from './semconv'

/** Metric groups that can be switched off (all on by default). */
export interface MetricGroups {
  cpu?: boolean
  load?: boolean
  memory?: boolean
  paging?: boolean
  disk?: boolean
  filesystem?: boolean
  network?: boolean
  tcp?: boolean
  /** `system.processes.*`. */
  processes?: boolean
  uptime?: boolean
  /** The `system.linux.*` extras. */
  linux?: boolean
}

export interface MetricModelOptions {
  resource: ResourceAttributes
  /** Default `hostmetrics`: the Collector hostmetrics receiver's names. */
  semconv?: SemconvMode
  /** Per-CPU points with a `cpu` attribute (cardinality: one series per core and mode). Default false. */
  perCore?: boolean
  /** One resource per process record in the snapshot (`process.*` metrics). Default false. */
  processMetrics?: boolean
  enabled?: MetricGroups
}

export interface CollectedMetrics {
  /** An ExportMetricsServiceRequest, serialized: the exact bytes an OTLP exporter sends. */
  body: Uint8Array
  /** Data points in `body` (what is lost if the batch is dropped). */
  dataPoints: number
  /** Distinct metric names in `body`, sorted. */
  metricNames: string[]
}

/** A MetricReader whose only trigger is `collect()`: the scheduler decides when. */
class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const SCOPE = { name: 'tfo-agent', version: VERSION }

export class MetricModel {
  readonly #provider: MeterProvider
  readonly #reader = new PullReader()
  readonly #registrar: Registrar
  readonly #spelling: Spelling
  readonly #options: MetricModelOptions
  #snapshot: HostSnapshot | undefined

  constructor(options: MetricModelOptions) {
    this.#options = options
    this.#spelling = spelling(options.semconv)
    this.#provider = new MeterProvider({
      resource: resourceFromAttributes(options.resource),
      readers: [this.#reader],
    })
    const meter = this.#provider.getMeter(SCOPE.name, SCOPE.version)
    this.#registrar = new Registrar(meter, () => this.#snapshot)
    const enabled = (group: string) => options.enabled?.[group as keyof MetricGroups] !== false
    registerHostMetrics(this.#registrar, this.#spelling, { perCore: options.perCore === true, enabled })
    registerIoMetrics(this.#registrar, this.#spelling, { enabled })
  }

  /** Keeps the snapshot the next `collect()` reports. */
  record(snapshot: HostSnapshot): void {
    this.#snapshot = snapshot
  }

  /** Observes the latest snapshot and serializes the result. */
  async collect(): Promise<CollectedMetrics> {
    this.#registrar.beginCollection()
    const { resourceMetrics, errors } = await this.#reader.collect()
    if (errors.length > 0) throw new AggregateError(errors, 'metric collection failed')
    const host = this.#dropUnobserved(resourceMetrics)
    const all: ResourceMetrics[] = host.scopeMetrics.length > 0 ? [host] : []

    const records = this.#snapshot?.processes.top ?? []
    const processGroupOk = !this.#snapshot?.errors.some((e) => e.group === 'process')
    if (this.#options.processMetrics && processGroupOk && records.length > 0) {
      const gone = (field: string) => (this.#snapshot ? isUnavailable(this.#snapshot, field) : false)
      all.push(
        ...processResourceMetrics(records, this.#spelling, this.#options.resource, SCOPE, Date.now(), gone),
      )
    }

    // An ExportMetricsServiceRequest is one repeated field, so concatenated
    // requests are one valid request holding all their ResourceMetrics.
    const parts = all.map((rm) => ProtobufMetricsSerializer.serializeRequest(rm) ?? new Uint8Array())
    const body = Buffer.concat(parts)
    const names = new Set<string>()
    let dataPoints = 0
    for (const rm of all) {
      for (const sm of rm.scopeMetrics) {
        for (const metric of sm.metrics) {
          names.add(metric.descriptor.name)
          dataPoints += metric.dataPoints.length
        }
      }
    }
    return {
      body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
      dataPoints,
      metricNames: [...names].sort(),
    }
  }

  async shutdown(): Promise<void> {
    await this.#provider.shutdown()
  }

  /**
   * Leaves only the points observed in this collection (see instruments.ts), and
   * starts host sums at boot, as the hostmetrics receiver does: the kernel's
   * counters run since then, not since the agent first looked.
   */
  #dropUnobserved(rm: ResourceMetrics): ResourceMetrics {
    const seen = this.#registrar.seen
    const bootMs = (this.#snapshot?.host.bootTimeUnix ?? 0) * 1000
    const boot: HrTime | undefined = bootMs > 0 && bootMs <= Date.now() ? millisToHrTime(bootMs) : undefined
    const scopeMetrics = rm.scopeMetrics
      .map((sm) => ({
        scope: sm.scope,
        metrics: sm.metrics
          .map((metric) => {
            const observed = (metric.dataPoints as Array<DataPoint<unknown>>).filter((dp) =>
              seen.has(pointKey(metric.descriptor.name, dp.attributes as Attributes)),
            )
            const dataPoints =
              boot && metric.dataPointType === DataPointType.SUM
                ? observed.map((dp) => ({ ...dp, startTime: boot }))
                : observed
            return { ...metric, dataPoints } as MetricData
          })
          .filter((metric) => metric.dataPoints.length > 0),
      }))
      .filter((sm) => sm.metrics.length > 0)
    return { resource: rm.resource, scopeMetrics }
  }
}
