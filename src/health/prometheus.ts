/**
 * The agent's own metrics in the Prometheus text exposition format (version 0.0.4):
 * `tfo_agent_` prefix, counters end in `_total`, seconds and bytes in the names.
 */
import type { AgentStats } from './stats'

/** The `Content-Type` of `/metrics`. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

type Labels = Record<string, string>
interface Family {
  name: string
  type: 'counter' | 'gauge'
  help: string
  samples: Array<[Labels, number]>
}

/** Label values escape `\`, `"` and newlines. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}

function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
  return parts.length > 0 ? `{${parts.join(',')}}` : ''
}

function render(families: Family[]): string {
  const lines: string[] = []
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`)
    for (const [labels, value] of f.samples)
      lines.push(`${f.name}${formatLabels(labels)} ${formatValue(value)}`)
  }
  return `${lines.join('\n')}\n`
}

/**
 * Where every batch went: collected + recovered = sent + buffered + dropped (the
 * `buffer_batches` gauges and `dropped_batches_total` over reasons), and the export's wait.
 */
function batchFamilies(stats: AgentStats, nowMs: number): Family[] {
  const p = 'tfo_agent_'
  const b = stats.batches
  const counter = (name: string, help: string, value: number): Family => ({
    name: `${p}${name}`,
    type: 'counter',
    help,
    samples: [[{}, value]],
  })
  const gauge = (name: string, help: string, value: number): Family => ({
    name: `${p}${name}`,
    type: 'gauge',
    help,
    samples: [[{}, value]],
  })
  const state = stats.exportState
  return [
    counter(
      'batches_collected_total',
      'Batches made by the collectors since the agent started.',
      b.collected,
    ),
    counter(
      'batches_recovered_total',
      'Batches found on disk at start, left by an earlier run (unreadable ones are also counted dropped as corrupt).',
      b.recovered,
    ),
    counter('batches_sent_total', 'Batches the collector accepted.', b.sent),
    counter(
      'batches_resent_total',
      'Of the batches sent, those sent again after an attempt that got no answer (the collector may hold two copies).',
      b.resent,
    ),
    gauge(
      'buffer_outage',
      '1 while exports fail: every batch goes to disk as it is collected.',
      stats.bufferOutage ? 1 : 0,
    ),
    gauge(
      'buffer_disk_full',
      '1 while the disk refuses writes: batches are held in memory.',
      stats.bufferDiskFull ? 1 : 0,
    ),
    {
      name: `${p}export_refused`,
      type: 'gauge',
      help: '1 while the endpoint refuses every batch (the data is held), by the status it answers.',
      samples: state?.refusal ? [[{ code: state.refusal.code }, 1]] : [],
    },
    gauge(
      'export_next_attempt_seconds',
      'Seconds until the next export attempt while backing off or honouring a Retry-After (0: the next flush).',
      state?.nextAttemptAtMs ? Math.max(0, Math.ceil((state.nextAttemptAtMs - nowMs) / 1000)) : 0,
    ),
  ]
}

/** Renders `stats`; `info` labels `tfo_agent_info`; `nowMs` (unix ms) gives the uptime. */
export function renderPrometheus(
  stats: AgentStats,
  info: { version: string; agentId: string },
  nowMs: number = stats.now(),
): string {
  const p = 'tfo_agent_'
  const families: Family[] = [
    {
      name: `${p}info`,
      type: 'gauge',
      help: 'The agent: version and id, value always 1.',
      samples: [[{ version: info.version, agent_id: info.agentId }, 1]],
    },
    {
      name: `${p}start_time_seconds`,
      type: 'gauge',
      help: 'When the agent started, unix seconds.',
      samples: [[{}, Math.floor(stats.startTimeMs / 1000)]],
    },
    {
      name: `${p}uptime_seconds`,
      type: 'gauge',
      help: 'Seconds since the agent started.',
      samples: [[{}, Math.max(0, Math.floor((nowMs - stats.startTimeMs) / 1000))]],
    },
    {
      name: `${p}collections_total`,
      type: 'counter',
      help: 'Host snapshots collected.',
      samples: [[{}, stats.collectionsTotal]],
    },
    {
      name: `${p}collection_errors_total`,
      type: 'counter',
      help: 'Snapshot groups that failed, by group.',
      samples: [...stats.collectionErrors].map(([group, n]) => [{ group }, n]),
    },
    {
      name: `${p}collection_duration_seconds`,
      type: 'gauge',
      help: 'How long the last collection took, seconds.',
      samples: [[{}, stats.lastCollectionDurationSeconds]],
    },
    {
      name: `${p}exports_total`,
      type: 'counter',
      help: 'Export attempts by signal and outcome (ok, failed).',
      samples: [...stats.exports].flatMap(([signal, c]): Array<[Labels, number]> => [
        [{ signal, outcome: 'ok' }, c.ok],
        [{ signal, outcome: 'failed' }, c.failed],
      ]),
    },
    {
      name: `${p}last_successful_export_timestamp_seconds`,
      type: 'gauge',
      help: 'When an export last succeeded, unix seconds (0 before the first).',
      samples: [
        [{}, stats.lastSuccessfulExportMs === null ? 0 : Math.floor(stats.lastSuccessfulExportMs / 1000)],
      ],
    },
    {
      name: `${p}buffer_batches`,
      type: 'gauge',
      help: 'Batches waiting to be exported, by store (memory, disk).',
      samples: [
        [{ store: 'memory' }, stats.buffer.memoryBatches],
        [{ store: 'disk' }, stats.buffer.diskBatches],
      ],
    },
    {
      name: `${p}buffer_bytes`,
      type: 'gauge',
      help: 'Bytes waiting to be exported, by store (memory, disk).',
      samples: [
        [{ store: 'memory' }, stats.buffer.memoryBytes],
        [{ store: 'disk' }, stats.buffer.diskBytes],
      ],
    },
    {
      name: `${p}dropped_batches_total`,
      type: 'counter',
      help: 'Batches given up, by reason.',
      samples: [...stats.dropped].map(([reason, d]) => [{ reason }, d.batches]),
    },
    {
      name: `${p}dropped_data_points_total`,
      type: 'counter',
      help: 'Data points and log records given up, by reason.',
      samples: [...stats.dropped].map(([reason, d]) => [{ reason }, d.dataPoints]),
    },
    ...batchFamilies(stats, nowMs),
    {
      name: `${p}heartbeats_total`,
      type: 'counter',
      help: 'Heartbeats sent to the TelemetryFlow API, by outcome (ok, failed).',
      samples: [
        [{ outcome: 'ok' }, stats.heartbeats.ok],
        [{ outcome: 'failed' }, stats.heartbeats.failed],
      ],
    },
    {
      name: `${p}heartbeat_unauthorized`,
      type: 'gauge',
      help: '1 while the TelemetryFlow API refuses the API key.',
      samples: [[{}, stats.heartbeatUnauthorized ? 1 : 0]],
    },
    {
      name: `${p}log_lines_read_total`,
      type: 'counter',
      help: 'Log lines read by the logs collector.',
      samples: [[{}, stats.logLinesRead]],
    },
    {
      name: `${p}processes_left_out`,
      type: 'gauge',
      help: 'Processes that matched a pattern but were left out of the last collection.',
      samples: [[{}, stats.processesLeftOut]],
    },
  ]
  return render(families)
}
