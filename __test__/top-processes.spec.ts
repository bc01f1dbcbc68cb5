/**
 * `topProcesses` says what it returns: one number N is the N busiest by CPU and the N
 * largest by memory (a union: N to 2N records); `{ byCpu, byMemory }` chooses each list.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'

import { HostCollector, selectTopProcesses } from '../dist/index.js'
import type { ProcessRecord } from '../dist/index.js'

function record(pid: number, cpuPercent: number, rssBytes: number, matched = false): ProcessRecord {
  return { pid, cpuPercent, rssBytes, matched } as ProcessRecord
}

describe('topProcesses', () => {
  test('{ byCpu, byMemory } keeps the busiest by CPU, the largest by memory and every match, in order', () => {
    const records = [
      record(1, 50, 10),
      record(2, 40, 900),
      record(3, 1, 800),
      record(4, 30, 20),
      record(5, 0, 5, true),
      record(6, 0, 700),
    ]
    const pids = (top: { byCpu: number; byMemory: number }) =>
      selectTopProcesses(records, top).map((r) => r.pid)
    assert.deepEqual(pids({ byCpu: 2, byMemory: 0 }), [1, 2, 5])
    assert.deepEqual(pids({ byCpu: 0, byMemory: 2 }), [2, 3, 5])
    assert.deepEqual(pids({ byCpu: 1, byMemory: 3 }), [1, 2, 3, 5, 6])
  })

  test('a number N is N by CPU and N by memory: between N and 2N records on this host', async () => {
    const host = new HostCollector({ groups: ['process'], topProcesses: 3, maxProcesses: 0 })
    await host.collect()
    await sleep(100)
    const { processes } = await host.collect()
    assert.ok(processes.total > 6, 'this host runs more than 6 processes')
    assert.ok(processes.top.length >= 3 && processes.top.length <= 6, `${processes.top.length} records`)
  })

  test('{ byCpu: 0, byMemory: 3 } returns 3 records, and no other process on the host is much larger', async () => {
    const memoryOnly = new HostCollector({ groups: ['process'], topProcesses: { byCpu: 0, byMemory: 3 } })
    const { processes } = await memoryOnly.collect()
    assert.equal(processes.top.length, 3)
    // A second scan (10 by CPU, 10 by memory) holds the host's largest: none of them is far
    // larger than the smallest of the three (1.5×: memory moves between two scans).
    const smallest = Math.min(...processes.top.map((p) => p.rssBytes))
    const both = await new HostCollector({ groups: ['process'], topProcesses: 10 }).collect()
    const mine = new Set(processes.top.map((p) => p.pid))
    const larger = both.processes.top.filter((p) => !mine.has(p.pid) && p.rssBytes > smallest * 1.5)
    assert.deepEqual(
      larger.map((p) => `${p.name} ${p.rssBytes}`),
      [],
    )
  })

  test('{ byCpu: 2, byMemory: 0 } returns 2 records', async () => {
    const host = new HostCollector({ groups: ['process'], topProcesses: { byCpu: 2 } })
    await host.collect()
    await sleep(100)
    assert.equal((await host.collect()).processes.top.length, 2)
  })

  test('refuses a negative or fractional count', () => {
    assert.throws(() => new HostCollector({ topProcesses: { byCpu: -1 } }), /topProcesses.byCpu/)
    assert.throws(() => new HostCollector({ topProcesses: { byMemory: 1.5 } }), /topProcesses.byMemory/)
  })
})
