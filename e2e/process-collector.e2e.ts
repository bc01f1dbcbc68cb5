/**
 * The process collector end to end: the real agent CLI (`tfo-agent start`, only
 * `collectors.process` on) scanning real processes this test spawns — copies of
 * /bin/sleep under chosen names, a thousand sleepers, short-lived churn, a busy
 * loop — and exporting to the real OpenTelemetry Collector, checked from what the
 * collector wrote: which processes, their resource attributes, metric names,
 * units and values, the per-cycle cap and the agent's /metrics.
 */
import assert from 'node:assert/strict'
import { userInfo } from 'node:os'
import { after, afterEach, before, describe, test } from 'node:test'
import { startCollector, type RunningCollector } from './helpers/otelcol'
import {
  Children,
  problems,
  pidsNamed,
  startAgent,
  until,
  waitForCycles,
  type Cycle,
  type ProcessResource,
  type ProcessAgent,
} from './helpers/process-agent'

const UNITS: Record<string, string> = {
  'process.cpu.time': 's',
  'process.memory.usage': 'By',
  'process.memory.virtual': 'By',
  'process.disk.io': 'By',
  'process.threads': '{threads}',
  'process.open_file_descriptors': '{count}',
}

const pidsOf = (c: Cycle) => [...c.processes.keys()].sort((a, b) => a - b)
const sorted = (pids: number[]) => [...pids].sort((a, b) => a - b)

function only(p: ProcessResource, metric: string, attrs: Record<string, string> = {}): number {
  const points = (p.metrics.get(metric) ?? []).filter((r) =>
    Object.entries(attrs).every(([k, v]) => r.attributes[k] === v),
  )
  assert.equal(points.length, 1, `pid ${p.pid}: one ${metric} point for ${JSON.stringify(attrs)}`)
  return points[0]!.value
}

function cpuSeconds(p: ProcessResource): number {
  return (p.metrics.get('process.cpu.time') ?? []).reduce((s, r) => s + r.value, 0)
}

/** Everything DESIGN.md lists for one process, with sane values. */
function assertProcessMetrics(p: ProcessResource): void {
  for (const [name, unit] of Object.entries(UNITS)) {
    const points = p.metrics.get(name)
    assert.ok(points && points.length > 0, `pid ${p.pid} has ${name}`)
    for (const r of points) {
      assert.equal(r.unit, unit, `${name} unit`)
      assert.equal(r.type, 'sum', `${name} is a sum`)
      assert.equal(r.temporality, 2, `${name} is cumulative`)
    }
  }
  for (const name of ['process.cpu.time', 'process.disk.io']) {
    for (const r of p.metrics.get(name)!) assert.equal(r.monotonic, true, `${name} is monotonic`)
  }
  const states = p.metrics.get('process.cpu.time')!.map((r) => String(r.attributes.state))
  assert.ok(states.includes('user') && states.includes('system'), `cpu states ${states}`)
  for (const s of states) assert.ok(['user', 'system', 'wait'].includes(s), `cpu state ${s}`)
  for (const r of p.metrics.get('process.cpu.time')!) assert.ok(r.value >= 0)

  const rss = only(p, 'process.memory.usage')
  const virt = only(p, 'process.memory.virtual')
  assert.ok(rss > 0, `memory usage ${rss} > 0`)
  assert.ok(virt >= rss, `virtual ${virt} ≥ resident ${rss}`)
  assert.ok(only(p, 'process.threads') >= 1, 'threads ≥ 1')
  // stdio 'ignore' gives the child /dev/null on 0, 1 and 2.
  assert.ok(only(p, 'process.open_file_descriptors') >= 3, 'at least stdin, stdout, stderr')
  assert.ok(only(p, 'process.disk.io', { direction: 'read' }) >= 0)
  assert.ok(only(p, 'process.disk.io', { direction: 'write' }) >= 0)
}

function assertQuiet(agent: ProcessAgent): void {
  assert.deepEqual(problems(agent.output()), [], 'the agent logged no warnings or errors')
}

async function leftOutGauge(agent: ProcessAgent): Promise<number | undefined> {
  const m = /^tfo_agent_processes_left_out(?:\{\})? (\S+)$/m.exec(await agent.prometheus())
  return m ? Number(m[1]) : undefined
}

describe('the process collector, end to end with the real OpenTelemetry Collector', () => {
  let col: RunningCollector
  let kids: Children
  let agent: ProcessAgent | undefined

  before(async () => {
    col = await startCollector({ grpc: true, http: false })
  })
  after(async () => {
    await col?.stop()
  })
  afterEach(async () => {
    await agent?.stop()
    agent = undefined
    await kids?.reapAll()
  })

  test('exports exactly the processes whose name matches include, with their pid, parent, owner, name, command line and metrics', async () => {
    kids = new Children()
    const alphas = []
    for (const marker of ['0.000101', '0.000102', '0.000103']) {
      alphas.push({ marker, child: await kids.sleeper('tfo-e2e-alpha', marker) })
    }
    const betas = [
      await kids.sleeper('tfo-e2e-beta', '0.000201'),
      await kids.sleeper('tfo-e2e-beta', '0.000202'),
    ]
    const alphaPids = sorted(alphas.map((a) => a.child.pid!))

    agent = await startAgent(col, { include: ['^tfo-e2e-alpha$'], top_n: 0 })
    const cycles = await waitForCycles(col, agent, 2, (c) => c.processes.size > 0)

    const betaPids = betas.map((b) => b.pid!)
    for (const c of cycles) {
      assert.deepEqual(pidsOf(c), alphaPids, 'every cycle holds the three alphas and nothing else')
      for (const pid of betaPids) assert.ok(!c.processes.has(pid), 'no beta')
    }
    const last = cycles.at(-1)!
    const owner = userInfo().username
    for (const { marker, child } of alphas) {
      const p = last.processes.get(child.pid!)!
      assert.equal(p.resource['process.pid'], child.pid)
      assert.equal(p.resource['process.parent_pid'], process.pid, 'the test process is the parent')
      assert.equal(p.resource['process.owner'], owner)
      assert.equal(p.resource['process.executable.name'], 'tfo-e2e-alpha')
      assert.equal(p.resource['process.executable.path'], kids.program('tfo-e2e-alpha'))
      const cmd = String(p.resource['process.command_line'])
      assert.ok(cmd.includes(`600 ${marker}`), `command line ${JSON.stringify(cmd)} holds the args`)
      assert.ok(
        cmd.startsWith(kids.program('tfo-e2e-alpha')),
        `command line ${JSON.stringify(cmd)} starts with argv[0]`,
      )
      assert.equal(p.resource['service.name'], 'tfo-agent', "the host's attributes are there too")
      assertProcessMetrics(p)
    }
    assertQuiet(agent)
  })

  test('drops the processes that exclude matches from those include matched', async () => {
    kids = new Children()
    const alphas = [
      await kids.sleeper('tfo-e2e-alpha', '0.000111'),
      await kids.sleeper('tfo-e2e-alpha', '0.000112'),
    ]
    const betas = [
      await kids.sleeper('tfo-e2e-beta', '0.000211'),
      await kids.sleeper('tfo-e2e-beta', '0.000212'),
    ]
    alphas.push(await kids.sleeper('tfo-e2e-alpha', '0.000113'))

    agent = await startAgent(col, { include: ['^tfo-e2e-'], exclude: ['beta'], top_n: 0 })
    const cycles = await waitForCycles(col, agent, 2, (c) => c.processes.size > 0)
    for (const c of cycles) {
      assert.deepEqual(pidsOf(c), sorted(alphas.map((a) => a.pid!)), 'only the alphas')
      for (const b of betas) assert.ok(!c.processes.has(b.pid!))
    }
    assertQuiet(agent)
  })

  test('applies exclude before the cap, so excluded processes neither take room nor count as left out', async () => {
    kids = new Children()
    // Idle Node.js betas: far more resident memory than the sleepers, so the cap's
    // order (CPU, then memory) ranks them first.
    const idle = 'setInterval(() => {}, 60_000)'
    const betas = [await kids.node('tfo-e2e-beta', idle), await kids.node('tfo-e2e-beta', idle)]
    const alphas = []
    for (const m of ['0.000121', '0.000122', '0.000123']) alphas.push(await kids.sleeper('tfo-e2e-alpha', m))

    agent = await startAgent(col, { include: ['^tfo-e2e-'], exclude: ['beta'], top_n: 0, max_processes: 3 })
    const cycles = await waitForCycles(col, agent, 2, () => true)
    const leftOut = await until('the left-out gauge', () => leftOutGauge(agent!))
    for (const b of betas) for (const c of cycles) assert.ok(!c.processes.has(b.pid!), 'no beta')
    assert.deepEqual(
      { exported: pidsOf(cycles.at(-1)!), leftOut },
      { exported: sorted(alphas.map((a) => a.pid!)), leftOut: 0 },
      'the three alphas fit under a cap of 3 and nothing exportable was left out',
    )
  })

  // The kernel keeps 15 bytes of a program's name in /proc/<pid>/stat (comm).
  const LONG = 'tfo-e2e-long-gamma-name'

  test('matches a program whose name is longer than the 15-byte comm by its full name, and names it so', async () => {
    kids = new Children()
    const long = await kids.sleeper(LONG, '0.000401')
    await kids.sleeper('tfo-e2e-alpha', '0.000131')
    agent = await startAgent(col, { include: [`^${LONG}$`], top_n: 0 })
    const cycles = await waitForCycles(col, agent, 2, (c) => c.processes.size > 0)
    for (const c of cycles) assert.deepEqual(pidsOf(c), [long.pid!], 'only the long-named program')
    const p = cycles.at(-1)!.processes.get(long.pid!)!
    assert.equal(p.resource['process.executable.path'], kids.program(LONG))
    assert.equal(p.resource['process.executable.name'], LONG)
  })

  test('excludes a long-named program by the same full-name pattern that include matches it by', async () => {
    kids = new Children()
    await kids.sleeper(LONG, '0.000411')
    const alpha = await kids.sleeper('tfo-e2e-alpha', '0.000141')
    agent = await startAgent(col, { include: ['^tfo-e2e-'], exclude: [`^${LONG}$`], top_n: 0 })
    const cycles = await waitForCycles(col, agent, 2, (c) => c.processes.size > 0)
    for (const c of cycles) assert.deepEqual(pidsOf(c), [alpha.pid!], 'only the alpha')
  })

  test('holds the cap with 1,000 matching processes running and reports 950 left out', async () => {
    kids = new Children()
    const { shell, pids } = await kids.flock('tfo-e2e-many', 1000)
    assert.equal(pids.length, 1000)
    assert.equal(pidsNamed('tfo-e2e-many').length, 1000, 'all 1,000 are running')
    const flock = new Set(pids)

    agent = await startAgent(col, { include: ['^tfo-e2e-many$'], top_n: 0, max_processes: 50 })
    const cycles = await waitForCycles(col, agent, 3, (c) => c.processes.size > 0, 30_000)
    for (const c of cycles) {
      assert.equal(c.processes.size, 50, 'each cycle carries exactly the cap')
      for (const pid of c.processes.keys()) assert.ok(flock.has(pid), `pid ${pid} is one of the flock`)
    }
    await until(
      async () => `processes_left_out to read 950; /metrics said:\n${await agent!.prometheus()}`,
      async () => (await leftOutGauge(agent!)) === 950,
    )
    assertQuiet(agent)

    await kids.releaseFlock(shell)
    assert.equal(shell.exitCode, 0, 'the shell killed and reaped its sleepers')
    await until(
      'every tfo-e2e-many to be gone (reaped, no zombies)',
      () => pidsNamed('tfo-e2e-many').length === 0,
    )
  })

  test('treats processes that vanish between scans as normal and keeps exporting', async () => {
    kids = new Children()
    const steady = await kids.sleeper('tfo-e2e-steady', '0.000301')
    const churn = await kids.churn('tfo-e2e-blip')
    agent = await startAgent(col, { include: ['^tfo-e2e-(steady|blip)$'], top_n: 0 })

    const steadyIn = (c: Cycle) => c.processes.has(steady.pid!)
    // Short-lived processes were seen by some scans: the race is being run.
    const seen = await waitForCycles(col, agent, 1, (c) => c.processes.size > 1, 30_000)
    const afterSeen = seen.filter(steadyIn).length
    // And the exports go on, cycle after cycle, while processes keep vanishing.
    const cycles = await waitForCycles(col, agent, afterSeen + 4, steadyIn, 30_000)
    assert.ok(churn.rounds() > 10, `the churn ran (${churn.rounds()} rounds)`)
    for (const c of cycles) {
      for (const p of c.processes.values()) {
        assert.ok(
          ['tfo-e2e-steady', 'tfo-e2e-blip'].includes(String(p.resource['process.executable.name'])),
          `pid ${p.pid} is ${p.resource['process.executable.name']}`,
        )
      }
    }
    assertQuiet(agent)
    const health = await fetch(`http://127.0.0.1:${agent.healthPort}/health`)
    assert.equal(health.status, 200, await health.text())
    await churn.stop()
    assert.deepEqual(pidsNamed('tfo-e2e-blip'), [], 'every blip was reaped')
  })

  test('in top-N mode exports a busy process among the top 3 with its CPU time growing', async () => {
    kids = new Children()
    const busy = await kids.spawn(process.execPath, ['-e', 'for(;;){}'])
    agent = await startAgent(col, { include: [], top_n: 3 })
    const has = (c: Cycle) => c.processes.has(busy.pid!)
    const cycles = await waitForCycles(col, agent, 3, has, 30_000)
    for (const c of cycles) assert.ok(c.processes.size <= 6, 'top 3 by CPU ∪ top 3 by memory')
    const mine = cycles.filter(has).map((c) => c.processes.get(busy.pid!)!)
    const first = mine[0]!
    const last = mine.at(-1)!
    assert.ok(
      cpuSeconds(last) > cpuSeconds(first),
      `process.cpu.time grew: ${cpuSeconds(first)} → ${cpuSeconds(last)}`,
    )
    assert.equal(last.resource['process.parent_pid'], process.pid)
    assert.ok(String(last.resource['process.command_line']).includes('for(;;){}'))
    assertProcessMetrics(last)
    assertQuiet(agent)
  })
})
