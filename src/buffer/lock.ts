/**
 * One agent per buffer. Two agents taking and acknowledging batches from one LMDB store
 * would send data twice and drop each other's cursors, and one could move aside a store
 * the other is writing. Ownership is tied to the store itself (native `tryLockStore`): an
 * advisory lock on the store directory's descriptor on Unix, a byte range far beyond the
 * data file's contents on Windows. No file can be deleted to hand it over, and the kernel
 * lets it go when the holder exits, however it exits. A note inside the store (`owner`)
 * names the holder.
 */
import { mkdirSync } from 'node:fs'
import { hostname } from 'node:os'
import { native } from '../native'

/** Another process (or another open buffer in this one) holds the store. */
export class BufferLockedError extends Error {
  override readonly name = 'BufferLockedError'

  constructor(
    readonly path: string,
    readonly holder: string,
  ) {
    super(
      `buffer ${path} is in use by ${holder || 'another process'}; ` +
        'give each agent its own agent.data_dir (or buffer.path)',
    )
  }
}

/**
 * Creates the store directory at `path` if missing and takes it; returns its release.
 * Throws `BufferLockedError`.
 */
export function lockStore(path: string): () => void {
  mkdirSync(path, { recursive: true, mode: 0o700 })
  const holder = `tfo-agent (pid ${process.pid} on ${hostname()}, since ${new Date().toISOString()})`
  const got = native().tryLockStore(path, holder)
  if (typeof got === 'string') throw new BufferLockedError(path, got)
  return () => got.release()
}

/** Windows cannot rename a directory while a file in it is open, so the lock goes first there. */
export const RELEASE_BEFORE_RENAME = process.platform === 'win32'
