/**
 * The one JSON schema of the agent's configuration: types, ranges, enums, defaults and
 * documentation. Validation (ajv) and the reference in docs/configuration.md both come from it.
 */
import { collectorsSchema } from './schema-collectors'
import { bool, duration, int, oneOf, section, str, stringMap, type SchemaNode } from './schema-kit'

export type { SchemaNode } from './schema-kit'

const telemetryflow = section(
  'Where and how metrics are sent: the OTLP endpoint and the TelemetryFlow API.',
  {
    endpoint: str(
      'localhost:4317',
      'OTLP endpoint as `host:port` (or an `http(s)://` URL). Env: `TELEMETRYFLOW_ENDPOINT`.',
      {
        format: 'endpoint',
      },
    ),
    protocol: oneOf(
      ['grpc', 'http'],
      'grpc',
      'OTLP transport: `grpc` (port 4317 by convention) or `http` (protobuf over HTTP, port 4318).',
    ),
    http_metrics_path: str(
      '/v1/metrics',
      'Path of the metrics endpoint when `protocol` is `http`: `/v1/metrics` (OTLP standard) or `/v2/metrics` (TelemetryFlow).',
      {
        format: 'url-path',
      },
    ),
    http_logs_path: str('/v1/logs', 'Path of the logs endpoint when `protocol` is `http`.', {
      format: 'url-path',
    }),
    tls: section(
      'TLS towards the OTLP endpoint. Off by default (plaintext, as for a collector on localhost).',
      {
        enabled: bool(false, 'Use TLS.'),
        ca_file: str(
          '',
          'PEM file of the CA that signed the server certificate (also trusted for an https api_endpoint); empty uses the system roots.',
        ),
        cert_file: str('', 'Client certificate (PEM) for mutual TLS.'),
        key_file: str('', 'Private key (PEM) of the client certificate.'),
        server_name: str(
          '',
          'Name to verify the server certificate against, when it differs from the endpoint host.',
        ),
        skip_verify: bool(
          false,
          'Accept any server certificate (the OTLP endpoint and an https api_endpoint). Insecure: for testing only; the agent logs a warning.',
        ),
      },
    ),
    retry: section('Retries of a failed export, with exponential backoff and jitter.', {
      enabled: bool(true, 'Retry retryable failures (unavailable, timeouts, throttling).'),
      max_retries: int(
        5,
        0,
        100,
        'Retries of one heartbeat within its interval (at most 3 are used). Exported batches are retried by the buffer: see `buffer.max_retries`.',
      ),
      initial_interval: duration('1s', 'Wait before the first retry.'),
      max_interval: duration(
        '30s',
        "Upper bound of the agent's own wait between retries (its backoff); a collector's Retry-After is bounded by `max_retry_after`.",
      ),
      max_retry_after: duration(
        '5m',
        'Longest wait honoured when a collector asks for one (HTTP Retry-After, gRPC RetryInfo); a longer request is cut to this, per endpoint.',
      ),
      multiplier: {
        type: 'number',
        default: 2,
        minimum: 1,
        maximum: 10,
        description:
          "Factor by which the wait between export retries grows; the heartbeat's waits always double.",
      },
    }),
    timeout: duration('10s', 'Deadline of one export request.'),
    api_key_id: str('', 'TelemetryFlow API key id (`tfk_…`). Env: `TELEMETRYFLOW_API_KEY_ID`.'),
    api_key_secret: str(
      '',
      'TelemetryFlow API key secret (`tfs_…`); never logged or shown. Env: `TELEMETRYFLOW_API_KEY_SECRET`.',
    ),
    api_endpoint: str(
      'http://localhost:8080/api/v1',
      'Base URL of the TelemetryFlow API (heartbeat, registration); setting it turns the heartbeat on unless `heartbeat.enabled: false`. Env: `TELEMETRYFLOW_API_ENDPOINT`.',
      {
        format: 'http-url',
      },
    ),
    environment: str(
      'production',
      'Deployment environment, sent as `deployment.environment.name`. Env: `TELEMETRYFLOW_ENVIRONMENT`.',
    ),
  },
)

const agent = section('Who this agent is.', {
  id: str(
    '',
    'Agent id. Empty: generated once (a UUID) and kept in `<data_dir>/agent-id`, so it is stable across restarts. Env: `TELEMETRYFLOW_AGENT_ID`.',
  ),
  name: str(
    '',
    'Display name sent with the registration (`heartbeat.register`). Env: `TELEMETRYFLOW_AGENT_NAME`.',
  ),
  hostname: str(
    '',
    "Hostname for the metrics' `host.name` and the registration; empty uses the host's own. The heartbeat's `systemInfo.hostname` is always the kernel's.",
  ),
  tags: stringMap(
    'Extra resource attributes added to every metric and sent with the registration, e.g. `team: payments`.',
  ),
  data_dir: str(
    '',
    'State directory (agent id, buffer). Empty: machine-wide for a privileged process, per-user otherwise. Linux: `/var/lib/tfo-agent` as root, else `$XDG_STATE_HOME/tfo-agent` (or `~/.local/state/tfo-agent`). macOS: `/Library/Application Support/tfo-agent` as root, else `~/Library/Application Support/tfo-agent`. Windows: `%ProgramData%\\tfo-agent` when elevated (a service, an administrator), else `%LOCALAPPDATA%\\tfo-agent`.',
  ),
})

const heartbeat = section(
  "The periodic heartbeat to the TelemetryFlow API, carrying the host's system information.",
  {
    enabled: {
      type: 'boolean',
      description:
        'Send heartbeats. Left out: on when `telemetryflow.api_key_id`, `api_key_secret` or `api_endpoint` is set (in the file or the environment), else off. `true` sends them regardless (with a warning at start if no API key is set).',
    },
    interval: duration('60s', 'Time between heartbeats.'),
    timeout: duration('10s', 'Deadline of one heartbeat request.'),
    path: str(
      '/agents/{agentId}/heartbeat',
      'Path under `telemetryflow.api_endpoint`; `{agentId}` is replaced by the agent id.',
      {
        format: 'url-path',
      },
    ),
    register: bool(
      false,
      'Register the agent (`POST {api_endpoint}/agents`) once at start, beside the first heartbeat; not retried.',
    ),
  },
)

const exporter = section('Exporters.', {
  otlp: section('The OTLP metrics and logs exporter.', {
    enabled: bool(
      true,
      'Export over OTLP. Off: no metrics, process or log pipeline runs (nothing is buffered); the heartbeat and health endpoint still do.',
    ),
    batch_size: int(100, 1, 100_000, 'Buffered batches sent per flush.'),
    flush_interval: duration('10s', 'Time between flushes of the buffer to the endpoint.'),
    compression: oneOf(['gzip', 'none'], 'gzip', 'Request compression.'),
    headers: stringMap(
      'Extra request headers, e.g. for a gateway. Values that look secret are redacted in output.',
    ),
    semantic_conventions: oneOf(
      ['hostmetrics', 'latest'],
      'hostmetrics',
      "`hostmetrics`: the names of the OpenTelemetry Collector's hostmetrics receiver (`system.cpu.time`…); `latest`: the newest semantic-convention spellings (`cpu.mode`, `system.process.count`…).",
    ),
  }),
})

const buffer = section('The memory-to-disk buffer that holds data while the endpoint cannot be reached.', {
  enabled: bool(
    true,
    'Keep unsent data across restarts in `path`. Off: batches wait in a temporary store that is removed at stop, so nothing survives a restart.',
  ),
  path: str('', 'Buffer directory; empty: `<data_dir>/buffer`.'),
  max_size_mb: int(
    100,
    1,
    1_048_576,
    'Space the buffer may use, memory and disk together, MiB; the oldest data is dropped beyond it (and counted).',
  ),
  max_age: duration('24h', 'Data older than this is dropped (and counted).'),
  max_retries: int(10, 1, 10_000, 'Failed export attempts after which a batch is discarded (and counted).'),
  memory_max_mb: int(16, 1, 4096, 'Memory held before batches move to disk, MiB.'),
  sync_writes: bool(
    false,
    'Write every batch to disk as soon as it is collected, and sync, for hosts where nothing may be lost.',
  ),
  compression: oneOf(
    ['deflate', 'none'],
    'deflate',
    'How batches are held in memory and on disk: `deflate` keeps about five times more within `max_size_mb` (a 24 h outage of a typical host fits the default); exports are unchanged.',
  ),
})

const health = section(
  'The local health and self-metrics server (`/health`, `/metrics`) and the status page at `/` (live charts of the last 15 minutes), read by `tfo-agent status`.',
  {
    enabled: bool(true, 'Serve health, self-metrics and the status page.'),
    endpoint: str(
      '127.0.0.1:13133',
      'Listen address `host:port`. Keep it on loopback unless something remote must read it.',
      {
        format: 'host-port',
      },
    ),
    token: str(
      '',
      'Token for the status page, its data and `/metrics` when `endpoint` is not on loopback (`Authorization: Bearer <token>`, or `?token=` in a browser); without one they are refused there. `/health` stays open for probes. Never logged or shown.',
    ),
    max_connections: int(
      32,
      1,
      10_000,
      'Connections open at once; more are closed at once. At most 8 of them are status page event streams.',
    ),
    idle_timeout: duration(
      '10s',
      'A connection with no open response is closed after this long without traffic (event streams are exempt).',
    ),
  },
)

const logging = section("The agent's own log.", {
  level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal'], 'info', 'Least severe level written.'),
  format: oneOf(
    ['text', 'json'],
    'text',
    '`text`: one readable line per record, for terminals; `json`: one JSON object per line, for log shippers.',
  ),
  file: str('', 'Append the log to this file; empty writes to standard error.'),
  summary_interval: duration(
    '5m',
    'How often an info line sums up delivery: batches and data points sent, buffered, dropped. The first successful export is logged at once; a repeated export error is written once, then counted in these lines.',
  ),
})

const cloud = section(
  'Cloud metadata (provider, instance, region, zone), asked only where DMI data points to that cloud or this section names one.',
  {
    provider: oneOf(
      ['auto', 'aws', 'gcp', 'azure', 'alibaba', 'none'],
      'auto',
      '`auto` detects from DMI/hypervisor data; `none` never asks.',
    ),
    timeout: duration('2s', 'Deadline of one metadata request.'),
    endpoints: section('Metadata service base URLs (override for proxies and tests).', {
      aws: str('http://169.254.169.254', 'AWS instance metadata service (IMDSv2).', { format: 'http-url' }),
      gcp: str('http://metadata.google.internal', 'Google Cloud metadata server.', { format: 'http-url' }),
      azure: str('http://169.254.169.254', 'Azure instance metadata service.', { format: 'http-url' }),
      alibaba: str('http://100.100.100.200', 'Alibaba Cloud metadata service.', { format: 'http-url' }),
    }),
  },
)

const root = section(
  'tfo-agent configuration (YAML, snake_case keys). Every key is optional; strings may use `${VAR}`, `${VAR:-default}` and `${VAR:?message}`; `$$` is a literal `$`. Durations are strings such as `500ms`, `15s`, `2m`, `24h` or numbers of seconds, from 1 ms to 24 days.',
  {
    telemetryflow,
    agent,
    heartbeat,
    collectors: collectorsSchema,
    exporter,
    buffer,
    health,
    logging,
    cloud,
  },
)
delete root.default // a default at the root is meaningless (and ajv's strict mode rejects it)

/** The configuration schema (draft-07 JSON Schema). */
export const configSchema: SchemaNode = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://telemetryflow.id/schemas/tfo-agent-config.json',
  title: 'tfo-agent configuration',
  ...root,
}
