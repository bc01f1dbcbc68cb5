/** The CLI's commands as plain async functions, for embedding applications. */
export { runStart, type StartOptions } from './start'
export { collectSnapshot, systemInfoBody, hostCollectorOptions, type CollectOptions } from './collect'
export { validateConfig, showConfig, initConfig, type InitOptions } from './config'
export { versionInfo, type VersionInfo } from './version'
export { queryStatus, watchStatus, healthUrl, type StatusOptions, type StatusResult } from './status'
export type { ConfigSource, LogOverrides } from './settings'
