/**
 * The heartbeat's own schedule: one beat at start, then one every interval, independent
 * of collection and export (a stuck export never stops it). Beats never overlap: one
 * that runs past its slot makes the next start as soon as it ends, and the schedule
 * keeps to the start times (interval minus the beat's own duration), so it does not drift.
 */
import type { Logger } from 'pino'
import type { AgentStats } from '../health/stats'
import type { HeartbeatClient, HeartbeatResult } from './client'
import type { HeartbeatBody } from './types'

export interface HeartbeatLoopOptions {
  client: Pick<HeartbeatClient, 'send'>
  intervalMs: number
  /** Builds this beat's body (snapshot → systemInfo, plus agent state). A rejection skips the beat. */
  buildBody: () => Promise<HeartbeatBody>
  stats?: AgentStats
  logger: Logger
  /** Seams for tests: the clock (ms) and the timer. */
  now?: () => number
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (handle: unknown) => void
}

export class HeartbeatLoop {
  readonly #opts: HeartbeatLoopOptions
  readonly #now: () => number
  readonly #setTimer: (fn: () => void, ms: number) => unknown
  readonly #clearTimer: (handle: unknown) => void
  #timer: unknown
  #running: Promise<unknown> | undefined
  #stopped = true

  constructor(options: HeartbeatLoopOptions) {
    this.#opts = options
    this.#now = options.now ?? Date.now
    this.#setTimer =
      options.setTimer ??
      ((fn, ms) => {
        const t = setTimeout(fn, ms)
        t.unref()
        return t
      })
    this.#clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout))
  }

  /** Beats now, then every interval until `stop()`. */
  start(): void {
    if (!this.#stopped) return
    this.#stopped = false
    this.#tick()
  }

  /** One heartbeat: build the body, send it, record the outcome. Never rejects. */
  async beat(): Promise<HeartbeatResult | undefined> {
    let body: HeartbeatBody
    try {
      body = await this.#opts.buildBody()
    } catch (err) {
      this.#opts.logger.warn({ err }, 'heartbeat skipped: its body could not be built')
      return undefined
    }
    const result = await this.#opts.client.send(body)
    if (result.attempts > 0) {
      this.#opts.stats?.recordHeartbeat(result.ok, { unauthorized: result.unauthorized, error: result.error })
    }
    return result
  }

  /** Stops the schedule and waits for a beat in flight. */
  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer !== undefined) this.#clearTimer(this.#timer)
    this.#timer = undefined
    await this.#running
  }

  #tick(): void {
    if (this.#stopped) return
    const startedAt = this.#now()
    this.#running = this.beat().finally(() => {
      this.#running = undefined
      if (this.#stopped) return
      const wait = Math.max(0, this.#opts.intervalMs - (this.#now() - startedAt))
      this.#timer = this.#setTimer(() => this.#tick(), wait)
    })
  }
}
