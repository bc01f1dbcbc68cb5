/**
 * The built package's HostCollector pointed at a procfs tree of garbage: random
 * bytes where the kernel's files should be, files missing, and a process whose
 * name holds spaces and `) (`. A collect still resolves, names the groups it could
 * not read, and returns everything else.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'

import { HostCollector } from '../dist/index.js'

const tmp = mkdtempSync(join(os.tmpdir(), 'tfo-native-robust-'))
after(() => rmSync(tmp, { recursive: true, force: true }))

const KNOWN_GROUPS = [
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

/** The odd process: comm `a ) (b c`, as `/proc/<pid>/stat` writes it, parentheses unescaped. */
const ODD = { pid: 4242, ppid: 1, name: 'a ) (b c', args: ['/opt/odd', '--flag', 'x y'] }

function put(root: string, rel: string, data: string | Buffer) {
  const path = join(root, rel)
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, data)
}

/**
 * A procfs tree: `/proc/stat` and `/proc/meminfo` are random bytes, `diskstats` is
 * missing, and one pid directory is well formed except for its name.
 */
function garbageProc(): string {
  const proc = join(tmp, `proc-${Math.random().toString(36).slice(2)}`)
  put(proc, 'stat', randomBytes(4096))
  put(proc, 'meminfo', randomBytes(4096))
  put(proc, 'loadavg', randomBytes(64))
  put(proc, 'vmstat', randomBytes(2048))
  put(proc, 'net/dev', randomBytes(1024))
  put(proc, 'net/snmp', randomBytes(1024))
  const stat =
    `${ODD.pid} (${ODD.name}) S ${ODD.ppid} ${ODD.pid} ${ODD.pid} 0 -1 4194560 100 0 0 0 ` +
    '5 3 0 0 20 0 1 0 100 1000000 50 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n'
  put(proc, `${ODD.pid}/stat`, stat)
  put(proc, `${ODD.pid}/comm`, `${ODD.name}\n`)
  put(proc, `${ODD.pid}/status`, `Name:\t${ODD.name}\nState:\tS (sleeping)\nUid:\t0\t0\t0\t0\nThreads:\t1\n`)
  put(proc, `${ODD.pid}/cmdline`, ODD.args.join('\0') + '\0')
  // A second pid whose stat is random bytes: skipped, never fatal.
  put(proc, '4343/stat', randomBytes(300))
  return proc
}

function emptyDir(): string {
  return mkdtempSync(join(tmp, 'sys-'))
}

describe('HostCollector on a garbage procfs tree', () => {
  test('resolves, names the groups it could not read, and still returns the odd process', async () => {
    const c = new HostCollector({
      procRoot: garbageProc(),
      sysRoot: emptyDir(),
      processPatterns: ['b c'],
    })
    const s = await c.collect()

    const failed = s.errors.map((e) => e.group)
    assert.ok(failed.includes('cpu'), `errors: ${JSON.stringify(s.errors)}`)
    assert.ok(failed.includes('memory'), `errors: ${JSON.stringify(s.errors)}`)
    assert.ok(!failed.includes('process'), `errors: ${JSON.stringify(s.errors)}`)
    assert.equal(new Set(failed).size, failed.length, 'each group is named once')
    for (const e of s.errors) {
      assert.ok(KNOWN_GROUPS.includes(e.group), `unknown group ${e.group}`)
      assert.ok(e.message.length > 0)
      assert.ok(!/panic/i.test(e.message), `${e.group} panicked: ${e.message}`)
    }

    assert.equal(s.memory.totalBytes, 0)
    assert.deepEqual(s.disk.devices, [])
    assert.equal(s.processes.total, 1)
    assert.equal(s.processes.sleeping, 1)
    assert.equal(s.processes.top.length, 1)
    const odd = s.processes.top[0]!
    assert.equal(odd.pid, ODD.pid)
    assert.equal(odd.parentPid, ODD.ppid)
    assert.equal(odd.name, ODD.name)
    assert.equal(odd.state, 'S')
    assert.equal(odd.commandLine, ODD.args.join(' '))
    assert.equal(odd.matched, true)
    assert.equal(odd.threads, 1)
  })

  test('never throws from collectSync across many random trees', () => {
    for (let i = 0; i < 20; i++) {
      const c = new HostCollector({ procRoot: garbageProc(), sysRoot: emptyDir() })
      const first = c.collectSync()
      const second = c.collectSync()
      assert.ok(Array.isArray(first.errors) && Array.isArray(second.errors))
      assert.equal(second.processes.top.find((p) => p.pid === ODD.pid)?.name, ODD.name)
    }
  })

  test('reads only the chosen group from a garbage tree', () => {
    const c = new HostCollector({ procRoot: garbageProc(), sysRoot: emptyDir(), groups: ['process'] })
    const s = c.collectSync()
    assert.deepEqual(s.errors, [])
    assert.equal(s.processes.total, 1)
  })

  // A `procRoot` alone (rootPath left at `/`) describes another tree: TCP states must come
  // from that tree, never from this process's own namespace through netlink.
  test('reports the described tree’s TCP sockets, not those of the agent’s own namespace', async () => {
    const c = new HostCollector({ procRoot: garbageProc(), sysRoot: emptyDir(), groups: ['tcp'] })
    const s = await c.collect()
    // The tree has no net/tcp or net/tcp6: the group either fails or counts nothing.
    assert.notEqual(s.tcp.source, 'netlink')
    if (s.errors.length === 0) assert.equal(s.tcp.all.total, 0)
  })
})
