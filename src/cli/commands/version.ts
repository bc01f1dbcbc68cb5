import type { Command } from 'commander'
import { versionInfo } from '../api/version'
import { jsonOption, shortOption } from '../options'
import type { CommandContext } from './context'

export function registerVersion(program: Command, ctx: CommandContext): void {
  program
    .command('version')
    .description('print the version, Node.js, platform and whether the native core loads')
    .addOption(jsonOption())
    .addOption(shortOption())
    .action((opts: { json?: boolean; short?: boolean }) => {
      const info = versionInfo()
      if (opts.short) ctx.io.out(`${info.version}\n`)
      else if (opts.json) ctx.io.out(`${JSON.stringify(info)}\n`)
      else {
        const core = info.native ? 'native core loaded' : 'native core NOT available on this platform'
        ctx.io.out(`tfo-agent ${info.version} (node ${info.node}, ${info.platform}-${info.arch}, ${core})\n`)
      }
    })
}
