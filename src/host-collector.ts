import { native } from './native'
import type { HostCollectorOptions, HostSnapshot } from './native'
import type * as Binding from '../native/index'

/**
 * Reads the host through the Rust core. Keep one instance per schedule: it remembers
 * the previous counters, so each snapshot's rates and percentages cover the interval
 * since the previous collect.
 *
 * ```ts
 * const host = new HostCollector({ topProcesses: 5 })
 * const snapshot = await host.collect()
 * ```
 */
export class HostCollector {
  readonly #inner: Binding.HostCollector

  /** Throws on invalid options (e.g. an unknown group), or when the addon cannot load. */
  constructor(options: HostCollectorOptions = {}) {
    this.#inner = new (native().HostCollector)(options)
  }

  /**
   * Scans on the libuv thread pool; the event loop keeps running. Rejects with the
   * signal's reason when it is aborted before the scan starts.
   */
  collect(signal?: AbortSignal): Promise<HostSnapshot> {
    // The addon listens for a later `abort` event; one that already happened is checked here.
    if (signal?.aborted) return Promise.reject(signal.reason)
    return this.#inner.collect(signal)
  }

  /** The same scan on the calling thread. */
  collectSync(): HostSnapshot {
    return this.#inner.collectSync()
  }

  /** The groups this collector reads. */
  get groups(): string[] {
    return this.#inner.groups
  }
}
