import type { Command } from 'commander'
import { loadSettings } from '../api/settings'
import { createLogger } from '../../logging'
import { secretsOf } from '../../config'
import { formatSnapshotTable } from '../format/snapshot'
import {
  collectFormatOption,
  configOption,
  logFormatOption,
  logLevelOption,
  sampleMsOption,
  type RunOptions,
} from '../options'
import type { CommandContext } from './context'

interface CollectCliOptions extends RunOptions {
  format: 'table' | 'json'
  sampleMs: number
}

export function registerCollect(program: Command, ctx: CommandContext): void {
  program
    .command('collect')
    .description('print one snapshot of this host (two samples, --sample-ms apart, so rates are current)')
    .addOption(collectFormatOption())
    .addOption(sampleMsOption())
    .addOption(configOption())
    .addOption(logLevelOption())
    .addOption(logFormatOption())
    .action(async (opts: CollectCliOptions) => {
      const started = Date.now()
      const { config, warnings } = await loadSettings({ configPath: opts.config }, opts)
      const logger = createLogger(
        {
          level: config.logging.level,
          format: config.logging.format,
          file: config.logging.file || undefined,
        },
        secretsOf(config),
      )
      for (const warning of warnings) logger.warn(warning)
      // Loaded here: it loads the native addon, which the other commands do not need.
      const { collectSnapshot, systemInfoBody } = await import('../api/collect.js')
      const snapshot = await collectSnapshot({ config, sampleMs: opts.sampleMs })
      for (const e of snapshot.errors) logger.debug({ group: e.group }, `not collected: ${e.message}`)
      ctx.io.out(
        opts.format === 'json'
          ? `${JSON.stringify(systemInfoBody(snapshot, started), null, 2)}\n`
          : formatSnapshotTable(snapshot),
      )
    })
}
