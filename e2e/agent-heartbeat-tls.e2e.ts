/**
 * The heartbeat to an https TelemetryFlow API whose certificate a private CA signed:
 * trusted through `telemetryflow.tls.ca_file`, refused without it.
 */
import { strict as assert } from 'node:assert'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import pino from 'pino'

import { Agent } from '../src/agent/agent'
import { parseConfig } from '../src/config'
import { makeCertificates } from './helpers/certs'

const dir = mkdtempSync(join(tmpdir(), 'tfo-hb-tls-'))
let server: Server
let url = ''
const paths: string[] = []

before(async () => {
  makeCertificates(dir)
  server = createServer(
    { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) },
    (req, res) => {
      paths.push(req.url ?? '')
      req.resume()
      req.on('end', () => res.writeHead(200).end('{}'))
    },
  )
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('no address')
  url = `https://127.0.0.1:${address.port}/api/v1`
})

after(async () => {
  await new Promise((r) => server.close(r))
  rmSync(dir, { recursive: true, force: true })
})

function agent(name: string, caFile: string): Agent {
  const { config } = parseConfig(
    [
      'telemetryflow:',
      `  api_endpoint: ${url}`,
      '  api_key_id: tfk_tls',
      '  api_key_secret: tfs_tls',
      '  retry:',
      '    enabled: false',
      '  tls:',
      `    ca_file: "${caFile}"`,
      'agent:',
      `  id: ${name}`,
      `  data_dir: ${join(dir, name)}`,
      'collectors:',
      '  system:',
      '    enabled: false',
      'exporter:',
      '  otlp:',
      '    enabled: false',
      'heartbeat:',
      '  interval: 200ms',
      'health:',
      '  enabled: false',
      'cloud:',
      '  provider: none',
    ].join('\n'),
    { env: {} },
  )
  return new Agent(config, { logger: pino({ level: 'silent' }) })
}

async function until(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50))
  return check()
}

describe('the heartbeat over https with a private CA', () => {
  test('is delivered when telemetryflow.tls.ca_file names the CA', async () => {
    const a = agent('trusting', join(dir, 'ca.pem'))
    await a.start()
    // Until the answer is counted too: the request arrives before the agent reads the reply.
    const delivered = await until(
      () => paths.includes('/api/v1/agents/trusting/heartbeat') && a.stats.heartbeats.ok >= 1,
    )
    await a.stop({ deadlineMs: 1000 })
    assert.ok(delivered)
    assert.ok(a.stats.heartbeats.ok >= 1)
  })

  test('is refused without the CA, and counted as failed', async () => {
    const a = agent('untrusting', '')
    await a.start()
    const failed = await until(() => a.stats.heartbeats.failed >= 1)
    await a.stop({ deadlineMs: 1000 })
    assert.ok(failed)
    assert.ok(!paths.includes('/api/v1/agents/untrusting/heartbeat'))
  })
})
