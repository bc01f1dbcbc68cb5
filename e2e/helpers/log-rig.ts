/**
 * Test rig for the log collector: a real LMDB buffer and a LogCollector on files in `dir/logs`,
 * with the restarts a test needs — a clean one (the collector stops, the buffer closes) and a
 * crash (the buffer is closed under the running collector, as SIGKILL leaves it: only what was
 * committed is there) — each followed by a fresh buffer and collector on the same store.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import pino from 'pino'
import { BatchBuffer } from '../../src/buffer'
import { LogCollector, type LogCollectorOptions } from '../../src/logs'
import { decodeLogsRequest, type DecodedLogRecord } from './log-otlp'

export interface Rig {
  dir: string
  buffer: BatchBuffer
  collector: LogCollector
  /** `dir/logs/<name>`. */
  file(name: string): string
  /** Takes, decodes and acknowledges everything buffered so far. */
  drain(): Promise<DecodedLogRecord[]>
  /** Bodies drained so far, in order. */
  bodies(): Promise<string[]>
  /** Stops the collector, closes the buffer, opens both again. */
  restart(overrides?: Partial<LogCollectorOptions>): Promise<void>
  /** Closes the buffer without stopping the collector first, then opens both again. */
  crash(overrides?: Partial<LogCollectorOptions>): Promise<void>
  /** The stored cursor keys (paths), sorted. */
  cursorPaths(): string[]
  close(): Promise<void>
}

export async function openRig(dir: string, overrides: Partial<LogCollectorOptions> = {}): Promise<Rig> {
  mkdirSync(join(dir, 'logs'), { recursive: true })
  const store = join(dir, 'buffer')
  const open = () =>
    BatchBuffer.open({
      path: store,
      maxSizeBytes: 64 << 20,
      maxAgeMs: 3600_000,
      maxRetries: 3,
      memoryMaxBytes: 8 << 20,
      syncWrites: false,
    })
  const make = (buffer: BatchBuffer, more: Partial<LogCollectorOptions> = {}) =>
    new LogCollector({
      paths: [join(dir, 'logs', '*.log')],
      startAt: 'beginning',
      maxLineBytes: 16384,
      pollIntervalMs: 50,
      resource: { 'service.name': 'tfo-agent', 'host.name': 'test-host' },
      buffer,
      logger: pino({ level: 'silent' }),
      now: () => 1_700_000_000_123,
      ...overrides,
      ...more,
    })
  const r: Rig = {
    dir,
    buffer: await open(),
    collector: undefined as unknown as LogCollector,
    file: (name) => join(dir, 'logs', name),
    async drain() {
      const out: DecodedLogRecord[] = []
      for (;;) {
        const batches = await r.buffer.take(100, 'logs')
        if (!batches.length) return out
        for (const b of batches) out.push(...decodeLogsRequest(b.body))
        await r.buffer.ack(batches)
      }
    },
    async bodies() {
      return (await r.drain()).map((rec) => rec.body)
    },
    async restart(more = {}) {
      await r.collector.stop()
      await r.buffer.close()
      r.buffer = await open()
      r.collector = make(r.buffer, more)
    },
    async crash(more = {}) {
      await r.buffer.close()
      // Its files are closed; whatever it still tries to write fails on the closed buffer.
      await r.collector.stop()
      r.buffer = await open()
      r.collector = make(r.buffer, more)
    },
    cursorPaths: () =>
      r.buffer
        .cursors()
        .map((c) => c.key)
        .sort(),
    async close() {
      await r.collector.stop()
      await r.buffer.close()
    },
  }
  r.collector = make(r.buffer)
  return r
}

export const lines = (from: number, to: number, prefix = 'line'): string =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix} ${from + i}\n`).join('')
export const numbered = (from: number, to: number, prefix = 'line'): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix} ${from + i}`)
