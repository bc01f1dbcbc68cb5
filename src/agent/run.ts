/**
 * The running agent behind `tfo-agent start`: starts the Agent, then answers signals
 * until told to stop. The CLI turns the resolved exit code into the process's status.
 *
 * - SIGTERM / SIGINT: stop collecting, move memory to disk, one last export within a
 *   deadline, exit 0. A second signal while stopping exits at once (status 130).
 * - SIGHUP: reload the configuration. A bad new config is refused with a log line and
 *   the agent runs on with the old one; buffered data is kept either way. A burst of SIGHUPs
 *   is one reload: it starts once they pause for RELOAD_SETTLE_MS, or RELOAD_MAX_WAIT_MS after
 *   the first, and a signal during a reload queues at most one more.
 *
 * Windows has no SIGTERM to catch (Node's `kill` there ends the process outright) and
 * no reload signal. Ctrl-C (SIGINT) and Ctrl-Break (SIGBREAK) stop the agent, which is
 * how service wrappers (WinSW, NSSM; deploy/windows) ask a console program to stop;
 * SIGHUP there means the console window is closing (Windows ends the process about ten
 * seconds later), so it stops the agent too, never reloads. To load a changed
 * configuration on Windows, restart the agent (or its service).
 */
import type { Logger } from 'pino'

import { BufferLockedError } from '../buffer'
import { maskUrl, type AgentConfig } from '../config'
import { HealthServerError } from '../health/server'
import { Agent } from './agent'

/** SIGHUPs closer together than this are one reload. */
const RELOAD_SETTLE_MS = 250
/** A steady stream of SIGHUPs still reloads this long after the first of a burst. */
const RELOAD_MAX_WAIT_MS = 1000

/** Errors whose message says all an operator needs: logged without a stack trace. */
const explained = (err: unknown): boolean =>
  err instanceof HealthServerError || err instanceof BufferLockedError

export interface RunAgentOptions {
  /** The validated, merged configuration, with `agent.id` and `agent.data_dir` resolved. */
  config: AgentConfig
  /** The file it came from, if any (for SIGHUP reloads and log lines). */
  configFile?: string
  logger: Logger
  /** Loads and validates the configuration again (SIGHUP); rejects with a ConfigError. */
  reloadConfig: () => Promise<AgentConfig>
  /** Seam for tests and embedding: where signals come from (default `process`). */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>
  /** Which platform's signals to answer (default `process.platform`; see above). */
  platform?: NodeJS.Platform
  /** Called once the agent runs (tests, embedding). */
  onStarted?: (agent: Agent) => void
  /**
   * What a second SIGTERM/SIGINT during the stop does. Default: exit the process with
   * status 130 at once when `signals` is the process itself; otherwise resolve 130.
   */
  exitNow?: (code: number) => void
}

/** The signals that stop the agent and the one that reloads it, per platform. */
export function agentSignals(platform: NodeJS.Platform): { stop: NodeJS.Signals[]; reload?: NodeJS.Signals } {
  if (platform === 'win32') return { stop: ['SIGINT', 'SIGBREAK', 'SIGHUP'] }
  return { stop: ['SIGTERM', 'SIGINT'], reload: 'SIGHUP' }
}

/** Runs until a stop signal (SIGTERM/SIGINT; on Windows SIGINT/SIGBREAK/SIGHUP); resolves the exit code. */
export async function runAgent(options: RunAgentOptions): Promise<number> {
  const { logger } = options
  const signals = options.signals ?? process
  const exitNow = options.exitNow ?? (signals === process ? (code: number) => process.exit(code) : () => {})
  const agent = new Agent(options.config, { logger })
  try {
    await agent.start()
  } catch (err) {
    logger.fatal(explained(err) ? {} : { err }, `the agent could not start: ${(err as Error).message}`)
    return 1
  }
  describeStart(agent, logger)
  options.onStarted?.(agent)

  return new Promise<number>((resolve) => {
    let stopping = false
    let reloading: Promise<void> = Promise.resolve()

    const stop = (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal while stopping: exiting now; buffered data on disk is kept')
        cleanup()
        resolve(130)
        exitNow(130)
        return
      }
      stopping = true
      logger.info({ signal }, 'stopping: moving buffered data to disk and trying one last export')
      void reloading
        .then(() => agent.stop())
        .then(
          () => {
            logger.info('stopped')
            cleanup()
            resolve(0)
          },
          (err: unknown) => {
            logger.error({ err }, 'stopping failed')
            cleanup()
            resolve(1)
          },
        )
    }

    let burst: NodeJS.Timeout | undefined
    let burstStartedAt = 0
    let queued = false
    const onHangup = () => {
      if (stopping) return
      const now = Date.now()
      if (!burst) burstStartedAt = now
      clearTimeout(burst)
      const wait = Math.min(RELOAD_SETTLE_MS, Math.max(0, burstStartedAt + RELOAD_MAX_WAIT_MS - now))
      burst = setTimeout(() => {
        burst = undefined
        reload()
      }, wait)
    }

    const reload = () => {
      // One reload waiting behind the running one already reads the newest file.
      if (stopping || queued) return
      queued = true
      reloading = reloading.then(async () => {
        queued = false
        if (stopping) return
        logger.info(
          { file: options.configFile ?? 'built-in defaults' },
          `${handled.reload}: reloading the configuration`,
        )
        let next: AgentConfig
        try {
          next = await options.reloadConfig()
        } catch (err) {
          logger.error(
            `configuration reload refused, running on with the previous one: ${(err as Error).message}`,
          )
          return
        }
        try {
          if (await agent.reload(next)) logger.info('configuration reloaded')
        } catch (err) {
          if (agent.state === 'running') return // it logged why, and runs on with the previous one
          // Neither configuration could start: exit non-zero so a supervisor restarts the agent.
          logger.fatal({ err }, 'the agent could not start again after a reload; exiting')
          cleanup()
          resolve(1)
        }
      })
    }

    const handled = agentSignals(options.platform ?? process.platform)
    const handlers = new Map<NodeJS.Signals, () => void>(handled.stop.map((sig) => [sig, () => stop(sig)]))
    if (handled.reload) handlers.set(handled.reload, onHangup)
    const cleanup = () => {
      clearTimeout(burst)
      for (const [sig, handler] of handlers) signals.off(sig, handler)
    }
    for (const [sig, handler] of handlers) signals.on(sig, handler)
  })
}

function describeStart(agent: Agent, logger: Logger): void {
  const c = agent.config
  const parts: string[] = []
  if (c.collectors.system.enabled) parts.push(`system metrics every ${c.collectors.system.interval / 1000}s`)
  if (c.collectors.process.enabled) parts.push('process metrics')
  if (c.collectors.logs.enabled) parts.push(`logs from ${c.collectors.logs.paths.length} pattern(s)`)
  const sink = c.exporter.otlp.enabled
    ? `to ${maskUrl(c.telemetryflow.endpoint)} over ${c.telemetryflow.protocol}`
    : 'with OTLP export disabled'
  const heartbeat = c.heartbeat.enabled
    ? `heartbeat to ${c.telemetryflow.api_endpoint}`
    : 'heartbeat off (to send it, set telemetryflow.api_key_id and api_key_secret, or heartbeat.enabled: true)'
  logger.info(
    {
      agent_id: c.agent.id,
      health: agent.healthUrl,
      heartbeat: c.heartbeat.enabled ? maskUrl(c.telemetryflow.api_endpoint) : 'off',
    },
    `tfo-agent running: ${parts.join(', ') || 'no collectors enabled'} ${sink}; ${heartbeat}`,
  )
}
