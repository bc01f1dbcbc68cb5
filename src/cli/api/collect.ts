/** `tfo-agent collect`: one snapshot of the host, sampled over an interval. */
import { setTimeout as sleep } from 'node:timers/promises'
import type { AgentConfig } from '../../config'
import { MAX_DURATION_MS } from '../../config/duration'
import { toSystemInfo } from '../../heartbeat/system-info'
import type { SystemInfo } from '../../heartbeat/types'
import { nativeBackend } from '../../agent/options'
import { HostCollector } from '../../host-collector'
import type { HostCollectorOptions, HostSnapshot } from '../../native'
import { VERSION } from '../../version'

export interface CollectOptions {
  config: AgentConfig
  /** Time between the two samples, ms (rates and percentages cover it). Default 1000. */
  sampleMs?: number
  signal?: AbortSignal
}

/** The native collector's options as the configuration sets them. */
export function hostCollectorOptions(config: AgentConfig): HostCollectorOptions {
  const { system, process } = config.collectors
  // Per-core usage is always shown; `per_core` governs only the metrics' cardinality.
  const options: HostCollectorOptions = { perCore: true, backend: nativeBackend(config) }
  if (system.root_path) options.rootPath = system.root_path
  if (process.enabled) {
    options.topProcesses = process.top_n
    options.maxProcesses = process.max_processes
    if (process.include.length > 0) options.processPatterns = process.include
  }
  return options
}

/** Collects twice, `sampleMs` apart, and returns the second snapshot. */
export async function collectSnapshot(options: CollectOptions): Promise<HostSnapshot> {
  const sampleMs = options.sampleMs ?? 1000
  // Past 2^31 − 1 ms Node's timer fires after 1 ms instead: refuse rather than sample for 1 ms.
  if (!(Number.isInteger(sampleMs) && sampleMs >= 0 && sampleMs <= MAX_DURATION_MS))
    throw new RangeError(`sampleMs must be a whole number from 0 to ${MAX_DURATION_MS}, got ${sampleMs}`)
  const collector = new HostCollector(hostCollectorOptions(options.config))
  await collector.collect(options.signal)
  if (sampleMs > 0) await sleep(sampleMs, undefined, { signal: options.signal })
  return collector.collect(options.signal)
}

/** The heartbeat body for a snapshot: `{"systemInfo": {…}}`. */
export function systemInfoBody(
  snapshot: HostSnapshot,
  startedAtMs: number = Date.now(),
): { systemInfo: SystemInfo } {
  return {
    systemInfo: toSystemInfo(snapshot, {
      agentVersion: VERSION,
      agentStartTime: Math.floor(startedAtMs / 1000),
    }),
  }
}
