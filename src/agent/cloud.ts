/**
 * The cloud the agent runs in, asked of a metadata service only once the snapshot's
 * DMI data names that cloud (or the config names one); re-asked when the hint changes.
 */
import type { Logger } from 'pino'

import { createCloudDetector, EMPTY_CLOUD_INFO, type CloudInfo } from '../cloud'
import type { AgentConfig } from '../config'

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
