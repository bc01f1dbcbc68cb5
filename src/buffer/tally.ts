/** The buffer's counters: what each tier holds, and everything pushed, exported and dropped. */
import type { BufferStats, DropReason } from './types'

const REASONS: DropReason[] = ['size', 'age', 'retries', 'rejected', 'corrupt', 'disk_full']

export interface Sized {
  tier: 'memory' | 'disk'
  size: number
}

export class Tally {
  readonly tiers = { memory: { batches: 0, bytes: 0 }, disk: { batches: 0, bytes: 0 } }
  inFlight = 0
  pushed = 0
  exported = 0
  resent = 0
  storesMovedAside = 0
  readonly dropped = {
    batches: 0,
    dataPoints: 0,
    byReason: Object.fromEntries(
      REASONS.map((r) => [r, { batches: 0, dataPoints: 0 }]),
    ) as BufferStats['dropped']['byReason'],
  }

  get totalBytes(): number {
    return this.tiers.memory.bytes + this.tiers.disk.bytes
  }

  /** Adds (+1) or removes (-1) a batch from its tier's counts. */
  hold(entry: Sized, sign: 1 | -1): void {
    this.tiers[entry.tier].batches += sign
    this.tiers[entry.tier].bytes += sign * entry.size
  }

  drop(reason: DropReason, batches: number, dataPoints: number): void {
    this.dropped.batches += batches
    this.dropped.dataPoints += dataPoints
    this.dropped.byReason[reason].batches += batches
    this.dropped.byReason[reason].dataPoints += dataPoints
  }

  snapshot(oldestAgeMs: number, state: Pick<BufferStats, 'outage' | 'diskFull'>): BufferStats {
    const byReason = Object.fromEntries(REASONS.map((r) => [r, { ...this.dropped.byReason[r] }]))
    return {
      memoryBatches: this.tiers.memory.batches,
      memoryBytes: this.tiers.memory.bytes,
      diskBatches: this.tiers.disk.batches,
      diskBytes: this.tiers.disk.bytes,
      inFlight: this.inFlight,
      oldestAgeMs,
      pushed: this.pushed,
      exported: this.exported,
      resent: this.resent,
      ...state,
      dropped: {
        batches: this.dropped.batches,
        dataPoints: this.dropped.dataPoints,
        byReason: byReason as BufferStats['dropped']['byReason'],
      },
      storesMovedAside: this.storesMovedAside,
    }
  }
}
