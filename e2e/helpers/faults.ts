/**
 * Shared pieces of the fault suites (fault-*.e2e.ts): the accounting identity every fault
 * test checks on `/metrics`, a small tmpfs the test mounts itself, and a wait for the
 * cycles of one agent at the real collector.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cyclesOf, distinctTimes, tempDir, type PromMetrics } from './agent'
import { pause, type RunningCollector } from './otelcol'

/** The agent's record of where every batch went, from `/metrics`. */
export function accounting(m: PromMetrics): Record<string, number> {
  return {
    collected: m.value('tfo_agent_batches_collected_total'),
    recovered: m.value('tfo_agent_batches_recovered_total'),
    sent: m.value('tfo_agent_batches_sent_total'),
    buffered: m.value('tfo_agent_buffer_batches'),
    dropped: m.value('tfo_agent_dropped_batches_total'),
  }
}

/** collected + recovered = sent + buffered + dropped (by reason), as `/metrics` says. */
export function assertAccounted(m: PromMetrics, when: string): void {
  const a = accounting(m)
  assert.equal(
    a.collected + a.recovered,
    a.sent + a.buffered + a.dropped,
    `${when}: collected ${a.collected} + recovered ${a.recovered} = sent ${a.sent} + buffered ${a.buffered} + dropped ${a.dropped}`,
  )
}

/** A tmpfs of `size` (e.g. `4m`) mounted on a new directory; `unmount()` at the end. */
export function mountTmpfs(size: string): { dir: string; fill(): string; unmount(): void } {
  const dir = join(tempDir('tmpfs'), 'disk')
  mkdirSync(dir)
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir])
  return {
    dir,
    /** Fills the rest of it with one file (written until ENOSPC); returns the file. */
    fill() {
      const filler = join(dir, 'filler')
      try {
        writeFileSync(filler, Buffer.alloc(64 << 20))
      } catch (err) {
        assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC')
      }
      return filler
    },
    unmount() {
      execFileSync('umount', ['-l', dir])
    },
  }
}

/** Distinct cycle timestamps of `agentId` at the collector, once `count` have arrived (or the timeout). */
export async function cyclesAt(
  col: RunningCollector,
  agentId: string,
  count: number,
  timeoutMs = 30_000,
): Promise<bigint[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const times = distinctTimes(cyclesOf(await col.readMetrics(), agentId))
    if (times.length >= count || Date.now() > deadline) return times
    await pause(200)
  }
}
