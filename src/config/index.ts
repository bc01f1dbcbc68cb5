/**
 * The agent's configuration: one typed object, validated once against one schema.
 * Nothing outside this folder reads settings from files or the environment.
 */
export type * from './types'
export { ConfigError, formatIssue, type ConfigIssue } from './errors'
export {
  loadConfig,
  parseConfig,
  configSearchPaths,
  ENV_OVERRIDES,
  type LoadConfigOptions,
  type LoadedConfig,
} from './load'
export { expandString, type Env } from './expand'
export { parseDuration, formatDuration } from './duration'
export { redact, secretsOf, maskKeyId } from './redact'
export { SecretScrubber, scrubSecrets, maskUrl, isSecretName, REDACTED } from './scrub'
export { configToYaml, starterConfig, configReferenceMarkdown } from './render'
export { configSchema, type SchemaNode } from './schema'
