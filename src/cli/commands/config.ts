import type { Command } from 'commander'
import { initConfig, showConfig, validateConfig } from '../api/config'
import { configOption, forceOption, outputOption } from '../options'
import type { CommandContext } from './context'

export function registerConfig(program: Command, ctx: CommandContext): void {
  const config = program.command('config').description('check, show or create the configuration')

  config
    .command('validate')
    .description('check the configuration; exit status 2 and a file:line: key: message when it is wrong')
    .addOption(configOption())
    .action(async (opts: { config?: string }) => {
      const loaded = await validateConfig({ configPath: opts.config })
      for (const warning of loaded.warnings) ctx.io.err(`tfo-agent: warning: ${warning}\n`)
      ctx.io.out(`${loaded.file ?? 'built-in defaults (no config file found)'}: OK\n`)
    })

  config
    .command('show')
    .description(
      'print the effective configuration (file, environment and defaults merged) as YAML, secrets redacted',
    )
    .addOption(configOption())
    .action(async (opts: { config?: string }) => {
      ctx.io.out(await showConfig({ configPath: opts.config }))
    })

  config
    .command('init')
    .description('write a commented starter configuration')
    .addOption(outputOption())
    .addOption(forceOption())
    .action(async (opts: { output: string; force?: boolean }) => {
      const { path, text } = await initConfig({ output: opts.output, force: opts.force })
      if (path)
        ctx.io.err(`tfo-agent: wrote ${path}; check it with: tfo-agent config validate --config ${path}\n`)
      else ctx.io.out(text)
    })
}
