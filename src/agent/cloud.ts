/**
 * The cloud the agent runs in, asked of a metadata service only once the snapshot's
 * DMI data names that cloud (or the config names one); re-asked when the hint changes.
 */
import type { Logger } from 'pino'

import { createCloudDetector, EMPTY_CLOUD_INFO, type CloudInfo } from '../cloud'
import type { AgentConfig } from '../config'
import { HostCollector } from '../host-collector'
import { nativeBackend } from './options'
import type { HostSnapshot } from '../native'

export class CloudFacts {
  readonly #config: AgentConfig
  readonly #logger: Logger
  #hint: string | undefined
  #detect: () => Promise<CloudInfo> = async () => ({ ...EMPTY_CLOUD_INFO })

  constructor(config: AgentConfig, logger: Logger) {
    this.#config = config
    this.#logger = logger
    if (config.cloud.provider !== 'auto') this.hint('')
  }

  /**
   * Who and where the host is, settled before any loop runs, so metrics, process metrics
   * and logs all carry one resource (cloud.* included) from their first batch. The
   * snapshot has the host, container and virtualization groups.
   */
  async settle(): Promise<HostSnapshot> {
    const identity = await new HostCollector({
      rootPath: this.#config.collectors.system.root_path || undefined,
      backend: nativeBackend(this.#config),
      groups: ['host', 'container', 'virtualization'],
    }).collect()
    this.hint(identity.virtualization.cloudHint)
    await this.get()
    return identity
  }

  /** Tells the detector what the latest snapshot's DMI data says (`aws`, `gcp`, … or ""). */
  hint(cloudHint: string): void {
    if (cloudHint === this.#hint) return
    this.#hint = cloudHint
    const c = this.#config.cloud
    this.#detect = createCloudDetector({
      provider: c.provider,
      hint: cloudHint,
      endpoints: c.endpoints,
      timeoutMs: c.timeout,
      logger: this.#logger,
    })
  }

  get(): Promise<CloudInfo> {
    return this.#detect()
  }
}
