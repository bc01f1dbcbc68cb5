/**
 * Snapshots into the buffer: the system collector's metric model, the process
 * collector (its own scan and model, on its own interval), and the log collector.
 * Everything here only pushes into the buffer; sending is the flush loop's job.
 */
import type { Logger } from 'pino'

import type { BatchBuffer } from '../buffer'
import type { CloudInfo } from '../cloud'
import type { AgentConfig } from '../config'
import type { AgentStats, TailedFile } from '../health'
import { HostCollector } from '../host-collector'
import { LogCollector } from '../logs'
import {
  buildResource,
  MetricModel,
  type CloudInfo as ResourceCloud,
  type ResourceAttributes,
} from '../metrics'
import type { HostSnapshot, ProcessRecord } from '../native'
import * as o from './options'

export interface PipelineOptions {
  config: AgentConfig
  buffer: BatchBuffer
  stats: AgentStats
  logger: Logger
  cloud: () => Promise<CloudInfo>
}

const SEMCONV_CLOUD: Record<string, string> = {
  aws: 'aws',
  gcp: 'gcp',
  azure: 'azure',
  alibaba: 'alibaba_cloud',
}

function resourceCloud(info: CloudInfo): ResourceCloud | undefined {
  if (!info.provider) return undefined
  return {
    provider: SEMCONV_CLOUD[info.provider] ?? info.provider,
    region: info.region,
    availabilityZone: info.zone,
    instanceId: info.instanceId,
    instanceType: info.instanceType,
  }
}

export class Pipeline {
  readonly #o: PipelineOptions
  #systemModel: MetricModel | undefined
  #processModel: MetricModel | undefined
  #processHost: HostCollector | undefined
  #processState = { exported: 0, leftOut: 0 }
  #processRecords: ProcessRecord[] = []
  #logs: LogCollector | undefined
  #logLinesCounted = 0
  #stopped = false

  constructor(options: PipelineOptions) {
    this.#o = options
  }

  async #resource(snapshot: HostSnapshot): Promise<ResourceAttributes> {
    const c = this.#o.config
    return buildResource(snapshot, {
      agentId: c.agent.id,
      environment: c.telemetryflow.environment,
      hostname: c.agent.hostname || undefined,
      tags: c.agent.tags,
      cloud: resourceCloud(await this.#o.cloud()),
    })
  }

  /** The system snapshot as metrics, into the buffer. */
  async recordSystem(snapshot: HostSnapshot): Promise<void> {
    const c = this.#o.config
    this.#systemModel ??= new MetricModel({
      resource: await this.#resource(snapshot),
      semconv: c.exporter.otlp.semantic_conventions,
      perCore: c.collectors.system.per_core,
      enabled: o.metricGroups(c),
    })
    this.#systemModel.record(snapshot)
    const { body, dataPoints } = await this.#systemModel.collect()
    await this.#o.buffer.push({ signal: 'metrics', body, dataPoints })
  }

  /** One process-collector cycle on its own schedule: scan, then per-process metrics. */
  async collectProcesses(): Promise<void> {
    this.#processHost ??= new HostCollector(o.processCollectorOptions(this.#o.config))
    await this.recordProcesses(await this.#processHost.collect())
  }

  /**
   * Per-process metrics into the buffer, from a scan's records: the process collector's
   * own, or the system scan's when it serves both (`sharedProcessScan`). Include,
   * exclude, top-N and the cap are all applied by the native scan, so an excluded
   * process never takes a place under the cap.
   */
  async recordProcesses(snapshot: HostSnapshot): Promise<void> {
    const c = this.#o.config
    this.#processState = { exported: snapshot.processes.top.length, leftOut: snapshot.processes.leftOut }
    this.#processRecords = snapshot.processes.top
    this.#o.stats.setProcessesLeftOut(snapshot.processes.leftOut)
    this.#processModel ??= new MetricModel({
      resource: await this.#resource(snapshot),
      semconv: c.exporter.otlp.semantic_conventions,
      processMetrics: true,
      enabled: {
        cpu: false,
        load: false,
        memory: false,
        paging: false,
        disk: false,
        filesystem: false,
        network: false,
        tcp: false,
        processes: false,
        uptime: false,
        linux: false,
      },
    })
    this.#processModel.record(snapshot)
    const { body, dataPoints } = await this.#processModel.collect()
    if (dataPoints > 0) await this.#o.buffer.push({ signal: 'metrics', body, dataPoints })
  }

  /**
   * Starts the log collector when `collectors.logs` is on; it runs on its own poll timer.
   * `identity` is a snapshot with the host, container and virtualization groups.
   */
  async startLogs(identity: HostSnapshot): Promise<void> {
    const l = this.#o.config.collectors.logs
    if (!l.enabled) return
    this.#logs = new LogCollector({
      paths: l.paths,
      includePatterns: l.include_patterns,
      excludePatterns: l.exclude_patterns,
      startAt: l.start_at,
      multilineStartPattern: l.multiline_start_pattern || undefined,
      maxLineBytes: l.max_line_bytes,
      pollIntervalMs: l.poll_interval,
      resource: await this.#resource(identity),
      buffer: this.#o.buffer,
      backlog: { maxBytes: l.max_backlog_mb * 1024 * 1024, waitingBytes: () => this.#waitingBytes() },
      logger: this.#o.logger,
    })
    this.#logs.start()
  }

  #waitingBytes(): number {
    const s = this.#o.buffer.stats()
    return s.memoryBytes + s.diskBytes
  }

  /** Carries the log collector's counters into the agent's self-metrics. */
  syncStats(): void {
    if (!this.#logs) return
    const read = this.#logs.stats().linesRead
    this.#o.stats.addLogLines(read - this.#logLinesCounted)
    this.#logLinesCounted = read
  }

  /** The process collector's last records (empty while it is off). */
  processRecords(): ProcessRecord[] {
    return this.#processRecords
  }

  /** The files the log collector follows, with their positions (the status page shows them). */
  tailedFiles(): TailedFile[] {
    return this.#logs?.positions() ?? []
  }

  /** Per-collector state for the heartbeat's agent section. */
  collectorStates(): Record<string, Record<string, unknown>> {
    const c = this.#o.config.collectors
    const states: Record<string, Record<string, unknown>> = {
      system: { enabled: c.system.enabled },
      process: { enabled: c.process.enabled, ...this.#processState },
      logs: { enabled: c.logs.enabled, ...this.#logs?.stats() },
    }
    return states
  }

  /** Stops the log collector (its pending records reach the buffer) and the models. */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    await this.#logs?.stop()
    this.syncStats()
    await Promise.allSettled([this.#systemModel?.shutdown(), this.#processModel?.shutdown()])
  }
}
