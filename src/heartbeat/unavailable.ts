/**
 * Which `systemInfo` keys hold a value the host could not give this time: the fields
 * the snapshot's backend cannot read on this platform (`unavailable`, see
 * docs/platforms.md). The API expects every key, so they are sent (as 0 or "") and
 * named in the agent state's `unavailableFields`, so a reader can tell "0" from
 * "unknown".
 */
import { isUnavailable } from '../metrics/instruments'
import type { HostSnapshot } from '../native'

/** Snapshot field → the `systemInfo` keys made from it. */
const KEYS: Array<[string, string[]]> = [
  ['host.timezone', ['timezone']],
  ['host.hostId', ['hostId']],
  ['cpu.family', ['cpuFamily']],
  ['cpu.cacheSizeBytes', ['cpuCacheSize']],
  ['cpu.mhz', ['cpuMhz']],
  ['cpu.utilization.userPercent', ['cpuUserPercent']],
  ['cpu.utilization.systemPercent', ['cpuSystemPercent']],
  ['cpu.utilization.iowaitPercent', ['cpuIowaitPercent']],
  ['cpu.utilization.stealPercent', ['cpuStealPercent']],
  ['cpu.utilization.guestPercent', ['cpuGuestPercent']],
  ['cpu.utilization.irqPercent', ['cpuIrqPercent']],
  ['cpu.utilization.softirqPercent', ['cpuSoftirqPercent']],
  ['cpu.utilization.nicePercent', ['cpuNicePercent']],
  ['load.one', ['loadAvg1']],
  ['load.five', ['loadAvg5']],
  ['load.fifteen', ['loadAvg15']],
  ['memory.cachedBytes', ['memoryCached']],
  ['memory.buffersBytes', ['memoryBuffers']],
  ['memory.activeBytes', ['memoryActive']],
  ['memory.inactiveBytes', ['memoryInactive']],
  ['memory.wiredBytes', ['memoryWired']],
  ['memory.sharedBytes', ['memoryShared']],
  ['memory.slabBytes', ['memorySlab']],
  ['memory.pageTablesBytes', ['memoryPageTables']],
  ['memory.committedBytes', ['memoryCommitted']],
  ['memory.commitLimitBytes', ['memoryCommitLimit']],
  ['memory.dirtyBytes', ['memoryDirty']],
  ['memory.writebackBytes', ['memoryWriteback']],
  ['paging.swapInBytes', ['swapIn']],
  ['paging.swapOutBytes', ['swapOut']],
  ['paging.majorFaults', ['pageFaultsMajor']],
  ['paging.minorFaults', ['pageFaultsMinor']],
  ['disk.totals.readOps', ['diskReadOps']],
  ['disk.totals.writeOps', ['diskWriteOps']],
  ['disk.totals.readTimeSeconds', ['diskReadTime']],
  ['disk.totals.writeTimeSeconds', ['diskWriteTime']],
  ['disk.totals.ioTimeSeconds', ['diskIoTime']],
  ['disk.totals.weightedIoTimeSeconds', ['diskWeightedIo']],
  ['disk.totals.ioInProgress', ['diskIoInProgress']],
  ['disk.totals.iops', ['diskIops']],
  ['disk.totals.readLatencyMs', ['diskLatencyRead']],
  ['disk.totals.writeLatencyMs', ['diskLatencyWrite']],
  ['network.totals.rxDropped', ['networkDropsIn']],
  ['network.totals.txDropped', ['networkDropsOut']],
  ['network.totals.rxFifo', ['networkFifoIn']],
  ['network.totals.txFifo', ['networkFifoOut']],
  ['network.interfaces[].speedMbps', ['networkInterfaces[].speed']],
  ['network.interfaces[].rxDropped', ['networkInterfaces[].dropsIn']],
  ['network.interfaces[].txDropped', ['networkInterfaces[].dropsOut']],
  [
    'tcp.all',
    [
      'tcpConnectionsEstablished',
      'tcpConnectionsTimeWait',
      'tcpConnectionsCloseWait',
      'tcpConnectionsListen',
      'tcpConnectionsSynSent',
      'tcpConnectionsSynRecv',
      'tcpConnectionsFinWait1',
      'tcpConnectionsFinWait2',
      'tcpConnectionsLastAck',
      'tcpConnectionsClosing',
    ],
  ],
  ['tcp.retransmittedSegments', ['tcpRetransmits']],
  ['processes.threads', ['threadCount']],
  ['processes.contextSwitches', ['contextSwitches']],
  ['processes.interrupts', ['interrupts']],
  ['processes.softInterrupts', ['softInterrupts']],
  ['processes.systemCalls', ['systemCalls']],
  ['resources.openFileDescriptors', ['openFileDescriptors', 'fileDescriptorsUsage']],
  ['resources.maxFileDescriptors', ['maxFileDescriptors']],
  ['resources.entropyAvailableBits', ['entropyAvailable']],
  ['container.isContainer', ['isContainer', 'containerId', 'containerRuntime']],
  ['virtualization.virtualizationType', ['virtualizationType']],
]

/** The `systemInfo` keys this snapshot could not fill, in payload order. */
export function unavailableSystemInfoKeys(snapshot: Pick<HostSnapshot, 'unavailable'>): string[] {
  if (snapshot.unavailable.length === 0) return []
  return KEYS.filter(([field]) => isUnavailable(snapshot, field)).flatMap(([, keys]) => keys)
}
