import os from 'node:os'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, describe, test } from 'node:test'
import { cleanEnv, makeTmp, runCli } from './cli-helpers'

const tmp = makeTmp()
const env = cleanEnv(tmp.dir)
const run = (args: string[]) => runCli(args, { cwd: tmp.dir, env })
const pkg = require('../package.json') as { version: string }

/** A stand-in for a running agent's health server on 127.0.0.1. */
async function healthServer(status: number, body: unknown): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url !== '/health') return res.writeHead(404).end()
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return { endpoint: `127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

after(() => tmp.cleanup())

describe('tfo-agent command line', () => {
  test('prints its version three ways', async () => {
    assert.deepEqual(await run(['--version']), { code: 0, stdout: `${pkg.version}\n`, stderr: '' })
    assert.deepEqual(await run(['version', '--short']), { code: 0, stdout: `${pkg.version}\n`, stderr: '' })
    const json = await run(['version', '--json'])
    const info = JSON.parse(json.stdout) as Record<string, unknown>
    assert.deepEqual(Object.keys(info).sort(), ['arch', 'native', 'node', 'platform', 'version'])
    assert.equal(info.version, pkg.version)
    assert.equal(info.node, process.versions.node)
    assert.equal(typeof info.native, 'boolean')
  })

  test("exits 2 on an unknown command or option, with commander's message", async () => {
    const command = await run(['strat'])
    assert.equal(command.code, 2)
    assert.match(command.stderr, /^error: unknown command 'strat'\n\(Did you mean start\?\)/)
    const option = await run(['collect', '--formt', 'json'])
    assert.equal(option.code, 2)
    assert.match(option.stderr, /unknown option '--formt'/)
    const choice = await run(['start', '--log-level', 'loud'])
    assert.equal(choice.code, 2)
    assert.match(choice.stderr, /Allowed choices are trace, debug, info, warn, error, fatal/)
  })

  test('has --help on every command', async () => {
    for (const args of [
      [],
      ['start'],
      ['collect'],
      ['config'],
      ['config', 'validate'],
      ['config', 'show'],
      ['config', 'init'],
      ['version'],
      ['status'],
    ]) {
      const r = await run([...args, '--help'])
      assert.equal(r.code, 0, args.join(' '))
      assert.match(r.stdout, /^Usage: tfo-agent/, args.join(' '))
    }
    const start = await run(['start', '--help'])
    for (const option of ['--config', '--log-level', '--log-format'])
      assert.match(start.stdout, new RegExp(option))
  })

  test('prints one snapshot as the heartbeat body', async () => {
    const r = await run(['collect', '--format', 'json', '--sample-ms', '50'])
    assert.equal(r.code, 0, r.stderr)
    const body = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>
    assert.deepEqual(Object.keys(body), ['systemInfo'])
    assert.equal(body.systemInfo!.agentVersion, pkg.version)
    assert.equal(typeof body.systemInfo!.memoryTotal, 'number')
  })

  test('shows the usage of every core by default (per_core governs only metric cardinality)', async () => {
    const r = await run(['collect', '--format', 'json', '--sample-ms', '50'])
    assert.equal(r.code, 0, r.stderr)
    const { systemInfo } = JSON.parse(r.stdout) as {
      systemInfo: { cpuPerCore: Array<Record<string, number>> }
    }
    assert.equal(systemInfo.cpuPerCore.length, os.cpus().length)
    assert.deepEqual(
      systemInfo.cpuPerCore.map((c) => c.coreId),
      os.cpus().map((_, i) => i),
    )
    for (const core of systemInfo.cpuPerCore) assert.ok(core.usage! >= 0 && core.usage! <= 100)
  })

  test('prints one snapshot as a table for a person', async () => {
    const r = await run(['collect', '--sample-ms', '50'])
    assert.equal(r.code, 0, r.stderr)
    for (const heading of ['Host', 'CPU', 'Memory', 'Processes', 'Container and virtualization']) {
      assert.match(r.stdout, new RegExp(`^${heading}`, 'm'))
    }
  })
})

describe('tfo-agent status', () => {
  const servers: Server[] = []
  after(() => servers.forEach((s) => s.close()))

  test('exits 0 and prints the state of a healthy agent', async () => {
    const { endpoint, server } = await healthServer(200, {
      status: 'healthy',
      version: '9.9.9',
      buffer: { batches: 2 },
    })
    servers.push(server)
    const r = await run(['status', '--endpoint', endpoint])
    assert.equal(r.code, 0)
    assert.match(r.stdout, new RegExp(`^tfo-agent at http://${endpoint}/health: healthy \\(HTTP 200\\)\\n`))
    assert.match(r.stdout, /buffer\.batches\s+2/)
  })

  test('exits 1 when the agent says it is degraded', async () => {
    const { endpoint, server } = await healthServer(503, { status: 'degraded', reason: 'exports failing' })
    servers.push(server)
    const r = await run(['status', '--endpoint', endpoint])
    assert.equal(r.code, 1)
    assert.match(r.stdout, /: degraded \(HTTP 503\)/)
  })

  test('finds the endpoint in the configuration', async () => {
    const { endpoint, server } = await healthServer(200, { status: 'healthy' })
    servers.push(server)
    const file = tmp.write('status.yaml', `health:\n  endpoint: ${endpoint}\n`)
    assert.equal((await run(['status', '--config', file])).code, 0)
  })

  test('exits 3 with a clear message when nothing answers', async () => {
    const { endpoint, server } = await healthServer(200, {})
    await new Promise((done) => server.close(done))
    const r = await run(['status', '--endpoint', endpoint])
    assert.equal(r.code, 3)
    assert.equal(r.stdout, '')
    assert.equal(
      r.stderr,
      `tfo-agent: no agent answered at http://${endpoint}/health (connection refused); is it running, and is health.endpoint the same?\n`,
    )
  })
})
