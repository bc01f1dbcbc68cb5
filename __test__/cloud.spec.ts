import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import {
  chooseProvider,
  createCloudDetector,
  detectCloud,
  type CloudDetectOptions,
  type CloudProvider,
} from '../src/cloud'

interface Seen {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
}
type Route = (req: http.IncomingMessage) => { status?: number; body: string; delayMs?: number } | undefined

/** A fake metadata service on 127.0.0.1 that records what it is asked. */
async function fakeMetadata(route: Route) {
  const seen: Seen[] = []
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    const answer = route(req) ?? { status: 404, body: 'not found' }
    const send = () => {
      if (res.destroyed) return
      res.writeHead(answer.status ?? 200, { 'Content-Type': 'text/plain' })
      res.end(answer.body)
    }
    if (answer.delayMs) setTimeout(send, answer.delayMs).unref()
    else send()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * Every test goes through here: all four endpoints must be given and on loopback, so the
 * link-local defaults (169.254.169.254, metadata.google.internal, 100.100.100.200) are
 * never reached, not even by a mistake in a test.
 */
function loopbackOnly(options: CloudDetectOptions): CloudDetectOptions {
  for (const provider of ['aws', 'gcp', 'azure', 'alibaba'] as CloudProvider[]) {
    const endpoint = options.endpoints?.[provider]
    assert.ok(endpoint, `the test must give the ${provider} endpoint`)
    assert.equal(new URL(endpoint).hostname, '127.0.0.1', `${provider} endpoint must be loopback`)
  }
  return options
}

/** A server that must never be asked: every endpoint not under test points here. */
async function trap() {
  const server = await fakeMetadata(() => ({ status: 500, body: 'should not be asked' }))
  return {
    ...server,
    endpoints: (overrides: Partial<Record<CloudProvider, string>> = {}) => ({
      aws: server.url,
      gcp: server.url,
      azure: server.url,
      alibaba: server.url,
      ...overrides,
    }),
  }
}

test('AWS is read through IMDSv2: a token first, then the identity document with it', async () => {
  const aws = await fakeMetadata((req) => {
    if (req.method === 'PUT' && req.url === '/latest/api/token') return { body: 'TOKEN-123' }
    if (req.url === '/latest/dynamic/instance-identity/document') {
      if (req.headers['x-aws-ec2-metadata-token'] !== 'TOKEN-123') return { status: 401, body: '' }
      return {
        body: JSON.stringify({
          instanceId: 'i-0abc123',
          instanceType: 'm6i.xlarge',
          region: 'eu-central-1',
          availabilityZone: 'eu-central-1a',
        }),
      }
    }
    return undefined
  })
  const other = await trap()
  try {
    const info = await detectCloud(
      loopbackOnly({ hint: 'aws', endpoints: other.endpoints({ aws: aws.url }) }),
    )
    assert.deepEqual(info, {
      provider: 'aws',
      instanceId: 'i-0abc123',
      instanceType: 'm6i.xlarge',
      region: 'eu-central-1',
      zone: 'eu-central-1a',
    })
    assert.ok(aws.seen[0]!.headers['x-aws-ec2-metadata-token-ttl-seconds'])
    assert.equal(other.seen.length, 0)
  } finally {
    await aws.close()
    await other.close()
  }
})

test('GCP is read with Metadata-Flavor: Google, and the region comes from the zone', async () => {
  const gcp = await fakeMetadata((req) => {
    if (req.headers['metadata-flavor'] !== 'Google') return { status: 403, body: '' }
    const values: Record<string, string> = {
      '/computeMetadata/v1/instance/id': '4520031799277581759',
      '/computeMetadata/v1/instance/machine-type': 'projects/123456/machineTypes/e2-standard-4',
      '/computeMetadata/v1/instance/zone': 'projects/123456/zones/us-central1-a',
    }
    const body = values[req.url ?? '']
    return body ? { body } : undefined
  })
  const other = await trap()
  try {
    const info = await detectCloud(
      loopbackOnly({ hint: 'gcp', endpoints: other.endpoints({ gcp: gcp.url }) }),
    )
    assert.deepEqual(info, {
      provider: 'gcp',
      instanceId: '4520031799277581759',
      instanceType: 'e2-standard-4',
      region: 'us-central1',
      zone: 'us-central1-a',
    })
    assert.equal(other.seen.length, 0)
  } finally {
    await gcp.close()
    await other.close()
  }
})

test('Azure is read from IMDS with Metadata: true', async () => {
  const azure = await fakeMetadata((req) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname !== '/metadata/instance' || req.headers.metadata !== 'true') return undefined
    if (url.searchParams.get('api-version') !== '2021-02-01') return { status: 400, body: '' }
    return {
      body: JSON.stringify({
        compute: {
          vmId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6',
          vmSize: 'Standard_D2s_v3',
          location: 'westeurope',
          zone: '2',
        },
      }),
    }
  })
  const other = await trap()
  try {
    const info = await detectCloud(
      loopbackOnly({ provider: 'azure', endpoints: other.endpoints({ azure: azure.url }) }),
    )
    assert.deepEqual(info, {
      provider: 'azure',
      instanceId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6',
      instanceType: 'Standard_D2s_v3',
      region: 'westeurope',
      zone: '2',
    })
  } finally {
    await azure.close()
    await other.close()
  }
})

test('Alibaba is read from its meta-data paths, with or without a hardened-mode token', async () => {
  const values: Record<string, string> = {
    '/latest/meta-data/instance-id': 'i-bp67acfmxazb4ph',
    '/latest/meta-data/instance/instance-type': 'ecs.g7.large',
    '/latest/meta-data/region-id': 'cn-hangzhou',
    '/latest/meta-data/zone-id': 'cn-hangzhou-i',
  }
  const alibaba = await fakeMetadata((req) => {
    const body = values[req.url ?? '']
    return body ? { body } : undefined
  })
  const other = await trap()
  try {
    const info = await detectCloud(
      loopbackOnly({ hint: 'alibaba', endpoints: other.endpoints({ alibaba: alibaba.url }) }),
    )
    assert.deepEqual(info, {
      provider: 'alibaba',
      instanceId: 'i-bp67acfmxazb4ph',
      instanceType: 'ecs.g7.large',
      region: 'cn-hangzhou',
      zone: 'cn-hangzhou-i',
    })
  } finally {
    await alibaba.close()
    await other.close()
  }
})

test('with provider auto and no DMI hint, no metadata service is asked at all', async () => {
  const other = await trap()
  try {
    for (const hint of ['', undefined, 'openstack']) {
      const info = await detectCloud(loopbackOnly({ provider: 'auto', hint, endpoints: other.endpoints() }))
      assert.deepEqual(info, { provider: '', instanceId: '', instanceType: '', region: '', zone: '' })
    }
    await detectCloud(loopbackOnly({ provider: 'none', hint: 'aws', endpoints: other.endpoints() }))
    assert.equal(other.seen.length, 0)
  } finally {
    await other.close()
  }
})

test('the provider is chosen from the setting, or from the hint when the setting is auto', () => {
  assert.equal(chooseProvider('auto', 'gcp'), 'gcp')
  assert.equal(chooseProvider('auto', ''), undefined)
  assert.equal(chooseProvider('none', 'aws'), undefined)
  assert.equal(chooseProvider('azure', ''), 'azure')
  assert.equal(chooseProvider(undefined, 'alibaba'), 'alibaba')
})

test('a service that does not answer in time gives empty info and one debug line', async () => {
  const slow = await fakeMetadata(() => ({ body: 'late', delayMs: 5000 }))
  const other = await trap()
  const lines: Array<{ level: number; msg: string }> = []
  const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l)) })
  try {
    const info = await detectCloud(
      loopbackOnly({ provider: 'gcp', timeoutMs: 50, logger, endpoints: other.endpoints({ gcp: slow.url }) }),
    )
    assert.deepEqual(info, { provider: '', instanceId: '', instanceType: '', region: '', zone: '' })
    assert.equal(lines.length, 1)
    assert.equal(lines[0]!.level, 20)
    assert.match(JSON.stringify(lines[0]), /timed out/)
  } finally {
    await slow.close()
    await other.close()
  }
})

test('when DMI names the cloud but its service fails, the provider is still reported', async () => {
  const broken = await fakeMetadata(() => ({ status: 500, body: 'oops' }))
  const other = await trap()
  try {
    const info = await detectCloud(
      loopbackOnly({ hint: 'aws', endpoints: other.endpoints({ aws: broken.url }) }),
    )
    assert.deepEqual(info, { provider: 'aws', instanceId: '', instanceType: '', region: '', zone: '' })
  } finally {
    await broken.close()
    await other.close()
  }
})

test('a detector asks once and serves the cached answer after that', async () => {
  const gcp = await fakeMetadata((req) => {
    const values: Record<string, string> = {
      '/computeMetadata/v1/instance/id': '1',
      '/computeMetadata/v1/instance/machine-type': 'projects/1/machineTypes/n2-standard-2',
      '/computeMetadata/v1/instance/zone': 'projects/1/zones/europe-west4-b',
    }
    const body = values[req.url ?? '']
    return body ? { body } : undefined
  })
  const other = await trap()
  try {
    const detect = createCloudDetector(
      loopbackOnly({ hint: 'gcp', endpoints: other.endpoints({ gcp: gcp.url }) }),
    )
    const [a, b] = await Promise.all([detect(), detect()])
    const c = await detect()
    assert.equal(a.region, 'europe-west4')
    assert.deepEqual(b, a)
    assert.deepEqual(c, a)
    assert.equal(gcp.seen.length, 3, 'one probe: id, machine-type, zone')
  } finally {
    await gcp.close()
    await other.close()
  }
})

test('a detector asks a failed service again only after the retry delay', async () => {
  let up = false
  const aws = await fakeMetadata((req) => {
    if (!up) return { status: 503, body: '' }
    if (req.url === '/latest/api/token') return { body: 't' }
    return {
      body: JSON.stringify({
        instanceId: 'i-1',
        instanceType: 't3.micro',
        region: 'us-east-1',
        availabilityZone: 'us-east-1b',
      }),
    }
  })
  const other = await trap()
  let now = 0
  try {
    const detect = createCloudDetector({
      ...loopbackOnly({ provider: 'aws', endpoints: other.endpoints({ aws: aws.url }) }),
      retryFailedAfterMs: 60_000,
      now: () => now,
    })
    assert.equal((await detect()).instanceId, '')
    up = true
    now = 30_000
    assert.equal((await detect()).instanceId, '', 'still cached')
    assert.equal(aws.seen.length, 1)
    now = 61_000
    assert.equal((await detect()).instanceId, 'i-1')
    now = 10_000_000
    await detect()
    assert.equal(aws.seen.length, 3, 'a success is kept for good')
  } finally {
    await aws.close()
    await other.close()
  }
})
