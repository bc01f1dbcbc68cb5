/** Cloud metadata for the heartbeat's `cloud*` keys and the `cloud.*` resource attributes. */
export { detectCloud, createCloudDetector, chooseProvider, probeCloud } from './detect'
export type { CloudDetectOptions, CloudDetectorOptions, CloudSetting } from './detect'
export { DEFAULT_METADATA_ENDPOINTS } from './providers'
export { EMPTY_CLOUD_INFO } from './types'
export type { CloudInfo, CloudProvider } from './types'
