/**
 * The agent's buffer: in the data directory (or `buffer.path`), or — with
 * `buffer.enabled` off — in a temporary store removed at close, so batches still wait
 * while the collector is away but nothing is kept across restarts.
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
  const scratch = config.buffer.enabled ? undefined : await mkdtemp(join(tmpdir(), 'tfo-agent-buffer-'))
  const path = scratch ? join(scratch, 'buffer') : bufferPath(config)
  const buffer = await BatchBuffer.open(bufferOptions(config, logger, path))
  const opened = buffer.stats()
  if (announce && opened.diskBatches > 0) {
    logger.info(
      { batches: opened.diskBatches, bytes: opened.diskBytes },
      'buffered data from an earlier run will be sent',
    )
  }
  return {
    buffer,
    close: async () => {
      await buffer.close()
      if (scratch) await rm(scratch, { recursive: true, force: true })
    },
  }
}
