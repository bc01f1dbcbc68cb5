/** The agent's own state: stats, the health verdict, `/metrics`, and the endpoint serving them. */
export { AgentStats } from './stats'
export type { AgentStatsOptions, AgentPhase, BufferGauges, DropCount, OkFailed } from './stats'
export { evaluateHealth, httpStatusFor, STALE_INTERVALS, RECENT_DROP_MS, BUFFER_FULL_RATIO } from './evaluate'
export type { HealthReport, HealthStatus, HealthCheck, CheckStatus } from './evaluate'
export { renderPrometheus, escapeLabelValue, PROMETHEUS_CONTENT_TYPE } from './prometheus'
export {
  startHealthServer,
  parseEndpoint,
  HealthServerError,
  DEFAULT_HEALTH_ENDPOINT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_IDLE_TIMEOUT_MS,
} from './server'
export type { HealthServer, HealthServerOptions } from './server'
export { StatusFeed, STATUS_WINDOW_MS } from './status-feed'
export type {
  StatusDocument,
  StatusSample,
  StatusState,
  HostPoint,
  AgentPoint,
  TailedFile,
  ProcessRow,
  Reachability,
} from './status-types'
export { isLoopbackHost } from './guard'
