/**
 * Reads at most a fixed number of bytes of an HTTP response body. A peer that answers with
 * hundreds of megabytes (or never stops) costs the agent at most `maxBytes`: past it the
 * response is destroyed instead of drained. Shared by the OTLP/HTTP exporter and the
 * heartbeat client.
 */
import type { IncomingMessage } from 'node:http'

export interface CappedBody {
  /** The first `maxBytes` (at most) of the body. */
  data: Buffer
  /** The body was longer; the rest was never read. */
  truncated: boolean
}

/** Collects the body up to `maxBytes`; rejects only on a stream error before the cap. */
export function readCapped(res: IncomingMessage, maxBytes: number): Promise<CappedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const finish = (truncated: boolean): void => {
      if (done) return
      done = true
      resolve({ data: Buffer.concat(chunks, Math.min(size, maxBytes)), truncated })
    }
    res.on('data', (chunk: Buffer) => {
      if (done) return
      chunks.push(size + chunk.length > maxBytes ? chunk.subarray(0, maxBytes - size) : chunk)
      size += chunk.length
      if (size > maxBytes) {
        finish(true)
        res.destroy()
      }
    })
    res.on('end', () => finish(false))
    res.on('error', (err) => {
      if (!done) {
        done = true
        reject(err)
      }
    })
    res.on('aborted', () => {
      if (!done) {
        done = true
        reject(new Error('response aborted'))
      }
    })
  })
}
