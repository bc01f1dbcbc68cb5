/**
 * One agent per buffer. Two agents taking and acknowledging batches from one LMDB store
 * would send data twice and drop each other's cursors, and one could move aside a store
 * the other is writing. The store directory's sibling `<path>.lock` carries an exclusive
 * `flock` (the kernel drops it when the holder exits, however it exits) and a line naming
 * the holder.
 */
import { mkdirSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
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

/** Takes the lock for the store at `path`; returns its release. Throws `BufferLockedError`. */
export function lockStore(path: string): () => void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const holder = `tfo-agent (pid ${process.pid} on ${hostname()}, since ${new Date().toISOString()})`
  const got = native().tryLockFile(`${path}.lock`, holder)
  if (typeof got === 'string') throw new BufferLockedError(path, got)
  return () => got.release()
}
