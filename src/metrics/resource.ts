/**
 * The resource every host metric carries (DESIGN.md, "OTLP metrics"), as a plain
 * map the MetricModel takes.
 */
import type { HostSnapshot } from '../native'
import { VERSION } from '../version'

export type ResourceAttributes = Record<string, string | number | boolean>

/** Cloud facts, from the cloud detector or the config. Empty fields are left out. */
export interface CloudInfo {
  /** `aws`, `gcp`, `azure`, `alibaba_cloud`, … (semconv `cloud.provider` values). */
  provider?: string
  /** e.g. `aws_ec2`, `gcp_compute_engine`. */
  platform?: string
  region?: string
  availabilityZone?: string
  accountId?: string
  /** The instance id becomes `host.id`, as the conventions ask for cloud VMs. */
  instanceId?: string
  /** Becomes `host.type`. */
  instanceType?: string
}

export interface ResourceMeta {
  /** The stable agent id: `service.instance.id` and `telemetryflow.agent.id`. */
  agentId: string
  /** Default: this package's version. */
  serviceVersion?: string
  /** `deployment.environment.name`, e.g. `production`. */
  environment?: string
  /** Overrides the kernel's hostname (the config's `agent.hostname`). */
  hostname?: string
  /** The agent's tags, added as they are; they never replace the attributes above. */
  tags?: Record<string, string>
  cloud?: CloudInfo
}

function put(attrs: ResourceAttributes, key: string, value: string | undefined): void {
  if (value) attrs[key] = value
}

export function buildResource(snapshot: HostSnapshot, meta: ResourceMeta): ResourceAttributes {
  const host = snapshot.host
  const own: ResourceAttributes = {
    'service.name': 'tfo-agent',
    'service.version': meta.serviceVersion ?? VERSION,
    'service.instance.id': meta.agentId,
    'telemetryflow.agent.id': meta.agentId,
  }
  put(own, 'host.name', meta.hostname || host.hostname)
  put(own, 'host.id', meta.cloud?.instanceId || host.hostId)
  put(own, 'host.arch', host.architecture)
  put(own, 'host.type', meta.cloud?.instanceType)
  put(own, 'os.type', host.os)
  const kernel = host.kernelVersion ? `${host.os === 'linux' ? 'Linux' : host.os} ${host.kernelVersion}` : ''
  put(own, 'os.description', [host.platformName, kernel && `(${kernel})`].filter(Boolean).join(' '))
  put(own, 'deployment.environment.name', meta.environment)

  const cloud = meta.cloud
  if (cloud) {
    put(own, 'cloud.provider', cloud.provider)
    put(own, 'cloud.platform', cloud.platform)
    put(own, 'cloud.region', cloud.region)
    put(own, 'cloud.availability_zone', cloud.availabilityZone)
    put(own, 'cloud.account.id', cloud.accountId)
  }

  const c = snapshot.container
  if (c.isContainer) {
    put(own, 'container.id', c.containerId)
    put(own, 'container.name', c.containerName)
    put(own, 'container.image.name', c.containerImage)
    put(own, 'container.runtime.name', c.runtime)
  }

  return { ...(meta.tags ?? {}), ...own }
}
