import type { Command } from 'commander'
import { configOption, logFormatOption, logLevelOption, type RunOptions } from '../options'
import type { CommandContext } from './context'

export function registerStart(program: Command, ctx: CommandContext): void {
  program
    .command('start')
    .description(
      'run the agent: collect, buffer and export host metrics until SIGTERM/SIGINT (SIGHUP reloads the configuration; on Windows Ctrl-C or Ctrl-Break stops it)',
    )
    .addOption(configOption())
    .addOption(logLevelOption())
    .addOption(logFormatOption())
    .addHelpText(
      'after',
      '\nThe command restarts node in place with --max-semi-space-size=2 (a bounded young heap) unless\n' +
        'node already has that flag; TFO_AGENT_NODE_FLAGS replaces the list, empty turns the restart off.\n' +
        'Windows and Electron run with the flags node was given: a process cannot be replaced there.',
    )
    .action(async (opts: RunOptions) => {
      // Loaded here, not at the top: the pipeline is heavy and the other commands do not need it.
      const { runStart } = await import('../api/start.js')
      ctx.exitCode = await runStart({
        configPath: opts.config,
        logLevel: opts.logLevel,
        logFormat: opts.logFormat,
      })
    })
}
