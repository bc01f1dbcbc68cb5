import type { Command } from 'commander'
import { queryStatus, watchStatus, type StatusResult } from '../api/status'
import { loadSettings } from '../api/settings'
import { formatStatus } from '../format/status'
import { EXIT } from '../io'
import { configOption, endpointOption, timeoutMsOption, watchIntervalOption, watchOption } from '../options'
import type { CommandContext } from './context'

/** Clears the terminal and moves to its top (between `--watch` frames). */
const CLEAR = '\x1b[H\x1b[2J'

export function registerStatus(program: Command, ctx: CommandContext): void {
  program
    .command('status')
    .description(
      "ask a running agent's health endpoint how it is: delivery, buffer, heartbeat and the host over the last minutes (exit 0 healthy, 1 degraded, unhealthy, starting or stopping; 3 no agent answered)",
    )
    .addOption(endpointOption())
    .addOption(configOption())
    .addOption(timeoutMsOption())
    .addOption(watchOption())
    .addOption(watchIntervalOption())
    .action(
      async (opts: {
        endpoint?: string
        config?: string
        timeoutMs: number
        watch?: boolean
        interval: number
      }) => {
        const health = opts.endpoint
          ? undefined
          : (await loadSettings({ configPath: opts.config })).config.health
        const query = {
          endpoint: opts.endpoint ?? health!.endpoint,
          timeoutMs: opts.timeoutMs,
          token: health?.token,
        }
        const show = (result: StatusResult, clear: boolean) => {
          const { text } = formatStatus(result)
          if (clear) ctx.io.out(CLEAR)
          if (result.reachable) ctx.io.out(text)
          else ctx.io.err(text)
        }
        let result: StatusResult
        if (opts.watch) {
          const stop = new AbortController()
          const onSignal = () => stop.abort()
          process.once('SIGINT', onSignal).once('SIGTERM', onSignal)
          result = await watchStatus({ ...query, intervalMs: opts.interval, signal: stop.signal }, (r) =>
            show(r, true),
          )
          process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
        } else {
          result = await queryStatus(query)
          show(result, false)
        }
        ctx.exitCode = !result.reachable
          ? EXIT.unreachable
          : formatStatus(result).healthy
            ? EXIT.ok
            : EXIT.failure
      },
    )
}
