import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Loop } from '../src/agent/loop'

function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

test('never runs a task again while the previous run is still in progress', async () => {
  let active = 0
  let maxActive = 0
  let runs = 0
  const loop = new Loop(
    async () => {
      active++
      maxActive = Math.max(maxActive, active)
      await new Promise((r) => setTimeout(r, 20))
      active--
      runs++
    },
    { name: 't', intervalMs: 1 },
  )
  loop.start()
  while (runs < 5) await new Promise((r) => setTimeout(r, 5))
  await loop.stop()
  assert.equal(maxActive, 1)
})

test('a slow task in one loop does not hold up another loop', async () => {
  const gate = deferred()
  let fastRuns = 0
  const slow = new Loop(() => gate.promise, { name: 'slow', intervalMs: 1 })
  const fast = new Loop(async () => void fastRuns++, { name: 'fast', intervalMs: 1 })
  slow.start()
  fast.start()
  while (fastRuns < 10) await new Promise((r) => setTimeout(r, 2))
  assert.equal(slow.runs, 0)
  gate.resolve()
  await Promise.all([slow.stop(), fast.stop()])
  assert.equal(slow.runs, 1)
})

test('keeps going after the task throws and reports the error', async () => {
  const errors: unknown[] = []
  let calls = 0
  const loop = new Loop(
    async () => {
      calls++
      if (calls === 1) throw new Error('boom')
    },
    { name: 't', intervalMs: 1, onError: (e) => errors.push(e) },
  )
  loop.start()
  while (calls < 3) await new Promise((r) => setTimeout(r, 2))
  await loop.stop()
  assert.equal(errors.length, 1)
  assert.match(String(errors[0]), /boom/)
})

test('runs again at once when the task asks for it', async () => {
  let calls = 0
  const loop = new Loop(async () => ({ again: ++calls < 4 }), { name: 't', intervalMs: 60_000 })
  loop.start()
  while (calls < 4) await new Promise((r) => setTimeout(r, 2))
  await loop.stop()
  assert.equal(calls, 4)
})

test('stop waits for the run in progress and schedules nothing after it', async () => {
  const gate = deferred()
  let calls = 0
  const loop = new Loop(
    async () => {
      calls++
      await gate.promise
    },
    { name: 't', intervalMs: 1 },
  )
  loop.start()
  while (calls < 1) await new Promise((r) => setTimeout(r, 1))
  const stopped = loop.stop()
  gate.resolve()
  await stopped
  await new Promise((r) => setTimeout(r, 20))
  assert.equal(calls, 1)
})

test('adds jitter of up to the configured share of the interval', () => {
  let scheduled = -1
  const realSetTimeout = globalThis.setTimeout
  globalThis.setTimeout = ((_fn: () => void, ms: number) => {
    scheduled = ms
    return realSetTimeout(() => {}, 0)
  }) as typeof setTimeout
  try {
    const loop = new Loop(async () => {}, {
      name: 't',
      intervalMs: 1000,
      jitter: 0.1,
      runAtStart: false,
      random: () => 0.5,
    })
    loop.start()
    void loop.stop()
  } finally {
    globalThis.setTimeout = realSetTimeout
  }
  assert.equal(scheduled, 1050)
})
