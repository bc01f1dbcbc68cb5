/**
 * One reader per cloud metadata service. Each takes the service's base URL (configurable,
 * so tests point it at 127.0.0.1) and a per-request timeout, and throws on any failure.
 */
import type { CloudInfo, CloudProvider } from './types'

/** The link-local services a real instance reaches. Never contacted from tests. */
export const DEFAULT_METADATA_ENDPOINTS: Readonly<Record<CloudProvider, string>> = Object.freeze({
  aws: 'http://169.254.169.254',
  gcp: 'http://metadata.google.internal',
  azure: 'http://169.254.169.254',
  alibaba: 'http://100.100.100.200',
})

type Reader = (base: string, timeoutMs: number) => Promise<CloudInfo>

async function call(
  base: string,
  path: string,
  timeoutMs: number,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<string> {
  const url = base.replace(/\/+$/, '') + path
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.headers,
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${response.status}`)
  return text.trim()
}

function lastSegment(value: string): string {
  return value.split('/').at(-1) ?? ''
}

/** AWS IMDSv2: a session token first, then the instance identity document. */
const aws: Reader = async (base, timeoutMs) => {
  const token = await call(base, '/latest/api/token', timeoutMs, {
    method: 'PUT',
    headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' },
  })
  const doc = JSON.parse(
    await call(base, '/latest/dynamic/instance-identity/document', timeoutMs, {
      headers: { 'X-aws-ec2-metadata-token': token },
    }),
  ) as Record<string, unknown>
  return {
    provider: 'aws',
    instanceId: String(doc.instanceId ?? ''),
    instanceType: String(doc.instanceType ?? ''),
    region: String(doc.region ?? ''),
    zone: String(doc.availabilityZone ?? ''),
  }
}

/** GCP: three values; the zone (`projects/N/zones/us-central1-a`) also gives the region. */
const gcp: Reader = async (base, timeoutMs) => {
  const headers = { 'Metadata-Flavor': 'Google' }
  const get = (path: string) => call(base, `/computeMetadata/v1/instance/${path}`, timeoutMs, { headers })
  const [instanceId, machineType, zonePath] = await Promise.all([get('id'), get('machine-type'), get('zone')])
  const zone = lastSegment(zonePath)
  return {
    provider: 'gcp',
    instanceId,
    instanceType: lastSegment(machineType),
    region: zone.replace(/-[a-z]$/, ''),
    zone,
  }
}

/** Azure IMDS: one JSON document; `compute.zone` is the zone number ("" outside zones). */
const azure: Reader = async (base, timeoutMs) => {
  const doc = JSON.parse(
    await call(base, '/metadata/instance?api-version=2021-02-01&format=json', timeoutMs, {
      headers: { Metadata: 'true' },
    }),
  ) as { compute?: Record<string, unknown> }
  const compute = doc.compute ?? {}
  return {
    provider: 'azure',
    instanceId: String(compute.vmId ?? ''),
    instanceType: String(compute.vmSize ?? ''),
    region: String(compute.location ?? ''),
    zone: String(compute.zone ?? ''),
  }
}

/**
 * Alibaba ECS: four plain-text values. Hardened mode wants a token; it is asked for
 * first, and left out where the service does not issue one.
 */
const alibaba: Reader = async (base, timeoutMs) => {
  const token = await call(base, '/latest/api/token', timeoutMs, {
    method: 'PUT',
    headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' },
  }).catch(() => '')
  const headers: Record<string, string> = token ? { 'X-aliyun-ecs-metadata-token': token } : {}
  const get = (path: string) => call(base, `/latest/meta-data/${path}`, timeoutMs, { headers })
  const [instanceId, instanceType, region, zone] = await Promise.all([
    get('instance-id'),
    get('instance/instance-type'),
    get('region-id'),
    get('zone-id'),
  ])
  return { provider: 'alibaba', instanceId, instanceType, region, zone }
}

export const READERS: Readonly<Record<CloudProvider, Reader>> = Object.freeze({ aws, gcp, azure, alibaba })
