/**
 * `tfo-agent status` against a running agent that exports to the real collector: the compact
 * picture with sparklines, exit codes that follow metrics delivery, `--watch`, and the token
 * of an agent listening beyond loopback.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { after, afterEach, before, describe, test } from 'node:test'
import { agentConfig, killAllAgents, runCli, startAgent, tempDir, type RunningAgent } from './helpers/agent'
import { freePort, pause, startCollector, type RunningCollector } from './helpers/otelcol'

const CLI = join(__dirname, '..', 'bin', 'tfo-agent.js')
const SPARK = /[▁▂▃▄▅▆▇█]{3,}/

describe('tfo-agent status against a running agent', () => {
  let col: RunningCollector

  before(async () => {
    col = await startCollector({ grpc: true, http: false })
  })
  afterEach(async () => {
    await killAllAgents()
    await col.ensureRunning()
  })
  after(async () => {
    await killAllAgents()
    await col?.stop()
  })

  async function delivering(over = {}): Promise<RunningAgent> {
    const agent = await startAgent(
      agentConfig({ collector: col.grpcEndpoint, dataDir: tempDir('status'), over }),
    )
    await agent.waitForMetrics(
      (m) => m.exportsOk >= 1 && m.collections >= 5,
      'exports delivered and five collections',
    )
    return agent
  }

  test('prints delivery and the host with sparklines, exits 0 while metrics are delivered, heartbeat off', async () => {
    const agent = await delivering()
    const r = await runCli(['status', '--endpoint', agent.healthEndpoint])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /: healthy \(HTTP 200\)\n/)
    assert.match(r.stdout, new RegExp(await agent.agentId()))
    assert.match(r.stdout, /^ {2}collector +reachable/m)
    assert.match(r.stdout, /^ {2}heartbeat +off · API off$/m)
    assert.match(r.stdout, /^ {2}cpu +\d+\.\d%.*cores/m)
    for (const line of ['cpu', 'memory', 'load', 'buffer'])
      assert.match(r.stdout, new RegExp(`^ {2}${line} .*${SPARK.source}$`, 'm'), `${line} has a sparkline`)
    assert.doesNotMatch(r.stdout, /degraded/)
  })

  test('exits 1 while the collector is down, and says the collector is unreachable', async () => {
    const agent = await delivering()
    await col.stop()
    await agent.waitForMetrics((m) => m.exportsFailed >= 1, 'a failed export')
    const r = await runCli(['status', '--endpoint', agent.healthEndpoint])
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.match(r.stdout, /: degraded \(HTTP 200\)/)
    assert.match(r.stdout, /^ {2}collector +unreachable/m)
  })

  test('--watch prints a new picture on each refresh until interrupted, and exits as the last answer says', async () => {
    const agent = await delivering()
    const child = spawn(process.execPath, [
      CLI,
      'status',
      '--watch',
      '--interval',
      '300',
      '--endpoint',
      agent.healthEndpoint,
    ])
    let out = ''
    const samples = new Set<string>()
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      for (const m of out.matchAll(/sample (\d+)/g)) samples.add(m[1])
      if (samples.size >= 3) child.kill('SIGINT')
    })
    assert.equal(await exited, 0, out)
    assert.ok(samples.size >= 3, `samples seen: ${[...samples].join(', ')}`)
    assert.ok(out.split('\x1b[H\x1b[2J').length >= 4, 'each refresh clears the screen')
  })

  test('an agent beyond loopback shows the picture to a status that has its token, and only the state to one without', async () => {
    const port = await freePort()
    const agent = await startAgent(
      agentConfig({
        collector: col.grpcEndpoint,
        dataDir: tempDir('status'),
        over: { health: { endpoint: `0.0.0.0:${port}`, token: 'status-token-81c2' } },
      }),
      { waitHealthy: false },
    )
    // /metrics needs the token here: wait on the open /health (over loopback) for a delivery.
    for (let i = 0; ; i++) {
      const body = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.json() as Promise<{ lastSuccessfulExport: number | null }>,
        () => ({ lastSuccessfulExport: null }),
      )
      if (body.lastSuccessfulExport !== null) break
      assert.ok(i < 300, `no export delivered:\n${agent.output()}`)
      await pause(100)
    }
    const withToken = await runCli(['status', '--config', agent.configPath])
    assert.equal(withToken.code, 0, withToken.stdout + withToken.stderr)
    assert.match(withToken.stdout, /^ {2}buffer +\d+ batches/m)
    assert.doesNotMatch(withToken.stdout, /status-token-81c2/)
    const without = await runCli(['status', '--endpoint', `127.0.0.1:${port}`])
    assert.equal(without.code, 0)
    assert.match(without.stdout, /needs health\.token: HTTP 401/)
    assert.doesNotMatch(without.stdout, SPARK)
  })
})
