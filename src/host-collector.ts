import { native } from './native'
import type { HostSnapshot, ProcessRecord } from './native'
import type * as Binding from '../native/index'

/**
 * Which processes get a record besides those matching `processPatterns`: the `byCpu`
 * busiest by CPU and the `byMemory` largest by resident memory. A process in both lists
 * gets one record, so there are between max(byCpu, byMemory) and byCpu + byMemory.
 */
export interface TopProcesses {
  byCpu?: number
  byMemory?: number
}

/**
 * The Rust core's options (see `native/index.d.ts`), with `topProcesses` either a
 * `TopProcesses` or one number N for both lists: `topProcesses: 5` is the 5 busiest by
 * CPU and the 5 largest by memory, up to 10 records.
 */
export type HostCollectorOptions = Omit<Binding.HostCollectorOptions, 'topProcesses'> & {
  topProcesses?: number | TopProcesses
}

/**
 * The top `byCpu` records by CPU and the top `byMemory` by resident memory, with every
 * pattern-matched record, in the order given. `records` must hold at least the top
 * max(byCpu, byMemory) of each list (what the core returns when asked for that many).
 */
export function selectTopProcesses(records: ProcessRecord[], top: Required<TopProcesses>): ProcessRecord[] {
  const keep = new Set(records.filter((r) => r.matched))
  const ranked = (key: (r: ProcessRecord) => number) => [...records].sort((a, b) => key(b) - key(a))
  for (const r of ranked((r) => r.cpuPercent).slice(0, top.byCpu)) keep.add(r)
  for (const r of ranked((r) => r.rssBytes).slice(0, top.byMemory)) keep.add(r)
  return records.filter((r) => keep.has(r))
}

/**
 * Reads the host through the Rust core. Keep one instance per schedule: it remembers
 * the previous counters, so each snapshot's rates and percentages cover the interval
 * since the previous collect.
 *
 * ```ts
 * const host = new HostCollector({ topProcesses: { byCpu: 5, byMemory: 5 } })
 * const snapshot = await host.collect()
 * ```
 */
export class HostCollector {
  readonly #inner: Binding.HostCollector
  /** Set when the two lists differ in length: the core is asked for the longer, then trimmed. */
  readonly #trim: Required<TopProcesses> | undefined

  /** Throws on invalid options (e.g. an unknown group), or when the addon cannot load. */
  constructor(options: HostCollectorOptions = {}) {
    const { topProcesses, ...rest } = options
    const core: Binding.HostCollectorOptions = rest
    if (typeof topProcesses === 'number') core.topProcesses = topProcesses
    else if (topProcesses) {
      const top = { byCpu: topProcesses.byCpu ?? 0, byMemory: topProcesses.byMemory ?? 0 }
      for (const [key, n] of Object.entries(top)) {
        if (!Number.isInteger(n) || n < 0)
          throw new TypeError(`topProcesses.${key} must be a whole number ≥ 0`)
      }
      core.topProcesses = Math.max(top.byCpu, top.byMemory)
      if (top.byCpu !== top.byMemory) this.#trim = top
    }
    this.#inner = new (native().HostCollector)(core)
  }

  /**
   * Scans on the libuv thread pool; the event loop keeps running. Rejects with the
   * signal's reason when it is aborted before the scan starts.
   */
  async collect(signal?: AbortSignal): Promise<HostSnapshot> {
    // The addon listens for a later `abort` event; one that already happened is checked here.
    if (signal?.aborted) throw signal.reason
    return this.#select(await this.#inner.collect(signal))
  }

  /** The same scan on the calling thread. */
  collectSync(): HostSnapshot {
    return this.#select(this.#inner.collectSync())
  }

  /** The groups this collector reads. */
  get groups(): string[] {
    return this.#inner.groups
  }

  #select(snapshot: HostSnapshot): HostSnapshot {
    if (this.#trim) snapshot.processes.top = selectTopProcesses(snapshot.processes.top, this.#trim)
    return snapshot
  }
}
