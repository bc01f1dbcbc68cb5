/**
 * Which cloud this host runs on, from its metadata service. A service is asked only when
 * the configuration names its cloud, or when the configuration says `auto` and the
 * host's DMI data (`snapshot.virtualization.cloudHint`) names it, so a machine that is
 * on no cloud sends nothing to link-local addresses.
 */
import type { Logger } from 'pino'
import { DEFAULT_METADATA_ENDPOINTS, READERS } from './providers'
import { EMPTY_CLOUD_INFO, type CloudInfo, type CloudProvider } from './types'

export type CloudSetting = 'auto' | 'none' | CloudProvider

export interface CloudDetectOptions {
  /** `auto` (default): follow the DMI hint; `none`: never ask; a provider: ask that one. */
  provider?: CloudSetting
  /** `snapshot.virtualization.cloudHint`: `aws`, `gcp`, `azure`, `alibaba` or "". */
  hint?: string
  /** Base URLs of the metadata services; the link-local defaults where not given. */
  endpoints?: Partial<Record<CloudProvider, string>>
  /** Per request. Default 1000 (the services answer in milliseconds where they exist). */
  timeoutMs?: number
  logger?: Logger
}

const PROVIDERS: readonly string[] = Object.keys(READERS)

function isProvider(value: string | undefined): value is CloudProvider {
  return value !== undefined && PROVIDERS.includes(value)
}

/** The provider to ask, or undefined to ask none. */
export function chooseProvider(setting: CloudSetting = 'auto', hint = ''): CloudProvider | undefined {
  if (setting === 'none') return undefined
  if (setting === 'auto') return isProvider(hint) ? hint : undefined
  return setting
}

/** The outcome with whether the service answered (a failure is worth asking again later). */
export async function probeCloud(
  options: CloudDetectOptions,
): Promise<{ info: CloudInfo; answered: boolean }> {
  const provider = chooseProvider(options.provider, options.hint)
  if (!provider) return { info: { ...EMPTY_CLOUD_INFO }, answered: true }
  const base = options.endpoints?.[provider] ?? DEFAULT_METADATA_ENDPOINTS[provider]
  try {
    const info = await READERS[provider](base, options.timeoutMs ?? 1000)
    return { info, answered: true }
  } catch (err) {
    const reason =
      err instanceof Error ? (err.name === 'TimeoutError' ? 'timed out' : err.message) : String(err)
    options.logger?.debug({ provider, endpoint: base, reason }, 'cloud metadata service did not answer')
    // Where DMI says which cloud this is, that much is still known without the service.
    const keep = options.hint === provider ? provider : ''
    return { info: { ...EMPTY_CLOUD_INFO, provider: keep }, answered: false }
  }
}

/** `CloudInfo` for the heartbeat; fields "" when unknown. Never rejects. */
export async function detectCloud(options: CloudDetectOptions): Promise<CloudInfo> {
  return (await probeCloud(options)).info
}

export interface CloudDetectorOptions extends CloudDetectOptions {
  /** After a service failed to answer, ask again no sooner than this. Default 10 min. */
  retryFailedAfterMs?: number
  /** Clock, unix ms (a test seam). */
  now?: () => number
}

/**
 * A memoized `detectCloud`: the first call asks, later calls share its answer. A failed
 * probe is retried once `retryFailedAfterMs` has passed (the service may come up later).
 */
export function createCloudDetector(options: CloudDetectorOptions): () => Promise<CloudInfo> {
  const now = options.now ?? Date.now
  const retryAfter = options.retryFailedAfterMs ?? 10 * 60_000
  let pending: Promise<{ info: CloudInfo; answered: boolean }> | undefined
  let settled: { answered: boolean } | undefined
  let askedAt = 0
  return () => {
    const stale = settled !== undefined && !settled.answered && now() - askedAt >= retryAfter
    if (!pending || stale) {
      askedAt = now()
      settled = undefined
      pending = probeCloud(options).then((outcome) => (settled = outcome))
    }
    return pending.then((outcome) => ({ ...outcome.info }))
  }
}
