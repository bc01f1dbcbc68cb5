import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { toSystemInfo, rootFilesystem, systemRoot, type AgentMeta } from '../src/heartbeat/system-info'
import { compileHeartbeatValidator, formatSchemaErrors, loadSystemInfoSchema } from '../src/heartbeat/schema'
import { HostCollector } from '../src/host-collector'
import { heartbeatSnapshot } from './fixtures/heartbeat-snapshot'

/**
 * DESIGN.md's "Heartbeat wire format" key list, verbatim. CI's clone has no DESIGN.md
 * beside it, so the list lives here too; where DESIGN.md is reachable a test checks that
 * this copy still matches it.
 */
const WIRE_FORMAT = `
- Host: hostname, os, osVersion, platform, platformFamily, kernelVersion, architecture, uptime,
  bootTime, timezone (an IANA name), hostId
- CPU: cpuCores, cpuLogicalCores, cpuPhysicalCores, cpuModel, cpuVendor, cpuFamily, cpuMhz,
  cpuCacheSize, cpuUsage, cpuUserPercent, cpuSystemPercent, cpuIdlePercent, cpuIowaitPercent,
  cpuStealPercent, cpuGuestPercent, cpuIrqPercent, cpuSoftirqPercent, cpuNicePercent, loadAvg1,
  loadAvg5, loadAvg15, cpuPerCore[] of {coreId, usage, userPercent, systemPercent, idlePercent}
- Memory: memoryTotal, memoryUsed, memoryAvailable, memoryFree, memoryUsage, memoryCached,
  memoryBuffers, memoryActive, memoryInactive, memoryWired, memoryShared, memorySlab,
  memoryPageTables, memoryCommitted, memoryCommitLimit, memoryDirty, memoryWriteback, swapTotal,
  swapUsed, swapFree, swapUsage, swapIn, swapOut, pageFaultsMajor, pageFaultsMinor
- Disk: diskTotal, diskUsed, diskAvailable, diskUsage, diskInodes, diskInodesFree,
  diskInodesUsed, diskInodesUsage, diskReadBytes, diskWriteBytes, diskReadOps, diskWriteOps,
  diskReadTime, diskWriteTime, diskIoTime, diskWeightedIo, diskIoInProgress, diskIops,
  diskLatencyRead, diskLatencyWrite, diskPartitions[] of {device, mountpoint, fstype, total,
  used, free, usage, inodes, inodesFree, inodesUsage}
- Network: networkBytesSent, networkBytesRecv, networkPacketsSent, networkPacketsRecv,
  networkErrorsIn, networkErrorsOut, networkDropsIn, networkDropsOut, networkFifoIn,
  networkFifoOut, networkBytesSentRate, networkBytesRecvRate, tcpConnectionsEstablished,
  tcpConnectionsTimeWait, tcpConnectionsCloseWait, tcpConnectionsListen, tcpConnectionsSynSent,
  tcpConnectionsSynRecv, tcpConnectionsFinWait1, tcpConnectionsFinWait2, tcpConnectionsLastAck,
  tcpConnectionsClosing, tcpRetransmits, networkInterfaces[] of {name, macAddress,
  ipAddresses[], mtu, speed, isUp, isLoopback, bytesSent, bytesRecv, packetsSent, packetsRecv,
  errorsIn, errorsOut, dropsIn, dropsOut}
- Processes: processCount, processRunning, processSleeping, processStopped, processZombie,
  processBlocked (state D), threadCount, contextSwitches, interrupts, softInterrupts, systemCalls
- System resources: openFileDescriptors, maxFileDescriptors, fileDescriptorsUsage, entropyAvailable
- Container: isContainer, containerId, containerRuntime, containerName, containerImage
- Virtualization: isVirtualized, virtualizationType
- Cloud: cloudProvider, cloudInstanceId, cloudInstanceType, cloudRegion, cloudZone
- Agent: agentVersion, agentStartTime, agentUptime, collectionTime, collectionDuration
`.trim()

function designMarkdown(): string | undefined {
  const candidates = [process.env.TFO_DESIGN_MD, join(__dirname, '..', '..', 'shared', 'DESIGN.md')]
  const found = candidates.find((p): p is string => !!p && existsSync(p))
  return found ? readFileSync(found, 'utf8') : undefined
}

/** The key list of the wire format: top-level keys, and the item keys of each array. */
function extractKeys(text: string): { keys: string[]; items: Record<string, string[]> } {
  const bullets = text.replace(/\n\s+/g, ' ').split('\n')
  const items: Record<string, string[]> = {}
  const keys: string[] = []
  for (const bullet of bullets) {
    let body = bullet.replace(/^- [^:]+:\s*/, '')
    body = body.replace(/(\w+)\[\] of \{([^}]*)\}/g, (_m, name: string, inner: string) => {
      items[name] = inner.split(',').map((k) => k.trim().replace(/\[\]$/, ''))
      return name
    })
    body = body.replace(/\([^)]*\)/g, '')
    keys.push(
      ...body
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    )
  }
  return { keys, items }
}

const META: AgentMeta = {
  agentVersion: '1.2.3',
  agentStartTime: 1_767_225_000,
  now: 1_767_225_600_999,
  cloud: {
    provider: 'aws',
    instanceId: 'i-0abc',
    instanceType: 'm6i.xlarge',
    region: 'eu-central-1',
    zone: 'eu-central-1a',
  },
}

test('the copy of the wire-format key list matches DESIGN.md where DESIGN.md is reachable', (t) => {
  const design = designMarkdown()
  if (!design) return t.skip('DESIGN.md is not beside this clone')
  const section = design.split('## Heartbeat wire format')[1]!.split('\n## ')[0]!
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim()
  assert.ok(norm(section).includes(norm(WIRE_FORMAT)), 'DESIGN.md changed: update WIRE_FORMAT and the schema')
})

test('the design lists more than 130 keys, and the schema requires exactly those in systemInfo', () => {
  const { keys, items } = extractKeys(WIRE_FORMAT)
  assert.ok(keys.length > 130, `only ${keys.length} keys extracted`)
  assert.equal(new Set(keys).size, keys.length, 'a key is listed twice')
  const schema = loadSystemInfoSchema() as any
  const systemInfo = schema.properties.systemInfo
  assert.deepEqual([...systemInfo.required].sort(), [...keys].sort())
  assert.deepEqual(Object.keys(systemInfo.properties).sort(), [...keys].sort())
  assert.equal(systemInfo.additionalProperties, false)
  for (const [name, itemKeys] of Object.entries(items)) {
    const ref: string = systemInfo.properties[name].items.$ref
    const def = schema.definitions[ref.split('/').at(-1)!]
    assert.deepEqual([...def.required].sort(), [...itemKeys].sort(), `${name}[] items`)
    assert.equal(def.additionalProperties, false)
  }
})

test('every schema field carries a description that states its unit or meaning', () => {
  const schema = loadSystemInfoSchema() as any
  const props = { ...schema.properties.systemInfo.properties }
  for (const def of Object.values<any>(schema.definitions)) Object.assign(props, def.properties)
  for (const [key, prop] of Object.entries<any>(props)) {
    assert.equal(typeof prop.description, 'string', key)
    assert.ok(prop.description.length > 10, key)
  }
})

test('the fixture snapshot maps to a body that validates and has every key of the design', () => {
  const validate = compileHeartbeatValidator()
  const systemInfo = toSystemInfo(heartbeatSnapshot(), META)
  const ok = validate({ systemInfo })
  assert.deepEqual(formatSchemaErrors(validate.errors), [])
  assert.ok(ok)
  const { keys, items } = extractKeys(WIRE_FORMAT)
  assert.deepEqual(Object.keys(systemInfo).sort(), [...keys].sort())
  assert.equal(Object.keys(systemInfo).length, keys.length)
  assert.deepEqual(Object.keys(systemInfo.cpuPerCore[0]!).sort(), [...items.cpuPerCore!].sort())
  assert.deepEqual(Object.keys(systemInfo.diskPartitions[0]!).sort(), [...items.diskPartitions!].sort())
  assert.deepEqual(Object.keys(systemInfo.networkInterfaces[0]!).sort(), [...items.networkInterfaces!].sort())
})

test('the fixture maps field by field with the units the design names', () => {
  const snap = heartbeatSnapshot()
  const s = toSystemInfo(snap, META)
  assert.equal(s.hostname, 'prod-web-01')
  assert.equal(s.os, 'linux')
  assert.equal(s.architecture, 'amd64')
  assert.equal(s.uptime, 864_001, 'uptime at sending: the scan’s 864 000.42 s and 0.88 s since')
  assert.equal(s.timezone, 'Europe/Berlin')
  assert.equal(s.cpuCores, 4, 'cpuCores is the logical core count')
  assert.equal(s.cpuLogicalCores, 4)
  assert.equal(s.cpuPhysicalCores, 2)
  assert.equal(s.cpuFamily, '6')
  assert.equal(s.cpuCacheSize, 55_296 * 1024, 'bytes, not KiB')
  assert.equal(s.cpuUsage, 35)
  assert.deepEqual(s.cpuPerCore[3], {
    coreId: 3,
    usage: 60,
    userPercent: 40,
    systemPercent: 20,
    idlePercent: 39,
  })
  assert.equal(s.memoryUsed, s.memoryTotal - s.memoryAvailable)
  assert.equal(s.memoryUsage, 62.5)
  assert.equal(s.memoryWired, 0)
  assert.equal(s.swapIn, 1000 * 4096, 'swapIn is bytes')
  assert.equal(s.pageFaultsMinor, 98_765_432)
})

test('disk totals are the root filesystem and disk I/O comes from whole disks only', () => {
  const snap = heartbeatSnapshot()
  const s = toSystemInfo(snap, META)
  const root = snap.filesystems[0]!
  assert.equal(s.diskTotal, root.totalBytes)
  assert.equal(s.diskUsed, root.usedBytes)
  assert.equal(s.diskAvailable, root.availableBytes)
  assert.equal(s.diskUsage, root.usedPercent)
  assert.equal(s.diskInodesUsed, 553_600)
  assert.equal(s.diskReadOps, 200_000, 'the partition and loop device are not added on top')
  assert.equal(s.diskIops, 42)
  assert.equal(s.diskLatencyRead, 0.5)
  assert.equal(s.diskLatencyWrite, 1.25)
  assert.equal(s.diskIoInProgress, 2)
  assert.equal(s.diskReadTime, 100, 'seconds')
  assert.equal(s.diskPartitions.length, 3)
  assert.equal(s.diskPartitions[2]!.mountpoint, '/mnt/my data')
  assert.equal(s.diskPartitions[0]!.free, root.availableBytes)
})

test('the root filesystem is the last mount stacked on /', () => {
  const snap = heartbeatSnapshot()
  const overlay = { ...snap.filesystems[0]!, device: 'overlay', fsType: 'overlay', totalBytes: 7 }
  assert.equal(rootFilesystem([snap.filesystems[0]!, overlay])?.device, 'overlay')
  assert.equal(rootFilesystem([snap.filesystems[1]!]), undefined)
})

test('on Windows the root filesystem is the system drive', () => {
  const snap = heartbeatSnapshot()
  const drive = (letter: string) => ({
    ...snap.filesystems[0]!,
    device: `${letter}:`,
    mountpoint: `${letter}:\\`,
  })
  const drives = [drive('C'), drive('D')]
  assert.equal(systemRoot('win32', { SystemDrive: 'D:' }), 'D:\\')
  assert.equal(systemRoot('win32', {}), 'C:\\')
  assert.equal(systemRoot('linux', { SystemDrive: 'D:' }), '/')
  assert.equal(rootFilesystem(drives, systemRoot('win32', { SystemDrive: 'd:' }))?.device, 'D:')
  assert.equal(rootFilesystem(drives, '/'), undefined)
})

test('a host whose core gives no timezone reports the one Node resolves', () => {
  const snap = heartbeatSnapshot()
  const s = toSystemInfo({ ...snap, host: { ...snap.host, timezone: '' } }, META)
  assert.equal(s.timezone, Intl.DateTimeFormat().resolvedOptions().timeZone)
})

test('network totals leave out loopback and TCP states count IPv4 and IPv6 together', () => {
  const snap = heartbeatSnapshot()
  const s = toSystemInfo(snap, META)
  assert.equal(s.networkBytesRecv, 8_000_000_000 + 1_000_000)
  assert.equal(s.networkBytesSentRate, 40_960)
  assert.equal(s.networkDropsIn, 14)
  assert.equal(s.tcpConnectionsEstablished, 360)
  assert.equal(s.tcpConnectionsListen, 36)
  assert.equal(s.tcpRetransmits, 5_678)
  const lo = s.networkInterfaces.find((n) => n.name === 'lo')!
  assert.equal(lo.isLoopback, true)
  const eth0 = s.networkInterfaces.find((n) => n.name === 'eth0')!
  assert.equal(eth0.speed, 10000)
  assert.equal(eth0.bytesRecv, 8_000_000_000)
  assert.deepEqual(eth0.ipAddresses, ['172.31.20.7/20', 'fe80::81b:2cff:fe3d:4e5f/64'])
})

test('process states sum to the process count and systemCalls is 0 on Linux', () => {
  const s = toSystemInfo(heartbeatSnapshot(), META)
  const states = s.processRunning + s.processSleeping + s.processStopped + s.processZombie + s.processBlocked
  assert.equal(states, s.processCount)
  assert.equal(s.processBlocked, 1)
  assert.equal(s.systemCalls, 0)
  assert.equal(s.openFileDescriptors, 4_096)
  assert.equal(s.entropyAvailable, 256)
})

test('container, virtualization, cloud and agent fields come from the snapshot and the meta', () => {
  const s = toSystemInfo(heartbeatSnapshot(), {
    ...META,
    containerImage: 'ghcr.io/telemetryflow/tfo-agent:1.2.3',
  })
  assert.equal(s.isContainer, true)
  assert.equal(s.containerRuntime, 'docker')
  assert.equal(s.containerImage, 'ghcr.io/telemetryflow/tfo-agent:1.2.3')
  assert.equal(s.containerName, '')
  assert.equal(s.isVirtualized, true)
  assert.equal(s.virtualizationType, 'amazon')
  assert.equal(s.cloudProvider, 'aws')
  assert.equal(s.cloudZone, 'eu-central-1a')
  assert.equal(s.agentVersion, '1.2.3')
  assert.equal(s.agentStartTime, 1_767_225_000)
  assert.equal(s.agentUptime, 600)
  assert.equal(s.collectionTime, 1_767_225_600, 'unix seconds')
  assert.equal(s.collectionDuration, 4_250_000, 'nanoseconds')
})

test('a heartbeat sent after the scan carries the scan time as collectionTime and uptimes at sending', () => {
  const snap = heartbeatSnapshot()
  const at = (now: number) => toSystemInfo(snap, { ...META, now })
  const soon = at(snap.collectedAtUnixMs)
  const later = at(snap.collectedAtUnixMs + 45_000)
  assert.equal(later.collectionTime, soon.collectionTime, 'the values are the scan’s')
  assert.equal(later.collectionTime, Math.floor(snap.collectedAtUnixMs / 1000))
  assert.equal(later.uptime - soon.uptime, 45, 'host uptime counts to the moment of sending')
  assert.equal(later.agentUptime - soon.agentUptime, 45, 'agent uptime counts to the moment of sending')
  assert.equal(later.cpuUsage, soon.cpuUsage)
})

test('without cloud info the cloud keys are present and empty', () => {
  const s = toSystemInfo(heartbeatSnapshot(), { agentVersion: '1.2.3', agentStartTime: 0 })
  for (const key of [
    'cloudProvider',
    'cloudInstanceId',
    'cloudInstanceType',
    'cloudRegion',
    'cloudZone',
  ] as const) {
    assert.equal(s[key], '')
  }
})

test('counters that arrive as fractions, NaN or negatives still give schema-valid integers', () => {
  const snap = heartbeatSnapshot()
  snap.memory.totalBytes = 1234.6
  snap.memory.usedPercent = Number.NaN
  snap.disk.totals.readOps = -3
  snap.cpu.utilization.usagePercent = 100.0000001
  const validate = compileHeartbeatValidator()
  const systemInfo = toSystemInfo(snap, META)
  assert.ok(validate({ systemInfo }), formatSchemaErrors(validate.errors).join('\n'))
  assert.equal(systemInfo.memoryTotal, 1235)
  assert.equal(systemInfo.memoryUsage, 0)
  assert.equal(systemInfo.diskReadOps, 0)
  assert.equal(systemInfo.cpuUsage, 100)
})

test('a live snapshot from the HostCollector maps to a body that validates', async () => {
  const collector = new HostCollector()
  await collector.collect()
  const snapshot = await collector.collect()
  const validate = compileHeartbeatValidator()
  const systemInfo = toSystemInfo(snapshot, {
    agentVersion: '0.1.0',
    agentStartTime: Math.floor(Date.now() / 1000),
  })
  assert.ok(validate({ systemInfo }), formatSchemaErrors(validate.errors).join('\n'))
  assert.equal(Object.keys(systemInfo).length, extractKeys(WIRE_FORMAT).keys.length)
  assert.equal(systemInfo.os, 'linux')
})
