/**
 * tfo-agent as a library: the host collector, the metric model, the buffer, the
 * exporter, and the Agent that runs them all.
 */
export {
  HostCollector,
  selectTopProcesses,
  type HostCollectorOptions,
  type TopProcesses,
} from './host-collector'
export { NativeBindingError } from './native'
export type * from './snapshot-types'

export { Agent, type AgentEvents, type AgentOptions } from './agent/agent'
export { startAgent, type StartAgentOptions } from './agent/start'
export { runAgent, type RunAgentOptions } from './agent/run'
export { MetricModel, buildResource, type MetricModelOptions, type CollectedMetrics } from './metrics'
export {
  BatchBuffer,
  BufferLockedError,
  type Batch,
  type BatchInput,
  type BufferOptions,
  type BufferStats,
} from './buffer'
export { createExporter, type Exporter, type ExporterOptions, type ExportOutcome } from './export'
export { toSystemInfo, HeartbeatClient, type SystemInfo, type AgentMeta } from './heartbeat'
export { loadConfig, parseConfig, ConfigError, type AgentConfig } from './config'
export type { HealthReport } from './health'
export { createLogger } from './logging'
export { LogCollector, type LogCollectorOptions, type LogCollectorStats } from './logs'
export { resolveIdentity } from './identity'
export { VERSION } from './version'
