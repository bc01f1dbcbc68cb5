import type { Command } from 'commander'
import { startAgent } from '../api/start'
import { configOption, logFormatOption, logLevelOption, type RunOptions } from '../options'
import type { CommandContext } from './context'

export function registerStart(program: Command, ctx: CommandContext): void {
  program
    .command('start')
    .description('run the agent: collect, buffer and export host metrics until SIGTERM/SIGINT (SIGHUP reloads the configuration)')
    .addOption(configOption())
    .addOption(logLevelOption())
    .addOption(logFormatOption())
    .action(async (opts: RunOptions) => {
      ctx.exitCode = await startAgent({ configPath: opts.config, logLevel: opts.logLevel, logFormat: opts.logFormat })
    })
}
