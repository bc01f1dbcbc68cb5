import type { Command } from 'commander'
import { queryStatus } from '../api/status'
import { loadSettings } from '../api/settings'
import { formatStatus } from '../format/status'
import { EXIT } from '../io'
import { configOption, endpointOption, timeoutMsOption } from '../options'
import type { CommandContext } from './context'

export function registerStatus(program: Command, ctx: CommandContext): void {
  program
    .command('status')
    .description(
      "ask a running agent's health endpoint how it is (exit 0 healthy, 1 any other state: degraded, unhealthy, starting, stopping; 3 no answer)",
    )
    .addOption(endpointOption())
    .addOption(configOption())
    .addOption(timeoutMsOption())
    .action(async (opts: { endpoint?: string; config?: string; timeoutMs: number }) => {
      const endpoint =
        opts.endpoint ?? (await loadSettings({ configPath: opts.config })).config.health.endpoint
      const result = await queryStatus({ endpoint, timeoutMs: opts.timeoutMs })
      const { text, healthy } = formatStatus(result)
      if (!result.reachable) {
        ctx.io.err(text)
        ctx.exitCode = EXIT.unreachable
        return
      }
      ctx.io.out(text)
      ctx.exitCode = healthy ? EXIT.ok : EXIT.failure
    })
}
