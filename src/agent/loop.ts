/**
 * A periodic task that never overlaps itself: the next run is scheduled only after
 * the previous one settles, so a slow export can never pile up runs (and never
 * delays another loop, since each loop has its own timer).
 */
export interface LoopOptions {
  name: string
  /** Time between the end of one run and the start of the next, ms. */
  intervalMs: number
  /** Random extra delay, as a share of the interval (0–1), so a fleet doesn't tick in step. */
  jitter?: number
  /** Run once immediately on start (default true). */
  runAtStart?: boolean
  /** The first run after this many ms instead (a reload keeping a loop's cadence). */
  firstDelayMs?: number
  /** Called with any error the task throws; the loop keeps going. */
  onError?: (err: unknown) => void
  /** Injectable for tests. */
  random?: () => number
}

export type LoopTask = () => Promise<LoopResult | void>

/** A task may ask to run again at once (e.g. a flush that left a backlog). */
export interface LoopResult {
  again?: boolean
}

export class Loop {
  readonly #task: LoopTask
  readonly #opts: Required<Omit<LoopOptions, 'onError' | 'firstDelayMs'>> &
    Pick<LoopOptions, 'onError' | 'firstDelayMs'>
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #stopped = true
  #runs = 0

  constructor(task: LoopTask, opts: LoopOptions) {
    this.#task = task
    this.#opts = { jitter: 0, runAtStart: true, random: Math.random, ...opts }
  }

  get name(): string {
    return this.#opts.name
  }

  /** Completed runs so far. */
  get runs(): number {
    return this.#runs
  }

  start(): void {
    if (!this.#stopped) return
    this.#stopped = false
    this.#schedule(this.#opts.firstDelayMs ?? (this.#opts.runAtStart ? 0 : this.#delay()))
  }

  /** Runs the task now (waiting for a run in progress first); the schedule continues. */
  async runNow(): Promise<void> {
    if (this.#running) await this.#running
    clearTimeout(this.#timer)
    await this.#runOnce()
    if (!this.#stopped) this.#schedule(this.#delay())
  }

  /** Stops scheduling and waits for a run in progress to settle. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#running) await this.#running
  }

  #delay(): number {
    const { intervalMs, jitter, random } = this.#opts
    return intervalMs + Math.floor(intervalMs * jitter * random())
  }

  #schedule(ms: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#runOnce().then((again) => this.#schedule(again ? 0 : this.#delay()))
    }, ms)
  }

  #runOnce(): Promise<boolean> {
    let again = false
    const run = (async () => {
      try {
        const result = await this.#task()
        again = result?.again === true
      } catch (err) {
        this.#opts.onError?.(err)
      } finally {
        this.#runs++
      }
    })()
    this.#running = run
    return run.then(() => {
      if (this.#running === run) this.#running = undefined
      return again && !this.#stopped
    })
  }
}

/** True when `work` settles before `deadlineMs` (unix ms); false when the deadline comes first. */
export async function settlesBy(deadlineMs: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadlineMs - Date.now()))
  })
  try {
    return await Promise.race([work.then(() => true), late])
  } finally {
    clearTimeout(timer)
  }
}
