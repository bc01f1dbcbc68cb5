/**
 * The built package's HostCollector against activity the test itself causes:
 * loopback TCP connections (checked with `ss`), named child processes, disk writes
 * and loopback traffic between two collects. Only 127.0.0.1 is ever contacted.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import {
  chmodSync,
  copyFileSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  rmSync,
  writeSync,
} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'

import { HostCollector } from '../dist/index.js'
import type { HostSnapshot } from '../dist/index.js'

const tmp = mkdtempSync(join(os.tmpdir(), 'tfo-native-spec-'))
after(() => rmSync(tmp, { recursive: true, force: true }))

/** TCP sockets per `ss` state name (ESTAB, LISTEN, TIME-WAIT, …), IPv4 and IPv6. */
function ssCounts(): Record<string, number> {
  const out = execFileSync('/usr/bin/ss', ['-tanH'], { encoding: 'utf8' })
  const counts: Record<string, number> = {}
  for (const line of out.split('\n')) {
    const state = line.trim().split(/\s+/)[0]
    if (state) counts[state] = (counts[state] ?? 0) + 1
  }
  return counts
}

/** Asserts `got` lies between two readings taken around it, give or take `slack`. */
function between(name: string, got: number, a: number, b: number, slack: number) {
  assert.ok(
    got >= Math.min(a, b) - slack && got <= Math.max(a, b) + slack,
    `${name}: collected ${got}, independent readings ${a} and ${b} (±${slack})`,
  )
}

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as net.AddressInfo).port
}

describe('TCP connections', () => {
  const N = 6
  const server = net.createServer()
  const accepted: net.Socket[] = []
  const clients: net.Socket[] = []
  server.on('connection', (s) => accepted.push(s))

  after(() => {
    for (const s of [...clients, ...accepted]) s.destroy()
    server.close()
  })

  test('counts the listener and both ends of each connection the test opens, as ss does', async () => {
    const port = await listen(server)
    for (let i = 0; i < N; i++) {
      const c = net.connect(port, '127.0.0.1')
      clients.push(c)
      await once(c, 'connect')
    }
    while (accepted.length < N) await once(server, 'connection')

    const c = new HostCollector({ groups: ['tcp'] })
    const ssBefore = ssCounts()
    const s = await c.collect()
    const ssAfter = ssCounts()

    assert.deepEqual(s.errors, [])
    assert.equal(s.tcp.source, 'netlink')
    assert.ok(s.tcp.all.listen >= 1)
    assert.ok(s.tcp.all.established >= 2 * N, `established ${s.tcp.all.established}`)
    assert.ok(s.tcp.ipv4.established >= 2 * N)
    between('established', s.tcp.all.established, ssBefore.ESTAB ?? 0, ssAfter.ESTAB ?? 0, 3)
    between('listen', s.tcp.all.listen, ssBefore.LISTEN ?? 0, ssAfter.LISTEN ?? 0, 1)
    assert.equal(s.tcp.all.total, Object.values(s.tcp.all).reduce((a, b) => a + b, 0) - s.tcp.all.total)
    assert.equal(s.tcp.all.established, s.tcp.ipv4.established + s.tcp.ipv6.established)

    // Close from the client side: the clients go to TIME_WAIT, the pairs leave ESTABLISHED.
    const closed = [...clients, ...accepted].map((sock) => once(sock, 'close'))
    for (const client of clients) client.end()
    await Promise.all(closed)

    const ssClosedBefore = ssCounts()
    const later = await c.collect()
    const ssClosedAfter = ssCounts()
    assert.ok(
      later.tcp.all.established <= s.tcp.all.established - 2 * N + 3,
      `established ${s.tcp.all.established} → ${later.tcp.all.established}`,
    )
    assert.ok(later.tcp.all.timeWait >= N, `timeWait ${later.tcp.all.timeWait}`)
    between(
      'timeWait',
      later.tcp.all.timeWait,
      ssClosedBefore['TIME-WAIT'] ?? 0,
      ssClosedAfter['TIME-WAIT'] ?? 0,
      3,
    )
    between(
      'established after close',
      later.tcp.all.established,
      ssClosedBefore.ESTAB ?? 0,
      ssClosedAfter.ESTAB ?? 0,
      3,
    )
  })
})

/** Spawns `count` copies of /bin/sleep under `name`, resolved once each has exec'd. */
async function spawnSleepers(name: string, count: number): Promise<ChildProcess[]> {
  const exe = join(tmp, name)
  copyFileSync('/bin/sleep', exe)
  chmodSync(exe, 0o755)
  const children: ChildProcess[] = []
  for (let i = 0; i < count; i++) {
    const child = spawn(exe, ['3600', `0.${i + 1}`], { stdio: 'ignore' })
    children.push(child)
    await once(child, 'spawn')
  }
  return children
}

async function reap(children: ChildProcess[]) {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGKILL')
      await exited
    }),
  )
}

/** `prefix` padded to `length` with random letters, so parallel runs never match each other's children. */
function uniqueName(prefix: string, length: number): string {
  let name = prefix
  while (name.length < length) name += String.fromCharCode(97 + Math.floor(Math.random() * 26))
  return name
}

/** Thread-group leaders, as `/proc` lists them. */
function procPidCount(): number {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length
}

describe('processes', () => {
  const K = 4
  let children: ChildProcess[] = []
  after(() => reap(children))

  test('returns exactly the spawned children for a pattern on their name, with parent, owner and arguments', async () => {
    const name = uniqueName('tfo-sp-', 15) // the kernel keeps 15 bytes of it as comm
    const c = new HostCollector({ groups: ['process'], processPatterns: [`^${name}$`], topProcesses: 0 })
    const baseline = c.collectSync()
    assert.deepEqual(baseline.processes.top, [])

    children = await spawnSleepers(name, K)
    const pidsBefore = procPidCount()
    const s = await c.collect()
    const pidsAfter = procPidCount()

    assert.deepEqual(s.errors, [])
    const records = s.processes.top
    assert.deepEqual(
      records.map((r) => r.pid).sort((a, b) => a - b),
      children.map((ch) => ch.pid!).sort((a, b) => a - b),
    )
    const user = os.userInfo().username
    for (const [i, child] of children.entries()) {
      const r = records.find((rec) => rec.pid === child.pid)!
      assert.equal(r.matched, true)
      assert.equal(r.name, name)
      assert.equal(r.parentPid, process.pid)
      assert.equal(r.owner, user)
      assert.equal(r.uid, os.userInfo().uid)
      assert.equal(r.executable, join(tmp, name))
      assert.ok(r.commandLine.includes(`${name} 3600 0.${i + 1}`), r.commandLine)
      assert.ok(r.rssBytes > 0 && r.virtualBytes >= r.rssBytes)
      assert.equal(r.threads, 1)
    }
    const grew = s.processes.total - baseline.processes.total
    assert.ok(Math.abs(grew - K) <= 20, `processes.total grew by ${grew}, spawned ${K}`)
    between('processes.total', s.processes.total, pidsBefore, pidsAfter, 5)

    await reap(children)
    const gone = c.collectSync()
    assert.deepEqual(gone.processes.top, [])
  })

  // comm is cut to 15 bytes, and patterns are tried on comm and on the full exe path
  // and command line, so an anchored full program name never matches.
  test('matches a program whose name is longer than the kernel keeps in comm', async () => {
    const name = uniqueName('tfo-spec-sleeper-', 20)
    const c = new HostCollector({ groups: ['process'], processPatterns: [`^${name}$`], topProcesses: 0 })
    const mine = await spawnSleepers(name, 2)
    try {
      const s = await c.collect()
      assert.deepEqual(
        s.processes.top.map((r) => r.pid).sort((a, b) => a - b),
        mine.map((ch) => ch.pid!).sort((a, b) => a - b),
      )
    } finally {
      await reap(mine)
    }
  })
})

function lo(s: HostSnapshot) {
  const iface = s.network.interfaces.find((i) => i.isLoopback)
  assert.ok(iface, 'a loopback interface is listed')
  return iface
}

/** Sends `bytes` over a loopback TCP connection and waits until all arrived. */
async function loopbackTraffic(bytes: number) {
  const server = net.createServer()
  let received = 0
  const done = new Promise<void>((resolve) =>
    server.on('connection', (s) =>
      s.on('data', (d: Buffer) => {
        received += d.length
        if (received >= bytes) resolve()
      }),
    ),
  )
  const port = await listen(server)
  const client = net.connect(port, '127.0.0.1')
  await once(client, 'connect')
  client.write(Buffer.alloc(bytes, 0x5a))
  await done
  client.destroy()
  server.close()
}

describe('rates over the interval', () => {
  test('see the disk writes and loopback bytes made between two collects', async () => {
    const c = new HostCollector({ groups: ['disk', 'network'] })
    const first = await c.collect()

    const diskBytes = 8 * 1024 * 1024
    const fd = openSync(join(tmp, 'written'), 'w')
    try {
      const block = Buffer.alloc(1024 * 1024, 0xa5)
      for (let i = 0; i < diskBytes / block.length; i++) writeSync(fd, block)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    const netBytes = 4 * 1024 * 1024
    await loopbackTraffic(netBytes)
    // Rates need a measurable interval: collects within 100 ms of each other report none.
    await new Promise((r) => setTimeout(r, 150))

    const second = await c.collect()
    assert.deepEqual(second.errors, [])
    assert.ok(second.intervalSeconds > 0)

    const wrote = second.disk.totals.writeBytes - first.disk.totals.writeBytes
    assert.ok(wrote >= diskBytes, `disk totals grew by ${wrote} bytes, wrote ${diskBytes}`)
    assert.ok(second.disk.totals.writeOps > first.disk.totals.writeOps)
    assert.ok(second.disk.totals.writeBytesPerSecond > 0)
    assert.ok(second.disk.totals.iops > 0)

    const rx = lo(second).rxBytes - lo(first).rxBytes
    assert.ok(rx >= netBytes, `lo rxBytes grew by ${rx}, sent ${netBytes}`)
    assert.ok(lo(second).rxBytesPerSecond > 0)
    assert.ok(lo(second).txBytesPerSecond > 0)
  })
})
