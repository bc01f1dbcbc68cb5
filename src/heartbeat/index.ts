/** The heartbeat to the TelemetryFlow API: payload mapping, schema, client and loop. */
export { toSystemInfo, rootFilesystem } from './system-info'
export type { AgentMeta } from './system-info'
export type {
  SystemInfo,
  CpuCoreInfo,
  DiskPartitionInfo,
  NetworkInterfaceInfo,
  AgentState,
  HeartbeatBody,
} from './types'
export { agentStateFrom } from './agent-state'
export { unavailableSystemInfoKeys } from './unavailable'
export {
  SYSTEM_INFO_SCHEMA_PATH,
  loadSystemInfoSchema,
  compileHeartbeatValidator,
  formatSchemaErrors,
} from './schema'
export { HeartbeatClient } from './client'
export type {
  HeartbeatClientOptions,
  HeartbeatResult,
  HeartbeatState,
  RegistrationInfo,
  RetryOptions,
} from './client'
export { HeartbeatLoop } from './loop'
export type { HeartbeatLoopOptions } from './loop'
export type { TlsOptions } from './transport'
