/**
 * The one place that loads the Rust addon. Everything else imports from here, so
 * a missing or mismatched binary fails in one place, with one message that names
 * the platform and says how to build from source.
 */
import type * as Binding from '../native/index'

export type * from './snapshot-types'

/** Thrown when no prebuilt binary fits this platform and none was built here. */
export class NativeBindingError extends Error {
  override readonly name = 'NativeBindingError'
}

function platformLabel(): string {
  let libc = ''
  if (process.platform === 'linux') {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
    libc = report?.header?.glibcVersionRuntime ? '-gnu' : '-musl'
  }
  return `${process.platform}-${process.arch}${libc}`
}

function load(): typeof Binding {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../native/index.js') as typeof Binding
  } catch (err) {
    const cause = err instanceof Error ? err.message.split('\n')[0] : String(err)
    throw new NativeBindingError(
      `tfo-agent has no native binary for ${platformLabel()} (Node ${process.versions.node}).\n` +
        `Install the matching optional package (tfo-agent-${platformLabel()}), or build from source: ` +
        `install Rust (https://rustup.rs), then run "npm run build" in a clone of tfo-agent.\n` +
        `Loader said: ${cause}`,
    )
  }
}

let binding: typeof Binding | undefined

/** The addon, loaded on first use. */
export function native(): typeof Binding {
  binding ??= load()
  return binding
}
