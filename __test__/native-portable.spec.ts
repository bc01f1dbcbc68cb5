/**
 * The portable backend (the `sysinfo` crate plus the OS's own APIs: what macOS runs)
 * held against the procfs backend on this Linux host, group by group. The two read the
 * host a moment apart, so counters may have moved between them: each comparison allows
 * what can change in that moment, and no more. This checks the mapping code every
 * portable platform runs; the OS-specific extras of macOS and Windows are proven on
 * their runners.
 */
import assert from 'node:assert/strict'
import { basename } from 'node:path'
import { before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'

import { HostCollector } from '../dist/index.js'
import { hostCollectorOptions } from '../src/agent/options'
import { collectSnapshot } from '../src/cli/api'
import { parseConfig } from '../src/config'
import type { HostSnapshot } from '../dist/index.js'

const GiB = 1024 ** 3
const MiB = 1024 ** 2

/** `a` and `b` differ by at most `tolerance`. */
function near(a: number, b: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(a - b) <= tolerance, `${what}: ${a} vs ${b} (tolerance ${tolerance})`)
}

let procfs: HostSnapshot
let portable: HostSnapshot
/** Seconds between the two backends' second reads (the window counters may move in). */
let gap: number

before(async () => {
  // This test file's own process gets a record from both, whatever the top N holds.
  const options = { topProcesses: 0, processPatterns: [`^${process.pid}$`, 'native-portable\\.spec'] }
  const a = new HostCollector({ ...options, backend: 'procfs' })
  const b = new HostCollector({ ...options, backend: 'portable' })
  a.collectSync()
  b.collectSync()
  await sleep(1000)
  const started = Date.now()
  procfs = a.collectSync()
  portable = b.collectSync()
  gap = (Date.now() - started) / 1000 + 0.5
})

describe('the portable backend on Linux agrees with the procfs backend', () => {
  test('each snapshot names the backend that read it', () => {
    assert.equal(procfs.backend, 'procfs')
    assert.equal(portable.backend, 'portable')
    assert.deepEqual(new HostCollector({ groups: ['load'] }).collectSync().backend, 'procfs')
  })

  test('every group but resources reads without error, and resources says it is not supported', () => {
    assert.deepEqual(procfs.errors, [])
    assert.deepEqual(
      portable.errors.map((e) => e.group),
      ['resources'],
    )
    assert.match(portable.errors[0]?.message ?? '', /not supported/)
  })

  test('host: the same names, kernel, architecture, zone, id and boot time', () => {
    const [p, q] = [procfs.host, portable.host]
    for (const key of [
      'hostname',
      'os',
      'osVersion',
      'platform',
      'kernelVersion',
      'architecture',
      'timezone',
      'hostId',
    ] as const)
      assert.equal(q[key], p[key], key)
    assert.ok(p.hostId.length > 0)
    near(q.bootTimeUnix, p.bootTimeUnix, 2, 'boot time')
    near(q.uptimeSeconds, p.uptimeSeconds, gap + 1, 'uptime')
  })

  test('cpu: the same CPUs, and times and shares from the same counters', () => {
    const [p, q] = [procfs.cpu, portable.cpu]
    assert.equal(q.logicalCores, p.logicalCores)
    assert.equal(q.physicalCores, p.physicalCores)
    assert.equal(q.model, p.model)
    assert.equal(q.vendor, p.vendor)
    const cpus = p.logicalCores
    near(q.total.userSeconds, p.total.userSeconds, cpus * gap, 'user seconds')
    near(q.total.idleSeconds, p.total.idleSeconds, cpus * gap, 'idle seconds')
    assert.equal(q.perCore.length, p.perCore.length)
    // Both shares cover about the same second of a busy shared machine.
    near(q.utilization.usagePercent, p.utilization.usagePercent, 35, 'busy share')
    assert.ok(q.utilization.usagePercent > 0 || q.utilization.idlePercent > 0, 'a share was measured')
  })

  test('load: the kernel averages, through getloadavg', () => {
    for (const key of ['one', 'five', 'fifteen'] as const)
      near(portable.load[key], procfs.load[key], Math.max(1, procfs.load[key] * 0.25), `load ${key}`)
    assert.ok(portable.load.fifteen > 0)
  })

  test('memory: the same total and swap, used = total − available on both', () => {
    const [p, q] = [procfs.memory, portable.memory]
    assert.equal(q.totalBytes, p.totalBytes)
    assert.equal(q.swapTotalBytes, p.swapTotalBytes)
    near(q.availableBytes, p.availableBytes, Math.max(256 * MiB, p.totalBytes * 0.05), 'available')
    near(q.usedBytes, q.totalBytes - q.availableBytes, 1, 'used = total − available')
    assert.ok(portable.unavailable.includes('memory.buffersBytes'))
    assert.ok(!procfs.unavailable.includes('memory.buffersBytes'))
  })

  test('filesystems: every mount portable lists, procfs lists with the same device, type and size', () => {
    assert.ok(portable.filesystems.length > 0)
    for (const q of portable.filesystems) {
      const p = procfs.filesystems.find((f) => f.mountpoint === q.mountpoint)
      assert.ok(p, `procfs lists ${q.mountpoint}`)
      assert.equal(q.fsType, p.fsType)
      assert.equal(q.device, p.device)
      assert.equal(q.totalBytes, p.totalBytes)
      assert.equal(q.mode, p.mode)
      near(q.usedBytes, p.usedBytes, Math.max(GiB, p.totalBytes * 0.01), `${q.mountpoint} used`)
      near(q.inodesTotal, p.inodesTotal, 0, `${q.mountpoint} inodes`)
    }
    const root = portable.filesystems.find((f) => f.mountpoint === '/')
    assert.ok(root && root.usedBytes === root.totalBytes - root.freeBytes, 'used = total − free, as on Linux')
  })

  test('disk: each volume portable reads has the bytes procfs counts for its device', () => {
    assert.ok(portable.disk.devices.length > 0)
    for (const q of portable.disk.devices) {
      const p = procfs.disk.devices.find((d) => d.name === basename(q.name))
      assert.ok(p, `procfs has ${q.name}`)
      const slack = (x: number) => Math.max(256 * MiB, x * 0.02)
      near(q.readBytes, p.readBytes, slack(p.readBytes), `${q.name} read bytes`)
      near(q.writeBytes, p.writeBytes, slack(p.writeBytes), `${q.name} write bytes`)
    }
  })

  test('network: the same interfaces with the same addresses, MTU, MAC and counters', () => {
    const names = (s: HostSnapshot) => s.network.interfaces.map((i) => i.name).sort()
    assert.deepEqual(names(portable), names(procfs))
    for (const q of portable.network.interfaces) {
      const p = procfs.network.interfaces.find((i) => i.name === q.name)
      assert.ok(p)
      assert.equal(q.isLoopback, p.isLoopback, `${q.name} loopback`)
      assert.equal(q.mtu, p.mtu, `${q.name} mtu`)
      assert.equal(q.macAddress, p.macAddress, `${q.name} mac`)
      assert.deepEqual([...q.ipAddresses].sort(), [...p.ipAddresses].sort(), `${q.name} addresses`)
      const slack = (x: number) => Math.max(16 * MiB, x * 0.02)
      near(q.rxBytes, p.rxBytes, slack(p.rxBytes), `${q.name} rx bytes`)
      near(q.txBytes, p.txBytes, slack(p.txBytes), `${q.name} tx bytes`)
      near(q.rxPackets, p.rxPackets, slack(p.rxPackets), `${q.name} rx packets`)
    }
  })

  test('tcp: the same listening sockets and about the same connections', () => {
    assert.equal(portable.tcp.all.listen, procfs.tcp.all.listen)
    near(portable.tcp.all.total, procfs.tcp.all.total, Math.max(50, procfs.tcp.all.total * 0.2), 'sockets')
  })

  test('processes: about the same count, and the same record for this process', () => {
    const [p, q] = [procfs.processes, portable.processes]
    near(q.total, p.total, Math.max(10, p.total * 0.1), 'processes')
    const mine = (s: HostSnapshot) => s.processes.top.find((r) => r.pid === process.pid)
    const [a, b] = [mine(procfs), mine(portable)]
    assert.ok(a && b, 'both have a record for this process')
    assert.equal(b.parentPid, a.parentPid)
    assert.equal(b.executable, a.executable)
    assert.equal(b.commandLine, a.commandLine)
    assert.equal(b.owner, a.owner)
    assert.equal(b.uid, a.uid)
    near(b.startTimeUnix, a.startTimeUnix, 2, 'start time')
    near(b.rssBytes, a.rssBytes, Math.max(64 * MiB, a.rssBytes * 0.3), 'rss')
    near(b.virtualBytes, a.virtualBytes, Math.max(256 * MiB, a.virtualBytes * 0.3), 'virtual')
    assert.ok(b.matched)
  })

  test('container and virtualization: the same verdicts', () => {
    assert.equal(portable.container.isContainer, procfs.container.isContainer)
    assert.equal(portable.container.runtime, procfs.container.runtime)
    assert.equal(portable.virtualization.isVirtualized, procfs.virtualization.isVirtualized)
    assert.equal(portable.virtualization.virtualizationType, procfs.virtualization.virtualizationType)
  })
})

describe('choosing a backend', () => {
  test('the configuration key picks it for the agent and for `tfo-agent collect`', async () => {
    const { config } = parseConfig('collectors:\n  system:\n    backend: portable\n', { env: {} })
    assert.equal(new HostCollector(hostCollectorOptions(config)).collectSync().backend, 'portable')
    const snapshot = await collectSnapshot({ config, sampleMs: 0 })
    assert.equal(snapshot.backend, 'portable')
    const byDefault = parseConfig('', { env: {} }).config
    assert.equal((await collectSnapshot({ config: byDefault, sampleMs: 0 })).backend, 'procfs')
  })

  test('a backend the platform does not have, or a made-up one, is refused at construction', () => {
    // @ts-expect-error: the typings know the backends; JavaScript callers may pass any string
    assert.throws(() => new HostCollector({ backend: 'wmi' }))
  })
})
