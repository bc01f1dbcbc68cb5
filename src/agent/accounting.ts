/**
 * Carries the buffer's state into the agent's stats, so `/metrics`, `/health` and the
 * heartbeat account for every batch: collected + recovered = sent + buffered + dropped.
 * The buffer's own counters start at zero with each open (a reload reopens it); the stats
 * keep counting across, so only the growth since the last look is added.
 */
import type { Logger } from 'pino'

import type { BatchBuffer } from '../buffer'
import type { AgentStats } from '../health'

export class BufferAccounting {
  #seen = { pushed: 0, exported: 0, resent: 0 }

  constructor(private readonly stats: AgentStats) {}

  /**
   * A buffer was opened. At start, what it holds (and every batch it dropped while
   * opening) is what an earlier run left: recovered. A reload reopens this run's batches.
   */
  opened(buffer: BatchBuffer, reloading: boolean): void {
    const b = buffer.stats()
    if (!reloading) this.stats.addBatches({ recovered: b.diskBatches + b.memoryBatches + b.dropped.batches })
    this.#seen = { pushed: b.pushed, exported: b.exported, resent: b.resent }
    this.sync(buffer)
  }

  /** Copies the buffer's gauges and the growth of its counters into the stats. */
  sync(buffer: BatchBuffer): void {
    const b = buffer.stats()
    const seen = this.#seen
    this.stats.addBatches({
      collected: b.pushed - seen.pushed,
      sent: b.exported - seen.exported,
      resent: b.resent - seen.resent,
    })
    this.#seen = { pushed: b.pushed, exported: b.exported, resent: b.resent }
    this.stats.bufferOutage = b.outage
    this.stats.bufferDiskFull = b.diskFull
    this.stats.setBuffer({
      memoryBatches: b.memoryBatches,
      memoryBytes: b.memoryBytes,
      diskBatches: b.diskBatches,
      diskBytes: b.diskBytes,
    })
  }

  /** The shutdown line: how many batches were sent and dropped since start, and how many stay on disk. */
  farewell(buffer: BatchBuffer, logger: Logger): void {
    this.sync(buffer)
    const left = buffer.stats()
    const kept = left.diskBatches + left.memoryBatches
    const counts = { sent: this.stats.batches.sent, dropped: this.stats.droppedTotals().batches, kept }
    if (kept > 0) {
      logger.info(
        { ...counts, batches: kept, bytes: left.diskBytes + left.memoryBytes },
        'buffered data kept on disk for the next start',
      )
    } else if (counts.sent === 0 && counts.dropped > 0) {
      logger.warn(counts, 'nothing was sent: every batch was dropped (see `dropped` and /metrics by reason)')
    } else {
      logger.info(counts, 'all buffered data was sent')
    }
  }
}
