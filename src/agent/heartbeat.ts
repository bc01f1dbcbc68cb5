/**
 * The heartbeat as the agent runs it: its own loop (a stuck export never stops it),
 * the freshest system snapshot as `systemInfo`, and the agent's state beside it.
 */
import type { Logger } from 'pino'

import type { CloudInfo } from '../cloud'
import type { AgentConfig } from '../config'
import type { AgentStats } from '../health'
import {
  agentStateFrom,
  HeartbeatClient,
  HeartbeatLoop,
  toSystemInfo,
  unavailableSystemInfoKeys,
} from '../heartbeat'
import type { HostSnapshot } from '../native'
import { VERSION } from '../version'
import { heartbeatClientOptions } from './options'

export interface AgentHeartbeatOptions {
  config: AgentConfig
  logger: Logger
  stats: AgentStats
  /** Unix ms. */
  startedAt: number
  snapshot: () => Promise<HostSnapshot>
  cloud: () => Promise<CloudInfo>
  collectorStates: () => Record<string, Record<string, unknown>> | undefined
}

/** The heartbeat's loop, and a way to close its client (keep-alive sockets) at teardown. */
export function createHeartbeat(o: AgentHeartbeatOptions): { loop: HeartbeatLoop; close: () => void } {
  const c = o.config
  if (!c.telemetryflow.api_key_id || !c.telemetryflow.api_key_secret) {
    o.logger.warn(
      { api_endpoint: c.telemetryflow.api_endpoint },
      'the heartbeat is on but no complete API key is set (telemetryflow.api_key_id and api_key_secret, or TELEMETRYFLOW_API_KEY_ID and TELEMETRYFLOW_API_KEY_SECRET); the API will likely refuse it',
    )
  }
  const client = new HeartbeatClient(heartbeatClientOptions(c, o.logger))
  if (c.heartbeat.register) {
    void client.register({
      name: c.agent.name,
      hostname: c.agent.hostname,
      version: VERSION,
      tags: c.agent.tags,
    })
  }
  const loop = new HeartbeatLoop({
    client,
    intervalMs: c.heartbeat.interval,
    stats: o.stats,
    logger: o.logger,
    buildBody: async () => {
      const [snapshot, cloud] = await Promise.all([o.snapshot(), o.cloud()])
      return {
        systemInfo: toSystemInfo(snapshot, {
          agentVersion: VERSION,
          agentStartTime: Math.floor(o.startedAt / 1000),
          cloud,
        }),
        agent: agentStateFrom(o.stats, o.collectorStates(), unavailableSystemInfoKeys(snapshot)),
      }
    },
  })
  return { loop, close: () => client.close() }
}
