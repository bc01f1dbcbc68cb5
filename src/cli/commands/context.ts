/** What the thin command actions share: where to write and the exit status to return. */
import type { Io } from '../io'

export interface CommandContext {
  io: Io
  exitCode: number
}
