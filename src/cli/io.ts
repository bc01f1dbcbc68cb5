/** Where the CLI writes: the process's streams, or a recorder in tests. */
export interface Io {
  out(text: string): void
  err(text: string): void
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
}

/** A failure the CLI reports as one line and an exit status, without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

/** Exit statuses, as documented in `tfo-agent --help`. */
export const EXIT = {
  ok: 0,
  failure: 1,
  /** Bad usage or bad configuration: nothing was started. */
  usage: 2,
  /** `status`: no agent answered. */
  unreachable: 3,
} as const
