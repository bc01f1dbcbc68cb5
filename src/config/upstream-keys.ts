/**
 * The keys of the upstream Go agent's configuration that this agent accepts, so a user
 * moving from it can start with their file. Read from telemetryflow/telemetryflow-agent:
 *   - `configs/tfo-agent.yaml` at commit b910f3df68a91f9b8b26b06004533b0e9c628c25
 *     (the 1.1.x line: its README is at version 1.1.2),
 *   - `configs/examples/vm-minimal.yaml` at commit f1b4083a0f8e718701ad9e1edfc6a7262ad6367e
 *     (a later line: its examples run image 1.3.2),
 * including the keys those files show commented out. Only keys this agent's own schema
 * does not have are listed: a key both agents share is simply read.
 *
 * A key with `map` has a meaning here and is read as the keys it names; any other is
 * accepted and warned about once, by name, as having no meaning here. `subtree` accepts
 * the key and everything below it (whole sections of features this agent does not have:
 * integrations, auto-update, …). A key in neither this list nor the schema stays an error.
 */

/** One accepted upstream key. */
export interface UpstreamKey {
  /** Dotted path, e.g. `heartbeat.include_system_info`. */
  key: string
  /** The key and everything below it. */
  subtree?: boolean
  /** This agent's keys (dotted) and values for the upstream value; absent: no meaning here. */
  map?: (value: unknown) => Record<string, unknown>
  /** What it means here, for the warning and the reference. */
  note: string
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** `v1` → `/v1/metrics`, `v2` → `/v2/metrics` (the logs path alike). */
function endpointVersion(value: unknown): Record<string, unknown> {
  const v = String(value).replace(/^\/+|\/+$/g, '')
  return { 'telemetryflow.http_metrics_path': `/${v}/metrics`, 'telemetryflow.http_logs_path': `/${v}/logs` }
}

const ignored = (key: string, note: string, subtree = false): UpstreamKey => ({ key, note, subtree })

export const UPSTREAM_KEYS: readonly UpstreamKey[] = [
  // telemetryflow
  {
    key: 'telemetryflow.tls.insecure_skip_verify',
    map: (v) => ({ 'telemetryflow.tls.skip_verify': v }),
    note: 'read as `telemetryflow.tls.skip_verify`',
  },
  {
    key: 'telemetryflow.retry.max_attempts',
    // Upstream counts the first attempt; `max_retries` counts the retries after it.
    map: (v) => ({ 'telemetryflow.retry.max_retries': typeof v === 'number' ? Math.max(0, v - 1) : v }),
    note: 'read as `telemetryflow.retry.max_retries` = max_attempts − 1',
  },
  {
    key: 'telemetryflow.backend_endpoint',
    map: (v) => ({ 'telemetryflow.api_endpoint': v }),
    note: 'read as `telemetryflow.api_endpoint` (the heartbeat’s API)',
  },
  // agent
  ignored('agent.description', 'no meaning here'),
  ignored('agent.version', 'no meaning here: the version is the package’s'),
  {
    key: 'agent.labels',
    map: (v) => ({ 'agent.tags': v }),
    note: 'merged into `agent.tags` (a tag of the same name wins)',
  },
  // heartbeat
  ignored('heartbeat.include_system_info', 'no meaning here: the heartbeat always carries systemInfo'),
  // collectors
  ignored('collectors.system.disk_paths', 'no meaning here: every filesystem is reported'),
  {
    key: 'collectors.process.processes',
    map: (v) => ({
      'collectors.process.include': Array.isArray(v) ? v.map((name) => `^${escapeRegex(String(name))}$`) : v,
    }),
    note: 'read as `collectors.process.include`, one exact-name pattern per process',
  },
  ignored(
    'collectors.node_exporter',
    'no meaning here: the system collector reports these (with `system.linux.*`)',
    true,
  ),
  // exporter
  {
    key: 'exporter.otlp.endpoint_version',
    map: endpointVersion,
    note: 'read as `telemetryflow.http_metrics_path` /vN/metrics and `http_logs_path` /vN/logs',
  },
  {
    key: 'exporter.otlp.metrics_endpoint',
    map: (v) => ({ 'telemetryflow.http_metrics_path': v }),
    note: 'read as `telemetryflow.http_metrics_path`',
  },
  {
    key: 'exporter.otlp.logs_endpoint',
    map: (v) => ({ 'telemetryflow.http_logs_path': v }),
    note: 'read as `telemetryflow.http_logs_path`',
  },
  {
    key: 'exporter.otlp.protocol',
    map: (v) => ({ 'telemetryflow.protocol': v }),
    note: 'read as `telemetryflow.protocol`',
  },
  ignored('exporter.otlp.traces_endpoint', 'no meaning here: the agent sends no traces'),
  ignored('exporter.otlp.metrics', 'no meaning here: metrics are always exported', true),
  ignored('exporter.otlp.traces', 'no meaning here: the agent sends no traces', true),
  ignored('exporter.otlp.logs', 'no meaning here: log export follows `collectors.logs.enabled`', true),
  // buffer
  ignored('buffer.flush_interval', 'no meaning here: flushes follow `exporter.otlp.flush_interval`'),
  // logging
  ignored('logging.max_size_mb', 'no meaning here: rotate the file with logrotate or journald'),
  ignored('logging.max_backups', 'no meaning here: rotate the file with logrotate or journald'),
  ignored('logging.max_age_days', 'no meaning here: rotate the file with logrotate or journald'),
  ignored('logging.include_stack_trace', 'no meaning here: errors carry their stack'),
  ignored('logging.sampling_initial', 'no meaning here: the log is not sampled'),
  ignored('logging.sampling_thereafter', 'no meaning here: the log is not sampled'),
  // whole sections of features this agent does not have
  ignored('security', 'no meaning here', true),
  ignored('auto_update', 'no meaning here: update with npm or the system’s package manager', true),
  ignored('retention', 'no meaning here: retention is the backend’s', true),
  ignored('resources', 'no meaning here', true),
  ignored('cache', 'no meaning here', true),
  ignored('integrations', 'no meaning here: the agent exports OTLP only', true),
  ignored('prometheus_server', 'no meaning here: `health.endpoint` serves /metrics', true),
  ignored('persister', 'no meaning here: log positions are kept in the data directory', true),
  ignored('agent_api', 'no meaning here', true),
  ignored('pipeline', 'no meaning here', true),
  ignored('secret_stores', 'no meaning here: use `${VAR}` in values', true),
  ignored('outputs', 'no meaning here: the agent exports OTLP only', true),
]
