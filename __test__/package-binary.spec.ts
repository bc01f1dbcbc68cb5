/**
 * The binary for this platform, as the release workflow tests each one on Node 20, 22 and
 * 24: the loader finds it, a collect resolves on the thread pool and the sync twin
 * returns, and on Linux (the platform the core implements today) no group reports
 * itself unsupported. Platform-neutral on purpose: it runs on macOS, Windows and Alpine.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'node:test'

import type * as Api from '../src/index'

const root = join(__dirname, '..')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { HostCollector } = require(root) as typeof Api

const GROUPS = [
  'host',
  'cpu',
  'load',
  'memory',
  'paging',
  'disk',
  'filesystem',
  'network',
  'tcp',
  'process',
  'resources',
  'container',
  'virtualization',
]

describe(`the ${process.platform}-${process.arch} binary on Node ${process.versions.node}`, () => {
  test('loads through the generated loader and reads every group by default', () => {
    const collector = new HostCollector()
    assert.deepEqual([...collector.groups].sort(), [...GROUPS].sort())
  })

  test('collects on the thread pool and synchronously, each time a whole snapshot', async () => {
    const collector = new HostCollector({ topProcesses: 2 })
    const first = await collector.collect()
    const second = collector.collectSync()
    for (const snapshot of [first, second]) {
      for (const key of ['host', 'cpu', 'memory', 'disk', 'network', 'tcp', 'processes', 'errors']) {
        assert.ok(key in snapshot, `the snapshot has no ${key}`)
      }
      assert.ok(snapshot.collectedAtUnixMs > 0)
    }
    assert.ok(second.collectedAtUnixMs >= first.collectedAtUnixMs)
  })

  test('rejects an aborted collect instead of scanning', async () => {
    const collector = new HostCollector()
    const controller = new AbortController()
    controller.abort()
    await assert.rejects(collector.collect(controller.signal), (err: Error) => err.name === 'AbortError')
  })

  test(
    'reports no group unsupported on Linux',
    { skip: process.platform !== 'linux' && 'Linux only' },
    async () => {
      const snapshot = await new HostCollector().collect()
      const unsupported = snapshot.errors.filter((e) => /not supported/.test(e.message)).map((e) => e.group)
      assert.deepEqual(unsupported, [])
    },
  )
})
