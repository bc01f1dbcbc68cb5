/** The agent's id and data directory, filled in when the configuration leaves them empty. */
import type { Logger } from 'pino'

import type { AgentConfig, Env } from '../config'
import { resolveIdentity } from '../identity'

/**
 * `config` with `agent.id` and `agent.data_dir` set: as given, else the id read from (or
 * written once to) `<data_dir>/agent-id` in the default data directory. A copy: the
 * caller's object is not changed.
 */
export async function withIdentity(config: AgentConfig, logger: Logger, env?: Env): Promise<AgentConfig> {
  if (config.agent.id && config.agent.data_dir) return config
  const identity = await resolveIdentity(config, { env })
  logger.info(
    { agent_id: identity.agentId, id_source: identity.source, data_dir: identity.dataDir },
    'agent identity resolved',
  )
  return { ...config, agent: { ...config.agent, id: identity.agentId, data_dir: identity.dataDir } }
}
