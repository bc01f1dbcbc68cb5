/**
 * The agent's buffer: in the data directory (or `buffer.path`), or — with
 * `buffer.enabled` off, or when a full disk leaves no room to create it — in a temporary
 * store removed at close, so batches still wait while the collector is away but nothing is
 * kept across restarts.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from 'pino'

import { BatchBuffer } from '../buffer'
import type { AgentConfig } from '../config'
import { bufferOptions, bufferPath } from './options'

export interface AgentStore {
  buffer: BatchBuffer
  close(): Promise<void>
}

/** Opens the buffer; `announce` logs what an earlier run left to send. */
export async function openStore(config: AgentConfig, logger: Logger, announce: boolean): Promise<AgentStore> {
  let scratch = config.buffer.enabled ? undefined : await mkdtemp(join(tmpdir(), 'tfo-agent-buffer-'))
  let buffer: BatchBuffer
  try {
    buffer = await BatchBuffer.open(
      bufferOptions(config, logger, scratch ? join(scratch, 'buffer') : bufferPath(config)),
    )
  } catch (err) {
    if (scratch || !isDiskFull(err)) throw err
    // A full disk must not stop the agent, nor loop it through restarts: this run buffers in
    // a temporary store instead (removed at exit), and says so.
    scratch = await mkdtemp(join(tmpdir(), 'tfo-agent-buffer-'))
    logger.error(
      { path: bufferPath(config), temporary: scratch, err: (err as Error).message },
      'the buffer cannot be created: its disk is full; this run buffers in a temporary store instead (not kept across restarts)',
    )
    buffer = await BatchBuffer.open(bufferOptions(config, logger, join(scratch, 'buffer')))
  }
  const opened = buffer.stats()
  if (announce && opened.diskBatches > 0) {
    logger.info(
      { batches: opened.diskBatches, bytes: opened.diskBytes },
      'buffered data from an earlier run will be sent',
    )
  }
  const temporary = scratch
  return {
    buffer,
    close: async () => {
      await buffer.close()
      if (temporary) await rm(temporary, { recursive: true, force: true })
    },
  }
}

/** ENOSPC (or EDQUOT) as node, the addon's lock or LMDB report it. */
function isDiskFull(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown }
  return (
    e?.code === 'ENOSPC' ||
    e?.code === 'EDQUOT' ||
    /no space left on device|disk quota exceeded|os error 28\b/i.test(String(e?.message ?? ''))
  )
}
