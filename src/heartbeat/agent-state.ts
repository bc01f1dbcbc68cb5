import type { AgentStats } from '../health/stats'
import type { AgentState } from './types'

/**
 * The agent's state for the heartbeat (`agent` beside `systemInfo`). `collectors` is
 * whatever each collector wants to report about itself, e.g. `{ logs: { files: 3 } }`;
 * `unavailableFields` the `systemInfo` keys this host cannot fill (sent as 0 or "").
 */
export function agentStateFrom(
  stats: AgentStats,
  collectors?: Record<string, Record<string, unknown>>,
  unavailableFields: string[] = [],
): AgentState {
  const b = stats.buffer
  const dropped = stats.droppedTotals()
  return {
    buffer: {
      batches: b.memoryBatches + b.diskBatches,
      bytes: b.memoryBytes + b.diskBytes,
      memoryBatches: b.memoryBatches,
      memoryBytes: b.memoryBytes,
      diskBatches: b.diskBatches,
      diskBytes: b.diskBytes,
    },
    lastSuccessfulExport:
      stats.lastSuccessfulExportMs === null ? null : Math.floor(stats.lastSuccessfulExportMs / 1000),
    dropped: { ...dropped, byReason: Object.fromEntries([...stats.dropped].map(([r, d]) => [r, { ...d }])) },
    batches: { ...stats.batches, buffered: b.memoryBatches + b.diskBatches, dropped: dropped.batches },
    exports: stats.exportTotals(),
    ...(collectors ? { collectors } : {}),
    unavailableFields,
  }
}
