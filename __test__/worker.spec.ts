/**
 * Embedders (Electron, desktop monitors) load the package from worker threads as well as
 * the main thread. A Node-API addon that is not context-aware refuses to load a second
 * time in one process ("Module did not self-register"), so these tests load the built
 * package as a user would, in several threads at once, and collect in all of them.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { Worker } from 'node:worker_threads'

import type { HostCollector as HostCollectorClass } from '../src/index'

const root = join(__dirname, '..')
/** Where the core reads the host today; elsewhere every group reports "unsupported" and values are 0. */
const implemented = process.platform === 'linux'

interface Summary {
  hostname: string
  logicalCores: number
  memoryTotalBytes: number
  intervalSeconds: number
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { HostCollector } = require(root) as { HostCollector: typeof HostCollectorClass }

/** Runs in a worker: two collects a little apart, so the second covers an interval. */
const workerSource = `
  const { parentPort, workerData } = require('node:worker_threads')
  const { HostCollector } = require(workerData.root)
  const collector = new HostCollector({ topProcesses: 3 })
  ;(async () => {
    await collector.collect()
    await new Promise((resolve) => setTimeout(resolve, 100))
    const s = await collector.collect()
    parentPort.postMessage({
      hostname: s.host.hostname,
      logicalCores: s.cpu.logicalCores,
      memoryTotalBytes: s.memory.totalBytes,
      intervalSeconds: s.intervalSeconds,
    })
  })().catch((err) => parentPort.postMessage({ error: String(err && err.stack || err) }))
`

function collectInWorker(): { result: Promise<Summary>; worker: Worker } {
  const worker = new Worker(workerSource, { eval: true, workerData: { root } })
  const result = new Promise<Summary>((resolve, reject) => {
    worker.once('message', (msg: Summary & { error?: string }) => {
      if (msg.error) reject(new Error(`worker failed: ${msg.error}`))
      else resolve(msg)
    })
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before reporting`)))
  })
  return { result, worker }
}

async function collectHere(): Promise<Summary> {
  const collector = new HostCollector({ topProcesses: 3 })
  await collector.collect()
  await new Promise((resolve) => setTimeout(resolve, 100))
  const s = await collector.collect()
  return {
    hostname: s.host.hostname,
    logicalCores: s.cpu.logicalCores,
    memoryTotalBytes: s.memory.totalBytes,
    intervalSeconds: s.intervalSeconds,
  }
}

describe('the addon in worker threads', () => {
  test('collects in two workers and the main thread at the same time', async () => {
    const workers = [collectInWorker(), collectInWorker()]
    try {
      const [main, ...others] = await Promise.all([collectHere(), ...workers.map((w) => w.result)])
      for (const other of others) {
        assert.equal(other.hostname, main.hostname)
        assert.equal(other.logicalCores, main.logicalCores)
        assert.equal(other.memoryTotalBytes, main.memoryTotalBytes)
      }
      if (implemented) {
        for (const summary of [main, ...others]) {
          assert.ok(summary.logicalCores > 0)
          assert.ok(summary.memoryTotalBytes > 0)
          assert.ok(summary.intervalSeconds > 0, 'the second collect covers the interval since the first')
        }
      }
    } finally {
      await Promise.all(workers.map((w) => w.worker.terminate()))
    }
  })

  test('a worker that is terminated mid-collect leaves the main thread collecting', async () => {
    const { worker, result } = collectInWorker()
    result.catch(() => {}) // terminated on purpose: its result never comes
    await new Promise((resolve) => setTimeout(resolve, 20))
    await worker.terminate()
    const after = await collectHere()
    if (implemented) assert.ok(after.logicalCores > 0)
    else assert.equal(typeof after.logicalCores, 'number')
  })

  test('each thread keeps its own previous counters', async () => {
    // A collector created on the main thread has never collected; a worker's collects
    // must not have advanced it, so its first snapshot reports no interval.
    const { worker, result } = collectInWorker()
    try {
      await result
      const fresh = new HostCollector({ topProcesses: 0 })
      const first = await fresh.collect()
      assert.equal(first.intervalSeconds, 0)
    } finally {
      await worker.terminate()
    }
  })
})
