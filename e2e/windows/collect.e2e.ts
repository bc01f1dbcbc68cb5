/**
 * The Windows backend under Wine: the addon built for Windows, run by Windows Node,
 * reads this host through Win32 (which Wine answers from Linux), and what it reports
 * must match the host as Linux sees it. The values are also ones only the Win32 path
 * gives (the OS is `windows`, file systems are drive letters, TCP comes from
 * `GetExtendedTcpTable`), so a build that still read `/proc` through Wine's `Z:` drive
 * would fail here.
 */
import assert from 'node:assert/strict'
import { readFileSync, statfsSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { cpus, totalmem } from 'node:os'
import { after, before, describe, test } from 'node:test'

import { ROOT, winPath, wineCli, wineNode } from './wine'

/** LISTEN sockets on IPv4 as Linux counts them (state 0A of /proc/net/tcp). */
function hostListeners(): number {
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim().split(/\s+/)[3] === '0A').length
}

const LISTENERS = 8

describe('the Windows backend under Wine', () => {
  const servers: Server[] = []
  before(async () => {
    for (let i = 0; i < LISTENERS; i++) {
      const server = createServer()
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      servers.push(server)
    }
  })
  after(() => {
    for (const server of servers) server.close()
  })

  test('collect --format json with Windows Node reports this host’s CPUs, memory, disk and sockets', async () => {
    const before = hostListeners()
    const run = await wineCli(['collect', '--format', 'json', '--sample-ms', '300'])
    const afterCount = hostListeners()
    assert.equal(run.code, 0, run.stderr)
    const s = (JSON.parse(run.stdout) as { systemInfo: Record<string, unknown> }).systemInfo

    // Only the Win32 path gives these.
    assert.equal(s.os, 'windows')
    assert.match(String(s.kernelVersion), /^\d+\.\d+\.\d+$/, 'a Windows version, not a Linux release')

    assert.equal(s.cpuLogicalCores, cpus().length)
    // Linux's sysinfo() and /proc/meminfo (what Wine reads) differ by a page or so.
    const memory = s.memoryTotal as number
    assert.ok(Math.abs(memory - totalmem()) <= 1 << 20, `${memory} bytes against ${totalmem()}`)
    const partitions = s.diskPartitions as Array<{ mountpoint: string; total: number; fstype: string }>
    assert.ok(
      partitions.length > 0 && partitions.every((p) => /^[A-Z]:\\$/.test(p.mountpoint)),
      'drive letters only',
    )
    // Wine's Z: drive is this host's /.
    const root = statfsSync('/')
    const z = partitions.find((p) => p.mountpoint === 'Z:\\')
    assert.ok(z, 'Wine maps / to Z:')
    assert.equal(z.total, root.blocks * root.bsize)

    const listen = s.tcpConnectionsListen as number
    assert.ok(listen >= LISTENERS, `${listen} listening sockets, ${LISTENERS} of them opened by this test`)
    assert.ok(
      listen >= Math.min(before, afterCount) - 2 && listen <= Math.max(before, afterCount) + 2,
      `Windows saw ${listen} listeners, Linux ${before} then ${afterCount}`,
    )
    assert.ok((s.cpuUsage as number) >= 0 && (s.cpuUsage as number) <= 100)
    assert.ok((s.uptime as number) > 0)
  })

  test('the snapshot names the Windows backend and Win32 as its TCP source, and only what Windows lacks is an error', async () => {
    const dist = JSON.stringify(winPath(`${ROOT}/dist`))
    const run = await wineNode([
      '-e',
      `const { HostCollector } = require(${dist} + '\\\\host-collector.js')
       const c = new HostCollector({ processPatterns: ['^node\\\\.exe$'] })
       c.collect().then(() => new Promise((r) => setTimeout(r, 300))).then(() => c.collect()).then((snap) =>
         process.stdout.write(JSON.stringify({ pid: process.pid, snap })))`,
    ])
    assert.equal(run.code, 0, run.stderr)
    const { pid, snap } = JSON.parse(run.stdout) as {
      pid: number
      snap: {
        backend: string
        unavailable: string[]
        errors: Array<{ group: string; message: string }>
        tcp: { source: string; ipv4: { listen: number } }
        network: { interfaces: Array<{ name: string; isLoopback: boolean; ipAddresses: string[] }> }
        cpu: { total: { iowaitSeconds: number; userSeconds: number }; perCore: unknown[] }
        virtualization: { isVirtualized: boolean }
        processes: {
          total: number
          threads: number
          top: Array<{
            pid: number
            name: string
            matched: boolean
            rssBytes: number
            executable: string
            commandLine: string
            owner: string
          }>
        }
      }
    }
    assert.deepEqual(
      snap.errors.map((e) => e.group).sort(),
      // disk: Wine has no physical drives to query.
      ['container', 'disk', 'load', 'paging', 'resources'],
      JSON.stringify(snap.errors),
    )
    assert.equal(snap.backend, 'windows')
    assert.ok(snap.unavailable.includes('load'), 'the load average is named as unavailable')
    assert.equal(snap.tcp.source, 'GetExtendedTcpTable')
    assert.ok(snap.tcp.ipv4.listen >= LISTENERS)
    const lo = snap.network.interfaces.find((i) => i.isLoopback)
    assert.ok(lo?.ipAddresses.includes('127.0.0.1/8'), JSON.stringify(snap.network.interfaces))
    assert.equal(snap.cpu.perCore.length, cpus().length)
    // Windows has no iowait: procfs would have some by now.
    assert.equal(snap.cpu.total.iowaitSeconds, 0)
    assert.ok(snap.cpu.total.userSeconds > 0)
    // The Windows process list (Toolhelp32), with this very node.exe matched by name.
    assert.ok(snap.processes.total > 1 && snap.processes.threads >= snap.processes.total)
    const self = snap.processes.top.find((p) => p.pid === pid)
    assert.ok(self, JSON.stringify(snap.processes.top))
    assert.equal(self.name, 'node.exe')
    assert.ok(self.matched)
    assert.ok(self.rssBytes > 10 * 1024 * 1024, `${self.rssBytes} bytes resident`)
    assert.match(self.executable, /node\.exe$/i)
    // (Its command line stays empty here: Wine 8 lacks ProcessCommandLineInformation.)
    assert.ok(self.owner.length > 0, 'the owner of its token')
  })
})
