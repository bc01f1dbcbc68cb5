/**
 * The parity test's comparison (e2e/helpers/parity.ts) on rows made here: it must catch
 * what the agent once got wrong (half the `used` memory, another attribute set, a device
 * the receiver leaves out) and pass only the differences src/metrics/differences.ts lists.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'

import type { PointRow, Value } from './fixtures/otlp'
import { compareParity } from '../e2e/helpers/parity'

const T0 = 1_800_000_000_000

function row(
  metric: string,
  seconds: number,
  value: number,
  attributes: Record<string, Value> = {},
  over: Partial<PointRow> = {},
): PointRow {
  return {
    resource: {},
    metric,
    unit: 'By',
    type: 'sum',
    monotonic: false,
    temporality: 2,
    int: true,
    attributes,
    value,
    startTimeUnixNano: '0',
    timeUnixNano: String(BigInt(T0 + seconds * 1000) * 1_000_000n),
    ...over,
  }
}

/** Twelve collections 5 s apart; the agent's 2 s after the receiver's. */
function series(
  metric: string,
  value: (i: number) => number,
  attrs: Record<string, Value> = {},
  offset = 0,
  over: Partial<PointRow> = {},
) {
  return Array.from({ length: 12 }, (_, i) => row(metric, i * 5 + offset, value(i), attrs, over))
}

const used = (i: number) => 2e9 + i * 1e6

test('the same values at the same instants pass, and the table counts what was compared', () => {
  const hm = series('system.memory.usage', used, { state: 'used' })
  const agent = series('system.memory.usage', (i) => used(i) + 2e5, { state: 'used' }, 2)
  const report = compareParity(agent, hm)
  assert.deepEqual(report.failures, [])
  assert.equal(report.rows[0]!.metric, 'system.memory.usage')
  assert.ok(report.rows[0]!.points > 0)
})

test('half the used memory is a difference', () => {
  const hm = series('system.memory.usage', used, { state: 'used' })
  const agent = series('system.memory.usage', (i) => used(i) / 2, { state: 'used' }, 2)
  assert.match(compareParity(agent, hm).failures.join('\n'), /system\.memory\.usage\|state=used: mean/)
})

test('a device only the agent reports throughout, another unit or other attribute keys are differences', () => {
  const hm = series('system.disk.io', () => 5, { device: 'vda', direction: 'read' }, 0, { monotonic: true })
  const agent = [
    ...series('system.disk.io', () => 5, { device: 'vda', direction: 'read' }, 2, { monotonic: true }),
    ...series('system.disk.io', () => 0, { device: 'loop1', direction: 'read' }, 2, { monotonic: true }),
  ]
  assert.match(compareParity(agent, hm).failures.join('\n'), /device=loop1.*only the agent/)
  const otherUnit = series('system.disk.io', () => 5, { device: 'vda', direction: 'read' }, 2, {
    monotonic: true,
    unit: 'KiBy',
  })
  assert.match(compareParity(otherUnit, hm).failures.join('\n'), /shape/)
  const noDirection = series('system.disk.io', () => 5, { device: 'vda' }, 2, { monotonic: true })
  assert.match(compareParity(noDirection, hm).failures.join('\n'), /attribute keys/)
})

test('a metric the receiver has and the agent lacks is a difference', () => {
  const hm = series('system.cpu.frequency', () => 2.6e9, { cpu: 'cpu0' }, 0, { type: 'gauge' })
  assert.match(compareParity([], hm).failures.join('\n'), /system\.cpu\.frequency: the receiver emits it/)
})

test('a listed factor passes (paging faults ×4096) and the same values unscaled do not', () => {
  const faults = (i: number) => 1000 + i * 10
  const hm = series('system.paging.faults', (i) => faults(i) * 4096, { type: 'minor' }, 0, {
    monotonic: true,
  })
  const kernel = series('system.paging.faults', faults, { type: 'minor' }, 2, { monotonic: true })
  assert.deepEqual(compareParity(kernel, hm).failures, [])
  const scaled = series('system.paging.faults', (i) => faults(i) * 4096, { type: 'minor' }, 2, {
    monotonic: true,
  })
  assert.ok(compareParity(scaled, hm).failures.length > 0)
})

test('process attributes must agree for nearly every process, and a cut command line is a listed difference', () => {
  const proc = (pid: number, line: string) => ({
    'process.pid': pid,
    'process.parent_pid': 1,
    'process.executable.name': 'x',
    'process.executable.path': '/x',
    'process.command': '/x',
    'process.command_line': line,
    'process.owner': 'root',
  })
  const long = `/x ${'a'.repeat(5000)}`
  const rows = (lines: (pid: number) => string, offset: number) =>
    Array.from({ length: 40 }, (_, pid) =>
      series('process.memory.usage', () => 1e6, {}, offset, { resource: proc(pid, lines(pid)) }),
    ).flat()
  const hm = rows((pid) => (pid === 0 ? long : `/x ${pid}`), 0)
  const cut = rows((pid) => (pid === 0 ? long.slice(0, 4096) : `/x ${pid}`), 2)
  assert.deepEqual(compareParity(cut, hm).failures, [])
  const wrong = rows((pid) => `/y ${pid}`, 2)
  assert.match(
    compareParity(wrong, hm).failures.join('\n'),
    /process\.command_line: \d+ of 40 processes differ/,
  )
})
