/**
 * Config → component options. The only place that knows how the YAML's sections
 * map onto the native collector, buffer, exporter and heartbeat.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import type { BufferOptions } from '../buffer'
import type { AgentConfig } from '../config'
import { backoffDelay, type ExporterOptions } from '../export'
import type { HeartbeatClientOptions } from '../heartbeat/client'
import type { MetricGroups } from '../metrics'
import type { BackendKind, Group, HostCollectorOptions } from '../native'
import type { Logger } from 'pino'

const MIB = 1024 * 1024

/** The native groups the system collector reads, from its switches. */
function systemGroups(config: AgentConfig): Group[] {
  const s = config.collectors.system
  const groups: Group[] = ['host', 'load', 'paging', 'process', 'resources', 'container', 'virtualization']
  if (s.cpu) groups.push('cpu')
  if (s.memory) groups.push('memory')
  if (s.disk) groups.push('disk')
  if (s.filesystem) groups.push('filesystem')
  if (s.network) groups.push('network')
  if (s.tcp) groups.push('tcp')
  return groups
}

/** The native backend the configuration names; undefined is the platform's default. */
export function nativeBackend(config: AgentConfig): BackendKind | undefined {
  const b = config.collectors.system.backend
  return b === 'default' ? undefined : b
}

/**
 * True when the process collector takes its records from the system scan: both on, at
 * the same interval, so one scan of every process serves both instead of two.
 */
export function sharedProcessScan(config: AgentConfig): boolean {
  const { system, process } = config.collectors
  return system.enabled && process.enabled && system.interval === process.interval
}

/** Which per-process records the native scan returns, from `collectors.process`. */
function processRecords(config: AgentConfig): HostCollectorOptions {
  const p = config.collectors.process
  return {
    topProcesses: p.top_n,
    processPatterns: p.include,
    processExcludePatterns: p.exclude,
    maxProcesses: p.max_processes,
  }
}

export function hostCollectorOptions(config: AgentConfig): HostCollectorOptions {
  const s = config.collectors.system
  return {
    rootPath: s.root_path || undefined,
    backend: nativeBackend(config),
    // Per-core times come from the same /proc/stat read; `per_core` only decides whether they
    // become metric series (the status page, the heartbeat and per-CPU frequency use them).
    perCore: true,
    // Per-process records belong to the process collector: the system scan returns them
    // only when it also serves that collector (same interval), and otherwise only counts.
    ...(sharedProcessScan(config) ? processRecords(config) : { topProcesses: 0, maxProcesses: 0 }),
    groups: systemGroups(config),
  }
}

export function processCollectorOptions(config: AgentConfig): HostCollectorOptions {
  return {
    rootPath: config.collectors.system.root_path || undefined,
    backend: nativeBackend(config),
    groups: ['host', 'process'],
    ...processRecords(config),
  }
}

export function metricGroups(config: AgentConfig): MetricGroups {
  const s = config.collectors.system
  return {
    cpu: s.cpu,
    memory: s.memory,
    disk: s.disk,
    filesystem: s.filesystem,
    network: s.network,
    tcp: s.tcp,
  }
}

export function bufferPath(config: AgentConfig): string {
  return config.buffer.path || join(config.agent.data_dir, 'buffer')
}

/** `path`: where the store lives (a temporary directory when `buffer.enabled` is off). */
export function bufferOptions(config: AgentConfig, logger: Logger, path = bufferPath(config)): BufferOptions {
  const b = config.buffer
  return {
    path,
    maxSizeBytes: b.max_size_mb * MIB,
    maxAgeMs: b.max_age,
    maxRetries: b.max_retries,
    memoryMaxBytes: b.memory_max_mb * MIB,
    syncWrites: b.sync_writes,
    compression: b.compression,
    logger,
  }
}

export function exporterOptions(config: AgentConfig, logger: Logger): ExporterOptions {
  const t = config.telemetryflow
  const o = config.exporter.otlp
  return {
    endpoint: t.endpoint,
    protocol: t.protocol,
    httpMetricsPath: t.http_metrics_path,
    httpLogsPath: t.http_logs_path,
    compression: o.compression,
    headers: o.headers,
    tls: {
      enabled: t.tls.enabled,
      caFile: t.tls.ca_file || undefined,
      certFile: t.tls.cert_file || undefined,
      keyFile: t.tls.key_file || undefined,
      serverName: t.tls.server_name || undefined,
      skipVerify: t.tls.skip_verify,
    },
    timeoutMs: t.timeout,
    apiKeyId: t.api_key_id || undefined,
    apiKeySecret: t.api_key_secret || undefined,
    agentId: config.agent.id,
    logger,
  }
}

export function heartbeatClientOptions(config: AgentConfig, logger: Logger): HeartbeatClientOptions {
  const t = config.telemetryflow
  return {
    apiEndpoint: t.api_endpoint,
    path: config.heartbeat.path,
    agentId: config.agent.id,
    apiKeyId: t.api_key_id,
    apiKeySecret: t.api_key_secret,
    timeoutMs: config.heartbeat.timeout,
    logger,
    // An https api_endpoint trusts the same CA and verification setting as the OTLP endpoint.
    tls: {
      rejectUnauthorized: !t.tls.skip_verify,
      ca: t.tls.ca_file ? readCaFile(t.tls.ca_file) : undefined,
    },
    retry: {
      maxRetries: t.retry.enabled ? Math.min(t.retry.max_retries, 3) : 0,
      initialIntervalMs: t.retry.initial_interval,
      maxIntervalMs: t.retry.max_interval,
    },
  }
}

/** Delay before the next export attempt after `failures` consecutive retryable failures. */
export function retryDelay(
  config: AgentConfig,
  failures: number,
  random: () => number = Math.random,
): number {
  const r = config.telemetryflow.retry
  if (!r.enabled || failures <= 0) return 0
  const o = { initialMs: r.initial_interval, maxMs: r.max_interval, multiplier: r.multiplier }
  return backoffDelay(failures - 1, o, undefined, random)
}

function readCaFile(path: string): Buffer {
  try {
    return readFileSync(path)
  } catch (err) {
    throw new Error(
      `telemetryflow.tls.ca_file: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    )
  }
}
