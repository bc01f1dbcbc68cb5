/**
 * The `tfo-agent` command line. `main` returns the exit status; `bin/tfo-agent.js`
 * hands it to the process. Errors the user can fix are printed as one line each
 * (`tfo-agent: <file>:<line>: <key>: <message>`), never as a stack trace.
 */
import { Command, CommanderError } from 'commander'
import { ConfigError } from '../config'
import { IdentityError } from '../identity'
import { LogFileError } from '../logging'
import { NativeBindingError } from '../native'
import { VERSION } from '../version'
import { registerCollect } from './commands/collect'
import { registerConfig } from './commands/config'
import type { CommandContext } from './commands/context'
import { registerStart } from './commands/start'
import { registerStatus } from './commands/status'
import { registerVersion } from './commands/version'
import { CliError, EXIT, processIo, type Io } from './io'

export { EXIT, type Io } from './io'

function buildProgram(ctx: CommandContext): Command {
  const program = new Command('tfo-agent')
  program
    .description(
      'TelemetryFlow host agent: host metrics from a Rust core, buffered on disk, exported as OTLP',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) })
    .showHelpAfterError('(run "tfo-agent --help" for usage)')
    .addHelpText(
      'after',
      '\nExit status: 0 ok, 1 failure, 2 bad usage or configuration (nothing started), 3 status: no agent answered.',
    )
  registerStart(program, ctx)
  registerCollect(program, ctx)
  registerConfig(program, ctx)
  registerStatus(program, ctx)
  registerVersion(program, ctx)
  return program
}

function report(err: unknown, io: Io): number {
  if (err instanceof CommanderError) {
    // Help and --version are answers, not errors; everything else is bad usage.
    const answered = ['commander.helpDisplayed', 'commander.version'].includes(err.code)
    return answered ? EXIT.ok : EXIT.usage
  }
  if (err instanceof ConfigError) {
    for (const line of err.lines()) io.err(`tfo-agent: ${line}\n`)
    return EXIT.usage
  }
  if (err instanceof CliError) {
    io.err(`tfo-agent: ${err.message}\n`)
    return err.exitCode
  }
  if (err instanceof IdentityError || err instanceof LogFileError || err instanceof NativeBindingError) {
    io.err(`tfo-agent: ${err.message}\n`)
    return EXIT.failure
  }
  // One line, never a stack: the first line of the message is what an operator can act on.
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 500)
  io.err(`tfo-agent: unexpected error: ${message}\n`)
  return EXIT.failure
}

/** Runs the CLI with `argv` as `process.argv` spells it; resolves the exit status. */
export async function main(argv: readonly string[] = process.argv, io: Io = processIo): Promise<number> {
  const ctx: CommandContext = { io, exitCode: EXIT.ok }
  try {
    await buildProgram(ctx).parseAsync([...argv])
  } catch (err) {
    return report(err, io)
  }
  return ctx.exitCode
}
