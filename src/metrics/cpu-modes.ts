/** CPU modes: per-mode times and shares, emitted once per spelling's state name. */
import type { CpuTimes, CpuUtilization } from '../native'
import type { Attributes, Emit } from './instruments'
import type { Spelling } from './semconv'

type Mode = keyof Spelling['values']['cpuState']

/** The snapshot field each mode's share is read from (times have the same gaps). */
const MODE_FIELD: Record<Mode, string> = {
  user: 'cpu.utilization.userPercent',
  nice: 'cpu.utilization.nicePercent',
  system: 'cpu.utilization.systemPercent',
  idle: 'cpu.utilization.idlePercent',
  wait: 'cpu.utilization.iowaitPercent',
  interrupt: 'cpu.utilization.irqPercent',
  softirq: 'cpu.utilization.softirqPercent',
  steal: 'cpu.utilization.stealPercent',
}

export function cpuTimes(t: CpuTimes): Array<[Mode, number]> {
  return [
    ['user', t.userSeconds],
    ['nice', t.niceSeconds],
    ['system', t.systemSeconds],
    ['idle', t.idleSeconds],
    ['wait', t.iowaitSeconds],
    ['interrupt', t.irqSeconds],
    ['softirq', t.softirqSeconds],
    ['steal', t.stealSeconds],
  ]
}

export function cpuUtilization(u: CpuUtilization): Array<[Mode, number]> {
  return [
    ['user', u.userPercent / 100],
    ['nice', u.nicePercent / 100],
    ['system', u.systemPercent / 100],
    ['idle', u.idlePercent / 100],
    ['wait', u.iowaitPercent / 100],
    ['interrupt', u.irqPercent / 100],
    ['softirq', u.softirqPercent / 100],
    ['steal', u.stealPercent / 100],
  ]
}

/**
 * Emits per mode, summing modes that one spelling folds together (the latest
 * conventions have no `softirq`), so no attribute set is observed twice.
 */
export function emitModes(
  s: Spelling,
  modes: Array<[Mode, number]>,
  emit: Emit,
  extra: Attributes = {},
  unavailable: (field: string) => boolean = () => false,
): void {
  const sums = new Map<string, number>()
  for (const [mode, value] of modes) {
    if (unavailable(MODE_FIELD[mode])) continue
    const name = s.values.cpuState[mode]
    sums.set(name, (sums.get(name) ?? 0) + value)
  }
  for (const [name, value] of sums) emit(value, { [s.attrs.cpuState]: name, ...extra })
}
