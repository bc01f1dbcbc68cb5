/**
 * The Agent: builds the components from the configuration and is the only place that
 * knows their order — native snapshot → metric model → buffer → exporter, with the
 * heartbeat and health server beside them. Embeddable; `startAgent(config)` (./start.ts)
 * is the one-call form of:
 *
 * ```ts
 * const agent = new Agent(config, { logger })
 * agent.on('collect', (snapshot) => render(snapshot))
 * await agent.start() // resolves the agent id and data directory when the config leaves them empty
 * // …
 * await agent.stop()
 * ```
 */
import { EventEmitter } from 'node:events'
import { isDeepStrictEqual } from 'node:util'
import type { Logger } from 'pino'

import { BatchBuffer, type DropEvent } from '../buffer'
import { redact, type AgentConfig, type Env } from '../config'
import { createExporter, type Exporter } from '../export'
import {
  AgentStats,
  evaluateHealth,
  renderPrometheus,
  startHealthServer,
  StatusFeed,
  type HealthReport,
  type HealthServer,
} from '../health'
import type { HeartbeatLoop } from '../heartbeat'
import { HostCollector, type HostCollectorOptions } from '../host-collector'
import type { HostSnapshot } from '../native'
import { VERSION } from '../version'
import { BufferAccounting } from './accounting'
import { CloudFacts } from './cloud'
import { Exporting } from './exporting'
import type { FlushReport } from './flush'
import { createHeartbeat } from './heartbeat'
import { withIdentity } from './identity'
import { Loop, settlesBy, type LoopTask } from './loop'
import * as o from './options'
import { Pipeline } from './pipeline'
import { NOTHING_KEPT, unchangedParts, type KeptParts } from './reload'
import { openStore, type AgentStore } from './store'

export interface AgentOptions {
  logger: Logger
  /** Where the default data directory is looked up (HOME, XDG_STATE_HOME); default `process.env`. */
  env?: Env
}

export interface AgentEvents {
  /** A system snapshot was taken. */
  collect: [snapshot: HostSnapshot]
  /** A flush finished (exported, or stopped by a failure). */
  flush: [report: FlushReport]
  /** Something failed in a loop; the agent keeps running. */
  error: [err: Error]
}

/** How long `stop()` may spend on the last export. */
const DEFAULT_STOP_DEADLINE_MS = 10_000
/** How long a reload waits for in-flight work before it abandons it (it persisted first). */
const RELOAD_STOP_DEADLINE_MS = 2_000

type State = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped'

export class Agent extends EventEmitter<AgentEvents> {
  #config: AgentConfig
  readonly #logger: Logger
  readonly #env: Env | undefined
  #state: State = 'idle'
  #stats!: AgentStats
  /** The status page's ring of recent samples; kept across reloads like the stats. */
  #feed!: StatusFeed
  #buffer: BatchBuffer | undefined
  #exporter: Exporter | undefined
  #pipeline: Pipeline | undefined
  #health: HealthServer | undefined
  #heartbeat: HeartbeatLoop | undefined
  #closeHeartbeat: () => void = () => {}
  /** The build under way while `starting` (stop() waits for it). */
  #starting: Promise<void> | undefined
  #store: AgentStore | undefined
  #loops: Loop[] = []
  #host: HostCollector | undefined
  #hostOptions: HostCollectorOptions | undefined
  #lastSnapshot: HostSnapshot | undefined
  #cloud!: CloudFacts
  #exporting: Exporting | undefined
  /** True while `reload` stops and starts the agent (log lines about "the next start" are wrong then). */
  #reloading = false
  /** What the reload under way leaves running, because its settings did not change. */
  #keep: KeptParts = NOTHING_KEPT
  /** When each loop last started a run, so a reload keeps its cadence instead of running at once. */
  readonly #lastRun = new Map<string, { at: number; intervalMs: number }>()
  #accounting!: BufferAccounting
  /** Bumped by every stop(), so work abandoned at a stop can tell. */
  #generation = 0
  readonly #startedAt = Date.now()

  constructor(config: AgentConfig, options: AgentOptions) {
    super()
    this.#config = config
    this.#logger = options.logger
    this.#env = options.env
  }

  get config(): AgentConfig {
    return this.#config
  }

  get state(): State {
    return this.#state
  }

  get stats(): AgentStats {
    return this.#stats
  }

  /** The health server's URL (`http://host:port`), once started. */
  get healthUrl(): string | undefined {
    return this.#health?.url
  }

  /** The most recent system snapshot. */
  get lastSnapshot(): HostSnapshot | undefined {
    return this.#lastSnapshot
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle' && this.#state !== 'stopped') throw new Error(`the agent is ${this.#state}`)
    this.#state = 'starting'
    // The id and data directory, when the config leaves them empty (on a copy of it).
    this.#starting = withIdentity(this.#config, this.#logger, this.#env).then((config) => {
      this.#config = config
      return this.#build()
    })
    try {
      await this.#starting
    } catch (err) {
      await this.#teardown()
      this.#state = 'stopped'
      throw err
    } finally {
      this.#starting = undefined
    }
    // stop() during the build: it waited for the build and tore it down.
    if (this.#state !== 'starting') return
    for (const loop of this.#loops) loop.start()
    this.#heartbeat?.start()
    this.#stats.setPhase('running')
    this.#state = 'running'
  }

  /**
   * Stops collecting, moves what is in memory to disk, tries one last export within
   * `deadlineMs`, and closes everything. What could not be sent stays on disk.
   */
  async stop(options: { deadlineMs?: number; finalExport?: boolean } = {}): Promise<void> {
    if (this.#state === 'starting') await this.#starting?.catch(() => undefined)
    if (this.#state !== 'running' && this.#state !== 'starting') return
    this.#state = 'stopping'
    this.#stats.setPhase('stopping')
    this.#generation++
    const deadline = Date.now() + (options.deadlineMs ?? DEFAULT_STOP_DEADLINE_MS)
    try {
      // Memory goes to disk first: a container runtime's SIGKILL may follow soon, and a
      // batch in flight is safe on disk too (its ack removes it there).
      await this.#buffer?.persist()
      // A heartbeat in flight to a silent API is aborted rather than waited for.
      const heartbeat = this.#keep.heartbeat ? undefined : this.#heartbeat
      if (heartbeat) this.#closeHeartbeat()
      // An export or heartbeat stuck on a silent peer gets until the deadline, then it is abandoned.
      const settled = await settlesBy(
        deadline,
        Promise.all([heartbeat?.stop(), ...this.#loops.map((l) => l.stop())]),
      )
      if (!settled)
        this.#logger.warn('an export or heartbeat still running at the stop deadline is abandoned')
      await this.#pipeline?.stop()
      if (this.#buffer) await this.#finish(settled && options.finalExport !== false, deadline)
    } finally {
      await this.#teardown()
      this.#state = 'stopped'
    }
  }

  /** What the log collector handed over at stop goes to disk; then the last export, and a word on what is left. */
  async #finish(finalExport: boolean, deadline: number): Promise<void> {
    if (!this.#buffer) return
    await this.#buffer.persist()
    if (finalExport) await this.#exporting?.drain(deadline - Date.now())
    // A reload reopens the same buffer at once: nothing to say about the next start.
    if (!this.#reloading) this.#accounting.farewell(this.#buffer, this.#logger)
  }

  /**
   * Applies a new configuration: a stop without the last export, then a start; the buffer
   * persists across. An unchanged configuration restarts nothing; otherwise the health server
   * and the heartbeat run on when their settings did not change, and every loop whose interval
   * did not change keeps its cadence (no extra collection, no extra heartbeat). Resolves
   * whether anything was applied.
   */
  async reload(config: AgentConfig): Promise<boolean> {
    const previous = this.#config
    const next = { ...config, agent: { ...config.agent, id: previous.agent.id } }
    if (isDeepStrictEqual(next, previous)) {
      this.#logger.info('the configuration did not change: nothing restarted')
      return false
    }
    this.#reloading = true
    this.#keep = unchangedParts(previous, next)
    try {
      // A reload sends nothing at the stop, so stuck in-flight work gets 2 s, not the full deadline.
      await this.stop({ finalExport: false, deadlineMs: RELOAD_STOP_DEADLINE_MS })
      this.#config = next
      try {
        await this.start()
      } catch (err) {
        this.#logger.error(
          { err },
          'the new configuration could not be started; running on with the previous one',
        )
        this.#keep = NOTHING_KEPT
        await this.#teardown()
        this.#config = previous
        await this.start()
        throw err
      }
      return true
    } finally {
      this.#keep = NOTHING_KEPT
      this.#reloading = false
    }
  }

  /** How the agent is: the report `/health` serves and `tfo-agent status` prints. */
  status(): HealthReport {
    return this.health()
  }

  health(): HealthReport {
    this.#updateBufferGauges()
    return evaluateHealth(this.#stats, Date.now(), { version: VERSION, agentId: this.#config.agent.id })
  }

  /** `/metrics`: the newest status sample's stats, with its sequence number. */
  metricsText(): string {
    this.#updateBufferGauges()
    return this.#feed ? this.#feed.metricsText() : renderPrometheus(this.#stats, this.#info())
  }

  #info(): { version: string; agentId: string } {
    return { version: VERSION, agentId: this.#config.agent.id }
  }

  async #build(): Promise<void> {
    const c = this.#config
    const log = this.#logger
    const settings = {
      collectionIntervalSeconds: c.collectors.system.interval / 1000,
      bufferMaxBytes: c.buffer.max_size_mb * 1024 * 1024,
      exportEnabled: c.exporter.otlp.enabled,
      heartbeatEnabled: c.heartbeat.enabled,
    }
    // A reload keeps the counters: /metrics counters and the dropped counts never go back.
    if (this.#stats) Object.assign(this.#stats, settings)
    else this.#stats = new AgentStats({ startTimeMs: this.#startedAt, ...settings })
    this.#accounting ??= new BufferAccounting(this.#stats)
    this.#feed ??= new StatusFeed({
      stats: this.#stats,
      info: this.#info(),
      tailedFiles: () => this.#pipeline?.tailedFiles() ?? [],
      processes: () => this.#pipeline?.processRecords() ?? [],
    })
    this.#feed.setConfig(redact(c))
    // Kept across a reload that leaves its options alone: its previous counters give the next
    // collection its rates, as if nothing had happened.
    const hostOptions = o.hostCollectorOptions(c)
    if (!this.#host || !isDeepStrictEqual(hostOptions, this.#hostOptions)) {
      this.#host = new HostCollector(hostOptions)
      this.#hostOptions = hostOptions
    }
    this.#cloud = new CloudFacts(c, log)
    const identity = await this.#cloud.settle()
    // The buffer before the health server: a second agent on the same data dir is told that,
    // not that the health port is taken.
    const store = c.exporter.otlp.enabled ? await openStore(c, log, !this.#reloading) : undefined
    this.#store = store
    if (c.health.enabled && !this.#health) {
      this.#health = await startHealthServer({
        endpoint: c.health.endpoint,
        getHealth: () => this.health(),
        getMetrics: () => this.metricsText(),
        status: this.#feed,
        token: c.health.token,
        maxConnections: c.health.max_connections,
        idleTimeoutMs: c.health.idle_timeout,
        logger: log,
      })
    }
    if (store) {
      this.#buffer = store.buffer
      this.#buffer.on('drop', (e: DropEvent) => this.#stats.recordDropped(e.reason, e.batches, e.dataPoints))
      this.#accounting.opened(this.#buffer, this.#reloading)
      // A backlog on disk: until an export succeeds, treat it as an outage (new batches to disk).
      if (this.#buffer.stats().diskBatches > 0) await this.#buffer.setOutage(true)
      this.#exporter = createExporter(o.exporterOptions(c, log))
      this.#exporting = new Exporting({
        config: c,
        buffer: this.#buffer,
        exporter: this.#exporter,
        stats: this.#stats,
        logger: log,
      })
      this.#pipeline = new Pipeline({
        config: c,
        buffer: this.#buffer,
        stats: this.#stats,
        logger: log,
        cloud: () => this.#cloud.get(),
      })
      await this.#pipeline.startLogs(identity)
      const pipeline = this.#pipeline
      this.#every('flush', c.exporter.otlp.flush_interval, () => this.#flush(), {
        jitter: 0.1,
        runAtStart: false,
      })
      // At the system collector's interval, its scan carries the process records too.
      if (c.collectors.process.enabled && !o.sharedProcessScan(c)) {
        this.#every('process', c.collectors.process.interval, () => pipeline.collectProcesses())
      }
    }
    if (c.collectors.system.enabled)
      this.#every('collect', c.collectors.system.interval, () => this.#collect())
    if (c.heartbeat.enabled && !this.#heartbeat) {
      const heartbeat = createHeartbeat({
        config: c,
        logger: log,
        stats: this.#stats,
        startedAt: this.#startedAt,
        snapshot: () => this.#heartbeatSnapshot(),
        cloud: () => this.#cloud.get(),
        collectorStates: () => {
          // The counts and gauges of one moment: the accounting adds up in every heartbeat.
          this.#updateBufferGauges()
          return this.#pipeline?.collectorStates()
        },
      })
      this.#heartbeat = heartbeat.loop
      this.#closeHeartbeat = heartbeat.close
    }
  }

  /** The system loop's snapshot when fresh; otherwise one taken now (system collector off or stalled). */
  async #heartbeatSnapshot(): Promise<HostSnapshot> {
    const last = this.#lastSnapshot
    const fresh = last && Date.now() - last.collectedAtUnixMs < 2 * this.#config.collectors.system.interval
    if (fresh && this.#config.collectors.system.enabled) return last
    const snapshot = await this.#host!.collect()
    this.#lastSnapshot = snapshot
    return snapshot
  }

  async #collect(): Promise<void> {
    const snapshot = await this.#host!.collect()
    this.#lastSnapshot = snapshot
    this.#stats.recordCollection(snapshot.collectionDurationNs / 1e9, snapshot.errors)
    if (snapshot.errors.length > 0)
      this.#logger.debug({ errors: snapshot.errors }, 'some snapshot groups failed')
    this.#cloud.hint(snapshot.virtualization.cloudHint)
    await this.#pipeline?.recordSystem(snapshot)
    if (o.sharedProcessScan(this.#config)) await this.#pipeline?.recordProcesses(snapshot)
    this.#updateBufferGauges()
    this.#feed.recordHost(snapshot)
    this.emit('collect', snapshot)
  }

  async #flush(): Promise<{ again: boolean } | void> {
    if (!this.#exporting) return
    const generation = this.#generation
    let report: FlushReport | undefined
    try {
      report = await this.#exporting.flush()
    } catch (err) {
      // Abandoned by stop(): its buffer is closed; the batches it held were persisted.
      if (generation !== this.#generation) return
      throw err
    }
    if (!report) return
    this.#updateBufferGauges()
    this.#feed.publish()
    this.emit('flush', report)
    return { again: report.more }
  }

  #updateBufferGauges(): void {
    this.#pipeline?.syncStats()
    if (this.#buffer) this.#accounting.sync(this.#buffer)
  }

  /** A loop of its own for `task`; it never overlaps itself, and its errors are logged and emitted. */
  #every(
    name: string,
    intervalMs: number,
    task: LoopTask,
    opts: { jitter?: number; runAtStart?: boolean } = {},
  ): void {
    const onError = (err: unknown) => this.#loopError(name, err)
    // Rebuilt by a reload with the same interval: the next run comes when it was due anyway.
    const last = this.#reloading ? this.#lastRun.get(name) : undefined
    const cadence =
      last?.intervalMs === intervalMs ? { firstDelayMs: Math.max(0, last.at + intervalMs - Date.now()) } : {}
    const timed: LoopTask = () => {
      this.#lastRun.set(name, { at: Date.now(), intervalMs })
      return task()
    }
    this.#loops.push(new Loop(timed, { name, intervalMs, jitter: 0.05, ...opts, ...cadence, onError }))
  }

  #loopError(loop: string, err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err))
    this.#logger.error({ err: error, loop }, `the ${loop} loop failed; it carries on at its next interval`)
    if (this.listenerCount('error') > 0) this.emit('error', error)
  }

  async #teardown(): Promise<void> {
    this.#loops = []
    await this.#pipeline?.stop()
    if (!this.#keep.heartbeat) {
      this.#heartbeat = undefined
      this.#closeHeartbeat()
      this.#closeHeartbeat = () => {}
    }
    const closing: Array<Promise<unknown>> = []
    if (this.#exporter) closing.push(this.#exporter.close())
    if (this.#health && !this.#keep.health) closing.push(this.#health.close())
    await Promise.allSettled(closing)
    await this.#store?.close()
    this.#store = undefined
    this.#buffer = undefined
    this.#exporter = undefined
    this.#exporting = undefined
    if (!this.#keep.health) this.#health = undefined
    this.#pipeline = undefined
  }
}
