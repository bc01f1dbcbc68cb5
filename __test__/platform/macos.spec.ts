/**
 * The portable backend on a real Mac, held against what Node itself reads from the OS.
 * Run by CI's macOS jobs only (it is not under `__test__/*.spec.ts`): this Linux
 * machine cannot run macOS, so docs/platforms.md marks macOS "unverified here" until
 * these pass on the runners.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import net from 'node:net'
import os from 'node:os'
import { before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'

import { HostCollector } from '../../dist/index.js'
import type { HostSnapshot } from '../../dist/index.js'

let snap: HostSnapshot

before(async () => {
  // A listening socket and a connection to it on 127.0.0.1, open while the host is read.
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  const client = net.connect(port, '127.0.0.1')
  await once(client, 'connect')
  const c = new HostCollector({ topProcesses: 0, processPatterns: ['macos\\.spec'] })
  c.collectSync()
  await sleep(1000)
  snap = c.collectSync()
  client.destroy()
  server.close()
})

describe('the portable backend on macOS', () => {
  test('is the default, and only the groups it documents as missing fail', () => {
    assert.equal(snap.backend, 'portable')
    assert.deepEqual(
      snap.errors.map((e) => e.group),
      ['resources'],
    )
    assert.throws(() => new HostCollector({ backend: 'procfs' }), /not available/)
  })

  test('host: the name, OS, architecture and a hardware UUID', () => {
    assert.equal(snap.host.hostname.split('.')[0], os.hostname().split('.')[0])
    assert.equal(snap.host.os, 'darwin')
    assert.equal(snap.host.kernelVersion, os.release())
    assert.equal(snap.host.architecture, os.arch() === 'x64' ? 'amd64' : os.arch())
    assert.match(snap.host.hostId, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/)
    assert.ok(snap.host.timezone.includes('/') || snap.host.timezone === 'UTC')
    assert.ok(Math.abs(snap.host.uptimeSeconds - os.uptime()) < 5)
  })

  test('cpu: every CPU, with times and shares from the kernel ticks', () => {
    assert.equal(snap.cpu.logicalCores, os.cpus().length)
    assert.ok(snap.cpu.physicalCores > 0 && snap.cpu.physicalCores <= snap.cpu.logicalCores)
    assert.ok(snap.cpu.total.userSeconds > 0 && snap.cpu.total.idleSeconds > 0)
    assert.equal(snap.cpu.perCore.length, snap.cpu.logicalCores)
    const u = snap.cpu.utilization
    assert.ok(Math.abs(u.userPercent + u.systemPercent + u.nicePercent + u.idlePercent - 100) < 1)
  })

  test('load and memory: what the OS tells Node', () => {
    const [one] = os.loadavg()
    assert.ok(Math.abs(snap.load.one - one) <= Math.max(1, one * 0.5))
    assert.equal(snap.memory.totalBytes, os.totalmem())
    assert.ok(snap.memory.usedBytes > 0 && snap.memory.usedBytes <= snap.memory.totalBytes)
    // From host_statistics64: every Mac has wired and active pages, and has paged something in.
    assert.ok(snap.memory.wiredBytes > 0 && snap.memory.activeBytes > 0)
    assert.ok(snap.paging.pageInCount > 0 && snap.paging.pageSizeBytes > 0)
  })

  test('filesystems, disks and interfaces are there', () => {
    const root = snap.filesystems.find((f) => f.mountpoint === '/' || f.mountpoint === '/System/Volumes/Data')
    assert.ok(root && root.totalBytes > 0 && root.usedBytes === root.totalBytes - root.freeBytes)
    assert.ok(snap.disk.devices.length > 0)
    const names = Object.keys(os.networkInterfaces())
    for (const i of snap.network.interfaces.filter((n) => n.ipAddresses.length > 0))
      assert.ok(names.includes(i.name), `${i.name} is one Node sees`)
    assert.ok(snap.network.interfaces.some((i) => i.isLoopback))
  })

  test('tcp: the listening socket and both ends of the connection are counted', () => {
    assert.equal(snap.tcp.source, 'pcblist_n')
    assert.ok(snap.tcp.ipv4.listen >= 1, `listen ${snap.tcp.ipv4.listen}`)
    assert.ok(snap.tcp.ipv4.established >= 2, `established ${snap.tcp.ipv4.established}`)
    assert.equal(snap.tcp.all.total, snap.tcp.ipv4.total + snap.tcp.ipv6.total)
  })

  test('processes: counts and this process matched by name', () => {
    assert.ok(snap.processes.total > 10)
    const mine = snap.processes.top.find((r) => r.pid === process.pid)
    assert.ok(mine && mine.rssBytes > 0 && mine.owner === os.userInfo().username)
  })
})
