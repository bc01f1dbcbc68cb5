/**
 * The status page's data: a small in-memory ring of the last 15 minutes, fed by the scheduler
 * (each system collection and each flush) and read by `/`, `/events`, `/status.json` and
 * `/metrics`. It never scans the host itself.
 *
 * Every published sample has a sequence number and a frozen copy of the agent's stats, and
 * `/metrics` renders the newest sample's copy: a page showing sample N and a `/metrics`
 * saying `tfo_agent_status_sequence N` show the same numbers. A read finds the stats changed
 * since the newest sample (a heartbeat, an export) and publishes a new one first.
 */
import type { HostSnapshot, ProcessRecord } from '../native'
import { renderPrometheus } from './prometheus'
import type { AgentStats } from './stats'
import { agentPoint, hostPoint, statusState } from './status-points'
import type { AgentPoint, HostPoint, StatusDocument, StatusSample, TailedFile } from './status-types'

/** How far back the charts reach. */
export const STATUS_WINDOW_MS = 15 * 60_000
/** Points kept at most per ring, whatever the interval (a 1 s interval fills 900 in the window). */
const MAX_POINTS = 1000
/** How often a feed with listeners looks for changed stats (heartbeats, exports between collections). */
const WATCH_INTERVAL_MS = 1000

export interface StatusFeedOptions {
  stats: AgentStats
  info: { version: string; agentId: string }
  /** The files the log collector follows, with their positions. */
  tailedFiles?: () => TailedFile[]
  /** The process collector's last records; the system snapshot's are used when it has none. */
  processes?: () => ProcessRecord[]
  /** Clock, unix ms (a test seam). */
  now?: () => number
}

type Listener = (sample: StatusSample) => void

/** A deep copy of plain data; a value that cannot be copied (one holding functions) is shared. */
function cloned(value: unknown): unknown {
  try {
    return structuredClone(value)
  } catch {
    return value
  }
}

/** A plain copy of the stats that keeps their methods: later records do not change it. */
function freeze(stats: AgentStats): AgentStats {
  const copy = Object.create(Object.getPrototypeOf(stats) as object) as Record<string, unknown>
  for (const [k, v] of Object.entries(stats)) copy[k] = typeof v === 'function' ? v : cloned(v)
  return copy as unknown as AgentStats
}

/** What changes when the stats do (functions and the clock left out). */
function fingerprint(stats: AgentStats): string {
  return JSON.stringify(Object.entries(stats), (_k, v: unknown) =>
    typeof v === 'function' ? undefined : v instanceof Map ? [...v] : v,
  )
}

export class StatusFeed {
  readonly #o: StatusFeedOptions
  readonly #now: () => number
  readonly #host: HostPoint[] = []
  readonly #agent: AgentPoint[] = []
  readonly #listeners = new Set<Listener>()
  #config: unknown = {}
  #snapshot: HostSnapshot | undefined
  #pendingHost: HostPoint | undefined
  #latest: { sample: StatusSample; stats: AgentStats; fingerprint: string } | undefined
  #seq = 0
  #timer: NodeJS.Timeout | undefined

  constructor(options: StatusFeedOptions) {
    this.#o = options
    this.#now = options.now ?? Date.now
  }

  /** The configuration in use, already redacted by the caller (the project's one scrubber). */
  setConfig(redacted: unknown): void {
    this.#config = redacted
  }

  /**
   * A system collection happened: its point joins the ring with the next sample. The first
   * collection has no interval to compute rates over (they are all zero): it draws nothing.
   */
  recordHost(snapshot: HostSnapshot): void {
    this.#snapshot = snapshot
    if (snapshot.intervalSeconds > 0) this.#pendingHost = hostPoint(snapshot)
    this.publish()
  }

  /** Publishes a sample when anything changed since the newest; returns the newest. */
  publish(): StatusSample {
    const print = fingerprint(this.#o.stats)
    const latest = this.#latest
    if (latest && !this.#pendingHost && latest.fingerprint === print) return latest.sample
    const t = this.#now()
    const seq = ++this.#seq
    const stats = freeze(this.#o.stats)
    const metricsText = this.#render(stats, seq, t)
    const sample: StatusSample = {
      seq,
      t,
      agent: agentPoint(stats, seq, t),
      ...(this.#pendingHost ? { host: this.#pendingHost } : {}),
      state: statusState({
        stats,
        t,
        info: this.#o.info,
        metricsText,
        processes: this.#processes(),
        logs: this.#o.tailedFiles?.() ?? [],
      }),
    }
    if (this.#pendingHost) this.#push(this.#host, this.#pendingHost, t)
    this.#push(this.#agent, sample.agent, t)
    this.#pendingHost = undefined
    this.#latest = { sample, stats, fingerprint: print }
    for (const listener of this.#listeners) listener(sample)
    return sample
  }

  /** `/metrics`: the newest sample's stats, with its sequence number. */
  metricsText(): string {
    const sample = this.publish()
    return this.#render(this.#latest!.stats, sample.seq, this.#now())
  }

  /** The history and the newest sample. */
  document(): StatusDocument {
    const latest = this.publish()
    return {
      version: this.#o.info.version,
      agentId: this.#o.info.agentId,
      hostname: this.#snapshot?.host.hostname ?? '',
      windowSeconds: STATUS_WINDOW_MS / 1000,
      config: this.#config,
      host: [...this.#host],
      agent: [...this.#agent],
      latest,
    }
  }

  /** Calls `listener` with every new sample until the returned function is called. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener)
    this.#timer ??= setInterval(() => this.publish(), WATCH_INTERVAL_MS).unref()
    return () => {
      this.#listeners.delete(listener)
      if (this.#listeners.size === 0) {
        clearInterval(this.#timer)
        this.#timer = undefined
      }
    }
  }

  #processes(): ProcessRecord[] {
    const fromCollector = this.#o.processes?.() ?? []
    return fromCollector.length > 0 ? fromCollector : (this.#snapshot?.processes.top ?? [])
  }

  #render(stats: AgentStats, seq: number, nowMs: number): string {
    const text = renderPrometheus(stats, this.#o.info, nowMs)
    return (
      `${text}# HELP tfo_agent_status_sequence The status sample these values belong to (the status page shows the same number).\n` +
      `# TYPE tfo_agent_status_sequence gauge\ntfo_agent_status_sequence ${seq}\n`
    )
  }

  #push<T extends { t: number }>(ring: T[], point: T, now: number): void {
    ring.push(point)
    let drop = Math.max(0, ring.length - MAX_POINTS)
    while (drop < ring.length && ring[drop].t < now - STATUS_WINDOW_MS) drop++
    if (drop > 0) ring.splice(0, drop)
  }
}
