/**
 * The validated configuration as the agent uses it. Keys are the YAML's snake_case
 * keys; every duration is converted to milliseconds (marked `ms`). Every key is
 * present: defaults are filled in from the schema.
 */

export interface TlsConfig {
  enabled: boolean
  ca_file: string
  cert_file: string
  key_file: string
  server_name: string
  skip_verify: boolean
}

export interface RetryConfig {
  enabled: boolean
  max_retries: number
  /** ms */
  initial_interval: number
  /** ms */
  max_interval: number
  /** ms */
  max_retry_after: number
  multiplier: number
}

export interface TelemetryFlowConfig {
  /** `host:port` or an `http(s)://` URL. */
  endpoint: string
  protocol: 'grpc' | 'http'
  http_metrics_path: string
  http_logs_path: string
  tls: TlsConfig
  retry: RetryConfig
  /** ms */
  timeout: number
  api_key_id: string
  api_key_secret: string
  api_endpoint: string
  environment: string
}

export interface AgentSection {
  /** Empty until the identity is resolved (see `resolveIdentity`). */
  id: string
  name: string
  hostname: string
  tags: Record<string, string>
  /** Empty means the platform default (see `defaultDataDir`). */
  data_dir: string
}

export interface HeartbeatConfig {
  enabled: boolean
  /** ms */
  interval: number
  /** ms */
  timeout: number
  /** Contains `{agentId}`. */
  path: string
  register: boolean
}

export interface SystemCollectorConfig {
  enabled: boolean
  /** ms */
  interval: number
  cpu: boolean
  memory: boolean
  disk: boolean
  network: boolean
  filesystem: boolean
  tcp: boolean
  per_core: boolean
  root_path: string
  backend: 'default' | 'procfs' | 'portable' | 'windows'
}

export interface ProcessCollectorConfig {
  enabled: boolean
  /** ms */
  interval: number
  /** Regular expressions (already checked to compile). */
  include: string[]
  exclude: string[]
  top_n: number
  max_processes: number
}

export interface LogsCollectorConfig {
  enabled: boolean
  /** Globs. */
  paths: string[]
  include_patterns: string[]
  exclude_patterns: string[]
  start_at: 'end' | 'beginning'
  multiline_start_pattern: string
  max_line_bytes: number
  /** ms */
  poll_interval: number
  /** MiB of unsent buffered data beyond which log files are not read. */
  max_backlog_mb: number
}

export interface CollectorsConfig {
  system: SystemCollectorConfig
  process: ProcessCollectorConfig
  logs: LogsCollectorConfig
}

export interface OtlpExporterConfig {
  enabled: boolean
  batch_size: number
  /** ms */
  flush_interval: number
  compression: 'gzip' | 'none'
  headers: Record<string, string>
  semantic_conventions: 'hostmetrics' | 'latest'
}

export interface BufferConfig {
  enabled: boolean
  /** Empty means `<data_dir>/buffer`. */
  path: string
  max_size_mb: number
  /** ms */
  max_age: number
  max_retries: number
  memory_max_mb: number
  sync_writes: boolean
  compression: 'deflate' | 'none'
}

export interface HealthConfig {
  enabled: boolean
  /** `host:port`. */
  endpoint: string
  /** Required for the status page, its data and `/metrics` beyond loopback; '' = none. */
  token: string
  max_connections: number
  /** ms */
  idle_timeout: number
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'
export type LogFormat = 'text' | 'json'

export interface LoggingConfig {
  level: LogLevel
  format: LogFormat
  /** Empty means standard error. */
  file: string
  /** Ms between delivery summaries. */
  summary_interval: number
}

export type CloudProvider = 'auto' | 'aws' | 'gcp' | 'azure' | 'alibaba' | 'none'

export interface CloudConfig {
  provider: CloudProvider
  /** ms */
  timeout: number
  endpoints: { aws: string; gcp: string; azure: string; alibaba: string }
}

/** The whole configuration. */
export interface AgentConfig {
  telemetryflow: TelemetryFlowConfig
  agent: AgentSection
  heartbeat: HeartbeatConfig
  collectors: CollectorsConfig
  exporter: { otlp: OtlpExporterConfig }
  buffer: BufferConfig
  health: HealthConfig
  logging: LoggingConfig
  cloud: CloudConfig
}
